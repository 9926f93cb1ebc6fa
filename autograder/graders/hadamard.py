"""hadamard: `*` multiplies matrices element by element; `@` and dot products are different operations."""

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
    expect_unchanged,
    inputs,
    show,
)

EXERCISE = Exercise(
    id="hadamard",
    assignment="a03_operations",
    heading="matrix 간의 연산",
    title=Msg(ko="원소별 곱 (Hadamard product)", en="Element-wise (Hadamard) product"),
    contract=(
        Promise(
            "product",
            en="A * B element by element (not the matrix product A @ B), with A's shape and dtype",
            ko="같은 위치의 원소끼리 곱한 A * B (행렬 곱 A @ B 가 아님), shape 과 dtype 은 A 의 것",
        ),
        Promise("unchanged", en="A and B are not modified", ko="A 와 B 를 바꾸지 않음"),
    ),
    edges=(
        Edge("square matrices (where A @ B has the right shape)", lambda A, B: A.shape[0] == A.shape[1]),
        Edge("int64", lambda A, B: A.dtype == torch.int64),
        Edge("float32", lambda A, B: A.dtype == torch.float32),
        Edge("float64", lambda A, B: A.dtype == torch.float64),
    ),
    mutants=(
        Mutant(
            "matmul",
            violates="product",
            says="element-wise",
            source="""
def hadamard(A, B):
    return A @ B
""",
        ),
        Mutant(
            "dot_of_flattened",
            violates="product",
            says="element-wise",
            source="""
def hadamard(A, B):
    return torch.dot(A.flatten(), B.flatten())
""",
        ),
        Mutant(
            "float_cast",
            violates="product",
            says="dtype",
            source="""
def hadamard(A, B):
    return A.float() * B.float()
""",
        ),
        Mutant(
            "in_place_mul",
            violates="unchanged",
            says="modif",
            source="""
def hadamard(A, B):
    return A.mul_(B)
""",
        ),
    ),
    alternatives=(
        Alternative(
            "torch_mul",
            """
def hadamard(A, B):
    return torch.mul(A, B)
""",
        ),
        Alternative(
            "method_mul",
            """
def hadamard(A, B):
    return A.mul(B)
""",
        ),
    ),
)


DTYPES = (torch.int64, torch.float32, torch.float64)


def _pair(rng, rows: int, cols: int, dtype: torch.dtype = torch.int64):
    return inputs.tensor(rng, (rows, cols), dtype), inputs.tensor(rng, (rows, cols), dtype)


def _expect_product(student, a, b):
    call = student(a, b)
    expect_tensor(call, call.value, a * b, inputs=f"A={show(a)}, B={show(b)}")


@check(
    points=2,
    enforces="product",
    ko="결과는 A * B: 같은 위치의 원소끼리 곱한 (element-wise) 행렬로, A 와 같은 shape 과 dtype 입니다. "
    "torch.dot 이나 @ 는 원소별 곱이 아닙니다.",
    en="The result is A * B, the element-wise product, with the shape and dtype of A. torch.dot and @ are not "
    "element-wise products.",
)
def test_values(student, rng):
    for dtype in DTYPES:
        rows = inputs.integer(rng, 1, 4)
        _expect_product(student, *_pair(rng, rows, rows + inputs.integer(rng, 1, 3), dtype))


@check(
    points=2,
    enforces="product",
    ko="정사각 행렬에서도 원소별 곱 (element-wise) A * B 여야 합니다. A @ B 는 행렬 곱으로 값이 다릅니다.",
    en="For square matrices too the result is the element-wise product A * B; A @ B is the matrix product and "
    "gives other values.",
)
def test_square_matrices(student, rng):
    for dtype in DTYPES[:2]:
        size = inputs.integer(rng, 2, 4)
        _expect_product(student, *_pair(rng, size, size, dtype))


@check(
    points=1,
    enforces="unchanged",
    requires="values",
    ko="입력 A, B 를 바꾸면 안 됩니다 (mul_ 같은 in-place 연산을 쓰지 마세요).",
    en="The inputs A and B must not be modified (no in-place operations such as mul_).",
)
def test_inputs_unchanged(student, rng):
    a, b = _pair(rng, 2, 3)
    call = student(a.clone(), b.clone())
    call.value  # noqa: B018 - reading it fails the check if the call raised
    expect_unchanged(a, call.args[0], what="input A")
    expect_unchanged(b, call.args[1], what="input B")
