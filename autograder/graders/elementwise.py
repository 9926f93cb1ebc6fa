"""elementwise: +, *, / and // on integer tensors, with the result dtypes and floor rounding they really have."""

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
    expect_unchanged,
    inputs,
    show,
)

EXERCISE = Exercise(
    id="elementwise",
    assignment="a03_operations",
    heading="Basic Operations - numpy 와 동일",
    title=Msg(ko="원소별 사칙연산과 결과 dtype", en="Element-wise arithmetic and its dtypes"),
    contract=(
        Promise(
            "sum_product",
            en="a + b and a * b: element-wise, int64, the shape of a",
            ko="a + b 와 a * b: 원소별, int64, shape 은 a 의 것",
        ),
        Promise(
            "true_division",
            en="a / b: true division even for integers, float32 (7 / 2 == 3.5)",
            ko="a / b: 정수끼리도 참 나눗셈, float32 (7 / 2 == 3.5)",
        ),
        Promise(
            "floor_division",
            en="a // b: int64, rounded toward minus infinity (floor): -7 // 2 == -4",
            ko="a // b: int64, 음의 무한대 쪽으로 내림 (floor): -7 // 2 == -4",
        ),
        Promise("unchanged", en="a and b are not modified", ko="a 와 b 를 바꾸지 않음"),
    ),
    edges=(
        Edge(
            "a negative quotient with a remainder (floor and truncation differ)",
            lambda a, b: bool(((a % b != 0) & ((a < 0) ^ (b < 0))).any()),
        ),
        Edge("a negative divisor", lambda a, b: bool((b < 0).any())),
        Edge("2-D tensors", lambda a, b: a.dim() == 2),
    ),
    mutants=(
        Mutant(
            "trunc_division",
            violates="floor_division",
            says="floor",
            source="""
def elementwise(a, b):
    return a + b, a * b, a / b, torch.div(a, b, rounding_mode="trunc")
""",
        ),
        Mutant(
            "integer_true_division",
            violates="true_division",
            says="float32",
            source="""
def elementwise(a, b):
    return a + b, a * b, (a / b).long(), a // b
""",
        ),
        Mutant(
            "sum_as_cat",
            violates="sum_product",
            says="element-wise",
            source="""
def elementwise(a, b):
    return torch.cat([a, b]), a * b, a / b, a // b
""",
        ),
        Mutant(
            "product_summed",
            violates="sum_product",
            says="a * b",
            source="""
def elementwise(a, b):
    return a + b, (a * b).sum(), a / b, a // b
""",
        ),
        Mutant(
            "in_place_add",
            violates="unchanged",
            says="modif",
            source="""
def elementwise(a, b):
    quotient, floor = a / b, a // b
    product = a * b
    return a.add_(b), product, quotient, floor
""",
        ),
    ),
    alternatives=(
        Alternative(
            "torch_functions",
            """
def elementwise(a, b):
    return torch.add(a, b), torch.mul(a, b), torch.div(a, b), torch.div(a, b, rounding_mode="floor")
""",
        ),
        Alternative(
            "true_divide_floor_divide",
            """
def elementwise(a, b):
    return a.add(b), a.mul(b), torch.true_divide(a, b), torch.floor_divide(a, b)
""",
        ),
    ),
)

NAMES = ("a + b", "a * b", "a / b", "a // b")


def _pair(rng, ndim: int | None = None):
    """Two int64 tensors of one shape (1-D or 2-D) with negatives; b has no zeros."""
    size = inputs.shape(rng, ndim or inputs.integer(rng, 1, 2), 1, 5)
    a = inputs.tensor(rng, size, torch.int64, -20, 20)
    b = inputs.tensor(rng, size, torch.int64, 1, 8) * (inputs.tensor(rng, size, torch.int64, 0, 2) * 2 - 1)
    return a, b


def _cases(rng):
    """A fixed case where floor and truncation differ, then random ones."""
    return [(torch.tensor([-7, 7, -7, 7, 6]), torch.tensor([2, -2, -2, 2, -4])), _pair(rng, 2), _pair(rng)]


def _check_parts(student, rng, which):
    for a, b in _cases(rng):
        call = student(a, b)
        parts = expect_tuple(call.value, 4)
        expected = (a + b, a * b, (a / b).to(torch.float32), a // b)
        for i in which:
            expect_tensor(
                call,
                parts[i],
                expected[i],
                what=NAMES[i],
                computed_in=expected[i].dtype,
                inputs=f"a={show(a)}, b={show(b)}",
            )


@check(
    points=2,
    enforces="sum_product",
    ko="a + b 와 a * b 는 원소별 연산이고, 정수 텐서끼리의 결과는 int64 입니다.",
    en="a + b and a * b are element-wise; on int64 tensors their results are int64.",
)
def test_sum_and_product(student, rng):
    _check_parts(student, rng, (0, 1))


@check(
    points=2,
    enforces="true_division",
    ko="a / b 는 정수끼리라도 참 나눗셈 (true division) 이라서 float32 결과를 냅니다 (7 / 2 = 3.5). "
    "정수로 바꾸지 마세요.",
    en="a / b is true division even for integers: the result is float32 (7 / 2 = 3.5). Do not convert it to integers.",
)
def test_true_division(student, rng):
    _check_parts(student, rng, (2,))


@check(
    points=2,
    enforces="floor_division",
    ko="a // b 는 내림 (floor, 음의 무한대 쪽) 나눗셈이고 int64 입니다: -7 // 2 = -4. "
    "rounding_mode='trunc' 는 0 쪽으로 잘라서 -3 이 됩니다.",
    en="a // b is floor division (toward minus infinity) and int64: -7 // 2 == -4. rounding_mode='trunc' rounds "
    "toward zero and gives -3.",
)
def test_floor_division(student, rng):
    _check_parts(student, rng, (3,))


@check(
    points=1,
    enforces="unchanged",
    requires="sum_and_product",
    ko="입력 a, b 를 바꾸면 안 됩니다 (add_ 같은 in-place 연산을 쓰지 마세요).",
    en="The inputs a and b must not be modified (no in-place operations such as add_).",
)
def test_inputs_unchanged(student, rng):
    a, b = _pair(rng)
    call = student(a.clone(), b.clone())
    expect_tuple(call.value, 4)
    expect_unchanged(a, call.args[0], what="input a")
    expect_unchanged(b, call.args[1], what="input b")
