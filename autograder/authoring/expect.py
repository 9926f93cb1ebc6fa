"""Assertions for checks, written for students: each failure says which property failed and why.

They only ever look at plain objects rebuilt by the boundary and at facts measured in the child.
Failure details show the student's own output and small inputs, never a hidden expected value.

Values are compared under one tolerance rule, and a grader only says on which side of it a value is:

* Exact (bit for bit, NaN matching NaN) unless said otherwise: integers and bools, and every float the
  contract fixes to the bit: given numbers converted to a stated dtype ("rounded to float32"), copied,
  viewed, selected or moved, or made by a single IEEE 754 operation such as `a * b`. Every correct idiom
  gives the same bits, and a value rounded another way (float64 values where float32 is promised) is a
  wrong answer however close it is.
* `computed_in=dtype`: a float made by floating-point arithmetic whose order the contract leaves to the
  student (sums, means, matrix products, std, gradients, arange's steps) may differ from the grader's in
  its last bits, and is compared with the tolerance torch.testing.assert_close uses by default for that
  dtype (`ARITHMETIC`). `dtype` is the least precise one a correct answer may compute in.
"""

from __future__ import annotations

import math
from typing import NoReturn

import numpy as np
import pandas as pd
import torch

from autograder.boundary.codec import Opaque
from autograder.boundary.parent import Call, Rebuilt
from autograder.messages import Msg

# (rtol, atol) by dtype: torch.testing.assert_close's defaults, for values computed by floating-point arithmetic.
ARITHMETIC = {
    torch.float16: (1e-3, 1e-5),
    torch.bfloat16: (1.6e-2, 1e-5),
    torch.float32: (1.3e-6, 1e-5),
    torch.float64: (1e-7, 1e-7),
}


def tolerance(computed_in: torch.dtype | None) -> tuple[float, float]:
    """(rtol, atol) under the rule: exact without `computed_in`, else the arithmetic tolerance of that dtype."""
    if computed_in is None or not computed_in.is_floating_point:  # integer arithmetic is exact
        return 0.0, 0.0
    return ARITHMETIC[computed_in]


def close(value: Rebuilt, expected: Rebuilt, computed_in: torch.dtype | None = None) -> bool:
    """Whether two tensors, arrays or Python numbers of one kind agree under the tolerance rule."""
    rtol, atol = tolerance(computed_in)
    if isinstance(value, torch.Tensor):
        try:
            torch.testing.assert_close(
                value,
                expected,
                rtol=rtol,
                atol=atol,
                equal_nan=True,
                check_dtype=False,
                check_device=False,
                check_stride=False,
                check_layout=False,
            )
        except AssertionError:
            return False
        return True
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "fc":
            return value.shape == expected.shape and np.array_equal(value, expected)
        return value.shape == expected.shape and np.allclose(value, expected, rtol=rtol, atol=atol, equal_nan=True)
    if type(value) is float and type(expected) is float and math.isnan(value) and math.isnan(expected):
        return True
    if value == expected:
        return True
    return (
        float in (type(value), type(expected))
        and {type(value), type(expected)} <= {int, float}
        and abs(value - expected) <= atol + rtol * abs(expected)
    )  # ints are exact: only floats round


class CheckFailed(AssertionError):
    """A check's property does not hold; `msg` is the detail shown under the check's message."""

    def __init__(self, msg: Msg) -> None:
        super().__init__(msg.en)
        self.feedback = msg


def fail(ko: str, en: str) -> NoReturn:
    raise CheckFailed(Msg(ko=ko, en=en))


def expect(condition: bool, ko: str, en: str) -> None:
    if not condition:
        fail(ko, en)


def show(value: object, limit: int = 160) -> str:
    """A short text of a value for feedback: small tensors in full, large ones by shape."""
    if isinstance(value, torch.Tensor):
        if value.device.type == "meta" or value.numel() > 24:
            return f"tensor(shape={tuple(value.shape)}, dtype={value.dtype})"
        return repr(value).replace("\n", " ")[:limit]
    if isinstance(value, np.ndarray) and value.size > 24:
        return f"ndarray(shape={value.shape}, dtype={value.dtype})"
    return repr(value).replace("\n", " ")[:limit]


def type_name(value: object) -> str:
    if isinstance(value, Opaque):
        return value.type_name
    return "None" if value is None else type(value).__name__


def expect_type(value: object, kind: type | tuple[type, ...], what: str = "result") -> None:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if type(value) not in kinds:
        names = " / ".join(k.__name__ for k in kinds)
        fail(
            f"{what}의 타입은 {names} 이어야 하는데 {type_name(value)} 입니다.",
            f"The {what} should be a {names}, but it is a {type_name(value)}.",
        )


def expect_tensor(
    call: Call,
    value: Rebuilt,
    expected: torch.Tensor,
    *,
    what: str = "result",
    device: str = "cpu",
    computed_in: torch.dtype | None = None,
    inputs: str = "",
    values: bool = True,
) -> None:
    """Type, dtype, shape, device type and (unless `values` is False) values under the tolerance rule, in
    that order."""
    expect_type(value, torch.Tensor, what)
    expect(
        value.dtype == expected.dtype,
        f"{what}의 dtype이 {expected.dtype} 이어야 하는데 {value.dtype} 입니다.",
        f"The {what} has dtype {value.dtype}, but it should be {expected.dtype}.",
    )
    expect(
        tuple(value.shape) == tuple(expected.shape),
        f"{what}의 shape이 {tuple(expected.shape)} 이어야 하는데 {tuple(value.shape)} 입니다.",
        f"The {what} has shape {tuple(value.shape)}, but it should be {tuple(expected.shape)}.",
    )
    actual_device = call.device(value)
    expect(
        actual_device == device,
        f"{what}의 device가 {device} 이어야 하는데 {actual_device} 입니다.",
        f"The {what} is on device {actual_device}, but it should be on {device}.",
    )
    if device == "meta" or not values:
        return
    if not close(value, expected.to(value.device), computed_in):
        shown = f" 입력 / input: {inputs}." if inputs else ""
        fail(
            f"{what}의 값이 틀렸습니다.{shown} 받은 값: {show(value)}",
            f"The {what} has wrong values.{shown.replace(' 입력 / input', ' Input')} You returned {show(value)}",
        )


def expect_array(
    value: Rebuilt,
    expected: np.ndarray,
    *,
    what: str = "result",
    computed_in: torch.dtype | None = None,
    inputs: str = "",
) -> None:
    expect_type(value, np.ndarray, what)
    expect(
        value.dtype == expected.dtype,
        f"{what}의 dtype이 {expected.dtype} 이어야 하는데 {value.dtype} 입니다.",
        f"The {what} has dtype {value.dtype}, but it should be {expected.dtype}.",
    )
    expect(
        value.shape == expected.shape,
        f"{what}의 shape이 {expected.shape} 이어야 하는데 {value.shape} 입니다.",
        f"The {what} has shape {value.shape}, but it should be {expected.shape}.",
    )
    if not close(value, expected, computed_in):
        fail(
            f"{what}의 값이 틀렸습니다. 입력: {inputs} 받은 값: {show(value)}",
            f"The {what} has wrong values. Input: {inputs} You returned {show(value)}",
        )


def expect_scalar(
    value: Rebuilt, expected: Rebuilt, kind: type, *, what: str = "result", computed_in: torch.dtype | None = None
) -> None:
    """A Python scalar of exactly `kind` (bool is not an int here), equal to `expected` under the tolerance rule."""
    expect_type(value, kind, what)
    expect(
        close(value, expected, computed_in),
        f"{what}의 값이 틀렸습니다. 받은 값: {value!r}",
        f"The {what} has the wrong value: you returned {value!r}.",
    )


def expect_shares(call: Call, a: object, b: object, *, what: str = "result", other: str = "input") -> None:
    expect(
        call.shares_memory(a, b),
        f"{what}이(가) {other}과(와) 메모리를 공유하지 않습니다 (복사본입니다).",
        f"The {what} does not share memory with the {other}: it is a copy.",
    )


def expect_not_shares(call: Call, a: object, b: object, *, what: str = "result", other: str = "input") -> None:
    expect(
        not call.shares_memory(a, b),
        f"{what}이(가) {other}과(와) 메모리를 공유합니다. 복사본이어야 합니다.",
        f"The {what} shares memory with the {other}; it should be an independent copy.",
    )


def expect_unchanged(before: Rebuilt, after: Rebuilt, *, what: str = "input") -> None:
    """The student's function left an argument as it was sent."""
    same = _same(before, after)
    expect(
        same,
        f"함수가 {what}을(를) 수정했습니다. 입력은 바꾸지 마세요.",
        f"Your function modified the {what}; it must leave its input unchanged.",
    )


def _same(before: Rebuilt, after: Rebuilt) -> bool:
    if isinstance(before, torch.Tensor):
        return (
            type(after) is torch.Tensor
            and before.dtype == after.dtype
            and before.shape == after.shape
            and (before.device.type == "meta" or torch.equal(before.detach().cpu(), after.cpu()))
        )
    if isinstance(before, np.ndarray):
        return type(after) is np.ndarray and before.dtype == after.dtype and np.array_equal(before, after)
    if isinstance(before, pd.DataFrame):
        return type(after) is pd.DataFrame and before.equals(after)
    return before == after


def expect_tuple(value: Rebuilt, length: int, what: str = "result") -> tuple:
    """A tuple of exactly `length` items (a namedtuple such as a rebuilt torch.return_types counts)."""
    expect(
        isinstance(value, tuple),
        f"{what}은(는) 값 {length}개의 tuple 이어야 하는데 {type_name(value)} 입니다.",
        f"The {what} should be a tuple of {length} values, but it is a {type_name(value)}.",
    )
    expect(
        len(value) == length,
        f"{what}은(는) 값 {length}개의 tuple 이어야 하는데 {len(value)}개입니다.",
        f"The {what} should be a tuple of {length} values, but it has {len(value)}.",
    )
    return value


def expect_number(
    value: Rebuilt, expected: float, *, what: str = "result", computed_in: torch.dtype | None = None
) -> None:
    """A number close to `expected`, given as a Python float/int or a one-element tensor.

    Lets a value check give credit to a right number of the wrong kind (say `x.grad` instead of
    `x.grad.item()`), so that a separate check can name the kind as the mistake.
    """
    if type(value) is torch.Tensor and value.numel() == 1 and value.dtype.is_floating_point:
        number = value.item() if value.device.type != "meta" else None
    elif type(value) in (float, int):
        number = value
    else:
        fail(
            f"{what}은(는) 숫자여야 하는데 {type_name(value)} 입니다.",
            f"The {what} should be a number, but it is a {type_name(value)}.",
        )
    expect(
        number is not None and close(float(number), expected, computed_in),
        f"{what}의 값이 틀렸습니다. 받은 값: {show(value)}",
        f"The {what} has the wrong value: you returned {show(value)}.",
    )


def expect_grad(
    call: Call, tensor: object, expected: torch.Tensor, *, what: str = "input", computed_in: torch.dtype | None = None
) -> None:
    """The `.grad` that the call left on one of its argument tensors, compared like a result.

    The boundary sends plain tensors, so a grad on an argument means the student's function
    switched tracking on for that very tensor (`requires_grad_()`) and ran `backward()` through it.
    """
    grad = call.facts(tensor).grad
    expect(
        grad is not None,
        f"호출 후 {what}.grad 가 None 입니다: {what} 자체에 requires_grad_() 를 켜고 backward() 를 호출했나요? "
        "복사본(clone, torch.tensor(...))에 켜면 원래 텐서에는 gradient 가 남지 않습니다.",
        f"After the call {what}.grad is None: did you switch on requires_grad_() on {what} itself and call "
        "backward()? Tracking a copy (clone, torch.tensor(...)) leaves no gradient on the original tensor.",
    )
    expect_tensor(call, grad, expected, what=f"{what}.grad", computed_in=computed_in)
