"""Regenerate `release/` (student notebooks) and `solutions/` from `source/` with real nbgrader commands.

The build runs in a throwaway course directory so the course's own gradebook is never touched, then
copies nbgrader's output over the committed folders. `stale()` tells whether they are out of date.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from autograder.catalog import ASSIGNMENTS
from autograder.errors import PublishError

ROOT = Path(__file__).resolve().parents[1]
OUTPUTS = ("release", "solutions")


def nbgrader_env() -> dict[str, str]:
    """nbgrader from this interpreter's environment (it shells out to `alembic`, so PATH matters)."""
    bin_dir = str(Path(sys.executable).parent)
    return {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}


def nbgrader(course: Path, *args: str) -> None:
    done = subprocess.run([str(Path(sys.executable).parent / "nbgrader"), *args], cwd=course,
                          env=nbgrader_env(), capture_output=True, text=True)
    if done.returncode != 0:
        raise PublishError(f"nbgrader {' '.join(args)} failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")


def build(destination: Path, assignments: tuple[str, ...] = ASSIGNMENTS, root: Path = ROOT) -> None:
    """Write `destination/release/<a>/` and `destination/solutions/<a>/` for each assignment."""
    with tempfile.TemporaryDirectory(prefix="kit-publish-") as tmp:
        course = Path(tmp)
        shutil.copytree(root / "source", course / "source", symlinks=False)
        shutil.copy(root / "nbgrader_config.py", course)
        for assignment in assignments:
            nbgrader(course, "generate_assignment", assignment, "--force")
            nbgrader(course, "generate_solution", assignment, "--force")
            for output in OUTPUTS:
                target = destination / output / assignment
                if target.exists():
                    shutil.rmtree(target)
                shutil.copytree(course / output / assignment, target)


def present_assignments(root: Path = ROOT) -> tuple[str, ...]:
    return tuple(a for a in ASSIGNMENTS if (root / "source" / a / f"{a}.ipynb").exists())


def normalised(path: Path) -> object:
    """What matters in a generated file: notebook cells with their text outputs, or a file's bytes."""
    if path.suffix != ".ipynb":
        return path.read_bytes()
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return [
        (cell["cell_type"], "".join(cell["source"]), cell.get("metadata", {}).get("nbgrader"),
         "".join("".join(o.get("text", "")) + "".join(o.get("data", {}).get("text/plain", ""))
                 for o in cell.get("outputs", [])))  # nbgrader splits one stream into chunks at random
        for cell in notebook["cells"]
    ]


def _files(root: Path, output: str, assignment: str) -> dict[Path, Path]:
    return {p.relative_to(root): p for p in (root / output / assignment).rglob("*")
            if p.is_file() and ".ipynb_checkpoints" not in p.parts}


def stale(root: Path = ROOT) -> list[str]:
    """The generated files that differ from what nbgrader builds from `source/` now."""
    assignments = present_assignments(root)
    with tempfile.TemporaryDirectory(prefix="kit-fresh-") as tmp:
        fresh = Path(tmp)
        build(fresh, assignments, root)
        differ = []
        for output in OUTPUTS:
            for assignment in assignments:
                built = _files(fresh, output, assignment)
                committed = _files(root, output, assignment)
                for name in sorted(set(built) | set(committed), key=str):
                    if name not in built or name not in committed or normalised(built[name]) != normalised(committed[name]):
                        differ.append(str(name))
        return differ
