"""A class whose `submitted/` folder is hostile: files that are not notebooks, and ids that are not names.

Files: a FIFO in place of a notebook, a 2 GiB sparse file, links to a classmate's notebook and to a
secret outside the course (standing in for `/etc/shadow`), a linked student folder, and `timestamp.txt`
as a link or a FIFO. Ids: glob characters (`ali[c]e` beside `alice`, `*`), 250 bytes, spaces around,
a comma, a line break. The class is graded by the real command line, recorded with `python -m autograder
gradebook` (nbgrader's own autograde pipeline), given feedback with `nbgrader generate_feedback`,
released through nbgrader's exchange and exported with `nbgrader export`: every honest student is
stored, recorded and given feedback under their own id, every refused file has its own row with its
reason, and nothing a link points to is read.
"""

from __future__ import annotations

import csv
import html
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from autograder.classroom import course, gradebook, sample
from autograder.engine import catalog, extract, store
from autograder.engine.results import SubmissionResult
from tests import slow

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = "a02_shapes"
SOLVED = json.dumps(sample.solved(ASSIGNMENT)).encode()  # what a student who solved everything hands in
RELEASE = (ROOT / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_bytes()
EXERCISE = catalog.for_assignment(ASSIGNMENT)[0]
MUTANT = EXERCISE.mutants[0]
SECRET = "SHADOW-b7e1c2-root:$6$not-for-students"  # what a link must never carry out of its target
WHEN = "2026-03-10 09:00:00.000000 UTC"
LONG = "x" * 250  # 242 bytes and more broke the store's temporary file names

# Students whose notebooks are read and graded: id -> what they hand in.
HONEST = {
    "alice": "solution",
    LONG: "mutant",
    " spaced ": "solution",
    "김민준": "mutant",
    "comma": "solution",
    "comma,id": "stub",
}
EXCHANGE = ("alice", " spaced ", "김민준", "comma")  # came through nbgrader's exchange (they hold its secret)
# Students whose submission is refused: id -> what the reason says.
REFUSED = {
    "copycat": "is a symbolic link",  # notebook -> alice's notebook
    "shadow": "is a symbolic link",  # notebook -> a secret outside the course
    "piper": "FIFO",
    "sparse": "larger than 20 MiB",
    "linkdir": "submission folder is a symbolic link",  # submitted/linkdir -> submitted/alice
    "stamp": "timestamp.txt is a symbolic link",  # timestamp.txt -> the secret
    "fifostamp": "timestamp.txt is a FIFO",
    "line\nbreak": "holds a line break",
    # nbgrader globs the notebooks of a folder it found by the folder's path: `ali[c]e` finds alice's, and a
    # `*` folder's feedback step writes every classmate's feedback folder without what release_feedback needs.
    "ali[c]e": "holds *, ? or [",
    "*": "holds *, ? or [",
    "al?ce": "holds *, ? or [",
    ".hidden": "starts with a dot",  # nbgrader's `*` skips it
}
UNRECORDABLE = ("line\nbreak", "ali[c]e", "*", "al?ce", ".hidden")


def notebook_bytes(kind: str) -> bytes:
    if kind == "solution":
        return SOLVED
    if kind == "stub":
        return RELEASE
    nb = json.loads(SOLVED)
    cell = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == f"{EXERCISE.id}_answer")
    cell["source"] = MUTANT.source
    return json.dumps(nb).encode()


def folder(root: Path, student: str) -> Path:
    path = root / "submitted" / student / ASSIGNMENT
    path.mkdir(parents=True, exist_ok=True)
    return path


def hand_in(root: Path, student: str, kind: str) -> None:
    where = folder(root, student)
    (where / "timestamp.txt").write_text(WHEN + "\n", encoding="utf-8")
    (where / f"{ASSIGNMENT}.ipynb").write_bytes(notebook_bytes(kind))
    if student in EXCHANGE:
        (where / "submission_secret.txt").write_text(f"secret of {student}", encoding="utf-8")


def build(root: Path, outside: Path) -> None:
    sample.build_course(root, [ASSIGNMENT])
    for student, kind in HONEST.items():
        hand_in(root, student, kind)
    secret = outside / "shadow"
    secret.write_text(SECRET + "\n", encoding="utf-8")
    notebook = f"{ASSIGNMENT}.ipynb"
    for student in ("copycat", "shadow", "piper", "sparse", "stamp", "fifostamp", *UNRECORDABLE):
        (folder(root, student) / "timestamp.txt").write_text(WHEN + "\n", encoding="utf-8")
    (folder(root, "copycat") / notebook).symlink_to(folder(root, "alice") / notebook)
    (folder(root, "shadow") / notebook).symlink_to(secret)
    os.mkfifo(folder(root, "piper") / notebook)
    with open(folder(root, "sparse") / notebook, "wb") as sparse:
        sparse.truncate(2 << 30)
    (root / "submitted" / "linkdir").symlink_to(root / "submitted" / "alice")
    for student in ("stamp", "fifostamp", *UNRECORDABLE):
        (folder(root, student) / notebook).write_bytes(SOLVED)
    (folder(root, "stamp") / "timestamp.txt").unlink()
    (folder(root, "stamp") / "timestamp.txt").symlink_to(secret)
    (folder(root, "fifostamp") / "timestamp.txt").unlink()
    os.mkfifo(folder(root, "fifostamp") / "timestamp.txt")


def env(root: Path) -> dict[str, str]:
    return {
        "HOME": str(root.parent / "home"),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "KIT_LANG": "en",
    }


def run(root: Path, *command: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """A command as a TA runs it; a hang (a FIFO opened for reading) fails it instead of the session."""
    done = subprocess.run(command, cwd=cwd or root, env=env(root), capture_output=True, text=True, timeout=420)
    assert done.returncode == 0, f"{' '.join(command)}:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    return done


@pytest.fixture(scope="module")
@slow.fixture
def hostile(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile-folder") / "course"
    outside = tmp_path_factory.mktemp("outside")
    build(root, outside)
    kit = [sys.executable, "-m", "autograder"]
    run(root, "nbgrader", "generate_assignment", ASSIGNMENT)
    run(root, "nbgrader", "release_assignment", ASSIGNMENT)
    batch = run(root, *kit, "grade", "--assignment", ASSIGNMENT, "--course", str(root), "--workers", "2", cwd=ROOT)
    again = run(root, *kit, "grade", "--assignment", ASSIGNMENT, "--course", str(root), cwd=ROOT)
    recorded = run(root, *kit, "gradebook", ASSIGNMENT, "--course", str(root), cwd=ROOT)
    run(root, "nbgrader", "generate_feedback", ASSIGNMENT)
    others = course.release_feedback(root, ASSIGNMENT)
    run(root, "nbgrader", "export", "--to=grades.csv")
    stored = {}
    for path in (root / "graded" / ASSIGNMENT).glob("*.json"):
        result = SubmissionResult.from_dict(json.loads(path.read_text(encoding="utf-8")))
        stored[result.student] = (path, result)
    with open(root / "grades.csv", newline="", encoding="utf-8") as exported:
        header, *rows = csv.reader(exported)
        # nbgrader's own CSV export quotes no field: a comma in an id shifts that row's columns
        grades = {
            row[header.index("student_id")]: dict(zip(header, row, strict=True))
            for row in rows
            if len(row) == len(header)
        }
    return SimpleNamespace(
        root=root,
        batch=batch,
        again=again,
        recorded=recorded,
        stored=stored,
        others=others,
        gradebook=gradebook.read(root, ASSIGNMENT),
        csv=grades,
    )


def test_every_submission_has_one_stored_result_under_its_own_id(hostile):
    assert sorted(hostile.stored) == sorted([*HONEST, *REFUSED])
    assert f"{ASSIGNMENT}: {len(HONEST) + len(REFUSED)} submissions" in hostile.batch.stdout
    assert f"0 graded and {len(HONEST) + len(REFUSED)} unchanged" in hostile.again.stdout  # a re-run reuses all


@pytest.mark.parametrize("student", list(REFUSED))
def test_a_refused_submission_has_its_own_row_with_the_reason_and_scores_nothing(hostile, student):
    _, result = hostile.stored[student]
    assert result.problem is not None and REFUSED[student] in result.problem.en, result.problem
    assert result.score == 0
    assert f"problem  {student}:" in hostile.batch.stdout or "\n" in student


def test_a_link_to_a_classmates_notebook_scores_nothing(hostile):
    _, alice = hostile.stored["alice"]
    assert alice.score == alice.points > 0
    assert hostile.stored["copycat"][1].score == hostile.stored["linkdir"][1].score == 0
    assert hostile.gradebook["copycat"].score == hostile.gradebook["linkdir"].score == 0


def test_nothing_a_link_points_to_is_read_stored_or_shown(hostile):
    leaked = []
    for path in hostile.root.rglob("*"):
        if path.is_file() and not path.is_symlink() and path.stat().st_size < 50 << 20:
            if SECRET.encode() in path.read_bytes():
                leaked.append(str(path))
    assert not leaked
    assert hostile.stored["stamp"][1].timestamp is None


@pytest.mark.parametrize("student", list(HONEST))
def test_every_id_is_recorded_under_its_own_name_with_its_own_score(hostile, student):
    _, result = hostile.stored[student]
    entry = hostile.gradebook[student]
    assert entry.raw_score == pytest.approx(result.score)
    if "," not in student:  # nbgrader's own CSV export quotes no field: a comma in an id shifts its columns
        assert float(hostile.csv[student]["raw_score"]) == pytest.approx(result.score)
    assert (hostile.root / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()


def test_an_id_with_glob_characters_takes_no_classmates_record(hostile):
    _, alice = hostile.stored["alice"]
    assert hostile.gradebook["alice"].raw_score == alice.score == alice.points
    assert not {"ali[c]e", "*", "al?ce"} & set(hostile.gradebook)
    assert not (hostile.root / "autograded" / "*").exists()


@pytest.mark.parametrize("student", list(HONEST))
def test_every_recorded_id_gets_its_own_feedback_page(hostile, student):
    page = hostile.root / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html"
    text = page.read_text(encoding="utf-8")
    _, result = hostile.stored[student]
    assert f"<b>{html.escape(student)}</b>" in text and f"Score: {result.score:g} / {result.points:g}" in text


def test_feedback_is_released_to_each_exchange_student_and_no_one_else(hostile):
    outbound = sorted((hostile.root / "exchange" / "pytorch-basic" / "feedback").glob("*.html"))
    assert len(outbound) == len(EXCHANGE)
    assert sorted(hostile.others) == sorted(s for s in [*HONEST, *REFUSED] if s not in EXCHANGE)


@pytest.mark.parametrize("student", UNRECORDABLE)
def test_an_id_nbgrader_cannot_take_is_refused_alone_with_a_clear_message(hostile, student):
    assert student not in hostile.gradebook
    recorded = hostile.recorded.stdout
    assert f"not recorded: {student!r}: The student id (the folder's name) {REFUSED[student]}" in recorded
    assert f"{len(HONEST) + len(REFUSED) - len(UNRECORDABLE)} submissions of {ASSIGNMENT} recorded" in recorded


def test_refused_files_are_recorded_as_zero_with_the_released_notebook_and_the_reason(hostile):
    autograded = json.loads((hostile.root / "autograded" / "piper" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_bytes())
    first = "".join(autograded["cells"][0]["source"])
    assert "was not read" in first and "FIFO" in first
    assert hostile.gradebook["piper"].raw_score == 0


IDS = [*HONEST, *REFUSED, "ali_c_e", "x" * 128, "x" * 129, "x" * 255, "김철수", ".hidden", ".lock", "a\\b"]


@pytest.mark.parametrize("student", IDS)
def test_file_names_made_from_ids_are_bounded_and_distinct(student):
    stem = store.file_stem(student)
    assert len(f"{stem}.json".encode()) <= 200 and "/" not in stem and not stem.startswith(".")
    assert [store.file_stem(other) for other in IDS if other != student].count(stem) == 0


# -- the reading itself, without a batch ----------------------------------------------------------------


def _rchar() -> int:
    """Bytes this process has read through read(2) and friends, from /proc/self/io."""
    with open("/proc/self/io") as io:
        return next(int(line.split()[1]) for line in io if line.startswith("rchar:"))


def test_a_sparse_file_is_refused_before_a_byte_of_it_is_read(tmp_path):
    huge = tmp_path / "huge.ipynb"
    with open(huge, "wb") as sparse:
        sparse.truncate(2 << 30)
    before = _rchar()
    submission = extract.read_notebook(huge, "sparse", ASSIGNMENT)
    assert _rchar() - before < 1 << 20
    assert "larger than 20 MiB" in submission.problem.en


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "fifo.ipynb"
    os.mkfifo(fifo)

    def waited(signum, frame):
        raise TimeoutError("opening the FIFO waited for a writer")

    previous = signal.signal(signal.SIGALRM, waited)
    signal.alarm(20)  # a blocking open would wait forever: the alarm turns that into a failure
    try:
        submission = extract.read_notebook(fifo, "piper", ASSIGNMENT)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert "FIFO" in submission.problem.en


def test_a_link_is_refused_and_its_target_never_opened(tmp_path):
    target = tmp_path / "target.ipynb"
    target.write_bytes(SOLVED)
    link = tmp_path / "link.ipynb"
    link.symlink_to(target)
    submission = extract.read_notebook(link, "copycat", ASSIGNMENT)
    assert "symbolic link" in submission.problem.en and not submission.cells  # read through, it would have cells
