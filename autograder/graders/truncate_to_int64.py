"""truncate_to_int64: float → int64 casting truncates toward zero, which floor and round do not."""

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
)

EXERCISE = Exercise(
    id="truncate_to_int64",
    assignment="a01_tensors",
    heading="Tensor Type 변환",
    title=Msg(ko="실수 텐서를 int64 로", en="A float tensor to int64"),
    contract=(
        Promise(
            "int64",
            en="dtype torch.int64 and the shape of `t` (0-d, empty and non-contiguous `t` included)",
            ko="dtype torch.int64, shape 은 t 와 같음 (0차원, 빈 텐서, 연속이 아닌 t 포함)",
        ),
        Promise(
            "truncates",
            en="values truncated toward zero: 2.7 -> 2, -2.7 -> -2",
            ko="값은 0 쪽으로 버림: 2.7 -> 2, -2.7 -> -2",
        ),
        Promise("unchanged", en="does not modify `t`", ko="t 를 바꾸지 않음"),
    ),
    edges=(
        Edge("a 0-d tensor", lambda t: t.dim() == 0),
        Edge("an empty tensor", lambda t: t.numel() == 0),
        Edge("a non-contiguous tensor", lambda t: not t.is_contiguous()),
        Edge("float64", lambda t: t.dtype == torch.float64),
        Edge(
            "negatives with fractions under and over one half",
            lambda t: {bool(v) for v in (t[t < 0].abs() % 1 > 0.5)} == {False, True},
        ),
    ),
    mutants=(
        Mutant(
            "int32",
            violates="int64",
            says="int32",
            source="""
def truncate_to_int64(t):
    return t.int()
""",
        ),
        Mutant(
            "floor",
            violates="truncates",
            says="floor",
            source="""
def truncate_to_int64(t):
    return t.floor().long()
""",
        ),
        Mutant(
            "round",
            violates="truncates",
            says="round",
            source="""
def truncate_to_int64(t):
    return t.round().long()
""",
        ),
        Mutant(
            "trunc_in_place",
            violates="unchanged",
            says="modified",
            source="""
def truncate_to_int64(t):
    t.trunc_()
    return t.long()
""",
        ),
    ),
    alternatives=(
        Alternative(
            "to_dtype",
            """
def truncate_to_int64(t):
    return t.to(torch.int64)
""",
        ),
        Alternative(
            "trunc_then_long",
            """
def truncate_to_int64(t):
    return t.trunc().type(torch.LongTensor)
""",
        ),
    ),
)


def _float_dtype(rng) -> torch.dtype:
    return inputs.choice(rng, [torch.float32, torch.float64])


def _expect_truncated(student, t: torch.Tensor, values: bool = True) -> None:
    call = student(t)
    expect_tensor(
        call, call.value, t.trunc().to(torch.int64), inputs=f"shape {tuple(t.shape)}, dtype {t.dtype}", values=values
    )


@check(
    points=2,
    enforces="int64",
    ko="결과는 입력과 shape 이 같은 int64 (torch.long) 텐서여야 합니다. .int() 는 int32 를 만듭니다.",
    en="The result must be an int64 (torch.long) tensor of the input's shape; .int() makes int32.",
)
def test_int64_result(student, rng):
    cases = (
        inputs.tensor(rng, inputs.shape(rng, 2), _float_dtype(rng), 0, 10),
        torch.tensor(7.8, dtype=_float_dtype(rng)),
        torch.empty((0, 3), dtype=torch.float32),
        inputs.tensor(rng, inputs.shape(rng, 2, 2, 4), torch.float32, 0, 10).t(),
    )
    for t in cases:
        _expect_truncated(student, t, values=False)


@check(
    points=2,
    enforces="truncates",
    requires="int64_result",
    ko="0 쪽으로 버림(truncation)해야 합니다: -2.7 → -2, 2.7 → 2. floor() 는 음수에서 -3 이 되고, round() 는 반올림합니다.",
    en="Values must be truncated toward zero: -2.7 → -2 and 2.7 → 2. floor() gives -3 on negatives and round() "
    "rounds to the nearest.",
)
def test_truncates_negatives(student, rng):
    for dtype in (torch.float32, torch.float64):
        values = torch.tensor(inputs.fractions(rng, 8), dtype=dtype)
        _expect_truncated(student, values.reshape(4, 2).t() if dtype == torch.float32 else values)


@check(
    points=1,
    enforces="unchanged",
    requires=("int64_result", "truncates_negatives"),
    ko="입력 텐서를 바꾸면 안 됩니다 (trunc_() 같은 in-place 연산을 쓰지 마세요).",
    en="The input tensor must not be modified (no in-place trunc_() and the like).",
)
def test_input_unchanged(student, rng):
    t = torch.tensor(inputs.fractions(rng, 6), dtype=_float_dtype(rng))
    call = student(t.clone())
    call.value  # noqa: B018 - reading it fails the check if the call raised
    expect_unchanged(t, call.args[0])
