"""The bundled sample class, run as the README runs it: one command, a whole term, a gradebook."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.classroom import gradebook, sample
from autograder.engine import catalog, extract, grade, secret
from tests import slow

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = sample.present_assignments()[0]
ROSTER = sample.roster(len(sample.ROLES) + 1)


@pytest.fixture(scope="module")
@slow.fixture
def term(tmp_path_factory):
    root = tmp_path_factory.mktemp("sample") / "class"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "autograder",
            "sample-class",
            "--dir",
            str(root),
            "--students",
            str(len(ROSTER)),
            "--assignment",
            ASSIGNMENT,
        ],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path_factory.mktemp("home")),
            "KIT_LANG": "en",
            "LANG": "C.UTF-8",
        },
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-5000:]
    results = {r["student"]: r for r in json.loads((root / "reports" / ASSIGNMENT / "results.json").read_text())}
    return root, done.stdout, results, gradebook.read(root, ASSIGNMENT)


def test_roster_is_deterministic_and_starts_with_the_fixed_roles():
    assert [s.id for s in sample.roster(40)] == [s.id for s in sample.roster(40)]
    assert len({s.id for s in sample.roster(240)}) == 240
    assert [s.role for s in sample.roster(len(sample.ROLES) + 2)[: len(sample.ROLES)]] == list(sample.ROLES)


@pytest.mark.parametrize("assignment", sample.present_assignments())
def test_fill_answers_each_exercise_in_its_own_cell_from_the_course_material(tmp_path, assignment):
    released = ROOT / "release" / assignment / f"{assignment}.ipynb"
    notebook = tmp_path / released.name
    notebook.write_bytes(released.read_bytes())
    exercises = catalog.for_assignment(assignment)
    kinds = ["solution", "typo", "stub", "hostile", "style:defensive", "copy:stepwise"]
    choices = {
        e.id: f"mutant:{e.mutants[0].name}" if i % 7 == 6 and e.mutants else kinds[i % 6]
        for i, e in enumerate(exercises)
    }
    assert sample.fill(notebook, sample.Student("x", choices=choices), assignment) == choices

    before = {c.metadata["nbgrader"]["grade_id"]: c.source for c in nbformat.read(released, as_version=4).cells}
    after = {c.metadata["nbgrader"]["grade_id"]: c.source for c in nbformat.read(notebook, as_version=4).cells}
    assert before.keys() == after.keys()
    for exercise in exercises:
        answer, kind = after.pop(f"{exercise.id}_answer"), choices[exercise.id]
        before.pop(f"{exercise.id}_answer")
        if kind.startswith("mutant:"):
            assert answer == exercise.mutants[0].source.strip("\n")
        elif kind == "stub":
            assert "raise NotImplementedError()" in answer
        else:
            assert f"def {exercise.id}(" in answer and "SOLUTION" not in answer and "NotImplementedError" not in answer
        assert (kind == "typo") == ("retrun " in answer or answer.endswith("\n)"))
        assert ("_require(" in answer) == (kind == "style:defensive")
        assert ("_log_step(" in answer) == (kind == "copy:stepwise")
    assert after == before  # every other cell is as released


@pytest.mark.parametrize("assignment", sample.present_assignments())
def test_the_planted_students_own_styles_and_their_disguised_copies_score_full_marks(assignment):
    exercises = catalog.for_assignment(assignment)
    solutions = sample.solutions(assignment)
    for kind in ("style:defensive", "copy:defensive", "style:stepwise", "copy:stepwise"):
        answers = [sample.answer_source(kind, e, solutions[e.id], "") for e in exercises]
        if kind.startswith("copy:"):
            original = [sample.answer_source(kind.replace("copy", "style"), e, solutions[e.id], "") for e in exercises]
            assert all(
                a != o and a.index(f"def {e.id}(") < o.index(f"def {e.id}(")
                for a, o, e in zip(answers, original, exercises, strict=True)
            )  # renamed, helpers moved below
        code = "import math\nimport numpy as np\nimport pandas as pd\nimport torch\n" + "\n\n".join(answers)
        result = grade.grade([extract.from_source(code, kind, assignment)])[0]
        assert result.score == result.points, (
            kind,
            [(e.id, c.name) for e in result.exercises for c in e.checks if not c.passed],
        )


@pytest.mark.slow
def test_the_command_prints_the_class_and_where_everything_is(term):
    root, output, _, _ = term
    for student in ROSTER:
        assert student.id in output
    for what in ("Gradebook:", "Feedback:", "Reports:", "Term:", "Grades:"):
        assert what in output
    assert (root / "grades.csv").is_file() and (root / "gradebook.db").is_file()


@pytest.mark.slow
def test_every_student_is_graded_and_recorded_with_the_kits_scores(term):
    _, _, results, graded = term
    assert sorted(results) == sorted(graded) == sorted(s.id for s in ROSTER)
    for student, result in results.items():
        assert graded[student].raw_score == pytest.approx(result["score"])
        for exercise in result["exercises"]:
            assert graded[student].auto_scores[exercise["id"]] == pytest.approx(
                sum(c["score"] for c in exercise["checks"])
            )


@pytest.mark.slow
def test_roles_score_as_their_answers(term):
    _, _, results, graded = term
    by_role = {s.role: s.id for s in ROSTER}
    full = sum(e.points for e in catalog.for_assignment(ASSIGNMENT))
    assert results[by_role["all_correct"]]["score"] == results[by_role["late"]]["score"] == full
    assert results[by_role["blank"]]["score"] == results[by_role["hostile"]]["score"] == 0
    late = graded[by_role["late"]]
    assert late.seconds_late > 0 and 0 < late.late_penalty < late.raw_score
    assert all(graded[s.id].late_penalty == 0 for s in ROSTER if s.role != "late")


@pytest.mark.slow
def test_the_batch_command_run_in_the_class_finds_what_the_sample_class_graded(term, tmp_path):
    root, _, results, _ = term
    done = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", "--assignment", ASSIGNMENT],
        check=False,
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            "KIT_LANG": "en",
            "LANG": "C.UTF-8",
            "PYTHONPATH": str(ROOT),
        },
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert f"{len(results)} submissions, 0 graded and {len(results)} unchanged" in done.stdout


@pytest.mark.slow
def test_students_fetched_their_feedback(term):
    root, _, _, _ = term
    for student in ROSTER:
        pages = list((sample.home(root, student.id) / ASSIGNMENT / "feedback").glob(f"*/{ASSIGNMENT}.html"))
        assert len(pages) == 1, student.id


@pytest.mark.slow
def test_the_class_is_rebuilt_only_where_the_kit_built_one(tmp_path):
    (tmp_path / "thesis.tex").write_text("precious")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "autograder",
            "sample-class",
            "--dir",
            str(tmp_path),
            "--students",
            "1",
            "--assignment",
            ASSIGNMENT,
        ],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path.parent), "LANG": "C.UTF-8"},
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"error: {tmp_path} exists and is not a sample class" in done.stderr
    assert (tmp_path / "thesis.tex").read_text() == "precious"
    assert os.listdir(tmp_path) == ["thesis.tex"]


@pytest.mark.slow
def test_the_planted_pairs_head_the_similarity_report(term):
    root, _, _, _ = term
    with open(root / "reports" / ASSIGNMENT / "similarity.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    by_role = {s.role: s.id for s in ROSTER}
    top = [frozenset((r["student_a"], r["student_b"])) for r in rows[:2]]
    assert set(top) == {
        frozenset((by_role["original"], by_role["copier"])),
        frozenset((by_role["lender"], by_role["borrower"])),
    }
    page = (root / "reports" / ASSIGNMENT / "report.html").read_text(encoding="utf-8")
    assert by_role["copier"] in page and "<mark>" in page


@pytest.mark.slow
def test_the_term_report_is_written_with_every_student(term):
    root, output, _, _ = term
    page = (root / "reports" / "term" / "report.html").read_text(encoding="utf-8")
    with open(root / "reports" / "term" / "mastery.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(r["name"] for r in rows if r["scope"] == "student") == sorted(s.id for s in ROSTER)
    blank = next(r for r in rows if r["name"] == next(s.id for s in ROSTER if s.role == "blank"))
    assert blank["Tensor Data Types"] == "0.0000" and "Tensor Data Types" in blank["at_risk"]
    assert str(root / "reports" / "term" / "report.html") in output and "Mastery" in page


@pytest.mark.slow
def test_the_class_salt_is_in_no_file_that_students_or_tas_are_given(term):
    """After generate_assignment, release_assignment, the students' fetch and submit, collect, grading,
    feedback and export: the salt is in its own private file, and in no other file of the class (release/,
    the exchange, the students' homes, autograded/, feedback/, graded/, reports/, the gradebook), nor in
    what the command printed."""
    root, output, results, _ = term
    path = root / secret.SALT_FILE
    salt = path.read_text(encoding="ascii").strip()
    assert path.stat().st_mode & 0o777 == 0o600 and len(salt) == 64
    files = [p for p in root.rglob("*") if p.is_file() and p != path]
    for folder in ("release", "exchange", "students", "autograded", "feedback", "graded", "reports"):
        assert any(p.is_relative_to(root / folder) for p in files), folder
    assert not [p for p in files if salt.encode() in p.read_bytes() or p.name == secret.SALT_FILE]
    assert salt not in output
    assert {r["salt_sha256"] for r in results.values()} == {secret.fingerprint(salt)}


def test_a_rebuilt_class_keeps_its_salt(tmp_path):
    root = tmp_path / "class"
    sample.build_course(root, [ASSIGNMENT])
    made = secret.of_course(root, gradebook.nbgrader_config(root))
    (root / "submitted").mkdir()
    sample.build_course(root, [ASSIGNMENT])
    assert sorted(p.name for p in root.iterdir()) == sorted(
        [secret.SALT_FILE, sample.MARKER, "nbgrader_config.py", "source"]
    )
    assert secret.of_course(root, gradebook.nbgrader_config(root)) == made
