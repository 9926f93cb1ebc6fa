"""is_long: a dtype test that says True for int64 only, on any device, as a Python bool."""

import torch

from autograder.authoring import Alternative, Edge, Exercise, Msg, Mutant, Promise, check, expect_scalar, inputs

EXERCISE = Exercise(
    id="is_long",
    assignment="a01_tensors",
    warm_up=("meta",),
    heading="Tensor 생성",
    title=Msg(ko="long (int64) 텐서인지 확인하기", en="Is it a long (int64) tensor?"),
    contract=(
        Promise(
            "true",
            en="True (a Python bool) for an int64 tensor of any shape, on any device (cpu, meta, cuda)",
            ko="int64 텐서에는 True (Python bool): shape 과 device (cpu, meta, cuda) 에 상관없이",
        ),
        Promise(
            "false",
            en="False (a Python bool) for every other dtype (int32, int16, uint8, bool, floats), also "
            "when the values are whole numbers",
            ko="다른 모든 dtype (int32, int16, uint8, bool, float) 에는 False (Python bool), 값이 정수여도",
        ),
    ),
    edges=(
        Edge("an int64 tensor on the meta device", lambda t: t.dtype == torch.int64 and t.device.type == "meta"),
        Edge("a 0-d int64 tensor", lambda t: t.dtype == torch.int64 and t.dim() == 0),
        Edge("an empty int64 tensor", lambda t: t.dtype == torch.int64 and t.numel() == 0),
        Edge("int32", lambda t: t.dtype == torch.int32),
        Edge("uint8", lambda t: t.dtype == torch.uint8),
        Edge("bool", lambda t: t.dtype == torch.bool),
        Edge(
            "a float tensor of whole numbers",
            lambda t: t.dtype.is_floating_point and t.numel() > 0 and bool((t == t.trunc()).all()),
        ),
    ),
    mutants=(
        Mutant(
            "int32_dtype",
            violates=("true", "false"),
            says="int32",
            source="""
def is_long(t):
    return t.dtype == torch.int
""",
        ),
        Mutant(
            "IntTensor_string",
            violates=("true", "false"),
            says="type()",
            source="""
def is_long(t):
    return t.type() == "torch.IntTensor"
""",
        ),
        Mutant(
            "LongTensor_string",
            violates="true",
            says="type()",
            source="""
def is_long(t):
    return t.type() == "torch.LongTensor"
""",
        ),
        Mutant(
            "any_integer",
            violates="false",
            says="int32",
            source="""
def is_long(t):
    return not t.is_floating_point()
""",
        ),
        Mutant(
            "compares_values",
            violates=("true", "false"),
            says="bool",
            source="""
def is_long(t):
    return (t == t.long()).all()
""",
        ),
    ),
    alternatives=(
        Alternative(
            "long_alias",
            """
def is_long(t):
    return t.dtype is torch.long
""",
        ),
        Alternative(
            "dtype_in",
            """
def is_long(t):
    return t.dtype in (torch.int64,)
""",
        ),
    ),
)


def _expect_answer(student, t: torch.Tensor, answer: bool) -> None:
    expect_scalar(student(t).value, answer, bool, what=f"is_long(t) for a {t.dtype} tensor on {t.device.type}")


@check(
    points=2,
    enforces="true",
    ko="int64 (torch.long) 텐서에는 Python bool 값 True 를 반환해야 합니다 (어떤 device 에서든: meta 로 확인). t.dtype 을 torch.int64 와 "
    "비교하세요. t.type() 문자열이나 isinstance(t, torch.LongTensor) 는 GPU/meta 에서 틀리고, torch.int 는 int32 입니다.",
    en="An int64 (torch.long) tensor must give the Python bool True, on any device (checked on meta). Compare "
    "t.dtype with torch.int64: type() strings and isinstance(t, torch.LongTensor) fail on a GPU or meta, and "
    "torch.int is int32.",
)
def test_true_for_int64(student, rng):
    cases = (
        inputs.tensor(rng, inputs.shape(rng, 2), torch.int64),
        torch.LongTensor(inputs.ints(rng, 3)),
        torch.zeros(inputs.integer(rng, 1, 4), dtype=torch.long),
        torch.tensor(inputs.integer(rng, -9, 9)),
        torch.empty(0, dtype=torch.int64),
        torch.zeros(inputs.shape(rng, 2), dtype=torch.int64, device="meta"),
    )
    for t in cases:
        _expect_answer(student, t, True)


@check(
    points=3,
    enforces="false",
    ko="int64 가 아닌 텐서 (int32, int16, uint8, bool, float32, float64) 에는 값이 정수여도 False 를 반환해야 합니다: "
    '값이 아니라 dtype 을 보세요. torch.int 는 int32 이지 long 이 아니고, t.type() 문자열 "torch.IntTensor" 도 '
    "int32 입니다.",
    en="Tensors that are not int64 (int32, int16, uint8, bool, float32, float64) must give False, also when their "
    "values are whole numbers: look at the dtype, not the values. torch.int is int32, not long, and so is the "
    't.type() string "torch.IntTensor".',
)
def test_false_for_other_dtypes(student, rng):
    for dtype in (torch.int32, torch.int16, torch.uint8, torch.bool, torch.float32, torch.float64):
        low = 0 if dtype == torch.uint8 else -10
        _expect_answer(student, inputs.tensor(rng, inputs.shape(rng, 2), dtype, low), False)
    for dtype in (torch.float32, torch.float64):
        _expect_answer(student, inputs.tensor(rng, inputs.shape(rng, 2), torch.int64).to(dtype), False)
