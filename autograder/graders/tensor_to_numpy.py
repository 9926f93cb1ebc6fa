"""tensor_to_numpy: detach().numpy() shares memory and keeps the dtype; numpy() alone refuses grad-requiring tensors."""

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
    expect_array,
    expect_shares,
    inputs,
)

EXERCISE = Exercise(
    id="tensor_to_numpy",
    assignment="a02_shapes",
    heading="numpy 와 tensor 간의 호환성",
    title=Msg(ko="텐서와 메모리를 공유하는 ndarray", en="An ndarray that shares a tensor's memory"),
    contract=(
        Promise(
            "values",
            en="the dtype, shape and values of `t` (float32 stays float32)",
            ko="dtype, shape, 값은 t 와 같음 (float32 는 float32 그대로)",
        ),
        Promise(
            "shares",
            en="shares memory with `t` (no copy), also when `t` is a transpose",
            ko="t 와 메모리를 공유 (복사하지 않음), t 가 전치여도",
        ),
        Promise("grad", en="works when t.requires_grad is True", ko="t.requires_grad 가 True 여도 동작"),
        Promise("keeps_grad", en="leaves t.requires_grad as it was", ko="t.requires_grad 는 그대로 둠"),
    ),
    edges=(
        Edge("a 0-d tensor", lambda t: t.dim() == 0),
        Edge("float64", lambda t: t.dtype == torch.float64),
        Edge("int32", lambda t: t.dtype == torch.int32),
        Edge("a transpose", lambda t: not t.is_contiguous()),
        Edge("a tensor that requires grad", lambda t: t.requires_grad),
    ),
    mutants=(
        Mutant(
            "via_tolist",
            violates="values",
            says="float64",
            source="""
def tensor_to_numpy(t):
    return np.array(t.tolist())
""",
        ),
        Mutant(
            "detach_clone",
            violates="shares",
            says="copy",
            source="""
def tensor_to_numpy(t):
    return t.detach().clone().numpy()
""",
        ),
        Mutant(
            "numpy_on_requires_grad",
            violates="grad",
            says="detach",
            source="""
def tensor_to_numpy(t):
    return t.numpy()
""",
        ),
        Mutant(
            "switches_grad_off",
            violates="keeps_grad",
            says="requires_grad",
            source="""
def tensor_to_numpy(t):
    t.requires_grad_(False)
    return t.numpy()
""",
        ),
    ),
    alternatives=(
        Alternative(
            "numpy_force",
            """
def tensor_to_numpy(t):
    return t.numpy(force=True)
""",
        ),
        Alternative(
            "detach_cpu_numpy",
            """
def tensor_to_numpy(t):
    return t.detach().cpu().numpy()
""",
        ),
    ),
)


def _tensor(rng, dtype, rank=None):
    return inputs.tensor(rng, inputs.shape(rng, inputs.integer(rng, 1, 3) if rank is None else rank), dtype)


def _expect_same_array(call, t):
    expect_array(call.value, t.detach().numpy(), inputs=f"tensor shape {tuple(t.shape)}, dtype {t.dtype}")


@check(
    points=2,
    enforces="values",
    ko="결과는 텐서와 같은 값, shape, dtype 의 ndarray 여야 합니다 (float32 는 float32 그대로). "
    "np.array(t.tolist()) 는 float 를 float64 로 바꿉니다.",
    en="The result must be an ndarray with the tensor's values, shape and dtype (float32 stays float32); "
    "np.array(t.tolist()) turns floats into float64.",
)
def test_values(student, rng):
    tensors = (
        _tensor(rng, torch.float32),
        _tensor(rng, torch.float32, 0),
        _tensor(rng, torch.float64),
        _tensor(rng, torch.int64),
        _tensor(rng, torch.int32),
    )
    for t in tensors:
        _expect_same_array(student(t), t)


@check(
    points=2,
    enforces="shares",
    requires="values",
    ko="배열이 텐서와 메모리를 공유해야 합니다 (전치된 텐서도). clone() 이나 리스트를 거치면 복사본이 됩니다.",
    en="The array must share memory with the tensor (a transposed one too); clone() or a detour through a list "
    "makes a copy.",
)
def test_shares_memory(student, rng):
    for t in (_tensor(rng, torch.float32, 2), inputs.transposed(rng, 3, inputs.integer(rng, 2, 4))):
        call = student(t)
        expect_shares(call, call.value, call.args[0], other="tensor")


@check(
    points=2,
    enforces="grad",
    requires="values",
    ko="requires_grad=True 인 텐서에서도 동작해야 합니다. 이런 텐서에 t.numpy() 를 부르면 RuntimeError 가 나므로 t.detach().numpy() 를 쓰세요.",
    en="It must work on a tensor that requires grad: t.numpy() raises RuntimeError there, so use t.detach().numpy().",
)
def test_requires_grad_input(student, rng):
    t = _tensor(rng, torch.float32, 2).requires_grad_()
    _expect_same_array(student(t), t)


@check(
    points=1,
    enforces="keeps_grad",
    requires="requires_grad_input",
    ko="t.requires_grad 를 바꾸면 안 됩니다 (requires_grad_(False) 금지). detach() 는 t 를 건드리지 않고 view 를 만듭니다.",
    en="Do not change t.requires_grad (no requires_grad_(False)): detach() makes a view and leaves t alone.",
)
def test_requires_grad_kept(student, rng):
    call = student(_tensor(rng, torch.float32, 2).requires_grad_())
    call.value  # noqa: B018 - reading it fails the check if the call raised
    expect(
        call.facts(call.args[0]).requires_grad,
        "함수가 호출된 뒤 t.requires_grad 가 바뀌었습니다.",
        "t.requires_grad changed during your call.",
    )
