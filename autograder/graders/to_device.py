"""to_device: `.to(device)` returns a moved copy and leaves the original where it was.

Without a GPU the `meta` device stands in for one; with a GPU, "cuda" is tested too.
"""

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
    expect_tensor,
    expect_type,
    inputs,
)

EXERCISE = Exercise(
    id="to_device",
    assignment="a01_tensors",
    warm_up=("meta",),
    heading="Tensor Type 변환",
    title=Msg(ko="텐서를 다른 장치로 옮기기", en="Move a tensor to a device"),
    contract=(
        Promise(
            "device",
            en="the result is on `device`: t.to(device) returns a new tensor there",
            ko="결과는 device 에 있음: t.to(device) 는 그곳에 새 텐서를 돌려줌",
        ),
        Promise("same", en="the dtype, shape and values of `t`", ko="dtype, shape, 값은 t 와 같음"),
    ),
    edges=(
        Edge("the cpu", lambda t, device: device == "cpu"),
        Edge("a device that is not the cpu", lambda t, device: device != "cpu"),
        Edge("an integer tensor", lambda t, device: not t.dtype.is_floating_point),
    ),
    mutants=(
        Mutant(
            "result_dropped",
            violates="device",
            says="returns a new tensor",
            source="""
def to_device(t, device):
    t.to(device)
    return t
""",
        ),
        Mutant(
            "always_cpu",
            violates="device",
            says="cpu",
            source="""
def to_device(t, device):
    return t.cpu()
""",
        ),
        Mutant(
            "always_cuda",
            violates="device",
            says="cuda",
            source="""
def to_device(t, device):
    return t.cuda()
""",
        ),
        Mutant(
            "converts_dtype",
            violates="same",
            says="dtype",
            source="""
def to_device(t, device):
    return t.to(device, torch.float32)
""",
        ),
    ),
    alternatives=(
        Alternative(
            "device_object",
            """
def to_device(t, device):
    return t.to(torch.device(device))
""",
        ),
        Alternative(
            "keyword",
            """
def to_device(t, device):
    return t.to(device=device)
""",
        ),
    ),
)


def _devices(student) -> tuple[str, ...]:
    """Devices that are not the CPU: `meta` always stands in for a GPU; a real one is added where the
    student's process can use it."""
    return ("meta", "cuda") if "cuda" in student.devices else ("meta",)


def _any_tensor(rng) -> torch.Tensor:
    return inputs.tensor(
        rng, inputs.shape(rng, inputs.integer(rng, 1, 3)), inputs.choice(rng, [torch.float32, torch.int64])
    )


@check(
    points=3,
    enforces="device",
    ko="결과는 요청한 device 에 있어야 합니다. t.to(device) 는 t 자체를 옮기지 않고 새 텐서를 돌려주므로 "
    "그 결과를 반환(또는 다시 대입)하세요. .cpu() 나 .cuda() 는 device 인자를 무시합니다.",
    en="The result must be on the requested device. t.to(device) does not move t itself: it returns a new "
    "tensor, so return (or reassign) its result. .cpu() and .cuda() ignore the device argument.",
)
def test_on_requested_device(student, rng):
    for device in (*_devices(student), "cpu"):
        call = student(_any_tensor(rng), device)
        expect_type(call.value, torch.Tensor)
        actual = call.facts(call.value).device
        expect(
            actual == device,
            f'device="{device}" 로 불렀는데 결과가 {actual} 에 있습니다.',
            f'Called with device="{device}", the result is on {actual}.',
        )


@check(
    points=3,
    enforces="same",
    requires="on_requested_device",
    ko="옮겨도 dtype, shape, 값은 그대로여야 합니다. dtype 을 바꾸지 마세요 (예: .to(device, torch.float32) 나 .float()).",
    en="Moving must keep the dtype, shape and values; do not convert the dtype (e.g. .to(device, torch.float32) "
    "or .float()).",
)
def test_keeps_dtype_and_values(student, rng):
    for device in (*_devices(student), "cpu"):
        t = inputs.tensor(rng, inputs.shape(rng, 2), torch.int64)
        call = student(t, device)
        expect_tensor(call, call.value, t, device=device, inputs=f'device="{device}"')
