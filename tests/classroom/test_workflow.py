"""The nbgrader course workflow end to end, with real nbgrader commands in a temporary course.

One class plays once per module (nbgrader's commands cost seconds each, so every student that can
share a command does): the instructor generates and releases an assignment; students fetch it,
answer it (correct, a known mistake, blank, hostile, a typo) and submit, one of them late with the
real `nbgrader fetch_assignment`/`submit` commands from their own home; two more hand in through an
LMS zip (`nbgrader zip_collect`); the instructor collects, the kit grades and records, a TA gives a
manual grade, `nbgrader autograde` re-grades one student, and nbgrader writes and releases feedback
and exports the grades. The tests then check what each step left behind.
"""

from __future__ import annotations

import ast
import csv
import datetime
import html
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from nbgrader.api import Gradebook
from nbgrader.coursedir import CourseDirectory

from autograder.classroom import course, gradebook, sample
from autograder.classroom.plugin import KitGrade, KitGradeError, LatePenaltyPerDay
from autograder.engine import catalog
from autograder.engine.results import CheckResult, ExerciseResult, SubmissionResult
from tests import slow
from tests.browser.classroom import formgrader

KIT_ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = sample.present_assignments()[0]
EXERCISES = catalog.for_assignment(ASSIGNMENT)
FIRST, LAST = EXERCISES[0], EXERCISES[-1]
MUTATED = next(e for e in EXERCISES if e.mutants)

STUDENTS = [  # through nbgrader's exchange, as the Assignment List does it
    sample.Student("ada_correct", "all_correct"),
    sample.Student("ben_blank", "blank"),
    sample.Student("cy_hostile", "hostile"),
    sample.Student("dee_mutant", "all_correct", choices={MUTATED.id: f"mutant:{MUTATED.mutants[0].name}"}),
    sample.Student("eve_typo", "all_correct", choices={FIRST.id: "typo"}),
]
LATE = sample.Student("fay_late", "late")  # with the nbgrader commands, after the due date
LMS = {  # handed in through an LMS, named the Canvas way
    "gus_lms": sample.Student("gus_lms", "all_correct"),
    "hal_lms": sample.Student("hal_lms", "all_correct", choices={LAST.id: "stub"}),
}
BROKEN = "ivy_lms"  # hands in a file that is not a notebook
EVERYONE = [s.id for s in STUDENTS] + [LATE.id, *LMS, BROKEN]


def nbgrader(cwd: Path, home: Path, *args: str) -> str:
    env = {
        "HOME": str(home),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "KIT_LANG": "en",
    }
    done = subprocess.run(
        ["nbgrader", *args], check=False, cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"nbgrader {' '.join(args)}:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
@slow.fixture
def term(tmp_path_factory):
    root = tmp_path_factory.mktemp("course") / "pytorch-basic"
    instructor = tmp_path_factory.mktemp("instructor-home")
    sample.build_course(root, [ASSIGNMENT])
    nbgrader(root, instructor, "generate_assignment", ASSIGNMENT)
    nbgrader(root, instructor, "release_assignment", ASSIGNMENT)

    answers = {}
    for student in STUDENTS:
        notebook = sample.fetch(root, student.id, ASSIGNMENT) / f"{ASSIGNMENT}.ipynb"
        answers[student.id] = sample.fill(notebook, student, ASSIGNMENT)
        if student.id == "eve_typo":  # also deletes a check cell, which nbgrader puts back
            nb = nbformat.read(notebook, as_version=4)
            nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != LAST.id]
            nbformat.write(nb, notebook)
        sample.submit(root, student.id, ASSIGNMENT)
    course.set_duedate(root, ASSIGNMENT, datetime.datetime.now(datetime.UTC).replace(tzinfo=None))

    late_home = tmp_path_factory.mktemp("late-home")
    config = gradebook.nbgrader_config(root)
    (late_home / ".jupyter").mkdir()
    (late_home / ".jupyter" / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.course_id = {config.CourseDirectory.course_id!r}\n"
        f"c.Exchange.root = {config.Exchange.root!r}\n"
    )
    nbgrader(late_home, late_home, "fetch_assignment", ASSIGNMENT)
    answers[LATE.id] = sample.fill(late_home / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", LATE, ASSIGNMENT)
    nbgrader(late_home, late_home, "submit", ASSIGNMENT, f"--student={LATE.id}")
    nbgrader(root, instructor, "collect", ASSIGNMENT)

    archive = root / "downloaded" / ASSIGNMENT / "archive"
    archive.mkdir(parents=True)
    with zipfile.ZipFile(archive / "submissions.zip", "w") as bundle:
        for number, (student_id, student) in enumerate(LMS.items()):
            notebook = tmp_path_factory.mktemp("lms") / f"{ASSIGNMENT}.ipynb"
            notebook.write_bytes((root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_bytes())
            answers[student_id] = sample.fill(notebook, student, ASSIGNMENT)
            bundle.write(notebook, f"{student_id}_{1000 + number}_{5000 + number}_{ASSIGNMENT}.ipynb")
        bundle.writestr(f"{BROKEN}_1009_5009_{ASSIGNMENT}.ipynb", "{ this is not a notebook")
    nbgrader(root, instructor, "zip_collect", ASSIGNMENT)

    results = {r.student: r for r in course.grade_and_record(root, ASSIGNMENT, lang="en")}
    graded = gradebook.read(root, ASSIGNMENT)

    # A TA overrides one exercise of the student who made a known mistake, then both ways of grading run again.
    coursedir = CourseDirectory(config=gradebook.nbgrader_config(root))
    with Gradebook(coursedir.db_url, coursedir.course_id) as gb:
        grade = gb.find_grade(MUTATED.id, ASSIGNMENT, ASSIGNMENT, "dee_mutant")
        grade.manual_score = MUTATED.points
        gb.db.commit()
    autograde_log = nbgrader(root, instructor, "autograde", ASSIGNMENT, "--force", "--student=dee_mutant")
    after_nbgrader_autograde = gradebook.read(root, ASSIGNMENT)
    regrade = subprocess.run(
        [sys.executable, "-m", "autograder", "gradebook", ASSIGNMENT, "--course", str(root)],
        check=False,
        cwd=KIT_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={"HOME": str(instructor), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "KIT_LANG": "en"},
    )
    assert regrade.returncode == 0, regrade.stdout[-3000:] + regrade.stderr[-5000:]
    after_regrade = gradebook.read(root, ASSIGNMENT)

    nbgrader(root, instructor, "generate_feedback", ASSIGNMENT)
    # Students who handed in through the LMS have no exchange secret: their feedback goes back through the LMS.
    nbgrader(
        root,
        instructor,
        "release_feedback",
        ASSIGNMENT,
        f"--CourseDirectory.student_id_exclude={','.join([*LMS, BROKEN])}",
    )
    nbgrader(root, instructor, "export", "--to=grades.csv")
    return SimpleNamespace(
        root=root,
        answers=answers,
        results=results,
        graded=graded,
        after_nbgrader_autograde=after_nbgrader_autograde,
        after_regrade=after_regrade,
        autograde_log=autograde_log,
        late_home=late_home,
        regrade_output=regrade.stdout,
    )


@pytest.mark.slow
def test_every_submission_is_collected_and_graded(term):
    assert sorted(term.results) == sorted(EVERYONE)
    assert sorted(term.graded) == sorted(EVERYONE)
    for student in EVERYONE:
        assert (term.root / "submitted" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()


@pytest.mark.slow
@pytest.mark.parametrize("student", EVERYONE)
def test_gradebook_holds_the_kits_score_for_every_exercise(term, student):
    result, entry = term.results[student], term.graded[student]
    assert set(entry.auto_scores) == {e.id for e in EXERCISES}
    for exercise in result.exercises:
        assert entry.auto_scores[exercise.id] == pytest.approx(exercise.score), exercise.id
    assert entry.raw_score == pytest.approx(result.score)
    assert entry.max_score == pytest.approx(result.points) == pytest.approx(sum(e.points for e in EXERCISES))


@pytest.mark.slow
def test_students_score_as_they_answered(term):
    full = sum(e.points for e in EXERCISES)
    scores = {student: result.score for student, result in term.results.items()}
    assert scores["ada_correct"] == scores["fay_late"] == scores["gus_lms"] == full
    assert scores["ben_blank"] == scores["cy_hostile"] == scores[BROKEN] == 0
    assert term.results["dee_mutant"].exercise(MUTATED.id).score < MUTATED.points
    assert scores["dee_mutant"] == full - MUTATED.points + term.results["dee_mutant"].exercise(MUTATED.id).score
    assert term.results["eve_typo"].exercise(FIRST.id).score == 0 and scores["eve_typo"] == full - FIRST.points
    assert term.results["hal_lms"].exercise(LAST.id).score == 0 and scores["hal_lms"] == full - LAST.points


@pytest.mark.slow
def test_hostile_submission_is_flagged_and_earns_nothing(term):
    hostile = term.results["cy_hostile"]
    assert hostile.score == 0 and term.graded["cy_hostile"].raw_score == 0
    assert hostile.flags, "a submission that ends the grading process must be flagged for a human"


@pytest.mark.slow
def test_late_submission_loses_the_courses_late_penalty(term):
    late = term.graded[LATE.id]
    percent = gradebook.nbgrader_config(term.root).LatePenaltyPerDay.percent_per_day
    assert late.seconds_late > 0
    assert late.late_penalty == pytest.approx(late.raw_score * percent / 100)  # less than a day late
    assert late.score == pytest.approx(late.raw_score - late.late_penalty)
    on_time = [entry for student, entry in term.graded.items() if student not in (LATE.id, *LMS)]
    assert all(entry.seconds_late == 0 and entry.late_penalty == 0 for entry in on_time)
    assert term.results[LATE.id].late_penalty == pytest.approx(late.late_penalty)


@pytest.mark.parametrize(("seconds_late", "percent"), [(1, 10), (86400, 10), (86401, 20), (30 * 86400, 100)])
def test_late_penalty_grows_per_started_day(seconds_late, percent):
    assert LatePenaltyPerDay(percent_per_day=10).late_submission_penalty("s", 50.0, seconds_late) == pytest.approx(
        50.0 * percent / 100
    )


@pytest.mark.slow
def test_unreadable_notebook_scores_zero_with_feedback_that_says_why(term):
    result, entry = term.results[BROKEN], term.graded[BROKEN]
    assert result.problem is not None and entry.raw_score == 0
    nb = nbformat.read(term.root / "autograded" / BROKEN / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    assert nb.cells[0].cell_type == "markdown" and "could not read" in nb.cells[0].source
    assert result.problem.en in _check_cell_text(term.root / "autograded" / BROKEN / ASSIGNMENT)
    assert result.problem.en in _visible_text(term.root / "feedback" / BROKEN / ASSIGNMENT / f"{ASSIGNMENT}.html")


@pytest.mark.slow
def test_deleted_check_cell_comes_back_with_the_kits_score(term):
    submitted = nbformat.read(term.root / "submitted" / "eve_typo" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    assert LAST.id not in {c.metadata.get("nbgrader", {}).get("grade_id") for c in submitted.cells}
    assert (
        term.graded["eve_typo"].auto_scores[LAST.id] == LAST.points == term.results["eve_typo"].exercise(LAST.id).score
    )


@pytest.mark.parametrize(
    ("grade_id", "points", "complaint"),
    [
        ("not_an_exercise", 1, "has no grader"),
        (FIRST.id, FIRST.points + 1, "points"),
    ],
)
def test_check_cells_that_disagree_with_the_graders_stop_grading(grade_id, points, complaint):
    cell = nbformat.v4.new_code_cell(
        "pass",
        metadata={
            "nbgrader": {
                "grade": True,
                "solution": False,
                "locked": True,
                "grade_id": grade_id,
                "points": points,
                "schema_version": 3,
            }
        },
    )
    result = SubmissionResult(
        "s",
        ASSIGNMENT,
        exercises=[
            ExerciseResult(
                FIRST.id, FIRST.heading, FIRST.title, [CheckResult(c.name, c.points, c.points) for c in FIRST.checks]
            )
        ],
    )
    resources = {"nbgrader": {"student": "s", "assignment": ASSIGNMENT, "notebook": ASSIGNMENT}}
    with pytest.raises(KitGradeError, match=complaint):
        KitGrade(results={"s": result}).preprocess(nbformat.v4.new_notebook(cells=[cell]), resources)


@pytest.mark.slow
def test_manual_grade_survives_nbgrader_autograde_and_the_kits_regrade(term):
    for entries in (term.after_nbgrader_autograde, term.after_regrade):
        entry = entries["dee_mutant"]
        assert entry.manual_scores[MUTATED.id] == MUTATED.points
        assert entry.scores[MUTATED.id] == MUTATED.points
        assert entry.auto_scores[MUTATED.id] == pytest.approx(term.results["dee_mutant"].exercise(MUTATED.id).score)


@pytest.mark.slow
def test_nbgrader_autograde_grades_through_the_kit(term):
    entry, result = term.after_nbgrader_autograde["dee_mutant"], term.results["dee_mutant"]
    assert {e.id: e.score for e in result.exercises} == pytest.approx(entry.auto_scores)
    assert "Autograded" in _check_cell_text(term.root / "autograded" / "dee_mutant" / ASSIGNMENT)


@pytest.mark.slow
@pytest.mark.parametrize("student", EVERYONE)
def test_autograded_check_cells_show_the_kits_feedback_and_nothing_on_stderr(term, student):
    nb = nbformat.read(term.root / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    check_cells = {
        c.metadata.nbgrader["grade_id"]: c
        for c in nb.cells
        if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")
    }
    assert set(check_cells) == {e.id for e in EXERCISES}
    for exercise in term.results[student].exercises:
        outputs = check_cells[exercise.id].outputs
        assert [o.output_type for o in outputs] == ["stream", "execute_result"]
        assert outputs[0].name == "stdout" and f"{exercise.score:g}/{exercise.points:g}" in outputs[0].text
        assert float(outputs[1].data["text/plain"]) == exercise.score
        for check in exercise.checks:
            assert check.name in outputs[0].text
    assert not any(
        o.output_type == "error" or o.get("name") == "stderr" for c in nb.cells for o in c.get("outputs", [])
    )


@pytest.mark.slow
def test_feedback_is_one_page_per_student_released_to_the_exchange(term):
    pages = sorted(term.root.glob(f"feedback/*/{ASSIGNMENT}/{ASSIGNMENT}.html"))
    assert [p.parts[-3] for p in pages] == sorted(EVERYONE)
    exchange = Path(gradebook.nbgrader_config(term.root).Exchange.root)
    released = list((exchange / "pytorch-basic" / "feedback").glob("*.html"))
    assert len(released) == len(EVERYONE) - len(LMS) - 1
    fetched = sample.fetch_feedback(term.root, "dee_mutant", ASSIGNMENT)
    assert [p.name for p in fetched] == [f"{ASSIGNMENT}.html"]
    text = _visible_text(fetched[0])
    failed = next(c for c in term.results["dee_mutant"].exercise(MUTATED.id).checks if not c.passed)
    assert failed.message.en in text


@pytest.mark.slow
@pytest.mark.parametrize("student", EVERYONE)
def test_feedback_reveals_no_grader_source(term, student):
    page = _visible_text(term.root / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html")
    submitted = _code(term.root / "submitted" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    for line in _hidden_lines():
        assert line not in page or line in submitted, line


@pytest.mark.slow
def test_export_csv_matches_the_gradebook(term):
    rows = {row["student_id"]: row for row in csv.DictReader((term.root / "grades.csv").read_text().splitlines())}
    assert sorted(rows) == sorted(EVERYONE)
    for student, entry in term.after_regrade.items():
        assert float(rows[student]["raw_score"]) == pytest.approx(entry.raw_score)
        assert float(rows[student]["late_submission_penalty"]) == pytest.approx(entry.late_penalty)
        assert float(rows[student]["score"]) == pytest.approx(entry.score)
        assert float(rows[student]["max_score"]) == pytest.approx(entry.max_score)


@pytest.mark.slow
def test_grading_writes_the_class_report_and_keeps_every_check_of_every_submission(term):
    folder = term.root / "reports" / ASSIGNMENT
    kept = json.loads((folder / "results.json").read_text())
    assert sorted(r["student"] for r in kept) == sorted(EVERYONE)
    assert all(len(r["exercises"]) == len(EXERCISES) for r in kept)
    assert {r["student"]: r["late_penalty"] for r in kept}[LATE.id] == pytest.approx(term.graded[LATE.id].late_penalty)
    assert (folder / "report.html").is_file() and (folder / "scores.csv").is_file()


@pytest.mark.slow
def test_gradebook_command_prints_every_student_and_where_the_gradebook_is(term):
    for student in EVERYONE:
        assert student in term.regrade_output
    assert "gradebook.db" in term.regrade_output and "reports" in term.regrade_output


@pytest.mark.slow
def test_formgrader_and_assignment_list_work_on_the_course(term):
    """The formgrader lists the kit's scores and its autograde button grades through the kit."""
    env = {
        "HOME": str(term.root.parent / "formgrader-home"),
        "LANG": "C.UTF-8",
        "KIT_LANG": "en",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}/usr/bin:/bin",
    }
    with formgrader(term.root, env) as server:
        ask = server.ask
        listed = {s["student"]: s for s in ask("GET", f"/formgrader/api/submissions/{ASSIGNMENT}")}
        assert sorted(listed) == sorted(EVERYONE)
        for student, entry in term.after_regrade.items():
            assert listed[student]["score"] == pytest.approx(entry.raw_score) and listed[student]["autograded"]
        courses = ask("GET", "/courses")
        assert courses["success"] and courses["value"] == ["pytorch-basic"], courses
        listed = ask("GET", "/assignments?course_id=pytorch-basic")  # the Assignment List a student sees
        assert listed["success"] and ASSIGNMENT in {a["assignment_id"] for a in listed["value"]}, listed
        # A TA gives the typo half marks in the formgrader, then presses its autograde button.
        notebook = next(
            n
            for n in ask("GET", f"/formgrader/api/submitted_notebooks/{ASSIGNMENT}/{ASSIGNMENT}")
            if n["student"] == "eve_typo"
        )
        grade = next(
            g for g in ask("GET", f"/formgrader/api/grades?submission_id={notebook['id']}") if g["name"] == FIRST.id
        )
        ask("PUT", f"/formgrader/api/grade/{grade['id']}", {"manual_score": FIRST.points / 2})
        regraded = ask("POST", f"/formgrader/api/submission/{ASSIGNMENT}/eve_typo/autograde")
        assert regraded["success"], regraded.get("error")
    entry = gradebook.read(term.root, ASSIGNMENT)["eve_typo"]
    assert entry.auto_scores == pytest.approx({e.id: e.score for e in term.results["eve_typo"].exercises})
    assert entry.manual_scores[FIRST.id] == entry.scores[FIRST.id] == FIRST.points / 2


def _check_cell_text(folder: Path) -> str:
    nb = nbformat.read(folder / f"{ASSIGNMENT}.ipynb", as_version=4)
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)


def _visible_text(page: Path) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8")))


def _hidden_lines() -> set[str]:
    """Distinctive code lines of every grader's checks and known mistakes: none may reach a student.

    Lines that are only a message (a string literal) are left out: messages are meant for students.
    """
    lines = set()
    for exercise in catalog.exercises():
        text = catalog.grader_file(exercise).read_text(encoding="utf-8")
        sources = [
            ast.get_source_segment(text, node)
            for node in ast.parse(text).body
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
        ]
        sources += [m.source for m in exercise.mutants]
        lines |= {
            line.strip()
            for source in sources
            for line in source.splitlines()
            if len(line.strip()) >= 25 and not re.match(r"""^(f?["']|ko=|en=)""", line.strip())
        }
    return lines


def _code(notebook: Path) -> str:
    try:
        return "\n".join(c.source for c in nbformat.read(notebook, as_version=4).cells)
    except Exception:  # noqa: BLE001 - a file that is not a notebook holds no code
        return ""
