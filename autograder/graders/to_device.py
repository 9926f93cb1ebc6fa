"""to_device: `.to(device)` returns a moved copy and leaves the original where it was.

Without a GPU the `meta` device stands in for one; with a GPU, "cuda" is tested too.
"""

import torch

from autograder import inputs
from autograder.expect import expect, expect_tensor, expect_type, expect_unchanged
from autograder.messages import Msg
from autograder.spec import Alternative, Exercise, Mutant, check

EXERCISE = Exercise(
    id="to_device",
    assignment="a01_tensors",
    warm_up=("meta",),
    heading="Tensor Type 변환",
    title=Msg(ko="텐서를 다른 장치로 옮기기", en="Move a tensor to a device"),
    order=6,
    mutants=(
        Mutant("result_dropped", kills=("on_requested_device",), says="returns a new tensor", source='''
def to_device(t, device):
    t.to(device)
    return t
'''),
        Mutant("always_cpu", kills=("on_requested_device",), says="cpu", source='''
def to_device(t, device):
    return t.cpu()
'''),
        Mutant("always_cuda", kills=("on_requested_device",), says="cuda", source='''
def to_device(t, device):
    return t.cuda()
'''),
        Mutant("converts_dtype", kills=("keeps_dtype_and_values",), says="dtype", source='''
def to_device(t, device):
    return t.to(device, torch.float32)
'''),
    ),
    alternatives=(
        Alternative("device_object", '''
def to_device(t, device):
    return t.to(torch.device(device))
'''),
        Alternative("keyword", '''
def to_device(t, device):
    return t.to(device=device)
'''),
    ),
)


def _devices(student) -> tuple[str, ...]:
    """Devices that are not the CPU: `meta` always stands in for a GPU; a real one is added where the
    student's process can use it."""
    return ("meta", "cuda") if "cuda" in student.devices else ("meta",)


def _any_tensor(rng) -> torch.Tensor:
    return inputs.tensor(rng, inputs.shape(rng, inputs.integer(rng, 1, 3)),
                         inputs.choice(rng, [torch.float32, torch.int64]))


@check(points=3, ko="결과는 요청한 device 에 있어야 합니다. t.to(device) 는 t 자체를 옮기지 않고 새 텐서를 돌려주므로 "
                    "그 결과를 반환(또는 다시 대입)하세요. .cpu() 나 .cuda() 는 device 인자를 무시합니다.",
       en="The result must be on the requested device. t.to(device) does not move t itself: it returns a new "
          "tensor, so return (or reassign) its result. .cpu() and .cuda() ignore the device argument.")
def test_on_requested_device(student, rng):
    for device in (*_devices(student), "cpu"):
        call = student(_any_tensor(rng), device)
        expect_type(call.value, torch.Tensor)
        actual = call.facts(call.value).device
        expect(actual == device,
               f"device=\"{device}\" 로 불렀는데 결과가 {actual} 에 있습니다.",
               f"Called with device=\"{device}\", the result is on {actual}.")


@check(points=2, ko="옮겨도 dtype, shape, 값은 그대로여야 합니다. dtype 을 바꾸지 마세요 (예: .to(device, torch.float32) 나 .float()).",
       en="Moving must keep the dtype, shape and values; do not convert the dtype (e.g. .to(device, torch.float32) "
          "or .float()).")
def test_keeps_dtype_and_values(student, rng):
    for device in (*_devices(student), "cpu"):
        t = inputs.tensor(rng, inputs.shape(rng, 2), torch.int64)
        call = student(t, device)
        expect_tensor(call, call.value, t, device=device, inputs=f"device=\"{device}\"")


@check(points=1, requires="on_requested_device",
       ko="원래 텐서는 CPU 에 그대로 남아 있어야 합니다.",
       en="The original tensor must stay on the CPU, unchanged.")
def test_original_untouched(student, rng):
    t = _any_tensor(rng)
    call = student(t.clone(), _devices(student)[-1])
    call.value
    expect(call.facts(call.args[0]).device == "cpu",
           "원래 텐서가 CPU 에 있지 않습니다.", "The original tensor is no longer on the CPU.")
    expect_unchanged(t, call.args[0])
