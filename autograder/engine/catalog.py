"""The inventory of exercises: every grader file in `autograder/graders/`, in the order of their notebooks."""

from __future__ import annotations

import functools
import importlib
import json
import pkgutil
from pathlib import Path
from typing import TYPE_CHECKING

from autograder import graders, kit, notes
from autograder.authoring.spec import Exercise

if TYPE_CHECKING:
    from autograder.engine.extract import Submission

GRADERS_DIR = Path(graders.__file__).parent

# The course's assignments, in the order of the notes; each is one nbgrader assignment and notebook.
ASSIGNMENTS = ("a01_tensors", "a02_shapes", "a03_operations", "a04_autograd")


@functools.cache
def exercises() -> tuple[Exercise, ...]:
    """All exercises, ordered by assignment, then by their order within its notebook."""
    found: list[tuple[int, int, Exercise]] = []
    for info in pkgutil.iter_modules([str(GRADERS_DIR)]):
        module = importlib.import_module(f"{graders.__name__}.{info.name}")
        exercise = getattr(module, "EXERCISE", None)
        if not isinstance(exercise, Exercise):
            continue
        notes.position(exercise.heading)  # a heading the notes do not have is a grader bug, caught here
        exercise.module = module.__name__
        exercise.checks = [f.kit_check for f in vars(module).values() if hasattr(f, "kit_check")]
        for mutant in exercise.mutants:
            object.__setattr__(mutant, "kills", exercise.enforcing(mutant.violates))
        exercise.order = notebook_order(exercise.assignment).get(exercise.id, len(found) + 1000)
        found.append((ASSIGNMENTS.index(exercise.assignment), exercise.order, exercise))
    return tuple(e for *_, e in sorted(found, key=lambda t: (t[0], t[1], t[2].id)))


@functools.cache
def notebook_order(assignment: str) -> dict[str, int]:
    """Each exercise's position in its assignment's notebook, read from the notebook's grade cells: the
    instructor orders exercises there, and the graders do not repeat it. The source notebook, else the release
    (a grading worker may carry only the release, which publish builds from the source cell for cell)."""
    for folder in ("source", "release"):
        path = kit.ROOT / folder / assignment / f"{assignment}.ipynb"
        if path.is_file():
            break
    else:
        return {}
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    grading = [cell["metadata"]["nbgrader"] for cell in cells if cell.get("metadata", {}).get("nbgrader", {})]
    ids = [meta["grade_id"] for meta in grading if meta.get("grade") and not meta.get("solution")]
    return {exercise_id: position for position, exercise_id in enumerate(ids)}


def exercise(exercise_id: str) -> Exercise:
    for candidate in exercises():
        if candidate.id == exercise_id:
            return candidate
    raise KeyError(f"no exercise {exercise_id!r}")


def for_assignment(assignment: str) -> tuple[Exercise, ...]:
    if assignment not in ASSIGNMENTS:
        raise KeyError(f"no assignment {assignment!r}; known: {', '.join(ASSIGNMENTS)}")
    return tuple(e for e in exercises() if e.assignment == assignment)


def guess_assignment(submission: Submission) -> str:
    """The assignment of a notebook: its file name, else the exercise ids its cells mention."""
    stem = Path(submission.path).stem
    if stem in ASSIGNMENTS:
        return stem
    text = " ".join(c["source"] for c in submission.cells) + " " + " ".join(submission.grade_ids)
    votes = {a: sum(e.id in text for e in for_assignment(a)) for a in ASSIGNMENTS}
    best = max(votes, key=lambda a: votes[a])
    return best if votes[best] else ASSIGNMENTS[0]


def grader_file(exercise: Exercise) -> Path:
    return GRADERS_DIR / f"{exercise.module.rsplit('.', 1)[-1]}.py"
