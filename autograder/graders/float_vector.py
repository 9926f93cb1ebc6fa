"""float_vector: a float32 vector from a list of ints, floats or NumPy float64 scalars, never float64 or int64."""

import numpy as np
import torch

from autograder.authoring import Alternative, Edge, Exercise, Msg, Mutant, Promise, check, expect_tensor, inputs, show

EXERCISE = Exercise(
    id="float_vector",
    assignment="a01_tensors",
    heading="tensor 생성",
    title=Msg(ko="리스트에서 float32 벡터 만들기", en="A float32 vector from a list"),
    contract=(
        Promise(
            "values",
            en="the numbers of `xs` in order, rounded to float32, in shape (len(xs),): 1-D also for "
            "one number, (0,) for an empty list",
            ko="xs 의 숫자들을 순서대로 float32 로 반올림해 shape (len(xs),) 에 담음: 숫자가 하나여도 1차원, 빈 "
            "리스트는 (0,)",
        ),
        Promise(
            "float32",
            en="dtype torch.float32 whatever `xs` holds: only Python ints, or np.float64 values",
            ko="xs 에 무엇이 들었든 dtype torch.float32: Python int 만 있어도, np.float64 값이 있어도",
        ),
    ),
    edges=(
        Edge("an empty list", lambda xs: xs == []),
        Edge("one number", lambda xs: len(xs) == 1),
        Edge("Python ints only", lambda xs: xs and all(type(x) is int for x in xs)),
        Edge("ints beyond 2**24 (float32 rounds them)", lambda xs: any(type(x) is int and abs(x) > 2**24 for x in xs)),
        Edge("Python floats and ints mixed", lambda xs: {type(x) for x in xs} == {int, float}),
        Edge("np.float64 values", lambda xs: any(type(x) is np.float64 for x in xs)),
    ),
    mutants=(
        Mutant(
            "inferred",
            violates="float32",
            says="infers",
            source="""
def float_vector(xs):
    return torch.tensor(xs)
""",
        ),
        Mutant(
            "via_numpy_array",
            violates=("values", "float32"),
            says="float64",
            source="""
def float_vector(xs):
    return torch.from_numpy(np.array(xs, dtype=float))
""",
        ),
        Mutant(
            "stack_scalars",
            violates="values",
            says="empty",
            source="""
def float_vector(xs):
    return torch.stack([torch.tensor(x, dtype=torch.float32) for x in xs])
""",
        ),
    ),
    alternatives=(
        Alternative(
            "float_tensor",
            """
def float_vector(xs):
    return torch.FloatTensor(xs)
""",
        ),
        Alternative(
            "cast_after",
            """
def float_vector(xs):
    return torch.tensor(xs).float()
""",
        ),
        Alternative(
            "python_floats",
            """
def float_vector(xs):
    return torch.tensor([float(x) for x in xs])
""",
        ),
    ),
)


def _expect_vector(student, xs: list) -> None:
    call = student(xs)
    expect_tensor(call, call.value, torch.tensor([float(x) for x in xs], dtype=torch.float32), inputs=show(xs))


@check(
    points=2,
    enforces="values",
    ko="결과는 shape (len(xs),) 인 float32 1차원 텐서여야 합니다. 원소가 1개여도 1차원이고, 빈 리스트면 shape (0,) 입니다.",
    en="The result must be a 1-D float32 tensor of shape (len(xs),): one item still gives 1-D, and an empty list "
    "gives shape (0,).",
)
def test_from_floats(student, rng):
    for xs in (inputs.floats(rng, inputs.integer(rng, 2, 8)) + inputs.ints(rng, 1), inputs.floats(rng, 1), []):
        _expect_vector(student, xs)


@check(
    points=2,
    enforces="float32",
    ko="int 만 있는 리스트도 float32 여야 합니다. torch.tensor 는 int 리스트에서 int64 를 추론하므로 "
    "dtype=torch.float32 를 주세요.",
    en="A list of ints only must also give float32: torch.tensor infers int64 from ints, so pass dtype=torch.float32.",
)
def test_from_ints(student, rng):
    _expect_vector(student, inputs.ints(rng, inputs.integer(rng, 1, 6)) + inputs.wide_ints(rng, 2))


@check(
    points=2,
    enforces="float32",
    ko="np.float64 값이 든 리스트도 float32 여야 합니다. torch.tensor 는 NumPy float64 값에서 float64 를 추론하므로 dtype=torch.float32 를 "
    "주세요.",
    en="A list holding np.float64 values must also give float32: torch.tensor infers float64 from NumPy float64 "
    "values, so pass dtype=torch.float32.",
)
def test_from_numpy_scalars(student, rng):
    numbers = [np.float64(x) for x in inputs.floats(rng, inputs.integer(rng, 2, 6))]
    for xs in (numbers, numbers + inputs.ints(rng, 2)):
        _expect_vector(student, xs)
