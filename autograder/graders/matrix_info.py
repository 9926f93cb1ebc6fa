"""matrix_info: rank, shape and number of elements of a matrix, as plain Python ints."""

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
    expect_scalar,
    expect_tuple,
    inputs,
)

EXERCISE = Exercise(
    id="matrix_info",
    assignment="a03_operations",
    heading="2D Tensor Operation",
    title=Msg(ko="2차원 텐서의 차원, shape, 원소 수", en="Rank, shape and size of a matrix"),
    contract=(
        Promise("ndimension", en="ndimension: the int 2", ko="ndimension: 차원 수인 int 2"),
        Promise(
            "shape",
            en="shape: (rows, cols) as a tuple of 2 ints (a torch.Size is fine)",
            ko="shape: int 2개의 tuple (rows, cols) (torch.Size 도 괜찮음)",
        ),
        Promise(
            "numel",
            en="numel: the int rows * cols (0 when a side is 0)",
            ko="numel: int rows * cols (한 변이 0 이면 0)",
        ),
    ),
    edges=(
        Edge("no rows", lambda M: M.shape[0] == 0),
        Edge("no columns", lambda M: M.shape[1] == 0),
        Edge("more columns than rows (len(M) is not numel)", lambda M: 0 < M.shape[0] < M.shape[1]),
        Edge("a transpose (not contiguous)", lambda M: not M.is_contiguous()),
    ),
    mutants=(
        Mutant(
            "dim_not_called",
            violates="ndimension",
            says="ndimension",
            source="""
def matrix_info(M):
    return M.dim, tuple(M.shape), M.numel()
""",
        ),
        Mutant(
            "len_as_numel",
            violates="numel",
            says="len(M)",
            source="""
def matrix_info(M):
    return M.ndimension(), tuple(M.shape), len(M)
""",
        ),
        Mutant(
            "rows_times_rows",
            violates="numel",
            says="rows × cols",
            source="""
def matrix_info(M):
    return M.ndimension(), tuple(M.shape), M.shape[0] * M.shape[0]
""",
        ),
        Mutant(
            "shape_as_list",
            violates="shape",
            says="tuple",
            source="""
def matrix_info(M):
    return M.ndimension(), list(M.shape), M.numel()
""",
        ),
        Mutant(
            "numel_tensor",
            violates="numel",
            says="int",
            source="""
def matrix_info(M):
    return M.ndimension(), tuple(M.shape), torch.tensor(M.numel())
""",
        ),
    ),
    alternatives=(
        Alternative(
            "dim_size_nelement",
            """
def matrix_info(M):
    return M.dim(), M.size(), M.nelement()
""",
        ),
        Alternative(
            "ndim_shape_torch_numel",
            """
def matrix_info(M):
    rows, cols = M.shape
    return M.ndim, (rows, cols), torch.numel(M)
""",
        ),
    ),
)


def _matrices(rng):
    """Non-square matrices (some transposed) and ones with a zero-length side."""
    rows = inputs.integer(rng, 2, 6)
    cols = rows + inputs.integer(rng, 1, 4)
    return [
        inputs.tensor(rng, (rows, cols)),
        inputs.transposed(rng, rows, cols, torch.int64),
        torch.zeros(inputs.integer(rng, 2, 5), 0),
        torch.zeros(0, inputs.integer(rng, 2, 5)),
    ]


def _info(student, m):
    return expect_tuple(student(m).value, 3)


@check(
    points=1,
    enforces="ndimension",
    ko="첫 번째 값은 M.ndimension() 이 돌려주는 차원 수 (rank) 로, 2차원 텐서에서는 int 2 입니다.",
    en="The first value is the number of dimensions (rank) that M.ndimension() gives: the int 2 for a matrix.",
)
def test_ndimension(student, rng):
    for m in _matrices(rng):
        expect_scalar(_info(student, m)[0], 2, int, what="ndimension")


@check(
    points=1,
    enforces="shape",
    ko="두 번째 값은 M.shape (또는 M.size()) 을 tuple 로 나타낸 (행 수, 열 수) 입니다. torch.Size 는 tuple 이라 괜찮습니다.",
    en="The second value is (rows, cols), M.shape (or M.size()) as a tuple; a torch.Size is a tuple, so it is fine.",
)
def test_shape(student, rng):
    for m in _matrices(rng):
        shape = _info(student, m)[1]
        expect(
            isinstance(shape, tuple) and tuple(shape) == tuple(m.shape) and all(type(s) is int for s in shape),
            f"shape 이 int 2개의 tuple {tuple(m.shape)} 이어야 하는데 {shape!r} 입니다.",
            f"The shape should be the tuple of ints {tuple(m.shape)}, but it is {shape!r}.",
        )


@check(
    points=2,
    enforces="numel",
    ko="세 번째 값은 원소의 개수 M.numel() (행 수 × 열 수) 로, Python int 입니다. len(M) 은 행의 수일 뿐입니다.",
    en="The third value is the number of elements M.numel() (rows × cols), a Python int. len(M) is only the "
    "number of rows.",
)
def test_numel(student, rng):
    for m in _matrices(rng):
        expect_scalar(_info(student, m)[2], m.numel(), int, what=f"numel of a {tuple(m.shape)} tensor")
