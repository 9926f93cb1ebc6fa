"""Every report from a student's process is checked in the grader: a malformed one fails that submission
with reason "protocol", and the batch, the gradebook and nbgrader's feedback complete for everyone.

The reports are made malformed in flight, after the child's tag was verified: what a child whose own
side had been subverted would send. The class is graded by the kit's batch (workers, sandbox), recorded
by nbgrader's autograde pipeline, and given feedback by the real `nbgrader generate_feedback`.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
from pathlib import Path

import msgpack
import pytest

from autograder.boundary import protocol
from autograder.boundary.codec import BoundaryError
from autograder.classroom import course, gradebook, sample
from autograder.engine import batch
from autograder.sandbox.session import Limits, Sandbox
from tests import slow

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = "a02_shapes"
LIMITS = Limits(call_seconds=10, cells_seconds=20, submission_seconds=120, uid_base=63100, uid_slots=16)
MARK = "# report: "  # a cell comment naming how this student's child reports are to be garbled

GARBLED = {  # student -> (which report, how)
    "cell_error_types": (
        "ready",
        lambda h: h.update(cell_errors=[{"cell": "3", "type": 7, "message": ["x"], "frames": "line 2"}]),
    ),
    "huge_strings": (
        "result",
        lambda h: h.update(
            error={"type": "E" * 50_000, "message": "m" * 5_000_000, "frames": []}, output="o" * 3_000_000
        ),
    ),
    "wrong_nesting": ("result", lambda h: h.update(error=["not", {"a": "dict"}], refused=[["e", [1], {}]])),
    "half_an_error": ("result", lambda h: h.update(backward_error={"type": "E", "frames": [], "extra": 1})),
    "ready_nesting": (
        "ready",
        lambda h: h.update(devices={"cpu": True}, withheld=[["cuda", 1]], output={"nested": ["text"]}),
    ),
}


def garble(frame, change) -> bytes:
    """The frame with its header changed by `change`, its blobs as they were."""
    data = bytes(frame)
    head_len, count = struct.unpack_from("<II", data)
    start = 8 + 8 * count
    header = msgpack.unpackb(data[start : start + head_len], raw=False)
    change(header)
    head = msgpack.packb(header, use_bin_type=True)
    return struct.pack("<II", len(head), count) + data[8:start] + head + data[start + head_len :]


class Garbling(Sandbox):
    """The sandbox, with the reports of marked submissions garbled after their tag was checked."""

    def __init__(self) -> None:
        super().__init__(LIMITS)

    def open(self, cells):
        session = super().open(cells)
        marked = [c["source"].split(MARK, 1)[1].split()[0] for c in cells if MARK in c["source"]]
        if marked:
            which, change = GARBLED[marked[0]]
            original = getattr(session, which if which == "ready" else "request")
            if which == "ready":
                session.ready = lambda: garble(original(), change)
            else:
                session.request = lambda frame: garble(original(frame), change)
        return session


Garbling.name = "sandbox"


@pytest.mark.parametrize("student", GARBLED)
def test_a_malformed_report_breaks_its_schema(student):
    which, change = GARBLED[student]
    header = (
        {"op": "ready", "cell_errors": [], "output": "", "devices": ["cpu"], "withheld": {}, "refused": []}
        if which == "ready"
        else {"op": "result", "error": None, "backward_error": None, "output": "", "refused": []}
    )
    change(header)
    with pytest.raises(BoundaryError):
        (protocol.ready if which == "ready" else protocol.result)(header)


def nbgrader(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        "HOME": str(root),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "KIT_LANG": "en",
    }
    return subprocess.run(["nbgrader", *args], cwd=root, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
@slow.fixture
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("course") / "pytorch-basic"
    sample.build_course(root, [ASSIGNMENT])
    generated = nbgrader(root, "generate_assignment", ASSIGNMENT)
    assert generated.returncode == 0, generated.stderr[-3000:]
    for student in ["honest", *GARBLED]:
        notebook = sample.solved(ASSIGNMENT)
        if student != "honest":
            answer = next(
                c
                for c in notebook["cells"]
                if c["cell_type"] == "code" and c["metadata"].get("nbgrader", {}).get("solution")
            )
            answer["source"] = f"{MARK}{student}\n" + "".join(answer["source"])
        folder = root / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        (folder / f"{ASSIGNMENT}.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
        (folder / "timestamp.txt").write_text("2026-03-10 09:00:00.000000 UTC\n", encoding="utf-8")
    run = batch.run(root, ASSIGNMENT, workers=2, transport_factory=Garbling)
    results = {r.student: r for r in run.results}
    gradebook.record(root, ASSIGNMENT, run.results, lang="en")
    course.after_grading(root, ASSIGNMENT, run.results, "en")
    feedback = nbgrader(root, "generate_feedback", ASSIGNMENT)
    return root, results, run, feedback


@pytest.mark.slow
def test_a_malformed_report_fails_that_submission_as_protocol_and_the_rest_grade(graded):
    _, results, run, _ = graded
    assert results["honest"].score == results["honest"].points > 0 and not results["honest"].flags
    for student in GARBLED:
        result = results[student]
        assert "protocol" in result.flags and result.score < results["honest"].score, (student, result.flags)
        reasons = " ".join(c.detail.en for e in result.exercises for c in e.checks if c.detail)
        assert "breaks its schema" in reasons or "too large a header" in reasons, reasons[:300]
    assert "protocol" in run.summary("en")


@pytest.mark.slow
def test_the_gradebook_holds_every_student_and_feedback_is_written_for_each(graded):
    root, results, _, feedback = graded
    recorded = gradebook.read(root, ASSIGNMENT)
    assert set(recorded) == set(results)
    assert recorded["honest"].score == results["honest"].points
    assert feedback.returncode == 0, feedback.stderr[-3000:]
    for student in results:
        pages = list((root / "feedback" / student / ASSIGNMENT).glob("*.html"))
        assert pages and all(page.stat().st_size > 0 for page in pages), student
    assert (root / "reports" / ASSIGNMENT / "report.html").is_file()
