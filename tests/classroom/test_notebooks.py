"""The four places an exercise lives agree: grader file, source notebook, release, README coverage table."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from autograder import notes
from autograder.classroom import publish
from autograder.engine import catalog

ROOT = Path(__file__).resolve().parents[2]
HEADINGS = list(notes.HEADINGS)
ASSIGNMENTS = [a for a in catalog.ASSIGNMENTS if any(e.assignment == a for e in catalog.exercises())]
EXERCISES = catalog.exercises()
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def cells(assignment: str, kind: str = "source") -> list[dict]:
    path = ROOT / kind / assignment / f"{assignment}.ipynb"
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def nbgrader_meta(cell: dict) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def coverage_table() -> dict[str, list[str]]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Coverage", 1)[1].split("\n## ", 1)[0]
    rows = [line.strip().strip("|").split("|") for line in section.splitlines() if line.startswith("|")]
    return {heading.strip(): [i.strip(" `") for i in ids.split(",") if i.strip()] for heading, ids, *_ in rows[2:]}


def test_the_kit_knows_the_27_headings_of_the_notes_as_written():
    assert len(HEADINGS) == len(set(HEADINGS)) == 27
    assert {"기타", "tensor 생성", "Tensor 생성", "CUDA Tensors"} <= set(HEADINGS)
    assert HEADINGS.index("tensor 생성") < HEADINGS.index("Tensor 생성")
    assert all(heading == heading.strip() for heading in HEADINGS)


def test_readme_coverage_table_lists_every_heading_of_the_notes():
    assert list(coverage_table()) == HEADINGS


def test_readme_coverage_table_names_only_existing_exercises():
    known = {e.id for e in EXERCISES}
    listed = [i for ids in coverage_table().values() for i in ids]
    assert set(listed) <= known, set(listed) - known
    assert all(coverage_table()[h] for h in HEADINGS), [h for h in HEADINGS if not coverage_table()[h]]


@pytest.mark.parametrize("exercise", EXERCISES, ids=[e.id for e in EXERCISES])
def test_exercise_is_in_the_coverage_row_of_its_heading(exercise):
    assert exercise.heading in HEADINGS
    assert exercise.id in coverage_table()[exercise.heading]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_grade_cell_has_a_grader_in_its_place_with_its_points(assignment):
    grade_cells = [
        (nbgrader_meta(c)["grade_id"], nbgrader_meta(c)["points"])
        for c in cells(assignment)
        if nbgrader_meta(c).get("grade") and not nbgrader_meta(c).get("solution")
    ]
    assert grade_cells == [(e.id, e.points) for e in catalog.for_assignment(assignment)]


@pytest.mark.parametrize("exercise", EXERCISES, ids=[e.id for e in EXERCISES])
def test_exercise_has_bilingual_instructions_a_contract_stub_and_a_check_cell(exercise):
    by_id = {nbgrader_meta(c).get("grade_id"): c for c in cells(exercise.assignment)}
    text = "".join(by_id[f"{exercise.id}_text"]["source"])
    assert HANGUL.search(text) and re.search(r"[A-Za-z]{4,}", text) and exercise.id in text
    answer = "".join(by_id[f"{exercise.id}_answer"]["source"])
    assert re.search(rf"^def {exercise.id}\(", answer, re.M) and '"""' in answer
    assert "### BEGIN SOLUTION" in answer and nbgrader_meta(by_id[f"{exercise.id}_answer"])["solution"]
    check_cell = "".join(by_id[exercise.id]["source"])
    assert f'Check("{exercise.id}")' in check_cell and nbgrader_meta(by_id[exercise.id])["locked"]


@pytest.mark.parametrize("exercise", EXERCISES, ids=[e.id for e in EXERCISES])
def test_release_keeps_the_contract_and_hides_the_solution(exercise):
    by_id = {nbgrader_meta(c).get("grade_id"): c for c in cells(exercise.assignment, "release")}
    stub = "".join(by_id[f"{exercise.id}_answer"]["source"])
    assert "raise NotImplementedError()" in stub and "BEGIN SOLUTION" not in stub and '"""' in stub


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_ships_nothing_hidden(assignment):
    shipped = {p.name for p in (ROOT / "release" / assignment).iterdir()}
    assert shipped == {f"{assignment}.ipynb", "kitcheck.py"}
    text = (ROOT / "release" / assignment / f"{assignment}.ipynb").read_text(encoding="utf-8")
    assert "autograder" not in text and "BEGIN SOLUTION" not in text and "HIDDEN" not in text


@pytest.mark.slow
def test_release_and_solutions_are_what_nbgrader_builds_from_source():
    assert publish.stale() == [], "run: python -m autograder publish"
