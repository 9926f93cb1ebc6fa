"""Regenerate `release/` (student notebooks) and `solutions/` from `source/` with real nbgrader commands.

The build runs in a throwaway course directory so the course's own gradebook is never touched, then
copies nbgrader's output over the committed folders. Before that, each stub's docstring contract (its
bullet list) is written from its grader's `contract`, the one home of those promises, into the source
notebooks. `stale()` tells whether any of them is out of date.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import nbformat

from autograder import kit
from autograder.authoring.spec import Exercise
from autograder.engine import catalog
from autograder.engine.catalog import ASSIGNMENTS
from autograder.errors import PublishError

ROOT = kit.ROOT
OUTPUTS = ("release", "solutions")


def nbgrader_env() -> dict[str, str]:
    """nbgrader from this interpreter's environment (it shells out to `alembic`, so PATH matters), able to
    import this kit: the course's config names the kit's plugins (KitCollect...), which nbgrader loads."""
    bin_dir = str(Path(sys.executable).parent)
    python_path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}", "PYTHONPATH": python_path}


def nbgrader(course: Path, *args: str) -> None:
    done = subprocess.run(
        [str(Path(sys.executable).parent / "nbgrader"), *args],
        cwd=course,
        env=nbgrader_env(),
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise PublishError(f"nbgrader {' '.join(args)} failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")


# The docstrings' lines stay this short, in characters: Korean ones are shorter, as Hangul is drawn twice as wide.
CONTRACT_WIDTH = {"en": 116, "ko": 88}


def contract_lines(exercise: Exercise, indent: str = "    ") -> list[str]:
    """The docstring's bullet list: each promise in English, its Korean beneath it."""
    lines = []
    for promise in exercise.contract:
        lines += textwrap.wrap(
            promise.en,
            CONTRACT_WIDTH["en"],
            initial_indent=f"{indent}- ",
            subsequent_indent=f"{indent}  ",
            break_on_hyphens=False,
        )
        lines += textwrap.wrap(
            promise.ko,
            CONTRACT_WIDTH["ko"],
            initial_indent=f"{indent}  ",
            subsequent_indent=f"{indent}  ",
            break_on_hyphens=False,
        )
    return lines


def with_contract(source: str, exercise: Exercise) -> str:
    """An answer cell's source whose stub docstring lists the exercise's contract: the bullet list in
    place of the old one, or after the docstring's first paragraph if it has none."""
    lines = source.split("\n")
    start = next(i for i, line in enumerate(lines) if re.match(rf"def {re.escape(exercise.id)}\(", line))
    opening = next(i for i in range(start, len(lines)) if '"""' in lines[i])
    closing = next(i for i in range(opening + 1, len(lines)) if '"""' in lines[i])
    bullets = [i for i in range(opening + 1, closing) if lines[i].lstrip().startswith("- ")]
    if bullets:
        first = bullets[0]
        last = next((i for i in range(first, closing) if not lines[i].strip()), closing)
        lines[first:last] = contract_lines(exercise)
    else:
        blank = next((i for i in range(opening + 1, closing) if not lines[i].strip()), closing)
        lines[blank:blank] = ["", *contract_lines(exercise)]
    return "\n".join(lines)


def write_contracts(source: Path, assignments: tuple[str, ...] = ASSIGNMENTS) -> list[Path]:
    """Write every grader's contract into its stub's docstring in the notebooks under `source`; the
    notebooks that changed."""
    changed = []
    for assignment in assignments:
        path = source / assignment / f"{assignment}.ipynb"
        notebook = nbformat.read(path, as_version=4)
        before = nbformat.writes(notebook)
        for exercise in catalog.for_assignment(assignment):
            cell = next(
                c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == f"{exercise.id}_answer"
            )
            cell.source = with_contract(cell.source, exercise)
        text = nbformat.writes(notebook)
        if text != before:
            path.write_text(text + "\n", encoding="utf-8")
            changed.append(path)
    return changed


def build(destination: Path, assignments: tuple[str, ...] = ASSIGNMENTS, root: Path = ROOT) -> None:
    """Write `destination/release/<a>/` and `destination/solutions/<a>/` for each assignment, from the
    source notebooks with the graders' contracts (written into `root/source/` too when publishing there)."""
    with tempfile.TemporaryDirectory(prefix="kit-publish-") as tmp:
        course = Path(tmp)
        if destination == root:
            write_contracts(root / "source", assignments)
        shutil.copytree(root / "source", course / "source", symlinks=False)
        write_contracts(course / "source", assignments)
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
        (
            cell["cell_type"],
            "".join(cell["source"]),
            cell.get("metadata", {}).get("nbgrader"),
            "".join(
                "".join(o.get("text", "")) + "".join(o.get("data", {}).get("text/plain", ""))
                for o in cell.get("outputs", [])
            ),
        )  # nbgrader splits one stream into chunks at random
        for cell in notebook["cells"]
    ]


def _files(root: Path, output: str, assignment: str) -> dict[Path, Path]:
    return {
        p.relative_to(root): p
        for p in (root / output / assignment).rglob("*")
        if p.is_file() and ".ipynb_checkpoints" not in p.parts
    }


def stale(root: Path = ROOT) -> list[str]:
    """The generated files that differ from what nbgrader builds from `source/` now."""
    assignments = present_assignments(root)
    with tempfile.TemporaryDirectory(prefix="kit-fresh-") as tmp:
        fresh = Path(tmp)
        shutil.copytree(root / "source", fresh / "source", symlinks=False)
        differ = [str(p.relative_to(fresh)) for p in write_contracts(fresh / "source", assignments)]
        build(fresh, assignments, root)
        for output in OUTPUTS:
            for assignment in assignments:
                built = _files(fresh, output, assignment)
                committed = _files(root, output, assignment)
                for name in sorted(set(built) | set(committed), key=str):
                    if (
                        name not in built
                        or name not in committed
                        or normalised(built[name]) != normalised(committed[name])
                    ):
                        differ.append(str(name))
        return differ
