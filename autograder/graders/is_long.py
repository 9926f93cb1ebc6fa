"""is_long: a dtype test that says True for int64 only, on any device, as a Python bool."""

import torch

from autograder import inputs
from autograder.expect import expect_scalar
from autograder.messages import Msg
from autograder.spec import Alternative, Exercise, Mutant, check

EXERCISE = Exercise(
    id="is_long",
    assignment="a01_tensors",
    warm_up=("meta",),
    heading="Tensor 생성",
    title=Msg(ko="long (int64) 텐서인지 확인하기", en="Is it a long (int64) tensor?"),
    order=9,
    mutants=(
        Mutant("int32_dtype", kills=("true_for_int64", "false_for_other_dtypes"), says="int32", source='''
def is_long(t):
    return t.dtype == torch.int
'''),
        Mutant("IntTensor_string", kills=("true_for_int64",), says="type()", source='''
def is_long(t):
    return t.type() == "torch.IntTensor"
'''),
        Mutant("LongTensor_string", kills=("true_for_int64",), says="type()", source='''
def is_long(t):
    return t.type() == "torch.LongTensor"
'''),
        Mutant("compares_values", kills=("true_for_int64", "whole_number_floats"), says="bool", source='''
def is_long(t):
    return (t == t.long()).all()
'''),
    ),
    alternatives=(
        Alternative("long_alias", '''
def is_long(t):
    return t.dtype is torch.long
'''),
        Alternative("dtype_in", '''
def is_long(t):
    return t.dtype in (torch.int64,)
'''),
    ),
)


def _expect_answer(student, t: torch.Tensor, answer: bool) -> None:
    expect_scalar(student(t).value, answer, bool, what=f"is_long(t) for a {t.dtype} tensor on {t.device.type}")


@check(points=2, ko="int64 (torch.long) 텐서에는 Python bool 값 True 를 반환해야 합니다 (어떤 device 에서든: meta 로 확인). "
                    "t.dtype 을 torch.int64 와 비교하세요. t.type() 문자열이나 isinstance(t, torch.LongTensor) 는 "
                    "GPU/meta 에서 틀리고, torch.int 는 int32 입니다.",
       en="An int64 (torch.long) tensor must give the Python bool True, on any device (checked on meta). Compare "
          "t.dtype with torch.int64: type() strings and isinstance(t, torch.LongTensor) fail on a GPU or meta, "
          "and torch.int is int32.")
def test_true_for_int64(student, rng):
    cases = (inputs.tensor(rng, inputs.shape(rng, 2), torch.int64), torch.LongTensor(inputs.ints(rng, 3)),
             torch.zeros(inputs.integer(rng, 1, 4), dtype=torch.long), torch.tensor(inputs.integer(rng, -9, 9)),
             torch.empty(0, dtype=torch.int64), torch.zeros(inputs.shape(rng, 2), dtype=torch.int64, device="meta"))
    for t in cases:
        _expect_answer(student, t, True)


@check(points=2, ko="int64 가 아닌 텐서 (int32, int16, uint8, bool, float32, float64) 에는 False 를 반환해야 합니다. "
                    "torch.int 는 int32 이지 long 이 아닙니다.",
       en="Tensors that are not int64 (int32, int16, uint8, bool, float32, float64) must give False; torch.int is "
          "int32, not long.")
def test_false_for_other_dtypes(student, rng):
    for dtype in (torch.int32, torch.int16, torch.uint8, torch.bool, torch.float32, torch.float64):
        low = 0 if dtype == torch.uint8 else -10
        _expect_answer(student, inputs.tensor(rng, inputs.shape(rng, 2), dtype, low), False)


@check(points=1, ko="값이 정수인 float 텐서도 long 이 아닙니다: 값이 아니라 dtype 을 보세요. 결과는 텐서가 아닌 Python bool 이어야 합니다.",
       en="A float tensor holding whole numbers is not long either: look at the dtype, not the values, and return "
          "a Python bool, not a tensor.")
def test_whole_number_floats(student, rng):
    for dtype in (torch.float32, torch.float64):
        _expect_answer(student, inputs.tensor(rng, inputs.shape(rng, 2), torch.int64).to(dtype), False)
