"""detach_trick: a detached factor is a constant to autograd, so d/dx [x · (x²).detach()] = x²."""

import torch

from autograder import inputs
from autograder.expect import expect_grad, expect_tensor, expect_unchanged
from autograder.messages import Msg
from autograder.spec import Alternative, Exercise, Mutant, check

EXERCISE = Exercise(
    id="detach_trick",
    assignment="a04_autograd",
    heading="그라디언트 추적 비활성화",
    title=Msg(ko="detach 된 값은 상수", en="A detached value is a constant"),
    order=7,
    mutants=(
        Mutant("no_detach", kills=("gradient",), says="without detach", source='''
def detach_trick(x):
    x.requires_grad_(True)
    z = x * x ** 2
    z.sum().backward()
    return x.grad
'''),
        Mutant("detach_all", kills=("gradient",), says="detach", source='''
def detach_trick(x):
    x.requires_grad_(True)
    z = (x * x ** 2).detach()
    z.sum().backward()
    return x.grad
'''),
        Mutant("no_autograd", kills=("grad_on_x",), says="x.grad", source='''
def detach_trick(x):
    return x ** 2
'''),
    ),
    alternatives=(
        Alternative("no_grad_constant", '''
def detach_trick(x):
    x.requires_grad_()
    with torch.no_grad():
        c = x * x
    (x * c).sum().backward()
    return x.grad
'''),
        Alternative("detach_x_first", '''
def detach_trick(x):
    x.requires_grad = True
    torch.sum(x * x.detach() ** 2).backward()
    return x.grad
'''),
    ),
)


def _inputs(rng) -> list[torch.Tensor]:
    """float64 and float32, a 0-d tensor and a non-contiguous transpose."""
    return [inputs.tensor(rng, inputs.shape(rng, 1), torch.float64, -3, 3),
            inputs.tensor(rng, inputs.shape(rng, 2), torch.float32, -3, 3),
            inputs.tensor(rng, (), torch.float64, -3, 3),
            inputs.transposed(rng, inputs.integer(rng, 2, 3), inputs.integer(rng, 2, 3), torch.float64) / 4]


def _call_checked(student, x):
    call = student(x.clone())
    expect_tensor(call, call.value, x ** 2, what="x.grad", computed_in=x.dtype, inputs=f"shape {tuple(x.shape)}, dtype {x.dtype}")
    return call


@check(points=2, ko="결과는 z = x * (x**2).detach() 에 대해 z.sum().backward() 한 뒤의 x.grad, 즉 x**2 이어야 합니다 "
                    "(dtype 과 shape 은 x 와 같음). detach 된 (x**2) 는 상수이므로, without detach 라면 나올 3·x**2 가 아닙니다. "
                    "전체를 detach 하면 backward() 할 그래프가 없습니다.",
       en="The result must be x.grad after z.sum().backward() with z = x * (x**2).detach(), that is x**2 (same dtype "
          "and shape as x): the detached (x**2) is a constant, so it is not the 3·x**2 you get without detach. "
          "Detaching all of z leaves no graph to backward() through.")
def test_gradient(student, rng):
    for x in _inputs(rng):
        _call_checked(student, x)


@check(points=1, requires="gradient",
       ko="gradient 는 autograd 로 구해서 전달받은 x 자체의 x.grad 에 남아 있어야 합니다: x.requires_grad_() 를 켜고 "
          "backward() 를 호출하세요 (x**2 를 직접 계산하지 마세요).",
       en="Get the gradient from autograd, so that it is left in x.grad of the x you were given: switch on "
          "x.requires_grad_() and call backward() (do not compute x**2 yourself).")
def test_grad_on_x(student, rng):
    for x in _inputs(rng)[:2]:
        call = _call_checked(student, x)
        expect_grad(call, call.args[0], x ** 2, what="x", computed_in=x.dtype)


@check(points=1, requires="gradient", ko="x 의 값은 바뀌면 안 됩니다.", en="The values of x must be unchanged.")
def test_input_unchanged(student, rng):
    for x in _inputs(rng)[:2]:
        expect_unchanged(x, _call_checked(student, x).args[0], what="x")
