"""add_on_device: move both tensors with .to(device) and add them there; meta stands in for a GPU."""

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
    expect_unchanged,
    inputs,
)

EXERCISE = Exercise(
    id="add_on_device",
    assignment="a04_autograd",
    warm_up=("meta",),
    heading="CUDA Tensors",
    title=Msg(ko="다른 장치에서 더하기", en="Add on another device"),
    contract=(
        Promise(
            "cpu",
            en="device='cpu': a + b on the cpu, with the dtype of a + b",
            ko="device='cpu': cpu 에서의 a + b, dtype 은 a + b 의 것",
        ),
        Promise(
            "device",
            en="any device: the result is on `device` (both tensors moved there first)",
            ko="어떤 device 든: 결과는 device 에 있음 (두 텐서를 먼저 그곳으로 옮김)",
        ),
        Promise("unchanged", en="does not modify a or b", ko="a 와 b 를 바꾸지 않음"),
    ),
    edges=(
        Edge("the cpu", lambda a, b, device: device == "cpu"),
        Edge("a device that is not the cpu", lambda a, b, device: device != "cpu"),
        Edge("an int64 b added to a float a", lambda a, b, device: b.dtype == torch.int64),
        Edge("float64", lambda a, b, device: a.dtype == torch.float64),
    ),
    mutants=(
        Mutant(
            "not_reassigned",
            violates="device",
            says="a = a.to(device)",
            source="""
def add_on_device(a, b, device):
    a.to(device)
    b.to(device)
    return a + b
""",
        ),
        Mutant(
            "moves_one",
            violates="device",
            says="both",
            source="""
def add_on_device(a, b, device):
    a = a.to(device)
    return a + b
""",
        ),
        Mutant(
            "hard_coded_cuda",
            violates="cpu",
            says=".cuda()",
            source="""
def add_on_device(a, b, device):
    return a.cuda() + b.cuda()
""",
        ),
        Mutant(
            "adds_in_place",
            violates="unchanged",
            says="modified",
            source="""
def add_on_device(a, b, device):
    a = a.to(device)
    a += b.to(device)
    return a
""",
        ),
    ),
    alternatives=(
        Alternative(
            "torch_add_device_object",
            """
def add_on_device(a, b, device):
    device = torch.device(device)
    return torch.add(a.to(device=device), b.to(device=device))
""",
        ),
    ),
)


def _pair(rng, dtype: torch.dtype | None = None, int_b: bool | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Two tensors of one shape; b is an integer tensor if asked (else sometimes), so the sum promotes to a's
    float dtype."""
    size = inputs.shape(rng, inputs.integer(rng, 1, 2))
    a = inputs.tensor(rng, size, dtype or inputs.choice(rng, [torch.float32, torch.float64]))
    int_b = inputs.integer(rng, 0, 1) == 1 if int_b is None else int_b
    return a, inputs.tensor(rng, size, torch.int64 if int_b else a.dtype)


def _call_checked(student, a, b, device):
    call = student(a.clone(), b.clone(), device)
    expect_tensor(
        call,
        call.value,
        a + b,
        what=f"a + b on {device}",
        device=device,
        computed_in=(a + b).dtype,
        inputs=f"shape {tuple(a.shape)}, dtypes {a.dtype} and {b.dtype}",
    )
    return call


@check(
    points=2,
    enforces="cpu",
    ko="device='cpu' 일 때 결과는 cpu 에 있는 a + b 이어야 합니다. device 인자를 쓰고 .cuda() 처럼 장치를 "
    "고정하지 마세요.",
    en="With device='cpu' the result must be a + b on the cpu: use the `device` argument and do not hard-code "
    "a device with .cuda().",
)
def test_cpu_sum(student, rng):
    for a, b in (_pair(rng, torch.float64, True), _pair(rng, torch.float32, False), _pair(rng)):
        _call_checked(student, a, b, "cpu")


@check(
    points=2,
    enforces="device",
    requires="cpu_sum",
    ko="결과는 주어진 device 에 있어야 합니다 (GPU 가 없는 채점에서는 'meta' 장치가 GPU 를 대신합니다). .to() 는 새 텐서를 "
    "돌려주므로 a = a.to(device) 처럼 다시 대입하고, 두 텐서(both)를 모두 옮기세요. 장치가 다른 텐서끼리는 더할 수 "
    "없습니다.",
    en="The result must be on the given device (where grading has no GPU, the 'meta' device stands in for one). "
    ".to() returns a new tensor, so reassign it (a = a.to(device)), and move both tensors: tensors on "
    "different devices cannot be added.",
)
def test_moves_to_device(student, rng):
    _call_checked(student, *_pair(rng), "meta")
    if "cuda" in student.devices:
        _call_checked(student, *_pair(rng), "cuda")


@check(
    points=1,
    enforces="unchanged",
    requires="cpu_sum",
    ko="a 와 b 는 바뀌면 안 됩니다. cpu 에서 a.to('cpu') 는 a 자신을 돌려주므로 a += b 는 입력을 바꿉니다.",
    en="a and b must not be modified: on the cpu a.to('cpu') returns a itself, so a += b changes your input.",
)
def test_inputs_unchanged(student, rng):
    a, b = _pair(rng)
    call = _call_checked(student, a, b, "cpu")
    expect_unchanged(a, call.args[0], what="a")
    expect_unchanged(b, call.args[1], what="b")
