"""The sample class's notebooks without nbgrader: each student's answers written into a copy of the release,
as `sample.fill` writes them before a student submits; and graded in this process where a test needs scores."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from autograder.classroom import sample
from autograder.engine import extract, grade
from autograder.engine.results import SubmissionResult
from autograder.reports import similarity

ROOT = Path(__file__).resolve().parents[1]


def released(assignment: str) -> Path:
    return ROOT / "release" / assignment / f"{assignment}.ipynb"


def hand_in(folder: Path, students: list[sample.Student], assignment: str) -> dict[str, Path]:
    """Each student's notebook, answered as the sample class answers it: {student: path}."""
    folder.mkdir(parents=True, exist_ok=True)
    notebooks = {}
    for student in students:
        notebooks[student.id] = folder / f"{student.id}.ipynb"
        shutil.copyfile(released(assignment), notebooks[student.id])
        sample.fill(notebooks[student.id], student, assignment)
    return notebooks


def copied(notebooks: dict[str, Path], folder: Path) -> dict[str, Path]:
    """A copy of a class's notebooks, to change."""
    found = {}
    for student, notebook in notebooks.items():
        found[student] = folder / notebook.name
        shutil.copyfile(notebook, found[student])
    return found


def set_answer(notebook: Path, assignment: str, exercise: str, body: str) -> None:
    """The student's answer to `exercise` becomes the released signature and docstring, then `body`."""
    stub = similarity.answer_cells(json.loads(released(assignment).read_text(encoding="utf-8")))[exercise]
    head = stub[: stub.index('"""', stub.index('"""') + 3) + 3]
    data = json.loads(notebook.read_text(encoding="utf-8"))
    for cell in data["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == f"{exercise}_answer":
            cell["source"] = head + "\n" + body
    notebook.write_text(json.dumps(data), encoding="utf-8")


def graded(notebooks: dict[str, Path], roster: list[sample.Student], assignment: str) -> list[SubmissionResult]:
    """Graded in this process, as the kit's tests grade trusted code: the hostile student, whose answers end
    the process they run in, is left out (the sandbox tests grade it)."""
    hostile = {s.id for s in roster if s.role == "hostile"}
    return grade.grade(
        [
            extract.read_notebook(path, student, assignment)
            for student, path in notebooks.items()
            if student not in hostile
        ]
    )
