"""int_and_float_range: 0..n-1 with arange, once as int64 and once as float32, n = 0 included."""

import torch

from autograder.authoring import (
    Alternative,
    Edge,
    Exercise,
    Msg,
    Mutant,
    Promise,
    check,
    expect_tensor,
    expect_tuple,
    inputs,
)

EXERCISE = Exercise(
    id="int_and_float_range",
    assignment="a01_tensors",
    heading="1D Tensor Operation",
    title=Msg(ko="0 부터 n-1 까지: int64 와 float32", en="0 to n-1 as int64 and float32"),
    contract=(
        Promise(
            "ints",
            en="ints: dtype torch.int64 holding 0, 1, ..., n-1 (n values: the end n is excluded)",
            ko="ints: 0, 1, ..., n-1 을 담은 dtype torch.int64 텐서 (끝값 n 은 빠지므로 n 개)",
        ),
        Promise(
            "floats",
            en="floats: dtype torch.float32 holding 0., 1., ..., n-1",
            ko="floats: 0., 1., ..., n-1 을 담은 dtype torch.float32 텐서",
        ),
        Promise(
            "empty",
            en="n = 0: both are empty, shape (0,), and keep their dtypes int64 and float32",
            ko="n = 0: 둘 다 shape (0,) 의 빈 텐서이고 dtype 은 int64 와 float32 그대로",
        ),
    ),
    edges=(
        Edge("n = 0", lambda n: n == 0),
        Edge("n = 1", lambda n: n == 1),
        Edge("n above 1", lambda n: n > 1),
    ),
    mutants=(
        Mutant(
            "off_by_one",
            violates=("ints", "floats"),
            says="excludes n",
            source="""
def int_and_float_range(n):
    return torch.arange(n + 1), torch.arange(n + 1, dtype=torch.float32)
""",
        ),
        Mutant(
            "int32",
            violates="ints",
            says="int64",
            source="""
def int_and_float_range(n):
    return torch.arange(n, dtype=torch.int32), torch.arange(n, dtype=torch.float32)
""",
        ),
        Mutant(
            "both_int64",
            violates="floats",
            says="float32",
            source="""
def int_and_float_range(n):
    return torch.arange(n), torch.arange(n)
""",
        ),
        Mutant(
            "torch_range",
            violates="empty",
            says="torch.range",
            source="""
def int_and_float_range(n):
    return torch.range(0, n - 1, dtype=torch.int64), torch.range(0, n - 1)
""",
        ),
        Mutant(
            "tensor_of_list",
            violates="empty",
            says="torch.tensor([])",
            source="""
def int_and_float_range(n):
    return torch.tensor(list(range(n))), torch.tensor(list(range(n)), dtype=torch.float32)
""",
        ),
    ),
    alternatives=(
        Alternative(
            "float_cast",
            """
def int_and_float_range(n):
    ints = torch.arange(n)
    return ints, ints.float()
""",
        ),
        Alternative(
            "linspace",
            """
def int_and_float_range(n):
    return torch.arange(0, n, dtype=torch.long), torch.linspace(0, n - 1, n)
""",
        ),
    ),
)


def _expect_ranges(student, n: int, which: tuple[int, ...]) -> None:
    call = student(n)
    pair = expect_tuple(call.value, 2)
    expected = (torch.arange(n, dtype=torch.int64), torch.arange(n, dtype=torch.float32))
    for index in which:
        expect_tensor(call, pair[index], expected[index], what=f"result[{index}]", inputs=f"n = {n}")


@check(
    points=2,
    enforces="ints",
    ko="result[0] 은 0, 1, ..., n-1 을 담은 int64 1차원 텐서여야 합니다 (arange 는 끝값 n 을 빼므로 n 개).",
    en="result[0] must be the 1-D int64 tensor 0, 1, ..., n-1 (n values: arange excludes n).",
)
def test_int_range(student, rng):
    for n in (inputs.integer(rng, 2, 50), 1):
        _expect_ranges(student, n, (0,))


@check(
    points=2,
    enforces="floats",
    ko="result[1] 은 0., 1., ..., n-1 을 담은 float32 1차원 텐서여야 합니다 (arange 는 끝값 n 을 빼므로 n 개).",
    en="result[1] must be the 1-D float32 tensor 0., 1., ..., n-1 (n values: arange excludes n).",
)
def test_float_range(student, rng):
    for n in (inputs.integer(rng, 2, 50), 1):
        _expect_ranges(student, n, (1,))


@check(
    points=1,
    enforces="empty",
    requires=("int_range", "float_range"),
    ko="n = 0 이면 두 텐서 모두 비어 있어야 합니다 (shape (0,), dtype 은 int64 와 float32). torch.tensor([]) 는 float32 이고, "
    "torch.range 는 끝값을 포함하며 여기서 오류를 냅니다.",
    en="With n = 0 both tensors must be empty (shape (0,)) and keep their dtypes int64 and float32. "
    "torch.tensor([]) is float32, and torch.range includes its end and fails here.",
)
def test_zero_length(student, rng):
    _expect_ranges(student, 0, (0, 1))
