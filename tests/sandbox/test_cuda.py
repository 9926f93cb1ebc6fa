"""On a machine with a GPU: CUDA tensors cross the boundary as plain CPU tensors plus facts, the graders of the
device exercises test "cuda" for real, and the sandbox still gives correct code full marks.

The kit's own machines and CI have no GPU, so everything here is skipped there. `scripts/device_check.sh` runs
it on a lent GPU machine; what the sandbox found there (its layers, the devices its child offers, the zygote's
memory and threads) is printed into that run's log.
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

import pytest
import torch

from autograder.boundary.parent import Program, Student
from autograder.boundary.transport import InProcess, TransportFailure
from autograder.engine import catalog, extract, grade
from autograder.errors import TransportUnavailable
from autograder.sandbox.session import Limits, Sandbox
from tests.authoring import test_exercises as every_exercise
from tests.boundary.test_codec import roundtrip
from tests.conftest import notebook, variants

pytestmark = pytest.mark.skipif(
    not torch.cuda.is_available(), reason="no CUDA GPU here; scripts/device_check.sh runs these on a GPU machine"
)


def _grades_cuda(exercise) -> bool:
    """Whether the exercise's checks branch on the student's process having a GPU."""
    return "student.devices" in catalog.grader_file(exercise).read_text(encoding="utf-8")


CUDA_EXERCISES = [e for e in catalog.exercises() if _grades_cuda(e)]
CUDA_IDS = [e.id for e in CUDA_EXERCISES]
CUDA_ASSIGNMENTS = sorted({e.assignment for e in CUDA_EXERCISES})

# Answers that are right on every device but "cuda": only a grader whose cuda branch really ran catches them.
# Each names the checks it must fail; any other check may fail only because it requires one of those.
CUDA_BLIND = {
    "to_device": (
        """
def to_device(t, device):
    return t.to("cpu" if device == "cuda" else device)
""",
        ("on_requested_device", "keeps_dtype_and_values"),
    ),
    "add_on_device": (
        """
def add_on_device(a, b, device):
    if device == "cuda":
        return a + b
    return a.to(device) + b.to(device)
""",
        ("moves_to_device",),
    ),
}


def test_the_exercises_that_grade_cuda_are_found_and_each_has_a_cuda_blind_answer():
    assert {"to_device", "add_on_device"} <= set(CUDA_IDS)
    assert set(CUDA_BLIND) == set(CUDA_IDS)


# --- the boundary -------------------------------------------------------------------------------------------------


def _cuda_tensor(kind: str) -> torch.Tensor:
    if kind == "float32":
        return torch.linspace(-1.5, 2.5, 6, device="cuda").reshape(2, 3)
    if kind == "int64":
        return torch.arange(-3, 4, device="cuda")
    if kind == "transposed view":
        return torch.arange(12.0, device="cuda").reshape(3, 4).t()
    leaf = torch.tensor([1.0, -2.0, 3.0], device="cuda", requires_grad=True)
    (leaf**2).sum().backward()
    return leaf if kind == "leaf with grad" else leaf * 3  # "derived": has a grad_fn, is no leaf


@pytest.mark.parametrize("kind", ["float32", "int64", "transposed view", "leaf with grad", "derived"])
def test_a_cuda_result_comes_back_as_a_cpu_tensor_with_its_cuda_facts(kind):
    tensor = _cuda_tensor(kind)
    rebuilt, decoded = roundtrip(tensor)  # the child's encode of a result, the parent's decode
    assert type(rebuilt) is torch.Tensor and rebuilt.device.type == "cpu" and not rebuilt.requires_grad
    assert rebuilt.dtype == tensor.dtype and rebuilt.shape == tensor.shape and rebuilt.stride() == tensor.stride()
    assert torch.equal(rebuilt, tensor.detach().cpu())
    facts = decoded.facts[id(rebuilt)]
    assert facts.device == "cuda"
    assert (facts.requires_grad, facts.is_leaf) == (tensor.requires_grad, tensor.is_leaf)
    assert facts.grad_fn == (type(tensor.grad_fn).__name__ if tensor.grad_fn is not None else None)
    assert (facts.stride, facts.is_contiguous) == (tensor.stride(), tensor.is_contiguous())
    if kind == "leaf with grad":
        assert facts.grad.device.type == "cpu" and torch.equal(facts.grad, tensor.grad.cpu())
        assert decoded.facts[id(facts.grad)].device == "cuda"
    else:
        assert facts.grad is None


def test_cuda_views_share_memory_with_their_base_and_copies_do_not():
    base = torch.arange(10.0, device="cuda")
    (whole, offset, transposed, copy, on_cpu), decoded = roundtrip(
        (base, base[4:], base.view(2, 5).t(), base.clone(), base.cpu())
    )
    memory = decoded.memory
    assert memory[id(whole)] == memory[id(offset)] == memory[id(transposed)]
    assert memory[id(copy)] != memory[id(whole)] and memory[id(on_cpu)] != memory[id(whole)]


def test_a_student_function_moving_to_cuda_is_described_through_the_call_boundary():
    program = Program(
        InProcess(),
        extract.from_source("def f(t):\n    moved = t.to('cuda')\n    return moved, moved[1:], moved.clone()\n").cells,
    )
    try:
        call = program.call("f", (torch.arange(4.0),), {})
    finally:
        program.close()
    moved, view, copy = call.value
    assert [call.facts(t).device for t in (moved, view, copy, call.args[0])] == ["cuda", "cuda", "cuda", "cpu"]
    assert torch.equal(moved, torch.arange(4.0)) and torch.equal(view, torch.arange(1.0, 4.0))
    assert call.shares_memory(moved, view) and not call.shares_memory(moved, copy)
    assert not call.shares_memory(moved, call.args[0])


# --- the graders, in-process --------------------------------------------------------------------------------------


@pytest.mark.parametrize("exercise", CUDA_EXERCISES, ids=CUDA_IDS)
def test_the_student_process_offers_cuda_and_the_solution_scores_full_marks(results, exercise):
    program = Program(InProcess(), variants(exercise.assignment)["solution"].cells)
    try:
        devices = Student(program, exercise.id).devices
        assert "cuda" in devices, devices
    finally:
        program.close()
    every_exercise.test_solution_scores_full_marks(results, exercise)


# The same proofs as tests/authoring/test_exercises.py, here with the graders' cuda branches live.
@pytest.mark.parametrize(("exercise", "mutant"), [p for p in every_exercise.MUTANTS if p.values[0].id in CUDA_IDS])
def test_mutant_loses_only_checks_of_the_promises_it_breaks_with_cuda_graded(results, exercise, mutant):
    every_exercise.test_mutant_loses_only_checks_of_the_promises_it_breaks_and_one_names_it(results, exercise, mutant)


@pytest.mark.parametrize(
    ("exercise", "alternative"), [p for p in every_exercise.ALTERNATIVES if p.values[0].id in CUDA_IDS]
)
def test_alternative_scores_full_marks_with_cuda_graded(results, exercise, alternative):
    every_exercise.test_correct_alternative_scores_full_marks(results, exercise, alternative)


@functools.cache
def _cuda_blind_results() -> dict:
    """Each device exercise's result for its solution notebook with the cuda-blind answer appended, graded at once."""
    submissions = [
        extract.Submission(
            f"{e.id}:cuda_blind",
            e.assignment,
            variants(e.assignment)["solution"].cells + [{"index": 999, "source": CUDA_BLIND[e.id][0]}],
        )
        for e in CUDA_EXERCISES
    ]
    results = grade.grade(submissions)
    return {e.id: result.exercise(e.id) for e, result in zip(CUDA_EXERCISES, results, strict=True)}


@pytest.mark.parametrize("exercise", CUDA_EXERCISES, ids=CUDA_IDS)
def test_an_answer_wrong_only_on_the_gpu_loses_its_cuda_checks(exercise):
    result = _cuda_blind_results()[exercise.id]
    kills = CUDA_BLIND[exercise.id][1]
    failed = {c.name: c for c in result.checks if not c.passed}
    assert set(kills) <= set(failed), f"the cuda branch did not run: {every_exercise.failures(result)}"
    assert all(name in kills or c.detail == grade.NEEDS_CORRECT_RESULT for name, c in failed.items()), (
        every_exercise.failures(result)
    )


# --- the sandbox --------------------------------------------------------------------------------------------------

# The kit's limits, with shorter waits so that a hanging child costs this run little. The second set gives the child
# all the address space it wants: where only the first fails, RLIMIT_AS is below what a CUDA build of torch maps.
_WAITS = {"call_seconds": 5.0, "submission_seconds": 60.0}
SANDBOX_LIMITS = {
    "kit-limits": dataclasses.replace(Limits(), **_WAITS),
    "unlimited-address-space": dataclasses.replace(Limits(), address_space_bytes=1 << 40, **_WAITS),
}
GPU_PROBE = "import torch\ndef on_gpu():\n    return torch.ones(3, device='cuda').sum().item()\n"


@pytest.fixture(scope="module", params=list(SANDBOX_LIMITS))
def sandbox(request):
    with Sandbox(SANDBOX_LIMITS[request.param]) as transport:
        yield transport


def zygote_status(sandbox: Sandbox) -> dict[str, str]:
    process = Path(f"/proc/{sandbox._process.pid}")
    fields = dict(line.split(":", 1) for line in (process / "status").read_text().splitlines())
    threads = sorted((task / "comm").read_text().strip() for task in (process / "task").iterdir())
    return {
        **{key: " ".join(fields[key].split()) for key in ("VmSize", "VmRSS", "Threads")},
        "thread names": ", ".join(threads),
    }


def sandbox_facts(sandbox: Sandbox) -> str:
    """What the log should show about a sandbox on this machine, whatever state it is in."""
    try:
        layers = sandbox.layers()
    except (TransportFailure, TransportUnavailable) as failure:
        layers = f"no child could start ({failure})"
    try:
        zygote = zygote_status(sandbox)
    except OSError as error:
        zygote = f"not running ({error})"
    return (
        f"layers: {layers}; not active: {sandbox.problems}; zygote: {zygote}; "
        f"RLIMIT_AS: {sandbox.limits.address_space_bytes >> 20} MiB"
    )


def test_sandboxed_solutions_of_the_device_assignments_score_full_marks(sandbox):
    solutions = [extract.read_notebook(notebook("solutions", a), "solution", a) for a in CUDA_ASSIGNMENTS]
    results = grade.grade(solutions, transport=sandbox)
    facts = sandbox_facts(sandbox)
    print(facts)
    for result in results:
        lost = "; ".join(f"{e.id}: {every_exercise.failures(e)}" for e in result.exercises if e.score < e.points)
        assert result.score == result.points > 0, (
            f"{result.assignment} lost points ({lost}); flags {result.flags}; cell errors {result.cell_errors}; {facts}"
        )
        assert result.transport == "sandbox" and result.layers == sandbox.layers()


def test_a_sandboxed_child_offers_only_devices_it_can_use(sandbox):
    program = Program(sandbox, extract.from_source(GPU_PROBE).cells)
    try:
        program._session()  # a child that cannot start fails here, with its reason
        devices = program.devices
        print(f"the sandboxed child offers {devices}; {sandbox_facts(sandbox)}")
        assert {"cpu", "meta"} <= set(devices)
        if "cuda" in devices:
            call = program.call("on_gpu", (), {})
            assert call.error is None and call.value == 3.0, f"the child offers cuda but cannot use it: {call.error}"
        else:
            reason = (getattr(program, "withheld", None) or {}).get("cuda")
            assert reason, "the child does not offer cuda on a GPU machine, and says no reason why"
            print(f"cuda withheld: {reason}")
    finally:
        program.close()


# Threads that survive a fork harmlessly: jemalloc (bundled by pyarrow, which pandas loads) takes its own locks
# around fork() in its pthread_atfork handlers, and its background thread is not needed in the child.
FORK_SAFE_THREADS = {"jemalloc_bg_thd"}


def test_the_zygote_has_no_thread_a_fork_could_break(sandbox):
    sandbox.layers()  # the zygote is up and has forked its children
    names = zygote_status(sandbox)["thread names"].split(", ")
    others = [name for name in names if name not in FORK_SAFE_THREADS]
    assert len(others) == 1, sandbox_facts(sandbox)  # the zygote's own thread, and no CUDA or autograd thread
