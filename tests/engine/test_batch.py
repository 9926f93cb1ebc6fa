"""Grading a whole assignment: `grade --assignment` over an nbgrader course, run as a TA runs it.

A small class of a02_shapes submissions (the solution, the released stub, a known mistake, a damaged
file) is graded by the real command line in a subprocess, on a copy of the kit so that a grader can be
changed without touching the repository.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from autograder.classroom import sample
from autograder.engine import batch, catalog, secret
from autograder.engine.results import SubmissionResult
from autograder.engine.store import ResultStore
from tests import slow

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = "a02_shapes"
SOLVED = sample.solved(ASSIGNMENT)  # what a student who solved everything hands in
RELEASE = json.loads((ROOT / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text(encoding="utf-8"))
EXERCISE = catalog.for_assignment(ASSIGNMENT)[0]
MUTANT = EXERCISE.mutants[0]
CLASS = ("alice", "bob", "carol", "dave")  # solution, stub, one mistake, damaged file


def with_answer(notebook: dict, exercise: str, source: str) -> dict:
    """A copy of a notebook whose answer cell for `exercise` holds `source`."""
    notebook = json.loads(json.dumps(notebook))
    cells = [c for c in notebook["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == f"{exercise}_answer"]
    assert cells, exercise
    cells[0]["source"] = source
    return notebook


def submit(course: Path, student: str, notebook: dict | str, when: str = "2026-03-10 09:00:00.000000 UTC") -> Path:
    """Put a notebook where `nbgrader collect` leaves it, with its timestamp.txt."""
    folder = course / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "timestamp.txt").write_text(when + "\n", encoding="utf-8")
    path = folder / f"{ASSIGNMENT}.ipynb"
    path.write_text(notebook if isinstance(notebook, str) else json.dumps(notebook), encoding="utf-8")
    return path


def build_class(course: Path) -> None:
    submit(course, "alice", SOLVED)
    submit(course, "bob", RELEASE)
    submit(course, "carol", with_answer(SOLVED, EXERCISE.id, MUTANT.source))
    submit(course, "dave", '{"cells": [{"cell_type": "code", "source": "def')


def copy_kit(destination: Path) -> Path:
    shutil.copytree(ROOT / "autograder", destination / "autograder", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "release", destination / "release")  # what submissions are read against
    return destination


def grade_course(
    kit: Path, course: Path, *extra: str, wait: bool = True, expect: int = 0, env: dict[str, str] | None = None
):
    """`python -m autograder grade --assignment A --course COURSE EXTRA...` run from the kit at `kit`, as a TA
    runs it; it must exit with `expect` (or, with wait=False, the running process)."""
    command = [sys.executable, "-m", "autograder", "grade", "--assignment", ASSIGNMENT, "--course", str(course), *extra]
    options = dict(
        cwd=kit,
        env={"KIT_LANG": "en", "PATH": "/usr/bin:/bin", **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    if not wait:
        return subprocess.Popen(command, **options)
    done = subprocess.run(command, timeout=600, **options)
    assert done.returncode == expect, done.stdout + done.stderr[-3000:]
    return done


def stored(course: Path) -> dict[str, Path]:
    return {p.stem: p for p in sorted((course / "graded" / ASSIGNMENT).glob("*.json"))}


def snapshot(course: Path) -> dict[str, tuple[bytes, int]]:
    """Each stored result's bytes and modification time: a rewrite shows even when the bytes agree."""
    return {student: (path.read_bytes(), path.stat().st_mtime_ns) for student, path in stored(course).items()}


def without_path(stored_bytes: bytes) -> dict:
    data = json.loads(stored_bytes)
    del data["path"]
    return data


def result(course: Path, student: str) -> SubmissionResult:
    return SubmissionResult.from_dict(json.loads(stored(course)[student].read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
@slow.fixture
def graded_class(tmp_path_factory):
    """A copy of the kit and a class graded once by `grade --assignment`: (kit, course, output)."""
    kit = copy_kit(tmp_path_factory.mktemp("kit"))
    course = tmp_path_factory.mktemp("course")
    build_class(course)
    return kit, course, grade_course(kit, course, "--workers", "2")


@pytest.fixture
def class_copy(graded_class, tmp_path):
    """The graded class and kit copied, for a test that changes them."""
    kit, course, _ = graded_class
    return shutil.copytree(kit, tmp_path / "kit"), shutil.copytree(course, tmp_path / "course")


@pytest.mark.slow
def test_every_submission_gets_one_stored_result(graded_class):
    _, course, done = graded_class
    assert sorted(stored(course)) == sorted(CLASS)
    alice, bob, carol = (result(course, s) for s in ("alice", "bob", "carol"))
    assert alice.score == alice.points > 0
    assert bob.score == 0
    carol_exercise = carol.exercise(EXERCISE.id)
    assert carol_exercise.score < carol_exercise.points
    assert not any(c.passed for c in carol_exercise.checks if c.name in MUTANT.kills)
    assert alice.timestamp == "2026-03-10 09:00:00.000000 UTC"
    assert f"{ASSIGNMENT}: 4 submissions, 4 graded and 0 unchanged" in done.stdout


@pytest.mark.slow
def test_a_damaged_notebook_scores_zero_and_does_not_stop_the_batch(graded_class):
    _, course, done = graded_class
    dave = result(course, "dave")
    assert dave.score == 0 and "not valid JSON" in dave.problem.en
    assert "problem  dave" in done.stdout
    assert result(course, "alice").score > 0  # graded in the same run, after or beside dave


@pytest.mark.slow
def test_summary_reports_scores_and_the_isolation_layers_that_were_active(graded_class):
    _, course, done = graded_class
    scores = sorted(result(course, s).score for s in CLASS)
    assert f"median {(scores[1] + scores[2]) / 2:g} of" in done.stdout
    layers = result(course, "alice").layers
    assert layers and result(course, "alice").transport == "sandbox"
    assert f"isolation (sandbox): {', '.join(layers)}" in done.stdout


@pytest.mark.slow
def test_results_are_written_atomically_and_leave_no_temporary_files(graded_class):
    _, course, _ = graded_class
    folder = course / "graded" / ASSIGNMENT
    assert sorted(p.name for p in folder.iterdir() if p.name != ".lock") == sorted(f"{s}.json" for s in CLASS)


@pytest.mark.slow
def test_a_second_run_grades_nothing_and_keeps_every_result(class_copy):
    kit, course = class_copy
    before, salt = snapshot(course), salt_file(course).read_bytes()
    done = grade_course(kit, course)
    assert f"{ASSIGNMENT}: 4 submissions, 0 graded and 4 unchanged" in done.stdout
    assert snapshot(course) == before
    assert salt_file(course).read_bytes() == salt and "salt" not in done.stderr  # the course's salt, reused


# -- the course's secret salt (autograder/engine/secret.py) ---------------------------------------------------


def salt_file(course: Path) -> Path:
    return course / secret.SALT_FILE


@pytest.mark.slow
def test_the_first_run_makes_the_courses_salt_private_and_records_only_its_hash(graded_class):
    _, course, done = graded_class
    path = salt_file(course)
    salt = path.read_text(encoding="ascii").strip()
    assert path.stat().st_mode & 0o777 == 0o600 and len(salt) == 64 and int(salt, 16) >= 0
    assert f"made the course's secret salt {path} (mode 0600)" in done.stderr
    for student in CLASS:
        assert result(course, student).salt_sha256 == secret.fingerprint(salt)
    assert f"inputs: the course's salt, sha256 {secret.fingerprint(salt)}" in done.stdout
    written = [p for p in course.rglob("*") if p.is_file() and p != path]
    assert written and not [p for p in written if salt.encode() in p.read_bytes()]
    assert salt not in done.stdout + done.stderr


@pytest.mark.slow
def test_a_new_salt_grades_everything_again_and_says_so(class_copy):
    kit, course = class_copy
    old = secret.fingerprint(salt_file(course).read_text(encoding="ascii").strip())
    salt_file(course).write_text("an instructor's new salt, 32 characters\n", encoding="ascii")
    done = grade_course(kit, course)
    new = secret.fingerprint("an instructor's new salt, 32 characters")
    assert f"{ASSIGNMENT}: 4 submissions, 4 graded and 0 unchanged" in done.stdout
    assert (
        f"  salt     4: alice, bob, carol, dave (graded before with another salt: sha256 {old}; now sha256 {new})"
        in done.stdout
    )
    assert f"4 stored result(s) were graded with another salt (sha256 {old}; now sha256 {new})" in done.stderr
    assert all(result(course, s).salt_sha256 == new for s in CLASS)
    again = grade_course(kit, course)
    assert f"{ASSIGNMENT}: 4 submissions, 0 graded and 4 unchanged" in again.stdout and "  salt " not in again.stdout


@pytest.mark.slow
def test_a_salt_set_in_nbgrader_config_wins_over_the_salt_file(class_copy):
    kit, course = class_copy
    file_salt = salt_file(course).read_bytes()
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\nc.Kit.salt = 'set by the instructor in the config'\n", encoding="utf-8"
    )
    done = grade_course(kit, course)
    assert f"{ASSIGNMENT}: 4 submissions, 4 graded and 0 unchanged" in done.stdout
    assert {result(course, s).salt_sha256 for s in CLASS} == {secret.fingerprint("set by the instructor in the config")}
    assert salt_file(course).read_bytes() == file_salt


@pytest.mark.slow
def test_two_courses_draw_different_inputs_for_the_same_student_and_a_regrade_the_same(tmp_path):
    """A student whose answer writes down every input it is called with (unsandboxed, so that it can),
    graded in two courses, then again in the first."""
    kit = copy_kit(tmp_path / "kit")
    seen = tmp_path / "seen.txt"
    recorder = (
        f"def {EXERCISE.id}(*args, **kwargs):\n"
        f"    with open({str(seen)!r}, 'a') as record:\n"
        f"        record.write(repr((args, kwargs)) + '\\n')\n"
    )

    def inputs(course: Path, *extra: str) -> list[str]:
        seen.write_text("")
        grade_course(kit, course, "--no-sandbox", "--workers", "1", *extra)
        return seen.read_text().splitlines()

    first, second = tmp_path / "first", tmp_path / "second"
    for course in (first, second):
        submit(course, "alice", with_answer(SOLVED, EXERCISE.id, recorder))
    drawn = inputs(first)
    assert drawn and inputs(second) != drawn
    assert inputs(first, "--force") == drawn
    assert salt_file(first).read_bytes() != salt_file(second).read_bytes()


@pytest.mark.slow
def test_a_changed_notebook_is_graded_again_alone(class_copy):
    kit, course = class_copy
    before = snapshot(course)
    submit(course, "bob", SOLVED, when="2026-03-11 09:00:00.000000 UTC")
    done = grade_course(kit, course)
    assert f"{ASSIGNMENT}: 4 submissions, 1 graded and 3 unchanged" in done.stdout
    after = snapshot(course)
    assert {s: after[s] for s in after if s != "bob"} == {s: before[s] for s in before if s != "bob"}
    bob = result(course, "bob")
    assert bob.score == bob.points and bob.timestamp == "2026-03-11 09:00:00.000000 UTC"


@pytest.mark.slow
def test_forcing_a_run_regrades_everything_with_identical_results(class_copy):
    kit, course = class_copy
    before = snapshot(course)
    done = grade_course(kit, course, "--force")
    assert f"{ASSIGNMENT}: 4 submissions, 4 graded and 0 unchanged" in done.stdout
    after = snapshot(course)
    assert {s: without_path(data) for s, (data, _) in after.items()} == {
        s: without_path(data) for s, (data, _) in before.items()
    }  # the class was copied: only paths moved
    assert all(after[s][1] != before[s][1] for s in CLASS)


@pytest.mark.slow
def test_a_change_to_the_graders_regrades_the_assignment(class_copy):
    kit, course = class_copy
    grader = kit / "autograder" / "graders" / f"{EXERCISE.id}.py"
    grader.write_text(grader.read_text(encoding="utf-8") + "\n# the instructor touched this grader\n", encoding="utf-8")
    before = snapshot(course)
    done = grade_course(kit, course)
    assert f"{ASSIGNMENT}: 4 submissions, 4 graded and 0 unchanged" in done.stdout
    after = snapshot(course)
    assert all(after[s][1] != before[s][1] for s in CLASS)
    assert {s: without_path(r[0])["score"] for s, r in after.items()} == {
        s: without_path(r[0])["score"] for s, r in before.items()
    }


@pytest.mark.slow
def test_the_class_is_read_against_the_courses_own_release_and_a_change_to_it_regrades(class_copy):
    """The course gets its own release/ whose header says more than the one the class was given: every
    notebook is graded again against it, and each one's header (the release's no longer) is flagged."""
    kit, course = class_copy
    release = json.loads(json.dumps(RELEASE))
    header = next(c for c in release["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "header")
    header["source"] = "".join(header["source"]) + "\n\nErratum: read the check cells' messages.\n"
    (course / "release" / ASSIGNMENT).mkdir(parents=True)
    (course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").write_text(json.dumps(release), encoding="utf-8")
    done = grade_course(kit, course)
    assert f"{ASSIGNMENT}: 4 submissions, 4 graded and 0 unchanged" in done.stdout
    for student in ("alice", "bob", "carol"):
        [finding] = result(course, student).findings
        assert finding["cell"] == "header" and "-Erratum: read the check cells' messages." in finding["detail"]
    assert result(course, "alice").score == result(course, "alice").points


@pytest.mark.slow
def test_a_change_to_another_assignments_grader_regrades_nothing(class_copy):
    kit, course = class_copy
    other = next(e for e in catalog.exercises() if e.assignment != ASSIGNMENT)
    grader = kit / "autograder" / "graders" / f"{catalog.grader_file(other).name}"
    grader.write_text(grader.read_text(encoding="utf-8") + "\n# unrelated edit\n", encoding="utf-8")
    done = grade_course(kit, course)
    assert f"{ASSIGNMENT}: 4 submissions, 0 graded and 4 unchanged" in done.stdout


@pytest.mark.slow
def test_a_batch_killed_with_sigkill_resumes_without_losing_finished_work(tmp_path):
    kit = copy_kit(tmp_path / "kit")
    course = tmp_path / "course"
    students = [f"s{i:02d}" for i in range(12)]
    for index, student in enumerate(students):
        submit(course, student, SOLVED if index % 2 else with_answer(SOLVED, EXERCISE.id, MUTANT.source))
    running = grade_course(kit, course, "--workers", "1", wait=False)
    descendants = []
    deadline = time.monotonic() + 300
    while not stored(course) and running.poll() is None and time.monotonic() < deadline:
        descendants = psutil.Process(running.pid).children(recursive=True) or descendants
        time.sleep(0.02)
    os.kill(running.pid, signal.SIGKILL)
    running.communicate()
    assert descendants, "the batch forked no worker"
    gone, alive = psutil.wait_procs(descendants, timeout=30)
    assert not alive, f"still running after the batch was killed: {alive}"
    finished = snapshot(course)
    assert 0 < len(finished) < len(students), "the kill did not land mid-batch"

    done = grade_course(kit, course, "--workers", "2")
    left = len(students) - len(finished)
    assert f"{ASSIGNMENT}: {len(students)} submissions, {left} graded and {len(finished)} unchanged" in done.stdout
    after = snapshot(course)
    assert sorted(after) == students
    assert {s: after[s] for s in finished} == finished


@pytest.mark.slow
def test_a_notebook_that_kills_its_unsandboxed_worker_is_flagged_and_the_batch_completes(tmp_path):
    kit = copy_kit(tmp_path / "kit")
    course = tmp_path / "course"
    build_class(course)
    submit(course, "erin", with_answer(SOLVED, EXERCISE.id, "import os\nos._exit(3)\n"))
    done = grade_course(kit, course, "--no-sandbox", "--workers", "2")
    assert f"{ASSIGNMENT}: 5 submissions, 5 graded" in done.stdout
    erin = result(course, "erin")
    assert erin.score == 0 and "crash" in erin.flags and "grading process stopped" in erin.problem.en
    assert result(course, "alice").score == result(course, "alice").points
    again = grade_course(kit, course, "--no-sandbox")
    assert f"{ASSIGNMENT}: 5 submissions, 1 graded and 4 unchanged" in again.stdout  # erin is tried again


def test_grade_assignment_returns_every_result_in_student_order(tmp_path):
    build_class(tmp_path)
    results = batch.grade_class(tmp_path, ASSIGNMENT, workers=2, transport_factory=None)
    assert [r.student for r in results] == sorted(CLASS)
    for found in results:
        assert found.to_dict() == result(tmp_path, found.student).to_dict()
    assert results[0].transport == "in-process" and results[0].layers == []


@pytest.mark.parametrize(
    "arguments",
    [["some.ipynb", "--workers", "2"], ["some.ipynb", "--force"], ["--assignment", ASSIGNMENT, "--json", "out.json"]],
)
def test_options_of_the_other_grading_mode_are_refused(arguments):
    done = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert done.returncode == 2 and "only with" in done.stderr


def test_a_second_batch_on_the_same_assignment_waits_its_turn(tmp_path):
    build_class(tmp_path)
    with ResultStore(tmp_path, ASSIGNMENT).lock():
        done = grade_course(ROOT, tmp_path, "--no-sandbox", expect=1)
    assert "another grading run" in done.stderr
    assert not stored(tmp_path)


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two cores")
def test_parallel_workers_each_get_a_core_of_their_own():
    cpus = batch._worker_cpus(2)
    assert None not in cpus and len(set(cpus)) == 2
    assert set(cpus) <= os.sched_getaffinity(0)


@pytest.mark.parametrize("workers", [1, len(os.sched_getaffinity(0)) + 1])
def test_a_single_worker_or_more_workers_than_cores_are_not_pinned(workers):
    assert batch._worker_cpus(workers) == [None] * workers
