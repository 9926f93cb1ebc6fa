"""The red-team corpus, graded in one sandboxed batch beside honest submissions.

No attack scores more, on any exercise, than the honest content of its notebook; every lost point
carries a reason a TA can read; the honest submissions of the batch keep their scores; nothing outside
the sandbox's scratch changes; no sandboxed process outlives the batch.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import time
from pathlib import Path

import corpus
import markupsafe
import pytest

from autograder.engine import extract, grade
from autograder.engine.store import ResultStore
from autograder.reports import report, terminal
from autograder.sandbox.session import Limits, Sandbox
from tests import slow

ROOT = corpus.ROOT
STUDENT = "redteam"  # one name for every notebook: attacks and honest contents draw the same inputs
LIMITS = Limits(
    call_seconds=1.5,
    cells_seconds=5,
    submission_seconds=8,
    cpu_seconds=5,
    memory_bytes=512 << 20,
    address_space_bytes=3 << 30,
    processes=32,
    file_bytes=2 << 20,
    scratch_bytes=16 << 20,
    output_bytes=4096,
    uid_base=62000,
    uid_slots=16,
)
NAMES = [attack.name for attack in corpus.ATTACKS]
WRITTEN_NAMES = (
    "results.json",
    "gradebook.db",
    "conftest.py",
    "pytest.ini",
    "torch.py",
    "numpy.py",
    "sitecustomize.py",
    "usercustomize.py",
    corpus.MARKER,
)  # what attacks try to leave behind
WATCHED = ["autograder", "source", "release", "solutions"]


def _tampered() -> list[str]:
    """Kit, course and solution files that carry an attack's marker."""
    return [
        str(path)
        for folder in WATCHED
        for path in (ROOT / folder).rglob("*")
        if path.is_file() and corpus.MARKER.encode() in path.read_bytes()
    ]


def _left_behind() -> list[str]:
    """Files named like an attack's writes, outside any sandbox: in the repository and in /tmp."""
    found = [str(p) for p in Path("/tmp").glob(f"{corpus.MARKER}*")]
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    found += [line for line in status.splitlines() if any(name in line for name in WRITTEN_NAMES)]
    return found


def _slot_processes() -> list[str]:
    found = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/status") as status:
                uid = next(int(line.split()[1]) for line in status if line.startswith("Uid:"))
        except (OSError, StopIteration, ValueError):
            continue
        if LIMITS.uid_base <= uid < LIMITS.uid_base + LIMITS.uid_slots:
            found.append(entry)
    return found


class Batch:
    """Every attack, the honest content of each, and an honest solution, graded together once."""

    def __init__(self, tmp: Path) -> None:
        self.tampered_before = _tampered()
        self.left_before = _left_behind()
        self.attacks = {
            a.name: extract.read_notebook(corpus.path(a), STUDENT, corpus.ASSIGNMENT) for a in corpus.ATTACKS
        }
        honest_files: dict[str, Path] = {}  # one notebook per distinct honest content
        self.honest_of: dict[str, str | None] = {}
        for item in corpus.ATTACKS:
            content = corpus.honest_content(corpus.path(item).read_bytes())
            if content is None:
                self.honest_of[item.name] = None
                continue
            key = hashlib.sha256(repr(extract.read_notebook(_write(tmp, item.name, content)).cells).encode())
            honest_files.setdefault(key.hexdigest(), tmp / f"{item.name}.ipynb")
            self.honest_of[item.name] = key.hexdigest()
        honest = {key: extract.read_notebook(path, STUDENT, corpus.ASSIGNMENT) for key, path in honest_files.items()}
        solution = extract.read_notebook(
            ROOT / "source" / corpus.ASSIGNMENT / f"{corpus.ASSIGNMENT}.ipynb", "honest-student", corpus.ASSIGNMENT
        )
        submissions = [*self.attacks.values(), *honest.values(), solution]
        started = time.monotonic()
        with Sandbox(LIMITS) as transport:
            results = grade.grade(submissions, transport=transport)
            self.layers = transport.layers()
        self.seconds = time.monotonic() - started
        self.results = dict(zip(self.attacks, results, strict=False))
        self.honest = dict(zip(honest, results[len(self.attacks) :], strict=False))
        self.solution_result = results[-1]
        self.solution = solution
        self.count = len(submissions)


def _write(tmp: Path, name: str, content: bytes) -> Path:
    path = tmp / f"{name}.ipynb"
    path.write_bytes(content)
    return path


@pytest.fixture(scope="module")
@slow.fixture
def batch(tmp_path_factory):
    return Batch(tmp_path_factory.mktemp("honest"))


def test_the_corpus_has_a_notebook_for_every_attack_and_no_other():
    assert len(corpus.ATTACKS) >= 30 and len(set(NAMES)) == len(NAMES)
    assert sorted(p.stem for p in corpus.NOTEBOOKS.glob("*.ipynb")) == sorted(NAMES)


@pytest.mark.parametrize("attack", corpus.ATTACKS, ids=NAMES)
def test_a_notebook_holds_what_the_generator_says(attack):
    """The committed notebook carries corpus.py's attack (rerun corpus.py after a change); the honest
    answers around it may be older than today's assignment, which only lowers both scores alike."""
    written = corpus.path(attack).read_bytes()
    if attack.raw is not None:
        assert written == attack.raw
        return
    notebook = json.loads(written)
    marked = [
        (c["metadata"]["redteam"], "".join(c["source"]))
        for c in notebook["cells"]
        if "redteam" in c.get("metadata", {})
    ]
    assert marked == list(attack.cells) and notebook["metadata"]["redteam"]["attack"] == attack.name
    if attack.target:  # the attack took the answer cell's place
        assert not [c for c in notebook["cells"] if corpus.grade_id(c) == f"{attack.target}_answer"]


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_no_attack_outscores_its_honest_content(batch, name):
    attack = batch.results[name]
    honest_key = batch.honest_of[name]
    if honest_key is None:  # not a notebook at all: nothing in it can earn a point
        assert attack.score == 0 and attack.problem is not None
        return
    honest = batch.honest[honest_key]
    gained = {
        e.id: (e.score, honest.exercise(e.id).score) for e in attack.exercises if e.score > honest.exercise(e.id).score
    }
    assert not gained, f"{name} out-scored its honest content (attack, honest): {gained}"


@pytest.mark.slow
@pytest.mark.parametrize("attack", corpus.ATTACKS, ids=NAMES)
def test_every_lost_point_has_a_reason_a_ta_can_read(batch, attack):
    result = batch.results[attack.name]
    exercises = [result.exercise(attack.target)] if attack.target else result.exercises
    lost = [c for e in exercises for c in e.checks if not c.passed]
    assert lost, f"{attack.name} lost no points"
    assert all(c.detail is not None and c.detail.en.strip() and c.detail.ko.strip() for c in lost)
    reasons = " ".join(c.detail.en for c in lost).lower()
    assert any(phrase.lower() in reasons for phrase in attack.phrases), reasons[:600]


FORGERIES = [attack for attack in corpus.ATTACKS if attack.forges]


def test_the_readme_counts_the_corpus_as_it_is():
    text = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    match = re.search(r"`tests/redteam/` holds (\d+) hostile or broken notebooks .*?\), (\d+) of them forging", text)
    assert match and (int(match[1]), int(match[2])) == (len(corpus.ATTACKS), len(FORGERIES))


def test_the_corpus_forges_by_a_dozen_routes_or_more():
    assert len(FORGERIES) >= 12 and len({a.vector for a in FORGERIES}) == len(FORGERIES)


@pytest.mark.slow
@pytest.mark.parametrize("attack", FORGERIES, ids=[a.name for a in FORGERIES])
def test_every_forgery_is_flagged_for_a_human_with_what_it_did_and_where(batch, attack, tmp_path):
    """Scored no more than its honest mistake (above), and flagged: each finding says the construct, and those
    found in the code say the cell and line; so does the stored result, and the class report shows them."""
    result = batch.results[attack.name]
    assert "introspection" in result.flags, result.flags
    findings = [f for f in result.findings if f["flag"] == "introspection"]
    assert findings, result.flags
    cells = {c["index"] for c in batch.attacks[attack.name].cells}
    for finding in findings:
        assert finding["what"] and finding["seen"] in ("code", "runtime", "channel") and finding["detail"]
        if finding["seen"] == "code":
            assert finding["cell"] in cells and finding["line"] > 0, finding
            assert finding["detail"].startswith(f"line {finding['line']}: "), finding
    store = ResultStore(tmp_path, corpus.ASSIGNMENT)
    store.save(result, None)
    _, stored = store.load(result.student)
    assert stored.flags == result.flags and stored.findings == result.findings
    page = report.class_report([stored], corpus.ASSIGNMENT, lang="en")
    for finding in findings:
        head, *detail = terminal.finding_lines(finding, "en")
        assert str(markupsafe.escape(head)) in page and str(markupsafe.escape(finding["detail"])) in page


@pytest.mark.slow
def test_the_honest_submission_in_the_same_batch_keeps_full_marks(batch):
    result = batch.solution_result
    assert result.score == result.points > 0, [
        (c.name, c.detail) for e in result.exercises for c in e.checks if not c.passed
    ]
    in_process = grade.grade([batch.solution])[0]
    assert [(e.id, e.score) for e in result.exercises] == [(e.id, e.score) for e in in_process.exercises]
    assert not result.flags and not result.findings
    assert result.transport == "sandbox" and result.layers == batch.layers


@pytest.mark.slow
def test_nothing_outside_the_scratch_changed(batch):
    assert _tampered() == batch.tampered_before == []
    assert _left_behind() == batch.left_before == []


@pytest.mark.slow
def test_no_sandboxed_process_outlives_the_batch(batch):
    deadline = time.monotonic() + 5
    while (left := _slot_processes()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not left
