"""float_and_int: the same numbers as a float32 and an int64 tensor, the two dtypes the notes start with."""

import torch

from autograder.authoring import (
    Alternative,
    Edge,
    Exercise,
    Msg,
    Mutant,
    Promise,
    check,
    expect_tensor,
    expect_tuple,
    inputs,
    show,
)

EXERCISE = Exercise(
    id="float_and_int",
    assignment="a01_tensors",
    heading="Tensor Data Types",
    title=Msg(ko="float32 텐서와 int64 텐서", en="A float32 and an int64 tensor"),
    contract=(
        Promise(
            "float32",
            en="f: dtype torch.float32, the numbers rounded to float32 (also for a list of ints)",
            ko="f: dtype torch.float32, 숫자들을 float32 로 반올림한 값 (int 만 있는 리스트도)",
        ),
        Promise(
            "int64",
            en="i: dtype torch.int64, ints kept exactly (also beyond 2**24, which float32 cannot hold)",
            ko="i: dtype torch.int64, 정수는 정확히 그대로 (float32 가 담지 못하는 2**24 이상도)",
        ),
        Promise(
            "truncates",
            en="i: floats truncated toward zero (1.7 -> 1, -1.7 -> -1)",
            ko="i: 실수는 0 쪽으로 버림 (1.7 -> 1, -1.7 -> -1)",
        ),
    ),
    edges=(
        Edge("an empty list", lambda data: data == []),
        Edge("a list of ints only", lambda data: data and all(type(x) is int for x in data)),
        Edge("a list mixing ints and floats", lambda data: {type(x) for x in data} == {int, float}),
        Edge("ints beyond 2**24", lambda data: any(type(x) is int and abs(x) > 2**24 for x in data)),
        Edge(
            "ints beyond 2**24 among floats",
            lambda data: float in map(type, data) and any(type(x) is int and abs(x) > 2**24 for x in data),
        ),
        Edge(
            "negative floats with fractions under and over one half",
            lambda data: {abs(x) % 1 > 0.5 for x in data if type(x) is float and x < 0} == {False, True},
        ),
    ),
    mutants=(
        Mutant(
            "Tensor_for_ints",
            violates="int64",
            says="torch.Tensor",
            source="""
def float_and_int(data):
    return torch.tensor(data, dtype=torch.float32), torch.Tensor(data)
""",
        ),
        Mutant(
            "int32",
            violates="int64",
            says="int32",
            source="""
def float_and_int(data):
    return torch.tensor(data, dtype=torch.float32), torch.tensor(data).int()
""",
        ),
        Mutant(
            "through_float32",
            violates="int64",
            says="2**24",
            source="""
def float_and_int(data):
    f = torch.tensor(data, dtype=torch.float32)
    return f, f.long()
""",
        ),
        Mutant(
            "infers_then_casts",
            violates="int64",
            says="2**24",
            source="""
def float_and_int(data):
    t = torch.tensor(data)
    return t.float(), t.long()
""",
        ),
        Mutant(
            "inferred_float",
            violates="float32",
            says="infers int64",
            source="""
def float_and_int(data):
    return torch.tensor(data), torch.tensor(data, dtype=torch.int64)
""",
        ),
        Mutant(
            "float64",
            violates="float32",
            says="float32",
            source="""
def float_and_int(data):
    return torch.tensor(data, dtype=torch.float64), torch.tensor(data, dtype=torch.int64)
""",
        ),
        Mutant(
            "floor",
            violates="truncates",
            says="floor",
            source="""
def float_and_int(data):
    return torch.tensor(data, dtype=torch.float32), torch.tensor(data, dtype=torch.float64).floor().long()
""",
        ),
        Mutant(
            "round",
            violates="truncates",
            says="round",
            source="""
def float_and_int(data):
    return torch.tensor(data, dtype=torch.float32), torch.tensor(data, dtype=torch.float64).round().long()
""",
        ),
    ),
    alternatives=(
        Alternative(
            "legacy_constructors",
            """
def float_and_int(data):
    return torch.FloatTensor(data), torch.LongTensor(data)
""",
        ),
        Alternative(
            "cast_after",
            """
def float_and_int(data):
    t = torch.tensor(data, dtype=torch.float64)
    return t.float(), t.long()
""",
        ),
        Alternative(
            "python_int",
            """
def float_and_int(data):
    floats, ints = [float(x) for x in data], [int(x) for x in data]
    return torch.tensor(floats, dtype=torch.float32), torch.tensor(ints, dtype=torch.long)
""",
        ),
    ),
)


def _pair(call):
    return expect_tuple(call.value, 2)


@check(
    points=2,
    enforces="float32",
    ko="result[0] 은 같은 숫자들의 float32 1차원 텐서여야 합니다. 숫자가 모두 int 여도 float32 입니다: "
    "torch.tensor 는 int 리스트에서 int64 를 추론하므로 dtype=torch.float32 를 주세요.",
    en="result[0] must be a 1-D float32 tensor of the same numbers, even when every number is an int: "
    "torch.tensor infers int64 from an int list, so pass dtype=torch.float32.",
)
def test_float_tensor(student, rng):
    for data in (
        inputs.floats(rng, inputs.integer(rng, 2, 8)) + inputs.ints(rng, 2),
        inputs.ints(rng, inputs.integer(rng, 1, 8)) + inputs.wide_ints(rng, 2),
        [],
    ):
        call = student(data)
        expect_tensor(
            call, _pair(call)[0], torch.tensor(data, dtype=torch.float32), what="result[0]", inputs=show(data)
        )


@check(
    points=2,
    enforces="int64",
    ko="result[1] 은 int64 (torch.long) 텐서여야 하고, 2**24 보다 큰 정수도 정확히 담아야 합니다. torch.Tensor(...) 는 "
    "언제나 float32 이고, .int() 는 int32 이며, float32 텐서를 거치면 2**24 를 넘는 정수가 반올림됩니다. "
    "dtype=torch.int64 나 .long() 을 쓰세요.",
    en="result[1] must be an int64 (torch.long) tensor that holds ints exactly, also beyond 2**24. "
    "torch.Tensor(...) always makes float32, .int() makes int32, and a detour through a float32 tensor rounds "
    "ints beyond 2**24; use dtype=torch.int64 or .long().",
)
def test_int_tensor(student, rng):
    quarters = [inputs.integer(rng, 0, 9) + 0.25 for _ in range(2)]  # floor, round and truncation agree on these
    for data in (
        inputs.ints(rng, inputs.integer(rng, 1, 6), -100, 100) + inputs.wide_ints(rng, 2),
        inputs.wide_ints(rng, 2) + quarters,
        [],
    ):
        call = student(data)
        expect_tensor(call, _pair(call)[1], torch.tensor(data, dtype=torch.int64), what="result[1]", inputs=show(data))


@check(
    points=2,
    enforces="truncates",
    requires="int_tensor",
    ko="정수로 바꿀 때는 0 쪽으로 버림(truncation)해야 합니다: 1.7 → 1, -1.7 → -1. "
    "floor() 는 음수에서, round() 는 반올림에서 달라집니다.",
    en="Casting to an integer truncates toward zero: 1.7 → 1, -1.7 → -1. floor() differs on negatives "
    "and round() rounds up halves and more.",
)
def test_truncates_toward_zero(student, rng):
    data = inputs.fractions(rng, inputs.integer(rng, 4, 8))
    call = student(data)
    expected = torch.tensor(data, dtype=torch.float64).trunc().to(torch.int64)
    expect_tensor(call, _pair(call)[1], expected, what="result[1]", inputs=show(data))
