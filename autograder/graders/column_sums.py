"""column_sums: summing over dim 0 collapses the rows into one (per-column sums); int and bool sums are int64."""

import torch

from autograder.authoring import (
    Alternative,
    Edge,
    Exercise,
    Msg,
    Mutant,
    Promise,
    check,
    expect,
    expect_tensor,
    expect_type,
    inputs,
    show,
)

EXERCISE = Exercise(
    id="column_sums",
    assignment="a03_operations",
    heading="torch.sum, torch.max, torch.min, torch.argmax, torch.argmin",
    title=Msg(ko="열마다 합 구하기", en="Column sums"),
    contract=(
        Promise(
            "sums",
            en="one sum per column, shape (cols,): a one-row matrix's are that row, zero rows give zeros",
            ko="열마다 합 하나, shape (cols,): 한 행짜리 행렬은 그 행, 행이 0개면 0 들",
        ),
        Promise(
            "int64",
            en="dtype int64 for integer (int32 too) and bool inputs (for bool: the count of True), t's "
            "dtype for floating inputs",
            ko="정수 (int32 포함) 와 bool 입력은 dtype int64 (bool 은 True 의 개수), 실수 입력은 t 의 dtype",
        ),
    ),
    edges=(
        Edge("a transpose (not contiguous)", lambda t: not t.is_contiguous()),
        Edge("one row", lambda t: t.shape[0] == 1),
        Edge("zero rows", lambda t: t.shape[0] == 0),
        Edge("int32", lambda t: t.dtype == torch.int32),
        Edge("bool", lambda t: t.dtype == torch.bool),
        Edge("int16", lambda t: t.dtype == torch.int16),
    ),
    mutants=(
        Mutant(
            "row_sums",
            violates="sums",
            says="dim 0",
            source="""
def column_sums(t):
    return t.sum(dim=1)
""",
        ),
        Mutant(
            "keepdim",
            violates="sums",
            says="keepdim",
            source="""
def column_sums(t):
    return t.sum(dim=0, keepdim=True)
""",
        ),
        Mutant(
            "float_cast",
            violates="int64",
            says="int64",
            source="""
def column_sums(t):
    return t.float().sum(0)
""",
        ),
        Mutant(
            "keeps_input_dtype",
            violates="int64",
            says="int64",
            source="""
def column_sums(t):
    return t.sum(0, dtype=t.dtype)
""",
        ),
    ),
    alternatives=(
        Alternative(
            "torch_sum_positional",
            """
def column_sums(t):
    return torch.sum(t, 0)
""",
        ),
    ),
)


def _matrix(rng, dtype):
    """A non-square matrix, so that summing the wrong dim gives the wrong shape."""
    rows = inputs.integer(rng, 2, 5)
    return inputs.tensor(rng, (rows, rows + inputs.integer(rng, 1, 3)), dtype)


def _expect_sums(student, t):
    call = student(t)
    expected = t.sum(dim=0, dtype=t.dtype if t.dtype.is_floating_point else torch.int64)
    expect_tensor(call, call.value, expected, computed_in=expected.dtype, inputs=f"t={show(t)}")


@check(
    points=3,
    enforces="sums",
    ko="dim 0 (행) 을 접으면 한 행이 남습니다: 결과는 열마다의 합으로 shape (열 수,) 입니다. dim=1 은 행마다의 합이고, "
    "keepdim=True 는 shape (1, 열 수) 를 만듭니다.",
    en="Collapsing dim 0 (the rows) leaves one row: the result holds one sum per column, shape (cols,). dim=1 sums "
    "each row, and keepdim=True gives shape (1, cols).",
)
def test_values(student, rng):
    for t in (_matrix(rng, torch.float32), inputs.transposed(rng, 3, 2)):
        _expect_sums(student, t)


@check(
    points=2,
    enforces="int64",
    ko="정수 (int32 포함) 와 bool 텐서의 합은 int64 입니다 (bool 은 True 의 개수). float 으로 바꾸거나 입력의 dtype 을 "
    "고집하지 마세요.",
    en="The sum of an integer (int32 too) or bool tensor is int64 (for bool: the count of True). Do not cast to "
    "float or force the input's dtype.",
)
def test_integer_dtypes(student, rng):
    for dtype in (torch.int32, torch.bool, torch.int16, torch.int64):
        t = _matrix(rng, dtype)
        value = student(t).value
        expect_type(value, torch.Tensor)
        expect(
            value.dtype == torch.int64,
            f"{t.dtype} 텐서의 합의 dtype 이 int64 여야 하는데 {value.dtype} 입니다.",
            f"The sums of a {t.dtype} tensor have dtype {value.dtype}, but they should be int64.",
        )


@check(
    points=1,
    enforces="sums",
    ko="한 행짜리 행렬은 그 행 자체가, 행이 0개인 행렬은 0 들이 열마다의 합입니다.",
    en="The column sums of a one-row matrix are that row; those of a matrix with zero rows are zeros.",
)
def test_edge_shapes(student, rng):
    cols = inputs.integer(rng, 2, 5)
    _expect_sums(student, inputs.tensor(rng, (1, cols), torch.float32))
    _expect_sums(student, torch.zeros(0, cols, dtype=torch.float32))
