"""compare_linspace: the same evenly spaced points from torch (float32) and NumPy (float64), both ends included."""

import numpy as np
import torch

from autograder.authoring import (
    Alternative,
    Edge,
    Exercise,
    Msg,
    Mutant,
    Promise,
    check,
    expect_array,
    expect_tensor,
    expect_tuple,
    inputs,
)

EXERCISE = Exercise(
    id="compare_linspace",
    assignment="a03_operations",
    heading="torch.linspace 와 np.linspace 비교",
    title=Msg(ko="torch.linspace 와 np.linspace", en="torch.linspace and np.linspace"),
    contract=(
        Promise(
            "torch",
            en="torch_points: torch.linspace's float32 tensor of shape (steps,), from start to end, both "
            "included (for steps >= 2)",
            ko="torch_points: torch.linspace 의 shape (steps,) float32 텐서, start 부터 end 까지 양 끝 포함 (steps >= 2)",
        ),
        Promise(
            "numpy",
            en="numpy_points: np.linspace's float64 ndarray of shape (steps,), the same points",
            ko="numpy_points: np.linspace 의 shape (steps,) float64 ndarray, 같은 점들",
        ),
    ),
    edges=(
        Edge("steps = 1", lambda start, end, steps: steps == 1),
        Edge("steps = 2", lambda start, end, steps: steps == 2),
        Edge("an end below the start", lambda start, end, steps: end < start),
        Edge("int start and end", lambda start, end, steps: type(start) is int and type(end) is int),
        Edge("float start and end", lambda start, end, steps: type(start) is float and type(end) is float),
    ),
    mutants=(
        Mutant(
            "float64_tensor",
            violates="torch",
            says="float32",
            source="""
def compare_linspace(start, end, steps):
    return torch.linspace(start, end, steps, dtype=torch.float64), np.linspace(start, end, steps)
""",
        ),
        Mutant(
            "tensor_from_numpy",
            violates="torch",
            says="float32",
            source="""
def compare_linspace(start, end, steps):
    points = np.linspace(start, end, steps)
    return torch.from_numpy(points), points
""",
        ),
        Mutant(
            "numpy_float32",
            violates="numpy",
            says="float64",
            source="""
def compare_linspace(start, end, steps):
    return torch.linspace(start, end, steps), np.linspace(start, end, steps, dtype=np.float32)
""",
        ),
        Mutant(
            "arange_based",
            violates=("torch", "numpy"),
            says="arange",
            source="""
def compare_linspace(start, end, steps):
    step = (end - start) / max(steps - 1, 1)
    return torch.arange(start, end, step), np.arange(start, end, step)
""",
        ),
        Mutant(
            "endpoint_excluded",
            violates=("torch", "numpy"),
            says="end",
            source="""
def compare_linspace(start, end, steps):
    return torch.linspace(start, end, steps + 1)[:-1], np.linspace(start, end, steps, endpoint=False)
""",
        ),
    ),
    alternatives=(
        Alternative(
            "keywords_and_float32",
            """
def compare_linspace(start, end, steps):
    return (torch.linspace(start=start, end=end, steps=steps, dtype=torch.float32),
            np.linspace(start, end, num=steps))
""",
        ),
        Alternative(
            "from_numpy_cast",
            """
def compare_linspace(start, end, steps):
    points = np.linspace(start, end, steps)
    return torch.from_numpy(points).float(), points
""",
        ),
    ),
)


def _ends(rng, floats: bool, decreasing: bool):
    """Start and end as ints or floats (at quarters and halves), increasing or decreasing."""
    start = inputs.integer(rng, -10, 5)
    end = start + inputs.integer(rng, 1, 20) * (-1 if decreasing else 1)
    return (start + 0.25, end + 0.5) if floats else (start, end)


def _cases(rng):
    """One point from int ends, two from decreasing float ends, and many from ends of any kind."""
    return [
        (*_ends(rng, False, False), 1),
        (*_ends(rng, True, True), 2),
        (*_ends(rng, inputs.integer(rng, 0, 1) == 1, inputs.integer(rng, 0, 1) == 1), inputs.integer(rng, 3, 25)),
    ]


def _parts(call):
    return expect_tuple(call.value, 2)


@check(
    points=3,
    enforces="torch",
    ko="첫 번째 값은 torch.linspace(start, end, steps): 양 끝을 포함해 steps 개의 점을 담은 float32 텐서입니다. arange 는 간격(step)을 받고 끝을 "
    "포함하지 않으며, torch.from_numpy 는 float64 를 그대로 유지합니다.",
    en="The first value is torch.linspace(start, end, steps): a float32 tensor of exactly steps points, both ends "
    "included. arange takes a spacing and excludes the end, and torch.from_numpy keeps float64.",
)
def test_torch_points(student, rng):
    for start, end, steps in _cases(rng):
        call = student(start, end, steps)
        expect_tensor(
            call,
            _parts(call)[0],
            torch.linspace(start, end, steps, dtype=torch.float32),
            what="torch result",
            computed_in=torch.float32,
            inputs=f"({start}, {end}, {steps})",
        )


@check(
    points=2,
    enforces="numpy",
    ko="두 번째 값은 np.linspace(start, end, steps): float64 ndarray 입니다 (NumPy 의 기본 dtype 은 "
    "float64, torch 는 float32). arange 로 만들면 점의 개수와 끝 값이 틀립니다.",
    en="The second value is np.linspace(start, end, steps): a float64 ndarray (NumPy's default is float64, "
    "torch's float32). Built with arange, the count and the last point come out wrong.",
)
def test_numpy_points(student, rng):
    for start, end, steps in _cases(rng):
        call = student(start, end, steps)
        expect_array(
            _parts(call)[1],
            np.linspace(start, end, steps),
            what="NumPy result",
            computed_in=torch.float64,
            inputs=f"({start}, {end}, {steps})",
        )
