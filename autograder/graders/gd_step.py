"""gd_step: one gradient-descent step that updates the parameter in place and keeps it a leaf."""

import torch

from autograder.authoring import Alternative, Edge, Exercise, Msg, Mutant, Promise, check, expect, expect_tensor, inputs

EXERCISE = Exercise(
    id="gd_step",
    assignment="a04_autograd",
    heading="backpropagation",
    title=Msg(ko="경사 하강법 한 단계", en="One gradient-descent step"),
    contract=(
        Promise("step", en="w after one step: w - lr * dloss/dw", ko="한 단계 갱신된 w: w - lr * dloss/dw"),
        Promise(
            "in_place",
            en="updates the w given in place (under torch.no_grad()) and returns that same tensor object",
            ko="받은 w 를 제자리에서 (torch.no_grad() 안에서) 갱신하고 바로 그 텐서 객체를 반환",
        ),
        Promise(
            "leaf",
            en="afterwards w is still a leaf with requires_grad=True",
            ko="갱신 후에도 w 는 requires_grad=True 인 leaf",
        ),
        Promise("zeroed", en="afterwards w.grad is zero or None", ko="갱신 후 w.grad 는 0 또는 None"),
    ),
    edges=(
        Edge("one weight (d = 1)", lambda w, x, y, lr: w.numel() == 1),
        Edge("several weights", lambda w, x, y, lr: w.numel() > 1),
        Edge("a negative target", lambda w, x, y, lr: y < 0),
    ),
    mutants=(
        Mutant(
            "rebinding",
            violates=("in_place", "leaf"),
            says="w = w - lr * w.grad",
            source="""
def gd_step(w, x, y, lr):
    w.requires_grad_(True)
    loss = ((x * w).sum() - y) ** 2
    loss.backward()
    w = w - lr * w.grad
    return w
""",
        ),
        Mutant(
            "rebinding_under_no_grad",
            violates=("in_place", "leaf"),
            says="w = w - lr * w.grad",
            source="""
def gd_step(w, x, y, lr):
    w.requires_grad_(True)
    loss = ((x * w).sum() - y) ** 2
    loss.backward()
    with torch.no_grad():
        w = w - lr * w.grad
    return w
""",
        ),
        Mutant(
            "returns_detached",
            violates="in_place",
            says="same",
            source="""
def gd_step(w, x, y, lr):
    w.requires_grad_(True)
    loss = ((x * w).sum() - y) ** 2
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
    return w.detach().requires_grad_()
""",
        ),
        Mutant(
            "tracking_switched_off",
            violates="leaf",
            says="requires_grad",
            source="""
def gd_step(w, x, y, lr):
    w.requires_grad_(True)
    loss = ((x * w).sum() - y) ** 2
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
    w.grad = None
    return w.requires_grad_(False)
""",
        ),
        Mutant(
            "no_zeroing",
            violates="zeroed",
            says="zero",
            source="""
def gd_step(w, x, y, lr):
    w.requires_grad_(True)
    loss = ((x * w).sum() - y) ** 2
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
    return w
""",
        ),
        Mutant(
            "update_outside_no_grad",
            violates="step",
            says="no_grad",
            source="""
def gd_step(w, x, y, lr):
    w.requires_grad_(True)
    loss = ((x * w).sum() - y) ** 2
    loss.backward()
    w -= lr * w.grad
    w.grad.zero_()
    return w
""",
        ),
    ),
    alternatives=(
        Alternative(
            "sub_and_none",
            """
def gd_step(w, x, y, lr):
    w.requires_grad_()
    loss = (torch.dot(x, w) - y) ** 2
    loss.backward()
    with torch.no_grad():
        w.sub_(lr * w.grad)
    w.grad = None
    return w
""",
        ),
        Alternative(
            "sgd_optimizer",
            """
def gd_step(w, x, y, lr):
    w.requires_grad_(True)
    optimizer = torch.optim.SGD([w], lr=lr)
    loss = ((x * w).sum() - y) ** 2
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    return w
""",
        ),
    ),
)


def _case(rng, d: int | None = None, negative: bool = False) -> tuple:
    """w and x (d,) float64, a target y (negative if asked) and a learning rate, all small enough to stay well
    scaled."""
    d = d or inputs.integer(rng, 1, 5)
    y = inputs.floats(rng, 1, -3, -0.5 if negative else 3)[0]
    return (
        inputs.tensor(rng, (d,), torch.float64, -2, 2),
        inputs.tensor(rng, (d,), torch.float64, -2, 2),
        y,
        inputs.choice(rng, [0.1, 0.05, 0.01]),
    )


def _stepped(w, x, y, lr) -> torch.Tensor:
    return w - lr * 2 * ((x * w).sum() - y) * x


def _call_checked(student, rng, **case):
    """Call with a fresh case and check the updated values first."""
    w, x, y, lr = _case(rng, **case)
    call = student(w.clone(), x, y, lr)
    expect_tensor(
        call,
        call.value,
        _stepped(w, x, y, lr),
        what="updated w",
        computed_in=torch.float64,
        inputs=f"d={len(w)}, lr={lr}",
    )
    return call, _stepped(w, x, y, lr)


@check(
    points=2,
    enforces="step",
    ko="반환값은 한 단계 갱신된 w = w − lr·dloss/dw 이어야 합니다 (loss = ((x * w).sum() − y)**2). "
    "loss.backward() 후 torch.no_grad() 안에서 w -= lr * w.grad 로 갱신하세요. requires_grad 인 leaf 를 "
    "no_grad 밖에서 in-place 로 바꾸면 오류가 납니다.",
    en="The result must be w after one step, w − lr·dloss/dw with loss = ((x * w).sum() − y)**2: call "
    "loss.backward(), then update with w -= lr * w.grad inside torch.no_grad(). Changing a leaf that requires "
    "grad in place outside no_grad raises an error.",
)
def test_updated_value(student, rng):
    for case in ({"d": 1, "negative": True}, {"d": inputs.integer(rng, 2, 5)}, {}):
        _call_checked(student, rng, **case)


@check(
    points=2,
    enforces="in_place",
    requires="updated_value",
    ko="w 를 제자리(in place)에서 갱신하고 받은 그 w 를 반환해야 합니다. w = w - lr * w.grad 는 새 텐서를 만들어 "
    "원래 w 는 그대로 둡니다.",
    en="Update w in place and return that same w: w = w - lr * w.grad makes a new tensor and leaves the "
    "original w as it was.",
)
def test_in_place(student, rng):
    call, stepped = _call_checked(student, rng)
    expect(
        call.same_object(call.value, call.args[0]),
        "반환한 텐서가 전달받은 w 가 아닙니다.",
        "The tensor you returned is not the w you were given.",
    )
    expect_tensor(call, call.args[0], stepped, what="w you were given", computed_in=torch.float64)


@check(
    points=1,
    enforces="leaf",
    requires="updated_value",
    ko="갱신 후에도 w 는 requires_grad=True 인 leaf 여야 다음 단계에서 학습할 수 있습니다. w = w - lr * w.grad 는 "
    "leaf 가 아닌 텐서(또는 no_grad 안에서는 추적하지 않는 텐서)를 만듭니다.",
    en="After the step, w must still be a leaf with requires_grad=True so the next step can train it; "
    "w = w - lr * w.grad makes a non-leaf (or, under no_grad, an untracked) tensor.",
)
def test_still_leaf(student, rng):
    call, _ = _call_checked(student, rng)
    facts = call.facts(call.value)
    expect(
        facts.is_leaf and facts.requires_grad,
        f"결과: is_leaf={facts.is_leaf}, requires_grad={facts.requires_grad}, grad_fn={facts.grad_fn}.",
        f"Your result: is_leaf={facts.is_leaf}, requires_grad={facts.requires_grad}, grad_fn={facts.grad_fn}.",
    )


@check(
    points=1,
    enforces="zeroed",
    requires="updated_value",
    ko="갱신 후 w.grad 를 0 으로 만들거나 (w.grad.zero_()) None 으로 지우세요. 그대로 두면 다음 backward() 의 gradient 가 "
    "더해집니다 (.grad 는 누적됩니다).",
    en="After the update, zero w.grad (w.grad.zero_()) or set it to None; otherwise the next backward() adds "
    "to it (.grad accumulates).",
)
def test_grad_zeroed(student, rng):
    call, _ = _call_checked(student, rng)
    grad = call.facts(call.value).grad
    expect(grad is None or not grad.any(), "갱신 후 w.grad 가 0 이 아닙니다.", "After the update w.grad is not zero.")
