"""predict_no_grad: a forward pass from a tracked parameter that records no graph."""

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
    expect_tensor,
    expect_unchanged,
    inputs,
)

EXERCISE = Exercise(
    id="predict_no_grad",
    assignment="a04_autograd",
    heading="그라디언트 추적 비활성화",
    title=Msg(ko="gradient 추적 없이 예측하기", en="Predict without tracking gradients"),
    contract=(
        Promise(
            "prediction",
            en="the prediction x @ w: float64 of shape (n,) (n may be 0)",
            ko="예측값 x @ w: shape (n,) 의 float64 (n 은 0 일 수도)",
        ),
        Promise(
            "w_tracks",
            en="w itself requires grad afterwards (this function switches it on), still a leaf "
            "with its values unchanged",
            ko="호출 후 w 자체가 grad 를 추적 (이 함수가 켬), 여전히 값이 그대로인 leaf",
        ),
        Promise(
            "no_graph",
            en="the result records no graph: requires_grad False, grad_fn None",
            ko="결과는 계산 그래프를 남기지 않음: requires_grad 는 False, grad_fn 은 None",
        ),
    ),
    edges=(
        Edge("no rows (n = 0)", lambda w, x: x.shape[0] == 0),
        Edge("a transposed x (not contiguous)", lambda w, x: x.shape[0] > 1 and not x.is_contiguous()),
        Edge("one feature (d = 1)", lambda w, x: w.numel() == 1),
    ),
    mutants=(
        Mutant(
            "missing_no_grad",
            violates="no_graph",
            says="no_grad",
            source="""
def predict_no_grad(w, x):
    w.requires_grad_(True)
    return x @ w
""",
        ),
        Mutant(
            "returns_w",
            violates="prediction",
            says="x @ w",
            source="""
def predict_no_grad(w, x):
    w.requires_grad_(True)
    with torch.no_grad():
        return w
""",
        ),
        Mutant(
            "untracked_parameter",
            violates="w_tracks",
            says="requires_grad_",
            source="""
def predict_no_grad(w, x):
    with torch.no_grad():
        return x @ w
""",
        ),
    ),
    alternatives=(
        Alternative(
            "detach_result",
            """
def predict_no_grad(w, x):
    w.requires_grad_(True)
    return (x @ w).detach()
""",
        ),
        Alternative(
            "detach_weights",
            """
def predict_no_grad(w, x):
    w.requires_grad = True
    return torch.matmul(x, w.detach())
""",
        ),
        Alternative(
            "inference_mode",
            """
def predict_no_grad(w, x):
    w.requires_grad_(True)
    with torch.inference_mode():
        return x @ w
""",
        ),
    ),
)


def _case(rng, n: int | None = None, d: int | None = None, transposed: bool | None = None):
    """w (d,) and x (n, d), float64; n may be 0 and x may be a non-contiguous transpose (if asked, else sometimes)."""
    n = inputs.integer(rng, 0, 6) if n is None else n
    d = d or inputs.integer(rng, 1, 5)
    if inputs.integer(rng, 0, 1) if transposed is None else transposed:
        x = inputs.transposed(rng, n, d, torch.float64)
    else:
        x = inputs.tensor(rng, (n, d), torch.float64)
    return inputs.tensor(rng, (d,), torch.float64, -2, 2), x


def _call_checked(student, w, x):
    call = student(w.clone(), x.clone())
    expect_tensor(
        call,
        call.value,
        x @ w,
        what="prediction",
        computed_in=torch.float64,
        inputs=f"w shape {tuple(w.shape)}, x shape {tuple(x.shape)}",
    )
    return call


@check(
    points=2,
    enforces="prediction",
    ko="결과는 예측값 x @ w (float64, shape (n,)) 이어야 합니다.",
    en="The result must be the prediction x @ w (float64, shape (n,)).",
)
def test_prediction(student, rng):
    for case in (
        _case(rng, n=0, d=1),
        _case(rng, inputs.integer(rng, 2, 6), inputs.integer(rng, 2, 5), True),
        _case(rng),
    ):
        _call_checked(student, *case)


@check(
    points=1,
    enforces="w_tracks",
    requires="prediction",
    ko="w 는 학습할 매개변수입니다: 호출 후 w 자체가 requires_grad=True 인 leaf 여야 합니다 (w.requires_grad_()), "
    "그리고 w 의 값은 바뀌면 안 됩니다.",
    en="w is a trainable parameter: after the call, w itself must be a leaf with requires_grad=True "
    "(w.requires_grad_()), and its values must be unchanged.",
)
def test_w_tracks_grad(student, rng):
    w, x = _case(rng)
    call = _call_checked(student, w, x)
    facts = call.facts(call.args[0])
    expect(
        facts.requires_grad and facts.is_leaf,
        f"호출 후 w: requires_grad={facts.requires_grad}, is_leaf={facts.is_leaf}.",
        f"After the call, w has requires_grad={facts.requires_grad}, is_leaf={facts.is_leaf}.",
    )
    expect_unchanged(w, call.args[0], what="w")


@check(
    points=2,
    enforces="no_graph",
    requires=("prediction", "w_tracks_grad"),
    ko="예측값은 계산 그래프를 남기면 안 됩니다 (requires_grad=False, grad_fn=None): 계산을 with torch.no_grad(): 블록 "
    "안에서 하세요.",
    en="The prediction must record no graph (requires_grad=False, grad_fn=None): compute it inside a "
    "with torch.no_grad(): block.",
)
def test_no_graph(student, rng):
    call = _call_checked(student, *_case(rng))
    facts = call.facts(call.value)
    expect(
        not facts.requires_grad and facts.grad_fn is None,
        f"예측값: requires_grad={facts.requires_grad}, grad_fn={facts.grad_fn}.",
        f"Your prediction has requires_grad={facts.requires_grad}, grad_fn={facts.grad_fn}.",
    )
