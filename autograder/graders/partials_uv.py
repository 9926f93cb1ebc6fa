"""partials_uv: both partial derivatives of f(u, v) = uv + u², in the order (df/du, df/dv)."""

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
    expect_number,
    expect_scalar,
    inputs,
    type_name,
)

EXERCISE = Exercise(
    id="partials_uv",
    assignment="a04_autograd",
    heading="편미분",
    title=Msg(ko="f(u, v) = uv + u² 의 편미분", en="Partial derivatives of f(u, v) = uv + u²"),
    contract=(
        Promise(
            "du",
            en="first df/du = v + 2u at (u0, v0), from autograd",
            ko="첫 번째는 (u0, v0) 에서의 df/du = v + 2u, autograd 로 구한 값",
        ),
        Promise(
            "dv",
            en="second df/dv = u at (u0, v0), from autograd",
            ko="두 번째는 (u0, v0) 에서의 df/dv = u, autograd 로 구한 값",
        ),
        Promise(
            "floats",
            en="a tuple of two Python floats; (4.0, 1.0) at (1.0, 2.0)",
            ko="Python float 두 개의 tuple; (1.0, 2.0) 에서 (4.0, 1.0)",
        ),
    ),
    edges=(
        Edge("the notes' (u, v) = (1, 2)", lambda u0, v0: (u0, v0) == (1.0, 2.0)),
        Edge("v = 0", lambda u0, v0: v0 == 0),
        Edge("a negative u", lambda u0, v0: u0 < 0),
    ),
    mutants=(
        Mutant(
            "swapped",
            violates=("du", "dv"),
            says="order",
            source="""
def partials_uv(u0, v0):
    u = torch.tensor(u0, requires_grad=True)
    v = torch.tensor(v0, requires_grad=True)
    f = u * v + u ** 2
    f.backward()
    return v.grad.item(), u.grad.item()
""",
        ),
        Mutant(
            "missing_square",
            violates="du",
            says="u**2",
            source="""
def partials_uv(u0, v0):
    u = torch.tensor(u0, requires_grad=True)
    v = torch.tensor(v0, requires_grad=True)
    f = u * v
    f.backward()
    return u.grad.item(), v.grad.item()
""",
        ),
        Mutant(
            "v_for_dv",
            violates="dv",
            says="u (v.grad)",
            source="""
def partials_uv(u0, v0):
    u = torch.tensor(u0, requires_grad=True)
    f = u * v0 + u ** 2
    f.backward()
    return u.grad.item(), v0
""",
        ),
        Mutant(
            "tensors",
            violates="floats",
            says=".item()",
            source="""
def partials_uv(u0, v0):
    u = torch.tensor(u0, requires_grad=True)
    v = torch.tensor(v0, requires_grad=True)
    f = u * v + u ** 2
    f.backward()
    return u.grad, v.grad
""",
        ),
    ),
    alternatives=(
        Alternative(
            "autograd_grad",
            """
def partials_uv(u0, v0):
    u = torch.tensor(u0, dtype=torch.float64, requires_grad=True)
    v = torch.tensor(v0, dtype=torch.float64, requires_grad=True)
    du, dv = torch.autograd.grad(u * v + u ** 2, [u, v])
    return float(du), float(dv)
""",
        ),
    ),
)

PAIR_MSG = ("(df/du, df/dv) 두 값을 담은 tuple 을 반환하세요", "Return a tuple of the two values (df/du, df/dv)")


def _points(rng) -> list[tuple[float, ...]]:
    """The notes' (u, v) = (1, 2), a zero, negatives and random values."""
    return [(1.0, 2.0), (-1.5, 0.0), tuple(inputs.floats(rng, 2)), tuple(inputs.floats(rng, 2))]


def _pair(value) -> tuple:
    expect(
        type(value) in (tuple, list) and len(value) == 2,
        f"{PAIR_MSG[0]}. 받은 값: {type_name(value)}",
        f"{PAIR_MSG[1]}; you returned a {type_name(value)}.",
    )
    return tuple(value)


def _partial_check(student, rng, position: int, name: str, formula) -> None:
    for u0, v0 in _points(rng):
        value = _pair(student(u0, v0).value)[position]
        expect_number(value, formula(u0, v0), what=f"{name} at (u, v) = ({u0}, {v0})", computed_in=torch.float32)


@check(
    points=2,
    enforces="du",
    ko="첫 번째 값은 ∂f/∂u = v + 2u 이어야 합니다. f 에 u**2 항을 빠뜨리지 않았는지, 반환 순서(order)가 "
    "(df/du, df/dv) 인지 확인하세요.",
    en="The first value must be ∂f/∂u = v + 2u: keep the u**2 term in f, and return them in the order (df/du, df/dv).",
)
def test_partial_u(student, rng):
    _partial_check(student, rng, 0, "df/du", lambda u, v: v + 2 * u)


@check(
    points=2,
    enforces="dv",
    ko="두 번째 값은 ∂f/∂v = u 이어야 합니다 (v.grad). 반환 순서(order)가 (df/du, df/dv) 인지 확인하세요.",
    en="The second value must be ∂f/∂v = u (v.grad): return them in the order (df/du, df/dv).",
)
def test_partial_v(student, rng):
    _partial_check(student, rng, 1, "df/dv", lambda u, v: u)


@check(
    points=1,
    enforces="floats",
    requires=("partial_u", "partial_v"),
    ko="두 값은 파이썬 float 인 tuple 이어야 합니다: u.grad.item(), v.grad.item() 을 쓰세요.",
    en="The result must be a tuple of two Python floats: use u.grad.item() and v.grad.item().",
)
def test_python_floats(student, rng):
    u0, v0 = inputs.floats(rng, 2)
    value = student(u0, v0).value
    expect(type(value) is tuple, f"{PAIR_MSG[0]} (list 가 아니라 tuple).", f"{PAIR_MSG[1]} (a tuple, not a list).")
    expect_scalar(value[0], v0 + 2 * u0, float, what="df/du", computed_in=torch.float32)
    expect_scalar(value[1], u0, float, what="df/dv", computed_in=torch.float32)
