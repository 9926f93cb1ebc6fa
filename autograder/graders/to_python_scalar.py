"""to_python_scalar: .item() gives a plain int, float or bool by dtype, for any one-element shape."""

import torch

from autograder import inputs
from autograder.expect import expect_scalar
from autograder.messages import Msg
from autograder.spec import Alternative, Exercise, Mutant, check

EXERCISE = Exercise(
    id="to_python_scalar",
    assignment="a02_shapes",
    heading="Scalar value",
    title=Msg(ko="원소 하나인 텐서를 Python 숫자로", en="A one-element tensor as a Python number"),
    order=7,
    mutants=(
        Mutant("float_cast", kills=("ints", "bools"), says="float(t)", source='''
def to_python_scalar(t):
    return float(t)
'''),
        Mutant("tolist", kills=("one_element_shapes",), says="tolist", source='''
def to_python_scalar(t):
    return t.tolist()
'''),
        Mutant("returns_tensor", kills=("floats", "ints", "bools", "one_element_shapes"), says="tensor", source='''
def to_python_scalar(t):
    return t
'''),
    ),
    alternatives=(
        Alternative("flatten_index_item", '''
def to_python_scalar(t):
    return t.reshape(-1)[0].item()
'''),
    ),
)

PYTHON_TYPE = {torch.float32: float, torch.float64: float, torch.int64: int, torch.int32: int, torch.bool: bool}


def _expect_item(call, t):
    expect_scalar(call.value, t.item(), PYTHON_TYPE[t.dtype])


def _check_zero_d(student, rng, dtypes):
    for dtype in dtypes:
        t = inputs.tensor(rng, (), dtype)
        _expect_item(student(t), t)


@check(points=2, ko="float 텐서는 Python float 를 돌려주어야 합니다: t.item(). 텐서 그대로나 numpy 값은 안 됩니다.",
       en="A float tensor must give a Python float: t.item(), not the tensor itself or a NumPy number.")
def test_floats(student, rng):
    _check_zero_d(student, rng, (torch.float32, torch.float64))


@check(points=2, ko="정수 텐서는 Python int 를 돌려주어야 합니다. .item() 은 숫자의 종류를 유지하지만, float(t) 는 항상 float 를 "
                   "만듭니다.",
       en="An integer tensor must give a Python int: .item() keeps the kind of number, while float(t) always makes "
          "a float.")
def test_ints(student, rng):
    _check_zero_d(student, rng, (torch.int64, torch.int32))


@check(points=1, ko="bool 텐서는 Python bool (True/False) 을 돌려주어야 합니다. float(t) 나 int(t) 는 숫자로 바꿉니다.",
       en="A bool tensor must give a Python bool (True/False); float(t) or int(t) turn it into a number.")
def test_bools(student, rng):
    _check_zero_d(student, rng, (torch.bool, torch.bool))


@check(points=2, ko="shape 이 (1,), (1, 1) 처럼 원소가 하나뿐인 텐서도 숫자 하나를 돌려주어야 합니다. .item() 은 원소가 하나면 "
                   "shape 에 상관없이 동작하지만, tolist() 는 중첩 리스트를 만듭니다.",
       en="A tensor with one element and a shape such as (1,) or (1, 1) must give one number too: .item() works "
          "for any one-element shape, while tolist() makes a nested list.")
def test_one_element_shapes(student, rng):
    for shape in ((1,), (1, 1), (1, 1, 1)):
        t = inputs.tensor(rng, shape, inputs.choice(rng, list(PYTHON_TYPE)))
        _expect_item(student(t), t)
