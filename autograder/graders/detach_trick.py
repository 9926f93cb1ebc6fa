"""detach_trick: a detached factor is a constant to autograd, so d/dx [x · (x²).detach()] = x²."""

import torch

from autograder.authoring import (
    Alternative,
    Edge,
    Exercise,
    Msg,
    Mutant,
    Promise,
    check,
    expect_grad,
    expect_tensor,
    inputs,
)

EXERCISE = Exercise(
    id="detach_trick",
    assignment="a04_autograd",
    heading="그라디언트 추적 비활성화",
    title=Msg(ko="detach 된 값은 상수", en="A detached value is a constant"),
    contract=(
        Promise(
            "gradient",
            en="x.grad after z.sum().backward() with z = x * (x**2).detach(): x**2, with x's dtype and shape",
            ko="z = x * (x**2).detach() 의 z.sum().backward() 후의 x.grad: x**2, dtype 과 shape 은 x 의 것",
        ),
        Promise(
            "on_x",
            en="the gradient is left in x.grad of the x given (autograd, not computed by hand)",
            ko="gradient 는 받은 x 의 x.grad 에 남음 (직접 계산하지 않고 autograd 로)",
        ),
    ),
    edges=(
        Edge("a 0-d x", lambda x: x.dim() == 0),
        Edge("a transposed x (not contiguous)", lambda x: not x.is_contiguous()),
        Edge("float32", lambda x: x.dtype == torch.float32),
        Edge("float64", lambda x: x.dtype == torch.float64),
        Edge("negative values", lambda x: bool((x < 0).any())),
    ),
    mutants=(
        Mutant(
            "no_detach",
            violates="gradient",
            says="without detach",
            source="""
def detach_trick(x):
    x.requires_grad_(True)
    z = x * x ** 2
    z.sum().backward()
    return x.grad
""",
        ),
        Mutant(
            "detach_all",
            violates="gradient",
            says="detach",
            source="""
def detach_trick(x):
    x.requires_grad_(True)
    z = (x * x ** 2).detach()
    z.sum().backward()
    return x.grad
""",
        ),
        Mutant(
            "no_autograd",
            violates="on_x",
            says="x.grad",
            source="""
def detach_trick(x):
    return x ** 2
""",
        ),
    ),
    alternatives=(
        Alternative(
            "no_grad_constant",
            """
def detach_trick(x):
    x.requires_grad_()
    with torch.no_grad():
        c = x * x
    (x * c).sum().backward()
    return x.grad
""",
        ),
        Alternative(
            "detach_x_first",
            """
def detach_trick(x):
    x.requires_grad = True
    torch.sum(x * x.detach() ** 2).backward()
    return x.grad
""",
        ),
    ),
)


def _inputs(rng) -> list[torch.Tensor]:
    """float64 and float32, a 0-d tensor and a non-contiguous transpose."""
    return [
        inputs.tensor(rng, inputs.shape(rng, 1), torch.float64, -3, 3),
        inputs.tensor(rng, inputs.shape(rng, 2), torch.float32, -3, 3),
        inputs.tensor(rng, (), torch.float64, -3, 3),
        inputs.transposed(rng, inputs.integer(rng, 2, 3), inputs.integer(rng, 2, 3), torch.float64) / 4,
    ]


def _call_checked(student, x):
    call = student(x.clone())
    expect_tensor(
        call, call.value, x**2, what="x.grad", computed_in=x.dtype, inputs=f"shape {tuple(x.shape)}, dtype {x.dtype}"
    )
    return call


@check(
    points=2,
    enforces="gradient",
    ko="결과는 z = x * (x**2).detach() 에 대해 z.sum().backward() 한 뒤의 x.grad, 즉 x**2 이어야 합니다 (dtype 과 shape 은 x 와 같음). "
    "detach 된 (x**2) 는 상수이므로, without detach 라면 나올 3·x**2 가 아닙니다. 전체를 detach 하면 backward() 할 그래프가 없습니다.",
    en="The result must be x.grad after z.sum().backward() with z = x * (x**2).detach(), that is x**2 (same dtype "
    "and shape as x): the detached (x**2) is a constant, so it is not the 3·x**2 you get without detach. "
    "Detaching all of z leaves no graph to backward() through.",
)
def test_gradient(student, rng):
    for x in _inputs(rng):
        _call_checked(student, x)


@check(
    points=2,
    enforces="on_x",
    requires="gradient",
    ko="gradient 는 autograd 로 구해서 전달받은 x 자체의 x.grad 에 남아 있어야 합니다: x.requires_grad_() 를 켜고 "
    "backward() 를 호출하세요 (x**2 를 직접 계산하지 마세요).",
    en="Get the gradient from autograd, so that it is left in x.grad of the x you were given: switch on "
    "x.requires_grad_() and call backward() (do not compute x**2 yourself).",
)
def test_grad_on_x(student, rng):
    for x in _inputs(rng)[:2]:
        call = _call_checked(student, x)
        expect_grad(call, call.args[0], x**2, what="x", computed_in=x.dtype)
