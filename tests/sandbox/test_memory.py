"""The grader's memory stays bounded whatever a submission's answers are: large, many, or kept alive.

The bound is the README's (section "Why the grades cannot be gamed"): grading submissions whose every
call answers with the most an answer may carry keeps the grading process's peak resident memory
under PEAK_BOUND, and its growth over what the process holds once the kit is imported and its sandbox
started (about 280 MiB, torch, numpy, pandas and pytest mostly) under GROWTH_BOUND. Answers are released
when the check that read them ends, without waiting for a garbage collection, and each answer and each
submission has a byte cap.

The peak is the kernel's high-water mark of the grading process's own memory (VmHWM), not
`getrusage`'s ru_maxrss: Linux carries ru_maxrss across execve, so a process started by a large one
(this test's pytest, 800 MiB and more in a whole run) reports its parent's size as its own peak.
"""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap
import tracemalloc
import weakref
from pathlib import Path

import torch

from autograder.boundary import codec
from autograder.boundary import parent as boundary
from autograder.boundary.parent import Program
from autograder.boundary.transport import InProcess
from autograder.engine.extract import from_source

ROOT = Path(__file__).resolve().parents[2]
PEAK_BOUND = 512 << 20  # bytes of resident memory, the grading process alone (its sandbox's processes apart)
# What grading may add to it: a check holds its calls' answers (each at most codec.MAX_ANSWER, 16 MiB, once
# rebuilt), and the answer being read is also there as received and as decoded. Ten answers at the cap;
# measured: about 80 MiB. Answers kept alive in cycles until a full collection take it past 450 MiB.
GROWTH_BOUND = 10 * (16 << 20)

GRADE_HOARDERS = textwrap.dedent("""
    import sys
    from autograder.engine import catalog, extract, grade
    from autograder.boundary import codec
    from autograder.sandbox.session import Limits, Sandbox
    solution = extract.read_notebook(sys.argv[1], "s", "a02_shapes")
    ids = [e.id for e in catalog.for_assignment("a02_shapes")]
    largest = codec.MAX_ANSWER - (64 << 10)  # just under the cap: every answer is read
    hoarders = {
        "large": f"import torch\\n_big = torch.ones({largest}, dtype=torch.uint8)\\n",
        "many": f"import torch\\n_many = [torch.ones({largest // 2500}, dtype=torch.uint8) for _ in range(2000)]\\n",
    }
    submissions = []
    for name, source in hoarders.items():
        answer = "_big" if name == "large" else "_many"
        source += "".join(f"def {i}(*args, **kwargs):\\n    return {answer}\\n" for i in ids)
        submissions.append(extract.Submission(name, "a02_shapes", solution.cells + [{"index": 999, "source": source}]))
    def own(field):  # this process's own memory, in bytes (see the module's docstring)
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) << 10 for line in status if line.startswith(field + ":"))
    with Sandbox(Limits(call_seconds=30, cells_seconds=60, submission_seconds=600, memory_bytes=3 << 30)) as sandbox:
        baseline = own("VmRSS")
        results = grade.grade(submissions, transport=sandbox)
    print(own("VmHWM"), baseline, *(r.score for r in results), *(r.flags for r in results))
""")


def test_grading_answers_at_the_byte_caps_keeps_the_graders_peak_memory_under_the_bound():
    done = subprocess.run(
        [sys.executable, "-c", GRADE_HOARDERS, str(ROOT / "source/a02_shapes/a02_shapes.ipynb")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    peak, baseline, large, many, flags = done.stdout.split(maxsplit=4)
    peak, baseline = int(peak), int(baseline)
    assert peak < PEAK_BOUND and peak - baseline < GROWTH_BOUND, (
        f"peak {peak >> 20} MiB, {(peak - baseline) >> 20} MiB over the {baseline >> 20} MiB before grading"
    )
    assert float(large) == float(many) == 0 and flags.count("protocol") == 2  # both reached the total cap


def test_an_answer_is_released_with_its_call_without_a_garbage_collection():
    program = Program(InProcess(), from_source("import torch\ndef f(x):\n    return torch.ones(1000), x\n").cells)
    gc.disable()
    try:
        call = program.call("f", (torch.ones(2),), {})
        value, decoded = weakref.ref(call.value[0]), weakref.ref(call.decoded)
        assert call.args  # the echoed arguments, rebuilt on first read
        del call
        assert value() is None and decoded() is None
    finally:
        gc.enable()


def test_a_call_holds_its_answer_once_not_the_frame_it_came_in():
    """The arguments a call echoes are rebuilt when first read, from copies of their own bytes: keeping views
    of the frame instead kept the whole frame, the answer's bytes a second time, for as long as the call."""
    size = 8 << 20
    program = Program(
        InProcess(),
        from_source(f"import torch\ndef f(x):\n    return torch.ones({size}, dtype=torch.uint8), x\n").cells,
    )
    program.call("f", (torch.ones(2),), {})  # the program started: only the call below is measured
    tracemalloc.start()  # the rebuilt answer's memory is a bytearray of Python's: traced; torch's own is not
    try:
        before = tracemalloc.get_traced_memory()[0]
        call = program.call("f", (torch.ones(2),), {})
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert call.value[0].numel() == size and call.args[0].tolist() == [1.0, 1.0]
    assert size <= held < 1.5 * size, f"{held / size:.2f} times the answer held"


def test_an_answer_over_the_cap_is_refused_and_the_submission_has_a_total_cap(monkeypatch):
    source = (
        f"import torch\ndef big():\n    return torch.ones({codec.MAX_ANSWER + 1}, dtype=torch.uint8)\n"
        "def small():\n    return torch.ones(1000, dtype=torch.uint8)\n"
    )
    program = Program(InProcess(), from_source(source).cells)
    refused = program.call("big", (), {})
    assert refused.error.type == "UndescribableResult" and "too large" in refused.error.message
    monkeypatch.setattr(boundary, "MAX_SUBMISSION_BYTES", program.received + 1)  # room for one more answer
    first, second = program.call("small", (), {}), program.call("small", (), {})
    assert first.error is None and second.error.type == "protocol" and "in all" in second.error.message


def test_a_frame_with_a_header_over_its_cap_is_refused_before_it_is_unpacked():
    head = b"\x91" * (codec.MAX_HEADER + 1)
    frame = len(head).to_bytes(4, "little") + bytes(4) + head
    try:
        codec.decode(frame)
    except codec.BoundaryError as refused:
        assert "header" in str(refused)
    else:
        raise AssertionError("accepted")
