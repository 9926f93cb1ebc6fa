"""Grading inputs are a pure function of the check's seed: the same draws give the same values, and
every student's draws reach the edge cases each exercise's contract names."""

from __future__ import annotations

import functools
import importlib
from pathlib import Path

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograder.authoring import inputs
from autograder.authoring.spec import Edge
from autograder.boundary.parent import Program, Student
from autograder.boundary.transport import InProcess
from autograder.engine import catalog, extract, grade

ROOT = Path(__file__).resolve().parents[2]

FLOATS = (torch.float16, torch.bfloat16, torch.float32, torch.float64)


def torch_arithmetic(rng, size, dtype, low, high):
    """The draw as torch itself computes it: what `inputs.tensor` must give, value for value."""
    values = torch.rand(size, generator=rng, dtype=torch.float64) * (high - low) + low
    return values.round(decimals=3).to(dtype)


@settings(max_examples=300, deadline=None)
@given(
    seed=st.integers(0, 2**63 - 1),
    size=st.lists(st.integers(0, 4), max_size=3),
    dtype=st.sampled_from(FLOATS),
    low=st.integers(-20, 0) | st.floats(-5, 0),
    span=st.integers(1, 20) | st.floats(0.25, 5),
)
def test_float_draws_are_torch_arithmetic_rounded_to_three_decimals(seed, size, dtype, low, span):
    drawn = inputs.tensor(torch.Generator().manual_seed(seed), size, dtype, low, low + span)
    expected = torch_arithmetic(torch.Generator().manual_seed(seed), tuple(size), dtype, low, low + span)
    assert drawn.dtype == dtype and drawn.shape == expected.shape
    assert torch.equal(drawn, expected)


def test_the_same_seed_draws_the_same_inputs_and_another_seed_others():
    def draw(seed):
        rng = torch.Generator().manual_seed(seed)
        return (inputs.floats(rng, 5), inputs.ints(rng, 5), inputs.tensor(rng, (2, 3)).tolist(), inputs.shape(rng, 3))

    assert draw(7) == draw(7) and draw(7) != draw(8)
    floats, ints, _, _ = draw(7)
    assert all(type(x) is float and round(x, 3) == x for x in floats) and all(type(x) is int for x in ints)


# -- every student's draws reach the edges each contract names ------------------------------------------

EXERCISES = catalog.exercises()


@functools.cache
def solution(assignment: str) -> Program:
    """The assignment's solution notebook, running in this process (trusted code)."""
    submission = extract.read_notebook(ROOT / "source" / assignment / f"{assignment}.ipynb", "solution", assignment)
    return Program(InProcess(), submission.cells)


class Recording(Student):
    """The solution's handle that writes down every call's arguments as the grader sends them."""

    def __init__(self, program: Program, function: str) -> None:
        super().__init__(program, function)
        self.calls: list[tuple[tuple, dict]] = []

    def __call__(self, *args, backward: bool = False, **kwargs):
        self.calls.append((args, kwargs))
        return super().__call__(*args, backward=backward, **kwargs)


def holds(edge: Edge, args: tuple, kwargs: dict) -> bool:
    try:
        return bool(edge.holds(*args, **kwargs))
    except Exception:  # noqa: BLE001 - a case of another shape is simply not this edge
        return False


@pytest.mark.parametrize("exercise", EXERCISES, ids=[e.id for e in EXERCISES])
def test_every_exercise_names_the_edges_of_its_contract(exercise):
    names = [edge.name for edge in exercise.edges]
    assert names and len(set(names)) == len(names), names


@pytest.mark.parametrize("exercise", EXERCISES, ids=[e.id for e in EXERCISES])
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(student=st.text(max_size=16))
def test_every_named_edge_is_drawn_for_every_student(exercise, student):
    """All of an exercise's checks, seeded as grading seeds them for this student, run on the solution;
    between them, their calls reach every edge the exercise names."""
    recording = Recording(solution(exercise.assignment), exercise.id)
    module = importlib.import_module(exercise.module)
    for function in (f for f in vars(module).values() if hasattr(f, "kit_check")):
        seed = grade.seed(grade.DEFAULT_SALT, student, exercise.id, function.kit_check.name)
        rng = torch.Generator().manual_seed(seed)
        function(student=recording, rng=rng)  # the solution passes every check, so every draw is made
    missed = [
        edge.name for edge in exercise.edges if not any(holds(edge, args, kwargs) for args, kwargs in recording.calls)
    ]
    assert not missed, f"{student!r} never gets: {missed}"
