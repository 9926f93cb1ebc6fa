"""to_python_scalar: .item() gives a plain int, float or bool by dtype, for any one-element shape."""

import torch

from autograder.authoring import Alternative, Edge, Exercise, Msg, Mutant, Promise, check, expect_scalar, inputs

EXERCISE = Exercise(
    id="to_python_scalar",
    assignment="a02_shapes",
    heading="Scalar value",
    title=Msg(ko="원소 하나인 텐서를 Python 숫자로", en="A one-element tensor as a Python number"),
    contract=(
        Promise(
            "float",
            en="a float tensor gives a Python float of its exact value (float64 keeps all its digits)",
            ko="float 텐서는 그 값 그대로의 Python float (float64 는 모든 자릿수 유지)",
        ),
        Promise(
            "int_bool",
            en="an integer tensor gives a Python int, a bool tensor a Python bool",
            ko="정수 텐서는 Python int, bool 텐서는 Python bool",
        ),
        Promise(
            "shapes",
            en="any shape with one element: (), (1,), (1, 1), ...",
            ko="원소가 하나인 어떤 shape 이든: (), (1,), (1, 1), ...",
        ),
    ),
    edges=(
        Edge("float64", lambda t: t.dtype == torch.float64),
        Edge("int32", lambda t: t.dtype == torch.int32),
        Edge("bool", lambda t: t.dtype == torch.bool),
        Edge("the shape (1,)", lambda t: tuple(t.shape) == (1,)),
        Edge("the shape (1, 1, 1)", lambda t: tuple(t.shape) == (1, 1, 1)),
    ),
    mutants=(
        Mutant(
            "float_cast",
            violates="int_bool",
            says="float(t)",
            source="""
def to_python_scalar(t):
    return float(t)
""",
        ),
        Mutant(
            "int_or_float",
            violates="int_bool",
            says="bool",
            source="""
def to_python_scalar(t):
    return float(t) if t.is_floating_point() else int(t)
""",
        ),
        Mutant(
            "float32_item",
            violates="float",
            says="float",
            source="""
def to_python_scalar(t):
    return t.float().item() if t.is_floating_point() else t.item()
""",
        ),
        Mutant(
            "tolist",
            violates="shapes",
            says="tolist",
            source="""
def to_python_scalar(t):
    return t.tolist()
""",
        ),
        Mutant(
            "returns_tensor",
            violates=("float", "int_bool", "shapes"),
            says="Tensor",
            source="""
def to_python_scalar(t):
    return t
""",
        ),
    ),
    alternatives=(
        Alternative(
            "flatten_index_item",
            """
def to_python_scalar(t):
    return t.reshape(-1)[0].item()
""",
        ),
    ),
)

PYTHON_TYPE = {torch.float32: float, torch.float64: float, torch.int64: int, torch.int32: int, torch.bool: bool}


def _expect_item(call, t):
    expect_scalar(call.value, t.item(), PYTHON_TYPE[t.dtype])


def _check_zero_d(student, rng, dtypes):
    for dtype in dtypes:
        t = inputs.tensor(rng, (), dtype)
        _expect_item(student(t), t)


@check(
    points=2,
    enforces="float",
    ko="float 텐서는 Python float 를 돌려주어야 합니다: t.item(). 텐서 그대로나 numpy 값은 안 됩니다.",
    en="A float tensor must give a Python float: t.item(), not the tensor itself or a NumPy number.",
)
def test_floats(student, rng):
    _check_zero_d(student, rng, (torch.float32, torch.float64))


@check(
    points=2,
    enforces="int_bool",
    ko="정수 텐서는 Python int 를 돌려주어야 합니다. .item() 은 숫자의 종류를 유지하지만, float(t) 는 항상 float 를 만듭니다.",
    en="An integer tensor must give a Python int: .item() keeps the kind of number, while float(t) always makes a "
    "float.",
)
def test_ints(student, rng):
    _check_zero_d(student, rng, (torch.int64, torch.int32))


@check(
    points=1,
    enforces="int_bool",
    ko="bool 텐서는 Python bool (True/False) 을 돌려주어야 합니다. float(t) 나 int(t) 는 숫자로 바꿉니다.",
    en="A bool tensor must give a Python bool (True/False); float(t) or int(t) turn it into a number.",
)
def test_bools(student, rng):
    _check_zero_d(student, rng, (torch.bool, torch.bool))


@check(
    points=2,
    enforces="shapes",
    ko="shape 이 (1,), (1, 1) 처럼 원소가 하나뿐인 텐서도 숫자 하나를 돌려주어야 합니다. .item() 은 원소가 하나면 "
    "shape 에 상관없이 동작하지만, tolist() 는 중첩 리스트를 만듭니다.",
    en="A tensor with one element and a shape such as (1,) or (1, 1) must give one number too: .item() works "
    "for any one-element shape, while tolist() makes a nested list.",
)
def test_one_element_shapes(student, rng):
    for shape in ((1,), (1, 1), (1, 1, 1)):
        t = inputs.tensor(rng, shape, torch.float32)
        _expect_item(student(t), t)
