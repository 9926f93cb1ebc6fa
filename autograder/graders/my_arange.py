"""my_arange: torch.arange's dtype follows its arguments (int64 or float32) and its end is excluded."""

import torch

from autograder import inputs
from autograder.expect import expect_tensor
from autograder.messages import Msg
from autograder.spec import Alternative, Exercise, Mutant, check

EXERCISE = Exercise(
    id="my_arange",
    assignment="a03_operations",
    heading="torch.arange 와 np.arange 비교",
    title=Msg(ko="torch.arange 의 dtype 과 끝 값", en="torch.arange: dtype and the excluded end"),
    order=6,
    mutants=(
        Mutant("end_inclusive", kills=("end_excluded",), says="excludes end", source='''
def my_arange(start, end, step):
    return torch.arange(start, end + step, step)
'''),
        Mutant("always_float", kills=("integers",), says="int64", source='''
def my_arange(start, end, step):
    return torch.arange(start, end, step, dtype=torch.float32)
'''),
        Mutant("numpy_arange", kills=("float_steps",), says="float32", source='''
def my_arange(start, end, step):
    return torch.from_numpy(np.arange(start, end, step))
'''),
    ),
    alternatives=(
        Alternative("keywords", '''
def my_arange(start, end, step):
    return torch.arange(start=start, end=end, step=step)
'''),
    ),
)


def _int_case(rng, exact_end: bool):
    """Integer arguments, step of either sign; with exact_end the end lies on the grid and must be left out."""
    step = inputs.integer(rng, 1, 4) * inputs.choice(rng, [1, -1])
    start = inputs.integer(rng, -10, 10)
    count = inputs.integer(rng, 1, 8)
    end = start + count * step
    if not exact_end:
        end -= inputs.integer(rng, 0, abs(step) - 1) * (1 if step > 0 else -1)
    return start, end, step


def _expected_ints(start, end, step):
    return torch.tensor(list(range(start, end, step)), dtype=torch.int64)


def _float_case(rng):
    """Dyadic start and step (exact in binary), so float rounding cannot move the excluded end."""
    step = inputs.choice(rng, [0.25, 0.5, 1.5, -0.5])
    start = inputs.integer(rng, -8, 8) * 0.5
    end = start + inputs.integer(rng, 1, 10) * step
    return start, end, step


def _check_ints(student, cases):
    for start, end, step in cases:
        call = student(start, end, step)
        expect_tensor(call, call.value, _expected_ints(start, end, step), inputs=f"({start}, {end}, {step})")


@check(points=2, ko="인자가 모두 정수이면 torch.arange 의 결과는 int64 텐서이고 range(start, end, step) 과 같은 값입니다. "
                   "float 으로 바꾸지 마세요.",
       en="With all-integer arguments torch.arange gives an int64 tensor with the values of range(start, end, step). "
          "Do not make it float.")
def test_integers(student, rng):
    _check_ints(student, [_int_case(rng, False) for _ in range(3)] + [(3, 3, 1)])


@check(points=2, ko="arange 는 end 를 포함하지 않습니다 (excluded): arange(0, 5, 1) 은 0..4 입니다. end + step 처럼 늘리지 마세요.",
       en="arange excludes end: arange(0, 5, 1) is 0..4. Do not extend it with end + step.")
def test_end_excluded(student, rng):
    _check_ints(student, [_int_case(rng, True) for _ in range(3)])


@check(points=2, ko="인자 중 하나라도 float 이면 torch.arange 의 결과는 float32 입니다 (np.arange 는 float64).",
       en="If any argument is a float, torch.arange gives float32 (np.arange gives float64).")
def test_float_steps(student, rng):
    for start, end, step in [_float_case(rng) for _ in range(3)]:
        call = student(start, end, step)
        expected = torch.tensor([start + i * step for i in range(round((end - start) / step))], dtype=torch.float32)
        expect_tensor(call, call.value, expected, computed_in=torch.float32, inputs=f"({start}, {end}, {step})")
