"""The term report: mastery of each section of the notes over every graded assignment, the class's mastery
with the exercises behind it, the students at risk, and the same numbers as CSV, found as every command
finds a course."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from matplotlib import font_manager

from autograder import notes
from autograder.engine import catalog
from autograder.engine.results import CheckResult, ExerciseResult, SubmissionResult
from autograder.engine.store import ResultStore
from autograder.reports import plots, term

ROOT = Path(__file__).resolve().parents[2]
GRADED = ("a01_tensors", "a02_shapes")


def submission(student: str, assignment: str, failed: set[str] = frozenset()) -> SubmissionResult:
    """Full marks on every check but those of the exercises in `failed` (and of `exercise.check` names)."""
    return SubmissionResult(
        student,
        assignment,
        [
            ExerciseResult(
                e.id,
                e.heading,
                e.title,
                [
                    CheckResult(c.name, c.points, 0.0 if {e.id, f"{e.id}.{c.name}"} & failed else c.points)
                    for c in e.checks
                ],
            )
            for e in catalog.for_assignment(assignment)
        ],
    )


CLASS = {  # student -> assignment -> exercises (or exercise.check) failed; a missing assignment was not handed in
    "ace": {"a01_tensors": set(), "a02_shapes": set()},
    "bea": {"a01_tensors": {"float_and_int"}, "a02_shapes": set()},  # weak on the first foundation
    "cal": {"a01_tensors": {"uniform", "is_long"}, "a02_shapes": {"to_python_scalar"}},  # weak on no foundation
    "dov": {"a01_tensors": set()},  # did not hand in a02
    "<b>eve": {"a01_tensors": {"make_tensor"}, "a02_shapes": {"flatten_view", "reshape_copy"}},
    "$fay_{1}^$": {"a01_tensors": set(), "a02_shapes": set()},  # would be TeX to matplotlib
}


def write_course(root: Path, where: str = "reports") -> Path:
    """A course whose graded results are kept where the kit keeps them."""
    for assignment in GRADED:
        results = [submission(s, assignment, failed[assignment]) for s, failed in CLASS.items() if assignment in failed]
        if where == "reports":
            folder = root / "reports" / assignment
            folder.mkdir(parents=True)
            (folder / "results.json").write_text(json.dumps([r.to_dict() for r in results]), encoding="utf-8")
        else:
            for result in results:
                ResultStore(root, assignment).save(result, key=None)
    return root


@pytest.fixture
def course(tmp_path) -> Path:
    return write_course(tmp_path / "course")


def points(*exercise_ids: str) -> float:
    return sum(catalog.exercise(i).points for i in exercise_ids)


def read_csv(path: Path) -> dict[tuple[str, str], dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return {(row["scope"], row["name"]): row for row in csv.DictReader(handle)}


def test_builds_on_names_earlier_headings_of_the_notes():
    for section, foundations in notes.BUILDS_ON.items():
        assert section in notes.HEADINGS
        assert all(notes.position(f) < notes.position(section) for f in foundations), section
    assert "Tensor Data Types" in notes.FOUNDATIONS and "CUDA Tensors" not in notes.FOUNDATIONS
    assert notes.later_sections("편미분") == ("backpropagation",)


def test_mastery_is_the_share_of_points_of_each_sections_exercises(course):
    summary = term.term(term.load(course))
    assert summary.assignments == list(GRADED) and summary.students == sorted(CLASS)
    assert summary.mastery("ace", "Tensor 생성") == 1
    expected = points("long_zeros") / points("uniform", "long_zeros", "is_long")  # cal failed uniform and is_long
    assert summary.mastery("cal", "Tensor 생성") == pytest.approx(expected)
    assert summary.mastery("dov", "reshape") == 0  # a02 not handed in: no points
    assert summary.mastery("ace", "2D Tensor Operation") is None  # a03 not graded yet
    assert summary.mastery("<b>eve", "reshape") == pytest.approx(
        points("shares_storage") / points("flatten_view", "reshape_copy", "shares_storage")
    )
    assert summary.class_mastery("Tensor Data Types") == pytest.approx(5 / 6)
    assert summary.exercise_mastery("to_python_scalar") == pytest.approx(4 / 6)


def test_a_partly_failed_exercise_counts_its_checks_points(tmp_path):
    exercise = catalog.exercise("float_and_int")
    first = exercise.checks[0]
    graded = {"a01_tensors": [submission("zed", "a01_tensors", {f"float_and_int.{first.name}"})]}
    mastery = term.term(graded).mastery("zed", "Tensor Data Types")
    assert mastery == pytest.approx((exercise.points - first.points) / exercise.points)


def test_students_at_risk_are_below_the_threshold_on_a_section_later_ones_build_on(course):
    risks = {r.student: r for r in term.term(term.load(course)).risks()}
    assert set(risks) == {"bea", "dov", "<b>eve"}  # cal is weak only on sections nothing builds on
    assert risks["bea"].weak == [("Tensor Data Types", 0.0)]
    assert set(risks["bea"].endangered) == {h for h, f in notes.BUILDS_ON.items() if "Tensor Data Types" in f}
    assert [s for s, _ in risks["dov"].weak] == [
        h for h in notes.FOUNDATIONS if any(e.heading == h for e in catalog.for_assignment("a02_shapes"))
    ]
    assert [s for s, _ in risks["<b>eve"].weak] == ["torch.tensor 함수", "reshape"]


def test_the_csv_holds_the_pages_numbers_the_class_first(course):
    written = term.write_term_report(course, "en")
    rows = read_csv(written.csv)
    with open(written.csv, newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    assert header == ["scope", "name", *notes.HEADINGS, "at_risk"]
    graded = [e.id for a in GRADED for e in catalog.for_assignment(a)]
    assert list(rows) == [("class", ""), *(("exercise", e) for e in graded), *(("student", s) for s in sorted(CLASS))]
    summary = written.term
    for (scope, name), row in rows.items():
        for heading in notes.HEADINGS:
            if scope == "class":
                value = summary.class_mastery(heading)
            elif scope == "student":
                value = summary.mastery(name, heading)
            else:
                value = summary.exercise_mastery(name) if catalog.exercise(name).heading == heading else None
            assert row[heading] == ("" if value is None else f"{value:.4f}"), (scope, name, heading)
    assert rows[("exercise", "to_python_scalar")]["Scalar value"] == f"{4 / 6:.4f}"
    assert rows[("student", "bea")]["at_risk"] == "Tensor Data Types" and rows[("student", "ace")]["at_risk"] == ""


def test_the_page_has_the_heatmap_every_section_in_order_and_the_students_at_risk(course):
    for lang, heading in (("ko", "도움이 필요한 학생"), ("en", "Students at risk")):
        soup = BeautifulSoup(term.term_report(term.term(term.load(course)), lang), "html.parser")
        assert heading in [h.get_text() for h in soup.find_all("h2")]
        assert soup.find("img")["src"].startswith("data:image/png;base64,")
        sections, risks = soup.find_all("table")
        rows = sections.find_all("tr")[1:]
        assert [r.find_all("td")[1].get_text() for r in rows] == list(notes.HEADINGS)
        reshape = rows[notes.position("reshape")].get_text()
        assert all(e in reshape for e in ("flatten_view", "reshape_copy", "shares_storage"))
        assert [r.find("td").get_text() for r in risks.find_all("tr")[1:]] == ["dov", "<b>eve", "bea"]
        assert soup.find("b") is None and soup.find("script") is None  # a student id is text, never markup


def test_the_heatmap_draws_korean_with_a_cjk_font(course):
    found = font_manager.findfont(font_manager.FontProperties(family=plots.CJK_FONTS[0]), fallback_to_default=False)
    assert "NotoSansCJK" in Path(found).name.replace("-", "")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        term.heatmap(term.term(term.load(course)), "ko")
    assert not [w for w in caught if "Glyph" in str(w.message)]


def test_results_kept_only_in_graded_are_read_too(tmp_path):
    course = write_course(tmp_path / "course", where="graded")
    (course / "graded" / "a01_tensors" / "stray.json").write_text(
        json.dumps(  # not where ace's result is kept
            submission("ace", "a01_tensors", {"float_and_int"}).to_dict()
        ),
        encoding="utf-8",
    )
    (course / "graded" / "a01_tensors" / "torn.json").write_text("{", encoding="utf-8")
    summary = term.term(term.load(course))
    assert summary.students == sorted(CLASS) and summary.mastery("bea", "Tensor Data Types") == 0
    assert summary.mastery("ace", "Tensor Data Types") == 1


def run_command(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "autograder", "term-report", *args],
        cwd=cwd,
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "HOME": str(cwd), "PYTHONPATH": str(ROOT), "LANG": "C.UTF-8"},
    )


def test_the_command_finds_the_course_as_nbgrader_does(course, tmp_path):
    (course / "nbgrader_config.py").write_text("c = get_config()\n", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for done in (run_command("--course", str(course), "--lang", "en", cwd=elsewhere), run_command(cwd=course)):
        assert done.returncode == 0, done.stderr
        assert "at risk" in done.stdout and "bea" in done.stdout
    assert (course / "reports" / "term" / "report.html").is_file()
    assert (course / "reports" / "term" / "mastery.csv").is_file()
    assert not (elsewhere / "reports").exists()


def test_the_command_says_when_nothing_is_graded(tmp_path):
    done = run_command("--course", str(tmp_path), cwd=tmp_path)
    assert done.returncode == 1 and "no graded assignment" in done.stderr
    assert not (tmp_path / "reports").exists()
