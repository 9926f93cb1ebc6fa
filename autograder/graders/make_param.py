"""make_param: a float64 leaf that requires grad, created with its dtype rather than converted after."""

import torch

from autograder.authoring import Alternative, Edge, Exercise, Msg, Mutant, Promise, check, expect, expect_tensor, inputs

EXERCISE = Exercise(
    id="make_param",
    assignment="a04_autograd",
    heading="backpropagation",
    title=Msg(ko="학습할 매개변수 만들기", en="Create a trainable parameter"),
    contract=(
        Promise(
            "float64",
            en="dtype torch.float64, shape (len(values),), holding `values` (an empty list gives shape (0,))",
            ko="dtype torch.float64, shape (len(values),), values 를 담음 (빈 리스트는 shape (0,))",
        ),
        Promise("requires_grad", en="requires_grad is True", ko="requires_grad 가 True"),
        Promise("leaf", en="a leaf: is_leaf True and grad_fn None", ko="leaf 텐서: is_leaf 는 True, grad_fn 은 None"),
    ),
    edges=(
        Edge("an empty list", lambda values: values == []),
        Edge("one value", lambda values: len(values) == 1),
        Edge("whole numbers written as floats", lambda values: values and all(v == int(v) for v in values)),
    ),
    mutants=(
        Mutant(
            "double_after",
            violates=("float64", "leaf"),
            says="float64",
            source="""
def make_param(values):
    return torch.tensor(values, requires_grad=True).double()
""",
        ),
        Mutant(
            "clone_after",
            violates="leaf",
            says="leaf",
            source="""
def make_param(values):
    return torch.tensor(values, dtype=torch.float64, requires_grad=True).clone()
""",
        ),
        Mutant(
            "float32",
            violates="float64",
            says="float64",
            source="""
def make_param(values):
    return torch.tensor(values, requires_grad=True)
""",
        ),
        Mutant(
            "no_tracking",
            violates="requires_grad",
            says="requires_grad",
            source="""
def make_param(values):
    return torch.tensor(values, dtype=torch.float64)
""",
        ),
    ),
    alternatives=(
        Alternative(
            "requires_grad_after",
            """
def make_param(values):
    return torch.tensor(values, dtype=torch.float64).requires_grad_()
""",
        ),
        Alternative(
            "parameter",
            """
def make_param(values):
    return torch.nn.Parameter(torch.tensor(values, dtype=torch.double))
""",
        ),
    ),
)


def _values(rng) -> list[float]:
    return inputs.floats(rng, inputs.integer(rng, 2, 6))


def _call_checked(student, values):
    """Call, and check the values first so that the autograd checks look at a right result."""
    call = student(values)
    expect_tensor(call, call.value, torch.tensor(values, dtype=torch.float64), inputs=repr(values))
    return call, call.facts(call.value)


@check(
    points=2,
    enforces="float64",
    ko="결과는 values 를 담은 float64 1차원 텐서여야 합니다. torch.tensor(values, dtype=torch.float64, ...) 처럼 dtype 을 지정하세요 (지정하지 "
    "않으면 float32).",
    en="The result must be a 1-D float64 tensor holding `values`. Pass dtype=torch.float64 to torch.tensor (without "
    "it you get float32).",
)
def test_values(student, rng):
    for values in (_values(rng), [inputs.floats(rng, 1)[0]], [1.0, -2.0, 0.0], []):
        _call_checked(student, values)


@check(
    points=1,
    enforces="requires_grad",
    requires="values",
    ko="매개변수는 gradient 를 추적해야 합니다: requires_grad=True 로 만드세요.",
    en="A parameter must track gradients: create it with requires_grad=True.",
)
def test_requires_grad(student, rng):
    _, facts = _call_checked(student, _values(rng))
    expect(facts.requires_grad, "결과의 requires_grad 가 False 입니다.", "The result has requires_grad=False.")


@check(
    points=2,
    enforces="leaf",
    requires="values",
    ko="매개변수는 leaf 텐서여야 합니다 (grad_fn 이 None). requires_grad=True 로 만든 뒤 .double() 이나 .to() 로 바꾸면 "
    "연산 결과(ToCopyBackward0)가 되어 backward() 후에도 .grad 가 비어 있습니다. dtype=torch.float64 와 "
    "requires_grad=True 를 한 번에 주세요.",
    en="A parameter must be a leaf tensor (grad_fn is None). Converting after requires_grad=True with .double() "
    "or .to() gives the result of an operation (ToCopyBackward0) whose .grad stays empty after backward(). "
    "Pass dtype=torch.float64 and requires_grad=True together.",
)
def test_leaf(student, rng):
    _, facts = _call_checked(student, _values(rng))
    expect(
        facts.is_leaf and facts.grad_fn is None,
        f"결과가 leaf 가 아닙니다: grad_fn = {facts.grad_fn}.",
        f"The result is not a leaf: grad_fn = {facts.grad_fn}.",
    )
