"""The instructor's versions of a notebook, which every submission is read against.

`release/<a>/<a>.ipynb` is what the students were given: its locked cells, check cells and text are the
ones the kit runs and shows, whatever a submission has in their place (`sanitize`). `source/<a>/<a>.ipynb`
holds the solutions, which no student has: a class's submission that carries them came from the
instructor's files, not from the student (`provenance`). A class is read against the course's own copies
(where its nbgrader_config.py puts `release/` and `source/`); a notebook graded on its own, against the kit's.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from autograder import kit
from autograder.errors import InstructorError

if TYPE_CHECKING:
    from nbgrader.coursedir import CourseDirectory

KIT_ROOT = kit.ROOT
# nbgrader's defaults for the lines that mark what only the instructor's notebooks hold
# (ClearSolutions, ClearHiddenTests, ClearMarkScheme); a course may configure its own.
DELIMITERS = {
    ("ClearSolutions", "begin_solution_delimeter"): "BEGIN SOLUTION",
    ("ClearSolutions", "end_solution_delimeter"): "END SOLUTION",
    ("ClearHiddenTests", "begin_test_delimeter"): "BEGIN HIDDEN TESTS",
    ("ClearHiddenTests", "end_test_delimeter"): "END HIDDEN TESTS",
    ("ClearMarkScheme", "begin_mark_scheme_delimeter"): "BEGIN MARK SCHEME",
    ("ClearMarkScheme", "end_mark_scheme_delimeter"): "END MARK SCHEME",
}


@dataclass(frozen=True)
class Notebook:
    """An instructor's notebook: its cells (outputs dropped, sources joined) and its notebook metadata."""

    cells: tuple[dict, ...]
    metadata: dict
    digest: str  # sha-256 of the file: a verdict read against another version is graded again


@dataclass(frozen=True)
class Instructor:
    """What a submission is read against: the release, and for a class's submissions the solutions."""

    released: Notebook
    source: Notebook | None = None  # given where submissions come from students: instructor material is refused
    delimiters: tuple[str, ...] = tuple(DELIMITERS.values())

    @property
    def guards(self) -> bool:
        """Whether a submission carrying the instructor's material is refused (a class's submissions)."""
        return self.source is not None

    @property
    def digest(self) -> str:
        parts = [self.released.digest, self.source.digest if self.source else "", *self.delimiters]
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def load(path: str | Path) -> Notebook:
    path = Path(path)
    try:
        stat = path.stat()
    except OSError as error:
        raise InstructorError(f"the instructor's notebook {path} cannot be read: {error.strerror}") from None
    return _load(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=32)
def _load(path: str, mtime_ns: int, size: int) -> Notebook:  # the cache key: a changed file is read again
    try:
        raw = Path(path).read_bytes()
        notebook = json.loads(raw.decode("utf-8-sig"))
        cells = tuple(_cell(c) for c in notebook["cells"])
        metadata = notebook.get("metadata", {})
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise InstructorError(f"the instructor's notebook {path} is not a readable notebook: {error}") from None
    return Notebook(cells, metadata if isinstance(metadata, dict) else {}, hashlib.sha256(raw).hexdigest())


def _cell(cell: dict) -> dict:
    source = cell.get("source", "")
    found = {
        "cell_type": cell["cell_type"],
        "metadata": cell.get("metadata") or {},
        "source": "".join(source) if isinstance(source, list) else source,
    }
    if isinstance(cell.get("id"), str):
        found["id"] = cell["id"]
    return found


def of_kit(assignment: str) -> Instructor:
    """The kit's own release of an assignment, for a notebook graded on its own."""
    return Instructor(load(KIT_ROOT / "release" / assignment / f"{assignment}.ipynb"))


def of_course(coursedir: CourseDirectory, assignment: str, notebook: str | None = None) -> Instructor:
    """A class's notebook as its course holds it (nbgrader's CourseDirectory and its configuration).

    A course without its own `release/` copy (nbgrader generate_assignment was never run there) is read
    against the kit's release; one without `source/` still has its submissions checked for delimiters."""
    notebook = notebook or assignment
    released = Path(coursedir.format_path(coursedir.release_directory, ".", assignment)) / f"{notebook}.ipynb"
    source = Path(coursedir.format_path(coursedir.source_directory, ".", assignment)) / f"{notebook}.ipynb"
    config = coursedir.config
    delimiters = tuple(
        config[section].get(name, default) if section in config else default
        for (section, name), default in DELIMITERS.items()
    )
    return Instructor(
        load(released) if released.is_file() else of_kit(assignment).released,
        load(source) if source.is_file() else Notebook((), {}, ""),
        delimiters,
    )
