"""add_on_device: move both tensors with .to(device) and add them there; meta stands in for a GPU."""

import torch

from autograder import inputs
from autograder.expect import expect_tensor, expect_unchanged
from autograder.messages import Msg
from autograder.spec import Alternative, Exercise, Mutant, check

EXERCISE = Exercise(
    id="add_on_device",
    assignment="a04_autograd",
    warm_up=("meta",),
    heading="CUDA Tensors",
    title=Msg(ko="다른 장치에서 더하기", en="Add on another device"),
    order=8,
    mutants=(
        Mutant("not_reassigned", kills=("moves_to_device",), says="a = a.to(device)", source='''
def add_on_device(a, b, device):
    a.to(device)
    b.to(device)
    return a + b
'''),
        Mutant("moves_one", kills=("moves_to_device",), says="both", source='''
def add_on_device(a, b, device):
    a = a.to(device)
    return a + b
'''),
        Mutant("hard_coded_cuda", kills=("cpu_sum",), says=".cuda()", source='''
def add_on_device(a, b, device):
    return a.cuda() + b.cuda()
'''),
        Mutant("adds_in_place", kills=("inputs_unchanged",), says="modified", source='''
def add_on_device(a, b, device):
    a = a.to(device)
    a += b.to(device)
    return a
'''),
    ),
    alternatives=(
        Alternative("torch_add_device_object", '''
def add_on_device(a, b, device):
    device = torch.device(device)
    return torch.add(a.to(device=device), b.to(device=device))
'''),
    ),
)

def _pair(rng) -> tuple[torch.Tensor, torch.Tensor]:
    """Two tensors of one shape; b is sometimes an integer tensor, so the sum promotes to a's float dtype."""
    size = inputs.shape(rng, inputs.integer(rng, 1, 2))
    a = inputs.tensor(rng, size, inputs.choice(rng, [torch.float32, torch.float64]))
    return a, inputs.tensor(rng, size, inputs.choice(rng, [a.dtype, torch.int64]))


def _call_checked(student, a, b, device):
    call = student(a.clone(), b.clone(), device)
    expect_tensor(call, call.value, a + b, what=f"a + b on {device}", device=device,
                  computed_in=(a + b).dtype,
                  inputs=f"shape {tuple(a.shape)}, dtypes {a.dtype} and {b.dtype}")
    return call


@check(points=2, ko="device='cpu' 일 때 결과는 cpu 에 있는 a + b 이어야 합니다. device 인자를 쓰고 .cuda() 처럼 장치를 "
                    "고정하지 마세요.",
       en="With device='cpu' the result must be a + b on the cpu: use the `device` argument and do not hard-code "
          "a device with .cuda().")
def test_cpu_sum(student, rng):
    for _ in range(3):
        _call_checked(student, *_pair(rng), "cpu")


@check(points=2, requires="cpu_sum",
       ko="결과는 주어진 device 에 있어야 합니다 (GPU 가 없는 채점에서는 'meta' 장치가 GPU 를 대신합니다). .to() 는 새 텐서를 "
          "돌려주므로 a = a.to(device) 처럼 다시 대입하고, 두 텐서(both)를 모두 옮기세요. 장치가 다른 텐서끼리는 더할 수 "
          "없습니다.",
       en="The result must be on the given device (where grading has no GPU, the 'meta' device stands in for one). "
          ".to() returns a new tensor, so reassign it (a = a.to(device)), and move both tensors: tensors on "
          "different devices cannot be added.")
def test_moves_to_device(student, rng):
    _call_checked(student, *_pair(rng), "meta")
    if "cuda" in student.devices:
        _call_checked(student, *_pair(rng), "cuda")


@check(points=1, requires="cpu_sum",
       ko="a 와 b 는 바뀌면 안 됩니다. cpu 에서 a.to('cpu') 는 a 자신을 돌려주므로 a += b 는 입력을 바꿉니다.",
       en="a and b must not be modified: on the cpu a.to('cpu') returns a itself, so a += b changes your input.")
def test_inputs_unchanged(student, rng):
    a, b = _pair(rng)
    call = _call_checked(student, a, b, "cpu")
    expect_unchanged(a, call.args[0], what="a")
    expect_unchanged(b, call.args[1], what="b")
