"""mse_grads: loss.backward() on a mean squared error leaves dloss/dw and dloss/db on w and b."""

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
    expect_grad,
    expect_scalar,
    expect_tensor,
    expect_unchanged,
    inputs,
    type_name,
)

EXERCISE = Exercise(
    id="mse_grads",
    assignment="a04_autograd",
    heading="Gradient 계산",
    title=Msg(ko="평균 제곱 오차의 gradient", en="Gradients of a mean squared error"),
    contract=(
        Promise(
            "loss",
            en="loss: a Python float, the mean (not the sum) of the squared errors",
            ko="loss: 제곱 오차의 평균 (합이 아님), Python float",
        ),
        Promise("w_grad", en="w.grad: float64 of shape (d,), dloss/dw", ko="w.grad: shape (d,) 의 float64, dloss/dw"),
        Promise("b_grad", en="b.grad: 0-d float64, dloss/db", ko="b.grad: 0차원 float64, dloss/db"),
        Promise(
            "on_inputs",
            en="switches requires_grad on for w and b themselves, so the gradients stay in w.grad and "
            "b.grad of the tensors given; the values of X, y, w and b do not change",
            ko="w 와 b 자체에 requires_grad 를 켜서 gradient 가 받은 텐서의 w.grad, b.grad 에 남음; X, y, w, b 의 값은 "
            "바뀌지 않음",
        ),
    ),
    edges=(
        Edge("one sample (N = 1)", lambda X, y, w, b: X.shape[0] == 1),
        Edge("one feature (d = 1)", lambda X, y, w, b: X.shape[1] == 1),
        Edge("a transposed X (not contiguous)", lambda X, y, w, b: not X.is_contiguous()),
    ),
    mutants=(
        Mutant(
            "sum_loss",
            violates=("loss", "w_grad", "b_grad"),
            says="mean",
            source="""
def mse_grads(X, y, w, b):
    w.requires_grad_(True)
    b.requires_grad_(True)
    loss = ((X @ w + b - y) ** 2).sum()
    loss.backward()
    return loss.item(), w.grad, b.grad
""",
        ),
        Mutant(
            "loss_tensor",
            violates="loss",
            says="float",
            source="""
def mse_grads(X, y, w, b):
    w.requires_grad_(True)
    b.requires_grad_(True)
    loss = ((X @ w + b - y) ** 2).mean()
    loss.backward()
    return loss, w.grad, b.grad
""",
        ),
        Mutant(
            "detached_prediction",
            violates="w_grad",
            says="detach",
            source="""
def mse_grads(X, y, w, b):
    w.requires_grad_(True)
    b.requires_grad_(True)
    loss = ((X @ w.detach() + b - y) ** 2).mean()
    loss.backward()
    return loss.item(), w.grad, b.grad
""",
        ),
        Mutant(
            "swapped_sign",
            violates=("w_grad", "b_grad"),
            says="sign",
            source="""
def mse_grads(X, y, w, b):
    w.requires_grad_(True)
    b.requires_grad_(True)
    loss = ((X @ w + b - y) ** 2).mean()
    loss.backward()
    return loss.item(), -w.grad, -b.grad
""",
        ),
        Mutant(
            "untracked_bias",
            violates="b_grad",
            says="requires_grad",
            source="""
def mse_grads(X, y, w, b):
    w.requires_grad_(True)
    loss = ((X @ w + b - y) ** 2).mean()
    loss.backward()
    return loss.item(), w.grad, b.grad
""",
        ),
        Mutant(
            "tracked_copies",
            violates="on_inputs",
            says="copies",
            source="""
def mse_grads(X, y, w, b):
    w = w.clone().requires_grad_(True)
    b = b.clone().requires_grad_(True)
    loss = ((X @ w + b - y) ** 2).mean()
    loss.backward()
    return loss.item(), w.grad, b.grad
""",
        ),
    ),
    alternatives=(
        Alternative(
            "mse_loss_attribute",
            """
def mse_grads(X, y, w, b):
    w.requires_grad = True
    b.requires_grad = True
    loss = torch.nn.functional.mse_loss(torch.matmul(X, w) + b, y)
    loss.backward()
    return loss.item(), w.grad, b.grad
""",
        ),
    ),
)

SIZES = ((5, 3), (8, 1), (1, 4))


def _case(rng, n: int, d: int, transposed: bool | None = None) -> tuple[torch.Tensor, ...]:
    """X (n, d), y (n,), w (d,), b 0-d, all float64; X is a non-contiguous transpose if asked, else sometimes."""
    if inputs.integer(rng, 0, 1) if transposed is None else transposed:
        X = inputs.transposed(rng, n, d, torch.float64)
    else:
        X = inputs.tensor(rng, (n, d), torch.float64)
    y = inputs.tensor(rng, (n,), torch.float64)
    return X, y, inputs.tensor(rng, (d,), torch.float64, -2, 2), inputs.tensor(rng, (), torch.float64, -2, 2)


def _expected(X, y, w, b) -> tuple[float, torch.Tensor, torch.Tensor]:
    residual = X @ w + b - y
    return (residual**2).mean().item(), 2 / len(y) * X.T @ residual, 2 * residual.mean()


def _cases(student, rng):
    """For each size: the call, its returned (loss, w.grad, b.grad), the inputs sent and the expected triple."""
    for n, d in (*SIZES, (inputs.integer(rng, 2, 9), inputs.integer(rng, 1, 5))):
        sent = _case(rng, n, d, True if (n, d) == SIZES[0] else None)
        call = student(*(t.clone() for t in sent))
        value = call.value
        expect(
            type(value) is tuple and len(value) == 3,
            f"(loss, w.grad, b.grad) 세 값을 담은 tuple 을 반환하세요. 받은 값: {type_name(value)}",
            f"Return a tuple (loss, w.grad, b.grad); you returned a {type_name(value)}.",
        )
        yield call, value, sent, _expected(*sent)


def _shape(sent) -> str:
    return f"X shape {tuple(sent[0].shape)}"


@check(
    points=2,
    enforces="loss",
    ko="loss 는 평균 제곱 오차 ((X @ w + b - y)**2).mean() 의 값을 파이썬 float 로 (loss.item()) 돌려주어야 합니다. .sum() 이 아니라 "
    "평균(mean)입니다.",
    en="The loss must be the mean squared error ((X @ w + b - y)**2).mean() as a Python float (loss.item()); a "
    "mean, not a .sum().",
)
def test_loss(student, rng):
    for _, value, sent, (loss, _, _) in _cases(student, rng):
        expect_scalar(value[0], loss, float, what=f"loss ({_shape(sent)})", computed_in=torch.float64)


@check(
    points=2,
    enforces="w_grad",
    ko="w.grad 는 loss 를 w 로 미분한 값 (2/N)·Xᵀ(Xw + b − y) 이어야 합니다 (float64, shape (d,)). 예측값을 detach() 하거나 w 를 분리하면 "
    "gradient 가 w 에 닿지 않고, 부호(sign)를 바꾸면 안 됩니다.",
    en="w.grad must be dloss/dw = (2/N)·Xᵀ(Xw + b − y) (float64, shape (d,)). Do not detach the prediction or w "
    "(the gradient would never reach w), and do not flip its sign.",
)
def test_weight_grad(student, rng):
    for call, value, sent, (_, grad_w, _) in _cases(student, rng):
        expect_tensor(call, value[1], grad_w, what="w.grad", computed_in=torch.float64, inputs=_shape(sent))


@check(
    points=1,
    enforces="b_grad",
    ko="b.grad 는 loss 를 b 로 미분한 값 2·mean(Xw + b − y) 인 0차원 float64 텐서여야 합니다. b 에도 "
    "requires_grad 를 켜야 하고, 부호(sign)를 바꾸면 안 됩니다.",
    en="b.grad must be dloss/db = 2·mean(Xw + b − y), a 0-d float64 tensor: switch requires_grad on for b too, "
    "and do not flip its sign.",
)
def test_bias_grad(student, rng):
    for call, value, sent, (_, _, grad_b) in _cases(student, rng):
        expect_tensor(call, value[2], grad_b, what="b.grad", computed_in=torch.float64, inputs=_shape(sent))


@check(
    points=2,
    enforces="on_inputs",
    requires=("weight_grad", "bias_grad"),
    ko="호출 후 전달받은 w 와 b 자체의 .grad 에 gradient 가 남아 있어야 하고 (복사본이 아니라 w 와 b 에 requires_grad_() 를 "
    "켜세요), X, y, w, b 의 값은 바뀌면 안 됩니다.",
    en="After the call, the w and b you were given must hold the gradients in .grad (switch requires_grad_() on "
    "for w and b themselves, not on copies), and the values of X, y, w and b must be unchanged.",
)
def test_grads_on_inputs(student, rng):
    for call, _, sent, (_, grad_w, grad_b) in _cases(student, rng):
        expect_grad(call, call.args[2], grad_w, what="w", computed_in=torch.float64)
        expect_grad(call, call.args[3], grad_b, what="b", computed_in=torch.float64)
        for name, before, after in zip("Xywb", sent, call.args, strict=True):
            expect_unchanged(before, after, what=name)
