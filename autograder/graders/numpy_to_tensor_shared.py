"""numpy_to_tensor_shared: from_numpy / as_tensor share the array's memory and keep its dtype; tensor() copies."""

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
    expect_shares,
    expect_tensor,
    inputs,
)

EXERCISE = Exercise(
    id="numpy_to_tensor_shared",
    assignment="a02_shapes",
    heading="numpy 와 tensor 간의 호환성",
    title=Msg(ko="ndarray 와 메모리를 공유하는 텐서", en="A tensor that shares an ndarray's memory"),
    contract=(
        Promise(
            "values",
            en="the dtype, shape and values of `arr` (float64 stays float64, int32 stays int32), "
            "0-d and empty arrays included",
            ko="dtype, shape, 값은 arr 와 같음 (float64 는 float64, int32 는 int32 그대로), 0차원과 빈 배열도",
        ),
        Promise("shares", en="shares memory with `arr` (no copy)", ko="arr 와 메모리를 공유 (복사하지 않음)"),
    ),
    edges=(
        Edge("a 0-d array", lambda arr: arr.ndim == 0),
        Edge("an empty array", lambda arr: arr.size == 0),
        Edge("float32", lambda arr: arr.dtype == np.float32),
        Edge("int64", lambda arr: arr.dtype == np.int64),
        Edge("int32", lambda arr: arr.dtype == np.int32),
    ),
    mutants=(
        Mutant(
            "tensor_copies",
            violates="shares",
            says="copies",
            source="""
def numpy_to_tensor_shared(arr):
    return torch.tensor(arr)
""",
        ),
        Mutant(
            "from_numpy_float",
            violates="values",
            says="dtype",
            source="""
def numpy_to_tensor_shared(arr):
    return torch.from_numpy(arr).float()
""",
        ),
        Mutant(
            "Tensor_constructor",
            violates="values",
            says="dtype",
            source="""
def numpy_to_tensor_shared(arr):
    return torch.Tensor(arr)
""",
        ),
    ),
    alternatives=(
        Alternative(
            "as_tensor",
            """
def numpy_to_tensor_shared(arr):
    return torch.as_tensor(arr)
""",
        ),
    ),
)


def _array(rng, dtype: str, rank: int | None = None) -> np.ndarray:
    return inputs.array(rng, inputs.shape(rng, inputs.integer(rng, 1, 3) if rank is None else rank), dtype)


def _expect_same_tensor(call, arr):
    expect_tensor(
        call, call.value, torch.from_numpy(arr.copy()), inputs=f"ndarray shape {arr.shape}, dtype {arr.dtype}"
    )


@check(
    points=2,
    enforces="values",
    ko="결과는 배열과 같은 값, shape, dtype 의 텐서여야 합니다 (float64 는 float64 그대로). "
    "0차원 배열과 크기가 0인 배열도 처리해야 합니다.",
    en="The result must be a tensor with the array's values, shape and dtype (float64 stays float64), "
    "also for a 0-d array and an empty array.",
)
def test_values(student, rng):
    for arr in (_array(rng, "float64"), _array(rng, "float64", 0), np.zeros((0, 3))):
        _expect_same_tensor(student(arr), arr)


@check(
    points=2,
    enforces="values",
    ko="배열의 dtype (float32, int64, int32) 을 그대로 유지해야 합니다. .float(), .long(), torch.Tensor(...) 는 dtype 을 바꾸고 복사합니다.",
    en="Keep the array's dtype (float32, int64, int32): .float(), .long() and torch.Tensor(...) change the dtype "
    "and copy.",
)
def test_keeps_dtype(student, rng):
    for dtype in ("float32", "int64", "int32"):
        arr = _array(rng, dtype)
        _expect_same_tensor(student(arr), arr)


@check(
    points=2,
    enforces="shares",
    requires="values",
    ko="텐서가 배열과 메모리를 공유해야 합니다 (torch.from_numpy 또는 torch.as_tensor). torch.tensor(arr) 는 복사합니다.",
    en="The tensor must share memory with the array (torch.from_numpy or torch.as_tensor); torch.tensor(arr) copies.",
)
def test_shares_memory(student, rng):
    for dtype in ("float64", inputs.choice(rng, ["float32", "int64", "int32"])):
        call = student(_array(rng, dtype))
        expect_shares(call, call.value, call.args[0], other="array")
