"""The inventory of exercises: every grader file in `autograder/graders/`, in the notes' order."""

from __future__ import annotations

import functools
import importlib
import pkgutil
from pathlib import Path
from typing import TYPE_CHECKING

from autograder import graders, notes
from autograder.spec import Exercise

if TYPE_CHECKING:
    from autograder.extract import Submission

GRADERS_DIR = Path(graders.__file__).parent

# The course's assignments, in the order of the notes; each is one nbgrader assignment and notebook.
ASSIGNMENTS = ("a01_tensors", "a02_shapes", "a03_operations", "a04_autograd")


@functools.cache
def exercises() -> tuple[Exercise, ...]:
    """All exercises, ordered by assignment, then by their order within its notebook."""
    found = []
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
        found.append((ASSIGNMENTS.index(exercise.assignment), exercise.order, exercise))
    return tuple(e for *_, e in sorted(found, key=lambda t: (t[0], t[1], t[2].id)))


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
