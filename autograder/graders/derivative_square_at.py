"""derivative_square_at: dy/dx of y = x**2 read from autograd, the same on every call."""

import torch

from autograder.authoring import (
    Alternative,
    CheckFailed,
    Edge,
    Exercise,
    Msg,
    Mutant,
    Promise,
    check,
    expect_number,
    expect_scalar,
    fail,
    inputs,
)

EXERCISE = Exercise(
    id="derivative_square_at",
    assignment="a04_autograd",
    heading="TORCH.AUTOGRAD를 이용한 자동 미분",
    title=Msg(ko="y = x² 의 미분값", en="The derivative of y = x²"),
    contract=(
        Promise(
            "derivative",
            en="dy/dx = 2 * x0, read from autograd (x.grad after y.backward())",
            ko="dy/dx = 2 * x0, autograd 로 구한 값 (y.backward() 후 x.grad)",
        ),
        Promise(
            "float",
            en="a Python float (x.grad.item()), e.g. 4.0 for x0 = 2.0",
            ko="Python float (x.grad.item()), 예: x0 = 2.0 이면 4.0",
        ),
        Promise(
            "fresh",
            en="the same answer every time it is called with the same x0 (no .grad kept between calls)",
            ko="같은 x0 로 몇 번을 불러도 같은 답 (호출 사이에 .grad 를 남기지 않음)",
        ),
    ),
    edges=(
        Edge("x0 = 0", lambda x0: x0 == 0),
        Edge("a negative x0", lambda x0: x0 < 0),
        Edge("the notes' x0 = 2", lambda x0: x0 == 2),
    ),
    mutants=(
        Mutant(
            "global_tensor",
            violates=("derivative", "fresh"),
            says="accumulate",
            source="""
_x = torch.tensor(0.0, requires_grad=True)

def derivative_square_at(x0):
    with torch.no_grad():
        _x.fill_(x0)
    y = _x ** 2
    y.backward()
    return _x.grad.item()
""",
        ),
        Mutant(
            "tensor_per_x0",
            violates="fresh",
            says="accumulate",
            source="""
_made = {}

def derivative_square_at(x0):
    x = _made.setdefault(x0, torch.tensor(x0, requires_grad=True))
    (x ** 2).backward()
    return x.grad.item()
""",
        ),
        Mutant(
            "returns_y",
            violates="derivative",
            says="not y",
            source="""
def derivative_square_at(x0):
    x = torch.tensor(x0, requires_grad=True)
    y = x ** 2
    y.backward()
    return y.item()
""",
        ),
        Mutant(
            "returns_tensor",
            violates="float",
            says=".item()",
            source="""
def derivative_square_at(x0):
    x = torch.tensor(x0, requires_grad=True)
    y = x ** 2
    y.backward()
    return x.grad
""",
        ),
    ),
    alternatives=(
        Alternative(
            "float_of_grad",
            """
def derivative_square_at(x0):
    x = torch.tensor([x0], dtype=torch.float64, requires_grad=True)
    (x ** 2).sum().backward()
    return float(x.grad)
""",
        ),
        Alternative(
            "autograd_grad",
            """
def derivative_square_at(x0):
    x = torch.tensor(x0, requires_grad=True)
    (dydx,) = torch.autograd.grad(x ** 2, x)
    return dydx.item()
""",
        ),
    ),
)


def _points(rng) -> list[float]:
    """The notes' x = 2, a negative, random values and zero (last: a leftover .grad shows best on the others)."""
    return [2.0, -abs(inputs.floats(rng, 1, 0.5, 9)[0]), *inputs.floats(rng, 2), 0.0]


def _expect_derivative(student, x0: float, answer) -> None:
    """Right value; a wrong one that changes when asked again is named as accumulation."""
    try:
        expect_number(answer, 2 * x0, what=f"dy/dx at x0={x0}", computed_in=torch.float32)
    except CheckFailed:
        again = student(x0)
        if not again.raised and again.value != answer:
            fail(
                f"같은 x0={x0} 에 대해 {answer!r} 와 {again.value!r} 를 돌려주었습니다: .grad 가 호출마다 누적됩니다.",
                f"For the same x0={x0} your function returned {answer!r}, then {again.value!r}: .grad accumulates "
                "across calls.",
            )
        raise


@check(
    points=2,
    enforces="derivative",
    ko="결과는 x0 에서의 dy/dx = 2·x0 이어야 합니다. y.backward() 를 호출한 뒤 y 가 아니라 x.grad 를 읽으세요.",
    en="The result must be dy/dx = 2·x0 at x0: call y.backward() and read x.grad, not y itself.",
)
def test_derivative(student, rng):
    for x0 in _points(rng):
        _expect_derivative(student, x0, student(x0).value)


@check(
    points=1,
    enforces="float",
    requires="derivative",
    ko="결과는 파이썬 float 이어야 합니다: 텐서 x.grad 대신 x.grad.item() 을 반환하세요.",
    en="The result must be a Python float: return x.grad.item(), not the tensor x.grad.",
)
def test_python_float(student, rng):
    x0 = inputs.floats(rng, 1)[0]
    expect_scalar(student(x0).value, 2 * x0, float, what=f"dy/dx at x0={x0}", computed_in=torch.float32)


@check(
    points=2,
    enforces="fresh",
    requires="derivative",
    ko="같은 x0 로 여러 번 호출해도 같은 값이 나와야 합니다. 전역 텐서를 다시 쓰면 .grad 가 호출마다 "
    "누적(accumulate)됩니다: 호출할 때마다 새 텐서를 만드세요.",
    en="Repeated calls with the same x0 must give the same answer. Reusing a global tensor makes .grad accumulate "
    "across calls: create a new tensor on every call.",
)
def test_no_accumulation(student, rng):
    x0, x1 = inputs.floats(rng, 2, 0.5, 9)
    for x in (x0, x1, x0):
        _expect_derivative(student, x, student(x).value)
