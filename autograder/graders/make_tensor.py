"""make_tensor: what torch.tensor does: infer or honour a dtype, copy the data, make a leaf."""

import numpy as np
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
    expect_not_shares,
    expect_tensor,
    inputs,
    show,
)

EXERCISE = Exercise(
    id="make_tensor",
    assignment="a01_tensors",
    heading="torch.tensor 함수",
    title=Msg(ko="torch.tensor 처럼 텐서 만들기", en="Make a tensor like torch.tensor"),
    contract=(
        Promise(
            "infers",
            en="dtype=None: inferred as torch.tensor does (ints -> int64, with floats -> float32, "
            "bools -> bool, an ndarray -> its own dtype)",
            ko="dtype=None: torch.tensor 처럼 추론 (int -> int64, 실수가 있으면 float32, bool -> bool, "
            "ndarray -> 그 dtype)",
        ),
        Promise(
            "dtype",
            en="a given `dtype` is the result's (floats to integers truncate toward zero)",
            ko="dtype 이 주어지면 그 dtype (실수 -> 정수는 0 쪽으로 버림)",
        ),
        Promise(
            "copy",
            en="a copy: shares no memory with an ndarray `data`",
            ko="복사본: ndarray data 와 메모리를 공유하지 않음",
        ),
        Promise(
            "leaf",
            en="a leaf (grad_fn None) that requires grad exactly when `requires_grad` is True",
            ko="leaf 텐서 (grad_fn 은 None), requires_grad 가 True 일 때만 grad 를 추적",
        ),
    ),
    edges=(
        Edge("a list of ints", lambda data, **kw: type(data) is list and data and all(type(x) is int for x in data)),
        Edge("a tuple", lambda data, **kw: type(data) is tuple),
        Edge("a list of bools", lambda data, **kw: type(data) is list and data and all(type(x) is bool for x in data)),
        Edge("a float64 ndarray", lambda data, **kw: isinstance(data, np.ndarray) and data.dtype == np.float64),
        Edge("an int32 ndarray", lambda data, **kw: isinstance(data, np.ndarray) and data.dtype == np.int32),
        Edge(
            "negative fractions to an integer dtype",
            lambda data, dtype=None, **kw: dtype == torch.int64 and any(x < 0 and x != int(x) for x in data),
        ),
        Edge(
            "requires_grad=True with a dtype to convert to",
            lambda data, dtype=None, requires_grad=False: requires_grad and dtype is not None,
        ),
    ),
    mutants=(
        Mutant(
            "Tensor_constructor",
            violates=("infers", "dtype"),
            says="torch",
            source="""
def make_tensor(data, dtype=None, requires_grad=False):
    return torch.Tensor(data).requires_grad_(requires_grad)
""",
        ),
        Mutant(
            "float32_default",
            violates="infers",
            says="torch.tensor",
            source="""
def make_tensor(data, dtype=None, requires_grad=False):
    return torch.tensor(data, dtype=dtype or torch.float32, requires_grad=requires_grad)
""",
        ),
        Mutant(
            "as_tensor",
            violates="copy",
            says="as_tensor",
            source="""
def make_tensor(data, dtype=None, requires_grad=False):
    return torch.as_tensor(data, dtype=dtype).requires_grad_(requires_grad)
""",
        ),
        Mutant(
            "ignores_dtype",
            violates="dtype",
            says="dtype",
            source="""
def make_tensor(data, dtype=None, requires_grad=False):
    return torch.tensor(data, requires_grad=requires_grad)
""",
        ),
        Mutant(
            "converts_after_grad",
            violates="leaf",
            says="leaf",
            source="""
def make_tensor(data, dtype=None, requires_grad=False):
    t = torch.tensor(data, requires_grad=requires_grad)
    return t if dtype is None else t.to(dtype)
""",
        ),
        Mutant(
            "ignores_requires_grad",
            violates="leaf",
            says="requires_grad",
            source="""
def make_tensor(data, dtype=None, requires_grad=False):
    return torch.tensor(data, dtype=dtype)
""",
        ),
    ),
    alternatives=(
        Alternative(
            "requires_grad_after",
            """
def make_tensor(data, dtype=None, requires_grad=False):
    return torch.tensor(data, dtype=dtype).requires_grad_(requires_grad)
""",
        ),
        Alternative(
            "as_tensor_clone",
            """
def make_tensor(data, dtype=None, requires_grad=False):
    return torch.as_tensor(data, dtype=dtype).clone().requires_grad_(requires_grad)
""",
        ),
    ),
)


def _expect_made(call, data, expected: torch.Tensor) -> None:
    expect_tensor(call, call.value, expected, inputs=show(data))


@check(
    points=2,
    enforces="infers",
    ko="dtype=None 이면 torch.tensor 처럼 dtype 을 추론해야 합니다: int 리스트 → int64, 실수가 섞인 리스트 → float32, "
    "ndarray → 그 dtype (float64 그대로). torch.Tensor(...) 는 언제나 float32 를 만듭니다.",
    en="With dtype=None the dtype must be inferred as torch.tensor does: an int list → int64, a list with floats "
    "→ float32, an ndarray → its own dtype (float64 stays float64). torch.Tensor(...) always makes float32.",
)
def test_infers_dtype(student, rng):
    cases = (
        inputs.ints(rng, inputs.integer(rng, 1, 6)),
        tuple(inputs.ints(rng, inputs.integer(rng, 1, 4))),
        inputs.floats(rng, inputs.integer(rng, 1, 4)) + inputs.ints(rng, 1),
        [bool(b) for b in inputs.tensor(rng, (3,), torch.bool)],
        inputs.array(rng, inputs.shape(rng, 2), "float64"),
        inputs.array(rng, inputs.shape(rng, 1), "int32"),
    )
    for data in cases:
        _expect_made(student(data), data, torch.tensor(data))


@check(
    points=2,
    enforces="dtype",
    ko="dtype 이 주어지면 그 dtype 으로 만들어야 합니다 (실수 → 정수는 0 쪽으로 버림). dtype 인자를 무시하지 마세요.",
    en="When a dtype is given the result must have that dtype (floats → integers truncate toward zero); "
    "do not ignore the dtype argument.",
)
def test_honours_dtype(student, rng):
    cases = (
        (inputs.ints(rng, 4), torch.float64),
        (inputs.fractions(rng, 4), torch.int64),
        (inputs.array(rng, inputs.shape(rng, 2), "float64"), torch.float32),
        (inputs.ints(rng, 3), torch.int32),
    )
    for data, dtype in cases:
        call = student(data, dtype=dtype)
        _expect_made(call, data, torch.tensor(data, dtype=dtype))


@check(
    points=2,
    enforces="copy",
    requires="infers_dtype",
    ko="결과는 ndarray 와 메모리를 공유하지 않는 복사본이어야 합니다. torch.as_tensor 와 torch.from_numpy 는 "
    "메모리를 공유하므로 ndarray 를 바꾸면 텐서도 바뀝니다.",
    en="The result must be a copy that shares no memory with an ndarray input. torch.as_tensor and "
    "torch.from_numpy share memory, so changing the array would change the tensor.",
)
def test_copies_ndarray(student, rng):
    for kind, dtype in (("float64", None), ("int64", None), ("float64", torch.float64)):
        array = inputs.array(rng, inputs.shape(rng, 2, 2, 4), kind)
        call = student(array, dtype=dtype)
        _expect_made(call, array, torch.tensor(array, dtype=dtype))
        expect_not_shares(call, call.value, call.args[0], other="ndarray")


@check(
    points=2,
    enforces="leaf",
    requires="honours_dtype",
    ko="requires_grad=True 이면 결과는 grad 를 추적하는 leaf 텐서 (grad_fn 이 None) 여야 하고, 기본값이면 추적하지 않아야 "
    "합니다. requires_grad 를 torch.tensor 에 직접 넘기세요: 만든 뒤 .to(dtype) 로 바꾸면 leaf 가 아닙니다.",
    en="With requires_grad=True the result must be a leaf that requires grad (grad_fn None), and by default it "
    "must not require grad. Pass requires_grad to torch.tensor itself: converting afterwards with .to(dtype) "
    "makes a non-leaf.",
)
def test_requires_grad_leaf(student, rng):
    floats = inputs.floats(rng, inputs.integer(rng, 1, 5))
    array = inputs.array(rng, (inputs.integer(rng, 1, 5),), "float64")
    for data, dtype, wanted in ((floats, None, True), (array, torch.float32, True), (floats, None, False)):
        call = student(data, dtype=dtype, requires_grad=wanted)
        _expect_made(call, data, torch.tensor(data, dtype=dtype))
        facts = call.facts(call.value)
        expect(
            facts.requires_grad == wanted,
            f"requires_grad={wanted} 로 불렀는데 결과의 requires_grad 가 {facts.requires_grad} 입니다.",
            f"Called with requires_grad={wanted}, the result has requires_grad={facts.requires_grad}.",
        )
        expect(
            facts.is_leaf and facts.grad_fn is None,
            f"결과가 leaf 가 아닙니다 (grad_fn = {facts.grad_fn}).",
            f"The result is not a leaf: it has grad_fn {facts.grad_fn}.",
        )
