"""my_arange: torch.arange's dtype follows its arguments (int64, or float32 when any one is a float) and its end
is excluded."""

import math

import torch

from autograder.authoring import Alternative, Edge, Exercise, Msg, Mutant, Promise, check, expect_tensor, inputs


def _floats(*args) -> tuple[bool, ...]:
    return tuple(type(a) is float for a in args)


EXERCISE = Exercise(
    id="my_arange",
    assignment="a03_operations",
    heading="torch.arange 와 np.arange 비교",
    title=Msg(ko="torch.arange 의 dtype 과 끝 값", en="torch.arange: dtype and the excluded end"),
    contract=(
        Promise(
            "ints",
            en="all-int arguments: int64 with the values of range(start, end, step): end excluded, step of "
            "either sign, possibly empty",
            ko="인자가 모두 int: range(start, end, step) 의 값을 담은 int64: end 는 제외, step 은 양수나 음수, 비어 있을 수도",
        ),
        Promise(
            "float32",
            en="any float argument (one is enough, whichever it is): float32, the same values up to but excluding end",
            ko="float 인자가 하나라도 있으면 (어느 인자든): float32, 값은 마찬가지로 end 를 빼고 그 앞까지",
        ),
    ),
    edges=(
        Edge("a negative step", lambda start, end, step: step < 0),
        Edge("an empty range", lambda start, end, step: start == end),
        Edge("only the start a float", lambda start, end, step: _floats(start, end, step) == (True, False, False)),
        Edge("only the end a float", lambda start, end, step: _floats(start, end, step) == (False, True, False)),
        Edge("only the step a float", lambda start, end, step: _floats(start, end, step) == (False, False, True)),
        Edge("all floats", lambda start, end, step: all(_floats(start, end, step))),
    ),
    mutants=(
        Mutant(
            "end_inclusive",
            violates=("ints", "float32"),
            says="excludes end",
            source="""
def my_arange(start, end, step):
    return torch.arange(start, end + step, step)
""",
        ),
        Mutant(
            "always_float",
            violates="ints",
            says="int64",
            source="""
def my_arange(start, end, step):
    return torch.arange(start, end, step, dtype=torch.float32)
""",
        ),
        Mutant(
            "numpy_arange",
            violates="float32",
            says="float32",
            source="""
def my_arange(start, end, step):
    return torch.from_numpy(np.arange(start, end, step))
""",
        ),
        Mutant(
            "looks_at_step_only",
            violates="float32",
            says="any argument",
            source="""
def my_arange(start, end, step):
    return torch.arange(start, end, step, dtype=torch.float32 if isinstance(step, float) else torch.int64)
""",
        ),
    ),
    alternatives=(
        Alternative(
            "keywords",
            """
def my_arange(start, end, step):
    return torch.arange(start=start, end=end, step=step)
""",
        ),
        Alternative(
            "dtype_by_hand",
            """
def my_arange(start, end, step):
    floats = any(isinstance(a, float) for a in (start, end, step))
    return torch.arange(start, end, step, dtype=torch.float32 if floats else torch.int64)
""",
        ),
    ),
)


def _int_case(rng, exact_end: bool, sign: int):
    """Integer arguments; with exact_end the end lies on the grid and must be left out."""
    step = inputs.integer(rng, 1, 4) * sign
    start = inputs.integer(rng, -10, 10)
    end = start + inputs.integer(rng, 1, 8) * step
    if not exact_end:
        end -= inputs.integer(rng, 0, abs(step) - 1) * sign
    return start, end, step


def _sign(rng) -> int:
    return inputs.choice(rng, [1, -1])


def _float_case(rng, floats: set[str]):
    """Arguments of which those named in `floats` are floats (at halves and quarters, exact in binary, so
    rounding cannot move the excluded end), the others ints."""
    sign = _sign(rng)
    step = inputs.integer(rng, 1, 3) * sign * (0.5 if "step" in floats else 1)
    start = inputs.integer(rng, -8, 8) + (0.5 if "start" in floats else 0)
    end = start + inputs.integer(rng, 1, 8) * step
    end = end + 0.25 * sign if "end" in floats else (math.floor(end) if sign > 0 else math.ceil(end))
    return start, end, step


def _check_ints(student, cases):
    for start, end, step in cases:
        call = student(start, end, step)
        expect_tensor(
            call,
            call.value,
            torch.tensor(list(range(start, end, step)), dtype=torch.int64),
            inputs=f"({start}, {end}, {step})",
        )


@check(
    points=2,
    enforces="ints",
    ko="인자가 모두 정수이면 torch.arange 의 결과는 int64 텐서이고 range(start, end, step) 과 같은 값입니다. "
    "float 으로 바꾸지 마세요.",
    en="With all-integer arguments torch.arange gives an int64 tensor with the values of range(start, end, step). "
    "Do not make it float.",
)
def test_integers(student, rng):
    _check_ints(
        student, [_int_case(rng, False, 1), _int_case(rng, False, -1), _int_case(rng, False, _sign(rng)), (3, 3, 1)]
    )


@check(
    points=2,
    enforces="ints",
    ko="arange 는 end 를 포함하지 않습니다 (excluded): arange(0, 5, 1) 은 0..4 입니다. end + step 처럼 늘리지 마세요.",
    en="arange excludes end: arange(0, 5, 1) is 0..4. Do not extend it with end + step.",
)
def test_end_excluded(student, rng):
    _check_ints(student, [_int_case(rng, True, 1), _int_case(rng, True, -1), _int_case(rng, True, _sign(rng))])


@check(
    points=2,
    enforces="float32",
    ko="인자 중 하나라도 float 이면 (start, end, step 중 어느 것이든) torch.arange 의 결과는 float32 입니다 "
    "(np.arange 는 float64). 한 인자만 보고 dtype 을 정하지 마세요.",
    en="If any argument is a float (start, end or step, whichever it is), torch.arange gives float32 (np.arange "
    "gives float64); do not decide the dtype from one argument only.",
)
def test_float_steps(student, rng):
    for floats in ({"start"}, {"end"}, {"step"}, {"start", "end", "step"}):
        start, end, step = _float_case(rng, floats)
        call = student(start, end, step)
        expect_tensor(
            call,
            call.value,
            torch.arange(start, end, step, dtype=torch.float32),
            computed_in=torch.float32,
            inputs=f"({start}, {end}, {step})",
        )
