"""compare_linspace: the same evenly spaced points from torch (float32) and NumPy (float64), both ends included."""

import numpy as np
import torch

from autograder import inputs
from autograder.expect import close, expect, expect_array, expect_tensor, expect_tuple
from autograder.messages import Msg
from autograder.spec import Alternative, Exercise, Mutant, check

EXERCISE = Exercise(
    id="compare_linspace",
    assignment="a03_operations",
    heading="torch.linspace 와 np.linspace 비교",
    title=Msg(ko="torch.linspace 와 np.linspace", en="torch.linspace and np.linspace"),
    order=5,
    mutants=(
        Mutant("float64_tensor", kills=("torch_points",), says="float32", source='''
def compare_linspace(start, end, steps):
    return torch.linspace(start, end, steps, dtype=torch.float64), np.linspace(start, end, steps)
'''),
        Mutant("arange_based", kills=("torch_points", "numpy_points"), says="arange", source='''
def compare_linspace(start, end, steps):
    step = (end - start) / max(steps - 1, 1)
    return torch.arange(start, end, step), np.arange(start, end, step)
'''),
        Mutant("endpoint_excluded", kills=("both_ends",), says="end", source='''
def compare_linspace(start, end, steps):
    return torch.linspace(start, end, steps + 1)[:-1], np.linspace(start, end, steps, endpoint=False)
'''),
        Mutant("tensor_from_numpy", kills=("torch_points",), says="float32", source='''
def compare_linspace(start, end, steps):
    points = np.linspace(start, end, steps)
    return torch.from_numpy(points), points
'''),
    ),
    alternatives=(
        Alternative("keywords_and_float32", '''
def compare_linspace(start, end, steps):
    return (torch.linspace(start=start, end=end, steps=steps, dtype=torch.float32),
            np.linspace(start, end, num=steps))
'''),
        Alternative("from_numpy_cast", '''
def compare_linspace(start, end, steps):
    points = np.linspace(start, end, steps)
    return torch.from_numpy(points).float(), points
'''),
    ),
)


def _ends(rng):
    """Start and end as ints or floats, sometimes decreasing."""
    start = inputs.integer(rng, -10, 5)
    end = start + inputs.integer(rng, 1, 20) * inputs.choice(rng, [1, -1])
    if inputs.integer(rng, 0, 1):
        return start + 0.25, end + 0.5
    return start, end


def _cases(rng):
    start, end = _ends(rng)
    return [(start, end, 1), (*_ends(rng), 2), (*_ends(rng), inputs.integer(rng, 3, 25))]


def _parts(call):
    return expect_tuple(call.value, 2)


@check(points=2, ko="첫 번째 값은 torch.linspace(start, end, steps): 양 끝을 포함해 steps 개의 점을 담은 float32 텐서입니다. "
                   "arange 는 간격(step)을 받고 끝을 포함하지 않으며, torch.from_numpy 는 float64 를 그대로 유지합니다.",
       en="The first value is torch.linspace(start, end, steps): a float32 tensor of exactly steps points, both ends "
          "included. arange takes a spacing and excludes the end, and torch.from_numpy keeps float64.")
def test_torch_points(student, rng):
    for start, end, steps in _cases(rng):
        call = student(start, end, steps)
        expect_tensor(call, _parts(call)[0], torch.linspace(start, end, steps, dtype=torch.float32),
                      what="torch result", computed_in=torch.float32, inputs=f"({start}, {end}, {steps})")


@check(points=2, ko="두 번째 값은 np.linspace(start, end, steps): float64 ndarray 입니다 (NumPy 의 기본 dtype 은 "
                   "float64, torch 는 float32). arange 로 만들면 점의 개수와 끝 값이 틀립니다.",
       en="The second value is np.linspace(start, end, steps): a float64 ndarray (NumPy's default is float64, "
          "torch's float32). Built with arange, the count and the last point come out wrong.")
def test_numpy_points(student, rng):
    for start, end, steps in _cases(rng):
        call = student(start, end, steps)
        expect_array(_parts(call)[1], np.linspace(start, end, steps), what="NumPy result",
                     computed_in=torch.float64, inputs=f"({start}, {end}, {steps})")


@check(points=1, ko="linspace 는 start 와 end 를 모두 포함합니다 (endpoint 를 빼지 마세요): 첫 점은 start, 마지막 점은 end 입니다.",
       en="linspace includes both start and end (do not drop the endpoint): the first point is start, the last is end.")
def test_both_ends(student, rng):
    start, end = _ends(rng)
    steps = inputs.integer(rng, 2, 12)
    torch_points, numpy_points = _parts(student(start, end, steps))
    for name, points in (("torch", torch_points), ("NumPy", numpy_points)):
        expect(isinstance(points, (torch.Tensor, np.ndarray)) and len(points) >= 2
               and close(float(points[0]), float(start), torch.float32)
               and close(float(points[-1]), float(end), torch.float32),
               f"{name} 결과의 첫 점과 마지막 점이 start={start}, end={end} 가 아닙니다.",
               f"The {name} result does not run from start={start} to end={end}.")
