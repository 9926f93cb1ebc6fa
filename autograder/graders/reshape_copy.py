"""reshape_copy: the values of `t.reshape(shape)` in memory of their own, whatever t's layout."""

import torch

from autograder.authoring import (
    Alternative,
    Edge,
    Exercise,
    Msg,
    Mutant,
    Promise,
    check,
    expect_not_shares,
    expect_tensor,
    expect_unchanged,
    inputs,
)

EXERCISE = Exercise(
    id="reshape_copy",
    assignment="a02_shapes",
    heading="reshape",
    title=Msg(ko="reshape 한 독립 복사본", en="A reshaped, independent copy"),
    contract=(
        Promise(
            "values",
            en="the dtype, shape and values of t.reshape(shape), for contiguous and non-contiguous `t`",
            ko="dtype, shape, 값은 t.reshape(shape) 와 같음 (연속인 t 와 연속이 아닌 t 모두)",
        ),
        Promise(
            "copy",
            en="never shares memory with `t` (writing to the result leaves `t` unchanged)",
            ko="t 와 메모리를 공유하지 않음 (결과에 써도 t 는 그대로)",
        ),
        Promise("unchanged", en="does not modify `t`", ko="t 를 바꾸지 않음"),
    ),
    edges=(
        Edge("a transpose (not contiguous)", lambda t, shape: not t.is_contiguous()),
        Edge("a -1 in the shape", lambda t, shape: -1 in shape),
        Edge("a 0-d tensor", lambda t, shape: t.dim() == 0),
        Edge("an empty tensor", lambda t, shape: t.numel() == 0),
        Edge("a contiguous tensor (where reshape returns a view)", lambda t, shape: t.dim() == 2 and t.is_contiguous()),
    ),
    mutants=(
        Mutant(
            "plain_reshape",
            violates="copy",
            says="clone",
            source="""
def reshape_copy(t, shape):
    return t.reshape(shape)
""",
        ),
        Mutant(
            "view_then_clone",
            violates="values",
            says="non-contiguous",
            source="""
def reshape_copy(t, shape):
    return t.view(shape).clone()
""",
        ),
        Mutant(
            "contiguous_view",
            violates="copy",
            says="clone",
            source="""
def reshape_copy(t, shape):
    return t.contiguous().view(shape)
""",
        ),
        Mutant(
            "reshapes_t_itself",
            violates="unchanged",
            says="modified",
            source="""
def reshape_copy(t, shape):
    t.data = t.data.reshape(shape).clone()
    return t.clone()
""",
        ),
    ),
    alternatives=(
        Alternative(
            "clone_then_reshape",
            """
def reshape_copy(t, shape):
    return t.clone().reshape(shape)
""",
        ),
        Alternative(
            "torch_reshape_detach_clone",
            """
def reshape_copy(t, shape):
    return torch.reshape(t, shape).detach().clone()
""",
        ),
    ),
)


def _contiguous_case(rng, minus_one: bool | None = None):
    """A contiguous tensor and a new shape for it (with a -1 if asked, else sometimes), where reshape returns a view."""
    a, b, c = inputs.shape(rng, 3, 1, 4)
    t = inputs.tensor(rng, (a * b, c), inputs.choice(rng, [torch.float32, torch.int64]))
    shape = [a, b * c]
    if inputs.integer(rng, 0, 1) if minus_one is None else minus_one:
        shape[inputs.integer(rng, 0, 1)] = -1
    return t, tuple(shape)


def _transposed_case(rng):
    """A transpose, where view raises and reshape already copies."""
    rows, cols = inputs.integer(rng, 2, 4), inputs.integer(rng, 2, 4)
    t = inputs.transposed(rng, rows, cols, inputs.choice(rng, [torch.float32, torch.int64]))
    return t, inputs.choice(rng, [(-1,), (cols, rows), (rows * cols, 1)])


@check(
    points=2,
    enforces="values",
    ko="결과는 t.reshape(shape) 와 같은 값, dtype, shape 이어야 합니다. 전치(transpose)처럼 연속(contiguous)이 아닌 입력에서도 동작해야 하는데, view "
    "는 이런 입력에서 RuntimeError 를 냅니다.",
    en="The result must have the values, dtype and shape of t.reshape(shape), also for a non-contiguous input such "
    "as a transpose, where view raises RuntimeError.",
)
def test_values(student, rng):
    cases = [
        _contiguous_case(rng, True),
        _transposed_case(rng),
        (inputs.tensor(rng, ()), (1,)),
        (inputs.tensor(rng, (0, 3)), (3, 0)),
    ]
    for t, shape in cases:
        call = student(t, shape)
        expect_tensor(call, call.value, t.reshape(shape), inputs=f"shape {tuple(t.shape)} -> {shape}")


@check(
    points=2,
    enforces="copy",
    requires="values",
    ko="결과가 t 와 메모리를 공유하면 안 됩니다. 연속(contiguous)인 입력에서는 reshape 와 view 가 t 의 view 를 "
    "돌려주므로, 결과에 .clone() 을 붙여 복사하세요.",
    en="The result must not share memory with t. For a contiguous input reshape and view return a view of t: "
    "add .clone() to copy the result.",
)
def test_independent_copy(student, rng):
    for t, shape in (_contiguous_case(rng), _contiguous_case(rng), _transposed_case(rng)):
        call = student(t, shape)
        expect_not_shares(call, call.value, call.args[0])


@check(
    points=1,
    enforces="unchanged",
    requires="values",
    ko="입력 텐서 t 를 바꾸면 안 됩니다.",
    en="The input tensor t must not be modified.",
)
def test_input_unchanged(student, rng):
    t, shape = _contiguous_case(rng)
    call = student(t.clone(), shape)
    call.value  # noqa: B018 - reading it fails the check if the call raised
    expect_unchanged(t, call.args[0])
