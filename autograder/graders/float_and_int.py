"""float_and_int: the same numbers as a float32 and an int64 tensor, the two dtypes the notes start with."""

import torch

from autograder import inputs
from autograder.expect import expect_tensor, expect_tuple, show
from autograder.messages import Msg
from autograder.spec import Alternative, Exercise, Mutant, check

EXERCISE = Exercise(
    id="float_and_int",
    assignment="a01_tensors",
    heading="Tensor Data Types",
    title=Msg(ko="float32 텐서와 int64 텐서", en="A float32 and an int64 tensor"),
    order=1,
    mutants=(
        Mutant("Tensor_for_ints", kills=("int_tensor",), says="torch.Tensor", source='''
def float_and_int(data):
    return torch.tensor(data, dtype=torch.float32), torch.Tensor(data)
'''),
        Mutant("int32", kills=("int_tensor",), says="int32", source='''
def float_and_int(data):
    return torch.tensor(data, dtype=torch.float32), torch.tensor(data).int()
'''),
        Mutant("inferred_float", kills=("float_tensor",), says="infers int64", source='''
def float_and_int(data):
    return torch.tensor(data), torch.tensor(data, dtype=torch.int64)
'''),
        Mutant("floor", kills=("truncates_toward_zero",), says="floor", source='''
def float_and_int(data):
    return torch.tensor(data, dtype=torch.float32), torch.tensor(data).floor().long()
'''),
        Mutant("round", kills=("truncates_toward_zero",), says="round", source='''
def float_and_int(data):
    return torch.tensor(data, dtype=torch.float32), torch.tensor(data).round().long()
'''),
    ),
    alternatives=(
        Alternative("legacy_constructors", '''
def float_and_int(data):
    return torch.FloatTensor(data), torch.LongTensor(data)
'''),
        Alternative("cast_after", '''
def float_and_int(data):
    t = torch.tensor(data, dtype=torch.float64)
    return t.float(), t.long()
'''),
    ),
)


def _pair(call):
    return expect_tuple(call.value, 2)


@check(points=2, ko="result[0] 은 같은 숫자들의 float32 1차원 텐서여야 합니다. 숫자가 모두 int 여도 float32 입니다: "
                    "torch.tensor 는 int 리스트에서 int64 를 추론하므로 dtype=torch.float32 를 주세요.",
       en="result[0] must be a 1-D float32 tensor of the same numbers, even when every number is an int: "
          "torch.tensor infers int64 from an int list, so pass dtype=torch.float32.")
def test_float_tensor(student, rng):
    for data in (inputs.floats(rng, inputs.integer(rng, 2, 8)) + inputs.ints(rng, 2),
                 inputs.ints(rng, inputs.integer(rng, 1, 8)), []):
        call = student(data)
        expect_tensor(call, _pair(call)[0], torch.tensor(data, dtype=torch.float32), what="result[0]",
                      inputs=show(data))


@check(points=2, ko="result[1] 은 int64 (torch.long) 텐서여야 합니다. torch.Tensor(...) 는 언제나 float32 이고, "
                    ".int() 는 int32 입니다. dtype=torch.int64 나 .long() 을 쓰세요.",
       en="result[1] must be an int64 (torch.long) tensor. torch.Tensor(...) always makes float32 and .int() "
          "makes int32; use dtype=torch.int64 or .long().")
def test_int_tensor(student, rng):
    for data in (inputs.ints(rng, inputs.integer(rng, 1, 8), -100, 100), []):
        call = student(data)
        expect_tensor(call, _pair(call)[1], torch.tensor(data, dtype=torch.int64), what="result[1]",
                      inputs=show(data))


@check(points=2, ko="정수로 바꿀 때는 0 쪽으로 버림(truncation)해야 합니다: 1.7 → 1, -1.7 → -1. "
                    "floor() 는 음수에서, round() 는 반올림에서 달라집니다.",
       en="Casting to an integer truncates toward zero: 1.7 → 1, -1.7 → -1. floor() differs on negatives "
          "and round() rounds up halves and more.")
def test_truncates_toward_zero(student, rng):
    data = inputs.fractions(rng, inputs.integer(rng, 4, 8))
    call = student(data)
    expected = torch.tensor(data, dtype=torch.float64).trunc().to(torch.int64)
    expect_tensor(call, _pair(call)[1], expected, what="result[1]", inputs=show(data))
