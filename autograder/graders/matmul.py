"""matmul: `(m, k) @ (k, n)` is the matrix product, of shape (m, n); `*` and a transposed operand are not."""

import torch

from autograder.authoring import Alternative, Edge, Exercise, Msg, Mutant, Promise, check, expect_tensor, inputs, show

EXERCISE = Exercise(
    id="matmul",
    assignment="a03_operations",
    heading="matrix multiplication",
    title=Msg(ko="행렬 곱", en="Matrix multiplication"),
    contract=(
        Promise(
            "product",
            en="A @ B, shape (m, n), the inputs' dtype: (A @ B)[i, j] is the dot product of row i of A "
            "with column j of B",
            ko="A @ B, shape (m, n), 입력의 dtype: (A @ B)[i, j] 는 A 의 i 번째 행과 B 의 j 번째 열의 내적",
        ),
    ),
    edges=(
        Edge("square matrices (where A * B has the right shape)", lambda A, B: A.shape[0] == A.shape[1] == B.shape[1]),
        Edge("a row times a column", lambda A, B: A.shape[0] == 1 and B.shape[1] == 1),
        Edge("int64", lambda A, B: A.dtype == torch.int64),
        Edge("float64", lambda A, B: A.dtype == torch.float64),
    ),
    mutants=(
        Mutant(
            "element_wise",
            violates="product",
            says="element-wise",
            source="""
def matmul(A, B):
    return A * B
""",
        ),
        Mutant(
            "transposed_left",
            violates="product",
            says="transpose",
            source="""
def matmul(A, B):
    return A.T @ B
""",
        ),
        Mutant(
            "float_cast",
            violates="product",
            says="dtype",
            source="""
def matmul(A, B):
    return A.float() @ B.float()
""",
        ),
    ),
    alternatives=(
        Alternative(
            "torch_matmul",
            """
def matmul(A, B):
    return torch.matmul(A, B)
""",
        ),
        Alternative(
            "torch_mm",
            """
def matmul(A, B):
    return torch.mm(A, B)
""",
        ),
        Alternative(
            "method_matmul",
            """
def matmul(A, B):
    return A.matmul(B)
""",
        ),
    ),
)


DTYPES = (torch.int64, torch.float32, torch.float64)


def _pair(rng, m: int, k: int, n: int, dtype: torch.dtype = torch.int64):
    return inputs.tensor(rng, (m, k), dtype, -5, 5), inputs.tensor(rng, (k, n), dtype, -5, 5)


def _expect_product(student, a, b):
    call = student(a, b)
    expect_tensor(call, call.value, a @ b, computed_in=a.dtype, inputs=f"A={show(a)}, B={show(b)}")


@check(
    points=3,
    enforces="product",
    ko="(m, k) 행렬과 (k, n) 행렬의 곱 A @ B 는 (m, n) 행렬이고, 입력의 dtype 을 유지합니다.",
    en="The product A @ B of an (m, k) and a (k, n) matrix is an (m, n) matrix with the inputs' dtype.",
)
def test_product(student, rng):
    m = inputs.integer(rng, 1, 4)
    k = m + inputs.integer(rng, 1, 3)
    for shape, dtype in zip(((m, k, k + 1), (k + 1, m, k), (1, k, 1)), DTYPES, strict=True):
        _expect_product(student, *_pair(rng, *shape, dtype))


@check(
    points=2,
    enforces="product",
    ko="정사각 행렬에서 A * B (원소별 곱, element-wise) 나 A.T @ B (transpose 한 A) 는 shape 은 맞지만 값이 틀립니다. (A @ B)[i, j] 는 A 의 i "
    "번째 행과 B 의 j 번째 열의 내적입니다.",
    en="For square matrices, A * B (element-wise) and A.T @ B (A transposed) have the right shape but wrong values. "
    "(A @ B)[i, j] is the dot product of row i of A with column j of B.",
)
def test_square_matrices(student, rng):
    for dtype in DTYPES[:2]:
        size = inputs.integer(rng, 2, 4)
        _expect_product(student, *_pair(rng, size, size, size, dtype))
