"""long_zeros: int64 zeros of a given shape; the notes' "dtype 이 long 이고 0 으로 채워진 행렬"."""

import torch

from autograder.authoring import Alternative, Edge, Exercise, Msg, Mutant, Promise, check, expect_tensor, inputs

EXERCISE = Exercise(
    id="long_zeros",
    assignment="a01_tensors",
    heading="Tensor 생성",
    title=Msg(ko="long 타입 0 텐서", en="Zeros of dtype long"),
    contract=(
        Promise(
            "int64",
            en="dtype torch.int64 (torch.long), every value 0",
            ko="dtype torch.int64 (torch.long), 모든 값이 0",
        ),
        Promise(
            "shape",
            en="shape `shape`, of any rank, with one element or with sizes that are 0",
            ko="shape 은 주어진 shape: 몇 차원이든, 원소가 하나이든, 크기 0 인 차원이 있든",
        ),
    ),
    edges=(
        Edge("a 1-D shape", lambda shape: len(shape) == 1),
        Edge("a 3-D shape", lambda shape: len(shape) == 3),
        Edge("the shape (1,)", lambda shape: tuple(shape) == (1,)),
        Edge("the shape (0,)", lambda shape: tuple(shape) == (0,)),
        Edge("a 2-D shape with a size 0", lambda shape: len(shape) == 2 and 0 in shape),
    ),
    mutants=(
        Mutant(
            "int32",
            violates="int64",
            says="int32",
            source="""
def long_zeros(shape):
    return torch.zeros(shape, dtype=torch.int)
""",
        ),
        Mutant(
            "float_zeros",
            violates="int64",
            says="float32",
            source="""
def long_zeros(shape):
    return torch.zeros(shape)
""",
        ),
        Mutant(
            "LongTensor_of_shape",
            violates=("int64", "shape"),
            says="shape",
            source="""
def long_zeros(shape):
    return torch.LongTensor(shape)
""",
        ),
        Mutant(
            "rows_and_columns",
            violates="shape",
            says="shape",
            source="""
def long_zeros(shape):
    return torch.zeros(shape[0], shape[1], dtype=torch.long)
""",
        ),
    ),
    alternatives=(
        Alternative(
            "cast_after",
            """
def long_zeros(shape):
    return torch.zeros(shape).long()
""",
        ),
        Alternative(
            "legacy_constructor",
            """
def long_zeros(shape):
    return torch.LongTensor(*shape).zero_()
""",
        ),
        Alternative(
            "unpacked_int64",
            """
def long_zeros(shape):
    return torch.zeros(*shape, dtype=torch.int64)
""",
        ),
    ),
)


def _expect_zeros(student, shape: tuple) -> None:
    call = student(shape)
    expect_tensor(call, call.value, torch.zeros(shape, dtype=torch.int64), inputs=f"shape={shape}")


@check(
    points=2,
    enforces="int64",
    ko="결과는 주어진 shape 의 int64 (torch.long) 0 텐서여야 합니다. dtype=torch.int 는 int32, 기본 zeros 는 float32 입니다. "
    "torch.LongTensor(shape) 는 shape 이 아니라 그 숫자들을 값으로 담습니다.",
    en="The result must be int64 (torch.long) zeros of the given shape. dtype=torch.int is int32 and plain zeros "
    "are float32; torch.LongTensor(shape) holds the numbers of shape as values instead of using them as a shape.",
)
def test_int64_zeros(student, rng):
    for _ in range(2):
        _expect_zeros(student, inputs.shape(rng, 2, 2, 6))


@check(
    points=1,
    enforces="shape",
    requires="int64_zeros",
    ko="1차원, 3차원, 원소가 하나인 shape 도 같은 규칙을 따라야 합니다.",
    en="Other ranks, 1-D, 3-D and a single element included, must work the same way.",
)
def test_any_rank(student, rng):
    for shape in (inputs.shape(rng, 1, 2, 6), inputs.shape(rng, 3, 1, 4), (1,)):
        _expect_zeros(student, shape)


@check(
    points=1,
    enforces="shape",
    requires="int64_zeros",
    ko="크기 0 인 차원이 있으면 빈 int64 텐서여야 합니다 (예: shape (0,) 이나 (3, 0)).",
    en="A shape with a zero-size dimension, such as (0,) or (3, 0), must give an empty int64 tensor of that shape.",
)
def test_empty_shapes(student, rng):
    for shape in ((0,), (inputs.integer(rng, 1, 5), 0)):
        _expect_zeros(student, shape)
