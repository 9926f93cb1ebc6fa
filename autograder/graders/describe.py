"""describe: rank, shape and element count as plain Python values, for 0-d and zero-size tensors too."""

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
    show,
)

EXERCISE = Exercise(
    id="describe",
    assignment="a02_shapes",
    heading="Tensor 의 shape & dimension (rank)",
    title=Msg(ko="텐서의 차원, shape, 원소 개수", en="Rank, shape and number of elements"),
    contract=(
        Promise(
            "ndim",
            en="ndim: an int, the number of dimensions (0 for a 0-d tensor)",
            ko="ndim: 차원 수 (int), 0차원 텐서는 0",
        ),
        Promise(
            "shape",
            en="shape: a plain tuple of ints (not a torch.Size), () for a 0-d tensor",
            ko="shape: int 로 이루어진 보통 tuple (torch.Size 가 아님), 0차원 텐서는 ()",
        ),
        Promise(
            "numel",
            en="numel: an int, the number of elements (1 for a 0-d tensor, 0 when a size is 0)",
            ko="numel: 원소 개수 (int), 0차원 텐서는 1, 크기 0 인 차원이 있으면 0",
        ),
    ),
    edges=(
        Edge("a 0-d tensor", lambda t: t.dim() == 0),
        Edge("a tensor with a size 0", lambda t: t.dim() > 0 and t.numel() == 0),
        Edge("a tensor of rank 3 or more", lambda t: t.dim() >= 3),
        Edge("a first dimension of size 1 (len(t) is not numel)", lambda t: t.dim() >= 2 and len(t) == 1),
        Edge("a bool tensor", lambda t: t.dtype == torch.bool),
    ),
    mutants=(
        Mutant(
            "len_as_numel",
            violates="numel",
            says="len(t)",
            source="""
def describe(t):
    return t.dim(), tuple(t.shape), len(t)
""",
        ),
        Mutant(
            "size_not_called",
            violates="shape",
            says="t.size",
            source="""
def describe(t):
    return t.dim(), t.size, t.numel()
""",
        ),
        Mutant(
            "torch_size",
            violates="shape",
            says="torch.Size",
            source="""
def describe(t):
    return t.dim(), t.shape, t.numel()
""",
        ),
        Mutant(
            "dim_not_called",
            violates="ndim",
            says="t.dim",
            source="""
def describe(t):
    return t.dim, tuple(t.shape), t.numel()
""",
        ),
    ),
    alternatives=(
        Alternative(
            "ndim_size_nelement",
            """
def describe(t):
    return t.ndim, tuple(t.size()), t.nelement()
""",
        ),
        Alternative(
            "from_shape_only",
            """
import math

def describe(t):
    return len(t.shape), tuple(int(n) for n in t.shape), math.prod(t.shape)
""",
        ),
    ),
)


def _tensor(rng, size, dtype: torch.dtype | None = None):
    return inputs.tensor(rng, size, dtype or inputs.choice(rng, [torch.float32, torch.int64, torch.bool]))


def _description(call) -> tuple:
    return expect_tuple(call.value, 3)


def _expect_count(value, expected: int, what: str):
    """An int, shown as the student's value (a method left uncalled reads `<...method>`)."""
    expect(
        type(value) is int,
        f"{what} 은(는) int 여야 하는데 {show(value)} 입니다.",
        f"The {what} should be an int, but it is {show(value)}.",
    )
    expect_scalar(value, expected, int, what=what)


def _expect_ndim(call, t):
    _expect_count(_description(call)[0], t.dim(), "ndim")


def _expect_shape(call, t):
    shape = _description(call)[1]
    expect(
        type(shape) is tuple and all(type(n) is int for n in shape) and shape == tuple(t.shape),
        f"shape 은 int 로 이루어진 보통 tuple {tuple(t.shape)} 이어야 하는데 {show(shape)} 입니다.",
        f"The shape should be the plain tuple of ints {tuple(t.shape)}, but it is {show(shape)}.",
    )


def _expect_numel(call, t):
    _expect_count(_description(call)[2], t.numel(), "numel")


@check(
    points=1,
    enforces="ndim",
    ko="첫 번째 값은 차원 수(rank)를 int 로 담아야 합니다: t.dim() 또는 t.ndim. "
    "괄호 없는 t.dim 은 숫자가 아니라 메서드입니다.",
    en="The first item must be the number of dimensions as an int: t.dim() or t.ndim. "
    "t.dim without () is a method, not a number.",
)
def test_ndim(student, rng):
    for rank, dtype in ((1, torch.bool), (2, torch.int64), (inputs.integer(rng, 3, 4), torch.float32)):
        t = _tensor(rng, inputs.shape(rng, rank), dtype)
        _expect_ndim(student(t), t)


@check(
    points=1,
    enforces="shape",
    ko="두 번째 값은 shape 을 int 의 보통 tuple 로 담아야 합니다: tuple(t.shape). "
    "t.shape 과 t.size() 는 torch.Size 이고, 괄호 없는 t.size 는 메서드입니다.",
    en="The second item must be the shape as a plain tuple of ints: tuple(t.shape). "
    "t.shape and t.size() are a torch.Size, and t.size without () is a method.",
)
def test_shape(student, rng):
    for rank in (1, 2, inputs.integer(rng, 3, 4)):
        t = _tensor(rng, inputs.shape(rng, rank))
        _expect_shape(student(t), t)


@check(
    points=1,
    enforces="numel",
    ko="세 번째 값은 전체 원소 개수 t.numel() (int) 이어야 합니다. len(t) 는 첫 번째 차원의 크기일 뿐입니다.",
    en="The third item must be the total number of elements, t.numel(), as an int; "
    "len(t) is only the size of the first dimension.",
)
def test_numel(student, rng):
    for first, rank in ((1, 2), (inputs.integer(rng, 2, 4), inputs.integer(rng, 3, 4))):
        t = _tensor(rng, (first,) + inputs.shape(rng, rank - 1, 2, 4))
        _expect_numel(student(t), t)


@check(
    points=2,
    enforces=("ndim", "shape", "numel"),
    ko="0차원 텐서(shape (), 원소 1개)와 크기가 0인 차원이 있는 텐서(원소 0개)도 처리해야 합니다. "
    "0차원 텐서에서는 len(t) 가 TypeError 를 냅니다.",
    en="0-d tensors (shape (), one element) and tensors with a zero-size dimension (no elements) must work too; "
    "len(t) raises TypeError on a 0-d tensor.",
)
def test_zero_d_and_empty(student, rng):
    empty_shape = inputs.shape(rng, 3, 2, 4)
    empty_shape = empty_shape[:1] + (0,) + empty_shape[2:]
    for t in (_tensor(rng, ()), _tensor(rng, empty_shape)):
        call = student(t)
        for expect_part in (_expect_ndim, _expect_shape, _expect_numel):
            expect_part(call, t)
