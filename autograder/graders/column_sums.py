"""column_sums: summing over dim 0 collapses the rows into one (per-column sums); int and bool sums are int64."""

import torch

from autograder import inputs
from autograder.expect import expect_tensor, expect_unchanged, show
from autograder.messages import Msg
from autograder.spec import Alternative, Exercise, Mutant, check

EXERCISE = Exercise(
    id="column_sums",
    assignment="a03_operations",
    heading="torch.sum, torch.max, torch.min, torch.argmax, torch.argmin",
    title=Msg(ko="열마다 합 구하기", en="Column sums"),
    order=12,
    mutants=(
        Mutant("row_sums", kills=("values",), says="dim 0", source='''
def column_sums(t):
    return t.sum(dim=1)
'''),
        Mutant("keepdim", kills=("values",), says="keepdim", source='''
def column_sums(t):
    return t.sum(dim=0, keepdim=True)
'''),
        Mutant("float_cast", kills=("integer_dtypes",), says="int64", source='''
def column_sums(t):
    return t.float().sum(0)
'''),
        Mutant("keeps_input_dtype", kills=("integer_dtypes",), says="int64", source='''
def column_sums(t):
    return t.sum(0, dtype=t.dtype)
'''),
    ),
    alternatives=(
        Alternative("torch_sum_positional", '''
def column_sums(t):
    return torch.sum(t, 0)
'''),
    ),
)


def _matrix(rng, dtype):
    """A non-square matrix, so that summing the wrong dim gives the wrong shape."""
    rows = inputs.integer(rng, 2, 5)
    return inputs.tensor(rng, (rows, rows + inputs.integer(rng, 1, 3)), dtype)


def _expect_sums(student, t):
    call = student(t)
    expected = t.sum(dim=0, dtype=torch.int64 if not (t.dtype.is_floating_point or t.dtype.is_complex) else t.dtype)
    expect_tensor(call, call.value, expected, computed_in=expected.dtype, inputs=f"t={show(t)}")


@check(points=2, ko="dim 0 (행) 을 접으면 한 행이 남습니다: 결과는 열마다의 합으로 shape (열 수,) 입니다. "
                   "dim=1 은 행마다의 합이고, keepdim=True 는 shape (1, 열 수) 를 만듭니다.",
       en="Collapsing dim 0 (the rows) leaves one row: the result holds one sum per column, shape (cols,). dim=1 sums "
          "each row, and keepdim=True gives shape (1, cols).")
def test_values(student, rng):
    for dtype in (torch.float32, torch.int64):
        _expect_sums(student, _matrix(rng, dtype))
    _expect_sums(student, inputs.transposed(rng, 3, 2))


@check(points=2, ko="정수 (int32 포함) 와 bool 텐서의 합은 int64 입니다 (bool 은 True 의 개수). float 으로 바꾸지 마세요.",
       en="The sum of an integer (int32 too) or bool tensor is int64 (for bool: the count of True). Do not cast to "
          "float.")
def test_integer_dtypes(student, rng):
    for dtype in (torch.int32, torch.bool, torch.int16):
        _expect_sums(student, _matrix(rng, dtype))


@check(points=1, ko="한 행짜리 행렬은 그 행 자체가, 행이 0개인 행렬은 0 들이 열마다의 합입니다.",
       en="The column sums of a one-row matrix are that row; those of a matrix with zero rows are zeros.")
def test_edge_shapes(student, rng):
    cols = inputs.integer(rng, 2, 5)
    _expect_sums(student, inputs.tensor(rng, (1, cols), torch.int64))
    _expect_sums(student, torch.zeros(0, cols, dtype=torch.float32))


@check(points=1, requires="values", ko="입력 텐서를 바꾸면 안 됩니다.", en="The input tensor must not be modified.")
def test_input_unchanged(student, rng):
    t = _matrix(rng, torch.int64)
    call = student(t.clone())
    call.value
    expect_unchanged(t, call.args[0])
