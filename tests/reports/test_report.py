"""Feedback pages and class reports, checked the way a person would look at them: parsed, rendered in
Chromium, compared with golden files."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from autograder.engine import catalog
from autograder.reports import feedback, report
from tests import slow
from tests.pages import assert_looks_like_a_page, chromium, screenshot

ROOT = Path(__file__).resolve().parents[2]
GOLDENS = Path(__file__).resolve().parents[1] / "goldens"
ASSIGNMENT = "a02_shapes"


@pytest.fixture(scope="module")
def sample_class(results):
    """A class of submissions: the solution, the stub and every known mistake of one assignment."""
    return list(results(ASSIGNMENT).values())


@pytest.fixture(scope="module")
def written(sample_class, tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    paths = report.write_reports(sample_class, out, ASSIGNMENT, "ko")
    paths["feedback"] = feedback.write_feedback(sample_class, out / "feedback", "ko")
    return paths


@pytest.fixture(scope="module")
@slow.fixture
def browser():
    with chromium() as launched:
        yield launched


def test_class_report_parses_and_has_every_section(written):
    soup = BeautifulSoup(written["report"].read_text(encoding="utf-8"), "html.parser")
    headings = [h.get_text() for h in soup.find_all("h2")]
    assert headings == [
        "점수 분포",
        "문제별 통과율",
        "자주 나온 오류 (다시 가르칠 것)",
        "문항 분석: 검사가 측정해야 할 것을 측정하는가",
        "사람이 살펴볼 제출물",
        "늦은 제출",
    ]
    images = soup.find_all("img")
    assert len(images) == 2 and all(i["src"].startswith("data:image/png;base64,") for i in images)
    assert soup.find("link") is None and soup.find("script") is None, "the report must be self-contained"


def test_class_report_names_the_misconceptions_of_the_known_mistakes(written):
    text = written["report"].read_text(encoding="utf-8")
    for exercise in catalog.for_assignment(ASSIGNMENT):
        assert exercise.id in text


def test_class_report_lists_flagged_and_late_submissions(sample_class):
    timed_out, late = copy.deepcopy(sample_class[0]), copy.deepcopy(sample_class[1])
    timed_out.student, timed_out.flags = "looping_student", ["timeout"]
    late.student, late.late_seconds, late.late_penalty = "late_student", 2 * 3600, 5.0
    soup = BeautifulSoup(report.class_report([*sample_class, timed_out, late], ASSIGNMENT, "en"), "html.parser")
    flagged, late_rows = soup.find_all("table")[2].get_text(), soup.find_all("table")[3].get_text()
    assert "looping_student" in flagged and "timeout" in flagged and "late_student" not in flagged
    assert "late_student" in late_rows and "2.0" in late_rows and "looping_student" not in late_rows


@pytest.mark.slow
def test_class_report_renders_in_chromium(written, browser, tmp_path):
    shot = ROOT / "test-artifacts" / "report" / "class_report.png"
    assert_looks_like_a_page(screenshot(browser, written["report"], shot))


@pytest.mark.slow
def test_feedback_page_renders_in_chromium(written, browser):
    stub_page = next(p for p in written["feedback"] if p.parts[-3] == "stub")
    assert_looks_like_a_page(screenshot(browser, stub_page, ROOT / "test-artifacts" / "report" / "feedback_stub.png"))


def test_one_feedback_page_per_student_in_nbgrader_layout(written, sample_class):
    assert len(written["feedback"]) == len(sample_class)
    for path, result in zip(written["feedback"], sample_class, strict=True):
        assert path.parts[-3:] == (result.student, ASSIGNMENT, f"{ASSIGNMENT}.html")


def test_feedback_names_failed_checks_and_the_notes_section_to_reread(written):
    page = next(p for p in written["feedback"] if p.parts[-3] == "flatten_view:mutant:clone_then_view")
    text = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").get_text()
    assert "shares_storage" in text and "복사본" in text and "노트의 다음 절을 다시 읽어 보세요" in text
    assert "reshape" in text


def test_feedback_is_english_when_asked(sample_class, tmp_path):
    page = feedback.feedback_page(sample_class[1], "en")
    assert "Not done yet" in page and "아직" not in page


def test_feedback_never_contains_grader_source(written):
    """Check bodies never show; a known mistake's code shows only on the page of the student who wrote it."""
    check_lines, mutant_lines = [], {}
    for exercise in catalog.for_assignment(ASSIGNMENT):
        source = catalog.grader_file(exercise).read_text(encoding="utf-8")
        check_lines += [
            line.strip()
            for line in source.splitlines()
            if line.strip().startswith(("call = student(", "def test_", "expect_"))
        ]
        for mutant in exercise.mutants:
            mutant_lines[f"{exercise.id}:mutant:{mutant.name}"] = mutant.source.strip().splitlines()[-1].strip()
    for page in written["feedback"]:
        html = page.read_text(encoding="utf-8")
        author = page.parts[-3]
        own = mutant_lines.get(author)
        secrets = check_lines + [line for line in mutant_lines.values() if line != own]
        leaked = [s for s in secrets if len(s) > 12 and s in html]
        assert not leaked, (page, leaked)


def test_gradescope_results_per_submission(written, sample_class):
    files = sorted(written["results"].glob("*.json"))
    assert len(files) == len(sample_class)
    solution = json.loads((written["results"] / "solution.json").read_text(encoding="utf-8"))
    assert solution["score"] == solution["max_score"] and solution["tests"]


def test_scores_csv_matches_golden(written, update_goldens):
    golden = GOLDENS / f"{ASSIGNMENT}_scores.csv"
    actual = written["csv"].read_text(encoding="utf-8")
    if update_goldens:
        golden.write_text(actual, encoding="utf-8")
    assert actual == golden.read_text(encoding="utf-8"), "refresh with: pytest --update-goldens"


def test_class_report_names_the_salt_and_who_was_graded_again_with_a_new_one(sample_class):
    soup = BeautifulSoup(
        report.class_report(sample_class, ASSIGNMENT, "en", resalted={"solution": "0123abcd"}), "html.parser"
    )
    text = " ".join(soup.get_text().split())
    assert f"Inputs drawn with the course's salt: sha256 {sample_class[0].salt_sha256}" in text
    assert "Graded again with new inputs because the salt changed (1): solution." in text
    mixed = [copy.deepcopy(r) for r in sample_class[:2]]
    mixed[1].salt_sha256 = "0123abcd"
    assert (
        "the results were graded with different salts"
        in BeautifulSoup(report.class_report(mixed, ASSIGNMENT, "en"), "html.parser").get_text()
    )
