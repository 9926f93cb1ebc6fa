"""flatten_view: a 1-D view that shares the input's storage, and refuses what `view` refuses."""

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
    expect_shares,
    expect_tensor,
    expect_unchanged,
    inputs,
)

EXERCISE = Exercise(
    id="flatten_view",
    assignment="a02_shapes",
    heading="reshape",
    title=Msg(ko="view 로 1차원 펼치기", en="Flatten with a view"),
    contract=(
        Promise(
            "values",
            en="dtype and values of `t` in row-major order, shape (t.numel(),) (0-d and empty `t` too)",
            ko="dtype 과 값은 t 의 것을 행 우선 순서로, shape 은 (t.numel(),) (0차원, 빈 t 도)",
        ),
        Promise(
            "view", en="shares storage with `t` (a view, never a copy)", ko="t 와 storage 를 공유 (복사본이 아닌 view)"
        ),
        Promise(
            "raises",
            en="raises RuntimeError when `t` is not contiguous (e.g. a transpose)",
            ko="t 가 연속(contiguous)이 아니면 (예: 전치) RuntimeError",
        ),
        Promise("unchanged", en="does not modify `t`", ko="t 를 바꾸지 않음"),
    ),
    edges=(
        Edge("a 0-d tensor", lambda t: t.dim() == 0),
        Edge("an empty tensor", lambda t: t.numel() == 0),
        Edge("a 3-D tensor", lambda t: t.dim() == 3),
        Edge("a transpose (not contiguous)", lambda t: not t.is_contiguous()),
    ),
    mutants=(
        Mutant(
            "clone_then_view",
            violates="view",
            says="copy",
            source="""
def flatten_view(t):
    return t.clone().view(-1)
""",
        ),
        Mutant(
            "reshape",
            violates="raises",
            says="reshape",
            source="""
def flatten_view(t):
    return t.reshape(-1)
""",
        ),
        Mutant(
            "contiguous_then_view",
            violates="raises",
            says="contiguous",
            source="""
def flatten_view(t):
    return t.contiguous().view(-1)
""",
        ),
        Mutant(
            "keeps_rows",
            violates="values",
            says="1-D",
            source="""
def flatten_view(t):
    return t.view(len(t), -1)
""",
        ),
        Mutant(
            "flattens_t_itself",
            violates="unchanged",
            says="modified",
            source="""
def flatten_view(t):
    t.data = t.data.view(-1)
    return t
""",
        ),
    ),
    alternatives=(
        Alternative(
            "view_numel",
            """
def flatten_view(t):
    return t.view(t.numel())
""",
        ),
    ),
)


def _contiguous_case(rng):
    return inputs.tensor(
        rng, inputs.shape(rng, inputs.integer(rng, 2, 3)), inputs.choice(rng, [torch.float32, torch.int64])
    )


@check(
    points=2,
    enforces="values",
    ko="결과는 입력의 모든 원소를 행 우선(row-major) 순서로 담은 1차원 텐서여야 합니다.",
    en="The result must be a 1-D tensor holding every element in row-major order.",
)
def test_values(student, rng):
    for x in (
        _contiguous_case(rng),
        inputs.tensor(rng, inputs.shape(rng, 3, 1, 4)),
        torch.tensor(7.5),
        inputs.tensor(rng, (3, 0)),
    ):
        call = student(x)
        expect_tensor(call, call.value, x.reshape(-1), inputs=f"shape {tuple(x.shape)}")


@check(
    points=2,
    enforces="view",
    requires="values",
    ko="view 는 메모리를 공유해야 합니다: 결과가 복사본(copy)입니다. clone() 이나 새 텐서를 만들지 마세요.",
    en="A view must share memory with its input: your result is a copy. Do not clone or build a new tensor.",
)
def test_shares_storage(student, rng):
    call = student(_contiguous_case(rng))
    expect_shares(call, call.value, call.args[0])


@check(
    points=2,
    enforces="raises",
    requires="values",
    ko="전치(transpose)된 텐서처럼 연속(contiguous)이 아닌 텐서에서는 view 가 RuntimeError 를 내야 합니다. "
    "reshape 나 contiguous() 는 몰래 복사하므로 쓰지 마세요.",
    en="On a non-contiguous tensor such as a transpose, view must raise RuntimeError; "
    "reshape or contiguous() silently copy instead, so do not use them.",
)
def test_refuses_non_contiguous(student, rng):
    call = student(inputs.transposed(rng, inputs.integer(rng, 2, 4), inputs.integer(rng, 2, 4)))
    expect(
        call.error is not None and call.error.type == "RuntimeError",
        "연속이 아닌 입력에서 오류 없이 결과를 돌려주었습니다.",
        "Your function returned a result for a non-contiguous input instead of raising.",
    )


@check(
    points=1,
    enforces="unchanged",
    requires="values",
    ko="입력 텐서를 바꾸면 안 됩니다.",
    en="The input tensor must not be modified.",
)
def test_input_unchanged(student, rng):
    x = _contiguous_case(rng)
    call = student(x.clone())
    call.value  # noqa: B018 - reading it fails the check if the call raised
    expect_unchanged(x, call.args[0])
