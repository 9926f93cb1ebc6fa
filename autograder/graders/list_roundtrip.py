"""list_roundtrip: tolist() gives nested Python lists of plain numbers, typed by the tensor (int64 or float32)."""

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
    expect_scalar,
    expect_type,
    inputs,
)

EXERCISE = Exercise(
    id="list_roundtrip",
    assignment="a02_shapes",
    heading="pandas 및 python list 와의 호환성",
    title=Msg(ko="list → tensor → list", en="List to tensor and back"),
    contract=(
        Promise(
            "nesting",
            en="the same nesting as `xs`, made of plain lists, holding Python ints for an int64 tensor "
            "(only ints in `xs`) and Python floats for a float32 one (any float in `xs`)",
            ko="xs 와 같은 중첩의 보통 리스트: int64 텐서 (xs 가 모두 int) 면 Python int, float32 텐서 (xs 에 float 가 "
            "하나라도) 면 Python float",
        ),
        Promise(
            "float32",
            en="float values rounded to float32, exactly as tolist() of a float32 tensor gives them",
            ko="float 값은 float32 로 반올림된 값, float32 텐서의 tolist() 가 주는 값 그대로",
        ),
    ),
    edges=(
        Edge("a 3-level nesting", lambda xs: isinstance(xs[0], list) and isinstance(xs[0][0], list)),
        Edge("a single number in two lists", lambda xs: len(xs) == 1 and isinstance(xs[0], list) and len(xs[0]) == 1),
        Edge("ints and floats mixed", lambda xs: {type(x) for x in _leaves(xs)} == {int, float}),
        Edge(
            "floats that float32 cannot hold exactly",
            lambda xs: any(type(x) is float and float(torch.tensor(x, dtype=torch.float32)) != x for x in _leaves(xs)),
        ),
    ),
    mutants=(
        Mutant(
            "returns_tensor",
            violates="nesting",
            says="tensor",
            source="""
def list_roundtrip(xs):
    return torch.tensor(xs)
""",
        ),
        Mutant(
            "list_of_tensors",
            violates="nesting",
            says="tolist",
            source="""
def list_roundtrip(xs):
    return list(torch.tensor(xs))
""",
        ),
        Mutant(
            "flattened",
            violates="nesting",
            says="nesting",
            source="""
def list_roundtrip(xs):
    return torch.tensor(xs).flatten().tolist()
""",
        ),
        Mutant(
            "always_float32",
            violates="nesting",
            says="int",
            source="""
def list_roundtrip(xs):
    return torch.tensor(xs, dtype=torch.float32).tolist()
""",
        ),
        Mutant(
            "returns_input",
            violates="float32",
            says="float",
            source="""
def list_roundtrip(xs):
    return xs
""",
        ),
        Mutant(
            "numpy_float64",
            violates="float32",
            says="float32",
            source="""
def list_roundtrip(xs):
    return np.array(xs).tolist()
""",
        ),
    ),
    alternatives=(
        Alternative(
            "through_numpy",
            """
def list_roundtrip(xs):
    return torch.tensor(xs).numpy().tolist()
""",
        ),
    ),
)


def _leaves(xs) -> list:
    return [leaf for x in xs for leaf in _leaves(x)] if isinstance(xs, list) else [xs]


def _nested(rng, shape, make_number):
    if not shape:
        return make_number()
    return [_nested(rng, shape[1:], make_number) for _ in range(shape[0])]


def _ints(rng, shape):
    return _nested(rng, shape, lambda: inputs.integer(rng, -9, 9))


def _floats(rng, shape):
    return _nested(rng, shape, lambda: inputs.floats(rng, 1)[0])


def _mixed(rng, shape):
    """Mostly ints, at least one float: the tensor is float32, so every element comes back a float."""
    xs = _nested(rng, shape, lambda: inputs.choice(rng, [inputs.integer(rng, -9, 9), inputs.floats(rng, 1)[0]]))
    row = xs
    while isinstance(row[0], list):
        row = row[0]
    row[0] = inputs.integer(rng, -9, 9) + 0.5
    row[-1] = inputs.integer(rng, -9, 9)
    return xs


def _roundtrip(xs):
    """What the tensor gives back: float32 when any float is in the list, else int64."""

    def has_float(x):
        return any(has_float(v) for v in x) if isinstance(x, list) else isinstance(x, float)

    return torch.tensor(xs, dtype=torch.float32 if has_float(xs) else torch.int64).tolist()


def _expect_same(value, expected, where: str = "result"):
    """Same nesting of plain lists, and at each leaf a number of exactly the expected type."""
    if isinstance(expected, list):
        expect_type(value, list, where)
        expect(
            len(value) == len(expected),
            f"{where} 의 길이가 {len(expected)} 이어야 하는데 {len(value)} 입니다.",
            f"{where} should have {len(expected)} items, but it has {len(value)}.",
        )
        for i, (item, wanted) in enumerate(zip(value, expected, strict=True)):
            _expect_same(item, wanted, f"{where}[{i}]")
    else:
        expect_scalar(value, expected, type(expected), what=where)


def _check(student, lists):
    for xs in lists:
        call = student(xs)
        _expect_same(call.value, _roundtrip(xs))


@check(
    points=1,
    enforces="nesting",
    ko="정수 리스트는 int64 텐서가 되고, t.tolist() 는 같은 중첩 구조의 Python int 리스트를 돌려줍니다. "
    "list(t) 는 숫자가 아니라 텐서들의 리스트입니다.",
    en="A list of ints becomes an int64 tensor, and t.tolist() gives back the same nesting of Python ints; "
    "list(t) is a list of tensors, not numbers.",
)
def test_int_lists(student, rng):
    _check(
        student, [_ints(rng, inputs.shape(rng, rank, 1, 4)) for rank in (1, 2, 3)] + [[[inputs.integer(rng, -9, 9)]]]
    )


@check(
    points=1,
    enforces="float32",
    requires="int_lists",
    ko="실수 리스트는 float32 텐서가 되고, tolist() 는 Python float 리스트를 돌려줍니다 (float32 로 반올림된 값).",
    en="A list of floats becomes a float32 tensor, and tolist() gives back Python floats (rounded to float32).",
)
def test_float_lists(student, rng):
    _check(student, [_floats(rng, inputs.shape(rng, rank, 1, 4)) for rank in (1, 2)])


@check(
    points=2,
    enforces=("nesting", "float32"),
    ko="int 와 float 가 섞인 리스트는 float32 텐서가 되므로, 돌아온 리스트의 모든 원소는 float 입니다. 입력 리스트를 그대로 돌려주면 안 됩니다.",
    en="A list mixing ints and floats becomes a float32 tensor, so every element of the returned list is a float; "
    "returning the input list is not the same.",
)
def test_mixed_lists(student, rng):
    _check(student, [_mixed(rng, inputs.shape(rng, rank, 2, 4)) for rank in (1, 2)])
