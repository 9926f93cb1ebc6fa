"""The graded notebook: locked cells are the release's whatever a submission holds, and an edit is flagged.

Every locked cell of every released notebook (the imports cell, the text cells, the check cells) is
tampered with the ways a student can (code added, a text cell turned into code, nbgrader's flags
flipped, a copy of the cell), and the notebook that is graded must be the one the honest notebook
gives, with a finding that names the cell and shows the added code. An honest notebook that was only
run again in Jupyter (outputs, execution counts, cell metadata) is not flagged. Graded for real, code
hidden in a locked cell earns nothing that the notebook without it does not earn.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path

import pytest

from autograder.classroom import sample
from autograder.engine import catalog, extract, grade, instructor, locate, provenance, sanitize

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENTS = [a for a in catalog.ASSIGNMENTS if catalog.for_assignment(a)]
ATTACK = "__hidden_in_a_locked_cell__ = True"


def load(kind: str, assignment: str) -> dict:
    return json.loads((ROOT / kind / assignment / f"{assignment}.ipynb").read_text(encoding="utf-8"))


def write(tmp_path: Path, notebook: dict, name: str = "submitted") -> Path:
    path = tmp_path / f"{name}.ipynb"
    path.write_text(json.dumps(notebook, ensure_ascii=False), encoding="utf-8")
    return path


def read(tmp_path: Path, notebook: dict, assignment: str, reference: instructor.Instructor | None = None):
    return extract.read_notebook(
        write(tmp_path, notebook), "student", assignment, reference or instructor.of_kit(assignment)
    )


def kind(cell: dict) -> str:
    if sanitize.is_check(cell):
        return "check"
    return "imports" if cell["cell_type"] == "code" else "text"


LOCKED = [
    (a, sanitize.grade_id(c), kind(c))
    for a in ASSIGNMENTS
    for c in load("release", a)["cells"]
    if sanitize.is_locked(c)
]


def code_added(cell: dict) -> None:
    cell["source"] = "".join(cell["source"]) + "\n" + ATTACK + "\n"


def turned_into_code(cell: dict) -> None:
    cell.update(cell_type="code", source=ATTACK + "\n", outputs=[], execution_count=None)


def flag_flipped(flag: str, value: bool):
    def tamper(cell: dict) -> None:
        code_added(cell)
        cell["metadata"]["nbgrader"][flag] = value

    tamper.__name__ = f"{flag}_{str(value).lower()}"
    return tamper


TAMPERINGS = {
    "text": [turned_into_code, code_added],
    "imports": [code_added, flag_flipped("solution", True), flag_flipped("locked", False)],
    "check": [code_added, flag_flipped("solution", True), flag_flipped("grade", False), flag_flipped("locked", False)],
}
CASES = [
    pytest.param(a, key, tamper, id=f"{a}-{key}-{tamper.__name__}")
    for a, key, cell_kind in LOCKED
    for tamper in TAMPERINGS[cell_kind]
]


def tampered(assignment: str, key: str, tamper, copied: bool = False) -> dict:
    notebook = sample.solved(assignment)
    at = next(i for i, c in enumerate(notebook["cells"]) if sanitize.grade_id(c) == key)
    cell = copy.deepcopy(notebook["cells"][at]) if copied else notebook["cells"][at]
    tamper(cell)
    if copied:
        notebook["cells"].insert(at + 1, cell)
    return notebook


def test_every_kind_of_locked_cell_is_covered():
    assert {cell_kind for *_, cell_kind in LOCKED} == set(TAMPERINGS)
    assert {a for a, *_ in LOCKED} == set(ASSIGNMENTS)


@pytest.mark.parametrize(("assignment", "key", "tamper"), CASES)
def test_a_tampered_locked_cell_is_graded_as_released_and_flagged(tmp_path, assignment, key, tamper):
    honest = read(tmp_path, sample.solved(assignment), assignment)
    submission = read(tmp_path, tampered(assignment, key, tamper), assignment)
    assert submission.notebook == honest.notebook and submission.cells == honest.cells
    assert not any(ATTACK in c["source"] for c in submission.cells)
    [finding] = submission.findings
    assert finding["flag"] == sanitize.LOCKED and finding["cell"] == key and f"+{ATTACK}" in finding["detail"]
    assert submission.problem is None and not honest.findings


@pytest.mark.parametrize(("assignment", "key"), [(a, key) for a, key, _ in LOCKED])
def test_a_copy_of_a_locked_cell_holding_code_is_dropped_and_flagged(tmp_path, assignment, key):
    honest = read(tmp_path, sample.solved(assignment), assignment)
    submission = read(tmp_path, tampered(assignment, key, code_added, copied=True), assignment)
    assert submission.notebook == honest.notebook
    assert [(f["cell"], f"+{ATTACK}" in f["detail"]) for f in submission.findings] == [(key, True)]


def rerun_in_jupyter(notebook: dict) -> dict:
    """What running every cell again in Jupyter and saving changes: outputs, counts, cell and notebook metadata."""
    notebook = copy.deepcopy(notebook)
    for count, cell in enumerate(notebook["cells"], start=1):
        cell["metadata"].update(
            collapsed=False,
            scrolled=True,
            trusted=True,
            tags=[],
            execution={"iopub.execute_input": "2026-03-10T09:00:00.000Z"},
        )
        cell["source"] = "".join(cell["source"]).splitlines(keepends=True)
        if cell["cell_type"] == "code":
            cell["execution_count"] = count
            cell["outputs"] = [
                {"output_type": "stream", "name": "stdout", "text": ["☑ ok\n"]},
                {"output_type": "error", "ename": "E", "evalue": "", "traceback": []},
            ]
    notebook["metadata"]["language_info"] = {"name": "python", "version": "3.11.9"}
    notebook["metadata"]["widgets"] = {}
    return notebook


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_an_honest_notebook_run_again_in_jupyter_is_not_flagged(tmp_path, assignment):
    honest = read(tmp_path, sample.solved(assignment), assignment)
    again = read(tmp_path, rerun_in_jupyter(sample.solved(assignment)), assignment)
    assert again.findings == [] and again.problem is None
    assert again.cells == honest.cells and len(again.cells) > len(catalog.for_assignment(assignment))


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_released_source_and_solution_notebooks_have_the_releases_locked_cells(assignment):
    """The kit's own notebooks, read against its release, carry no locked-cell edit."""
    reference = instructor.of_kit(assignment)
    for kind_ in ("release", "source", "solutions"):
        submission = extract.read_notebook(
            ROOT / kind_ / assignment / f"{assignment}.ipynb", "s", assignment, reference
        )
        assert submission.findings == [] and submission.problem is None, kind_


def answer_position(notebook: dict, exercise: str) -> int:
    return next(i for i, c in enumerate(notebook["cells"]) if sanitize.grade_id(c) == f"{exercise}_answer")


def test_cells_a_student_added_run_after_the_cell_they_followed_without_their_metadata(tmp_path):
    assignment = ASSIGNMENTS[0]
    first, second = catalog.for_assignment(assignment)[:2]
    notebook = sample.solved(assignment)
    helper = {
        "cell_type": "code",
        "source": "HELPER = 1",
        "outputs": [],
        "execution_count": None,
        "metadata": {"jupyter": {"source_hidden": True}, "nbgrader": {"grade_id": "mine", "solution": True}},
    }
    notebook["cells"].insert(answer_position(notebook, first.id) + 1, helper)
    notebook["cells"].insert(0, {"cell_type": "markdown", "source": "my notes", "metadata": {}})
    submission = read(tmp_path, notebook, assignment)
    shown = [(c["cell_type"], c["source"]) for c in submission.notebook]
    at = shown.index(("code", "HELPER = 1"))
    assert sanitize.grade_id(submission.notebook[at - 1]) == f"{first.id}_answer"
    assert submission.notebook[at]["metadata"] == {} and shown[0] == ("markdown", "my notes")
    assert [c["source"] for c in submission.cells].count("HELPER = 1") == 1
    assert submission.findings == [] and at < answer_position({"cells": submission.notebook}, second.id)


def test_cells_moved_by_the_student_go_back_to_the_releases_order(tmp_path):
    assignment = ASSIGNMENTS[0]
    honest = read(tmp_path, sample.solved(assignment), assignment)
    notebook = sample.solved(assignment)
    notebook["cells"].reverse()
    moved = read(tmp_path, notebook, assignment)
    assert [sanitize.grade_id(c) for c in moved.notebook] == [sanitize.grade_id(c) for c in honest.notebook]
    assert moved.cells == honest.cells and moved.findings == []


def test_a_deleted_locked_cell_comes_back_and_a_deleted_answer_stays_deleted(tmp_path):
    assignment = ASSIGNMENTS[0]
    exercise = catalog.for_assignment(assignment)[-1]
    notebook = sample.solved(assignment)
    notebook["cells"] = [
        c for c in notebook["cells"] if sanitize.grade_id(c) not in ("imports", exercise.id, f"{exercise.id}_answer")
    ]
    submission = read(tmp_path, notebook, assignment)
    ids = [sanitize.grade_id(c) for c in submission.notebook]
    assert "imports" in ids and exercise.id in ids and f"{exercise.id}_answer" not in ids
    assert not any(c["source"].startswith(f"def {exercise.id}(") for c in submission.cells)
    assert submission.findings == []


def test_of_several_copies_of_an_answer_the_last_is_the_answer_and_the_others_plain_cells(tmp_path):
    assignment = ASSIGNMENTS[0]
    exercise = catalog.for_assignment(assignment)[0]
    notebook = sample.solved(assignment)
    at = answer_position(notebook, exercise.id)
    earlier = copy.deepcopy(notebook["cells"][at])
    earlier["source"] = "EARLIER = 1"
    notebook["cells"].insert(at, earlier)
    submission = read(tmp_path, notebook, assignment)
    answer = next(c for c in submission.notebook if sanitize.grade_id(c) == f"{exercise.id}_answer")
    assert answer["source"] == sample.solutions(assignment)[exercise.id]
    plain = next(c for c in submission.notebook if c["source"] == "EARLIER = 1")
    assert plain["metadata"] == {} and submission.notebook.index(plain) < submission.notebook.index(answer)
    assert submission.findings == []


def test_a_locked_cell_stripped_of_its_metadata_is_a_plain_cell_that_runs_and_is_shown(tmp_path):
    """nbgrader keeps it too; the release's locked cell is back in its place, and the TA sees both."""
    assignment = ASSIGNMENTS[0]
    notebook = sample.solved(assignment)
    imports = next(c for c in notebook["cells"] if sanitize.grade_id(c) == "imports")
    code_added(imports)
    imports["metadata"] = {}
    submission = read(tmp_path, notebook, assignment)
    sources = [c["source"] for c in submission.cells]
    released_imports = "".join(
        next(c for c in load("release", assignment)["cells"] if sanitize.grade_id(c) == "imports")["source"]
    )
    assert any(ATTACK in s for s in sources) and released_imports in sources
    assert submission.findings == []


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_graded_notebook_is_read_back_unchanged(tmp_path, assignment):
    """Reading the graded notebook again gives itself: `autograded/` re-graded grades the same code."""
    reference = instructor.of_kit(assignment)
    first = read(tmp_path, rerun_in_jupyter(tampered(assignment, "imports", code_added)), assignment)
    again = read(tmp_path, sanitize.as_notebook(first.notebook, reference.released), assignment)
    assert first.findings and again.notebook == first.notebook
    assert again.cells == first.cells and again.findings == []


# -- the instructor's material: what no student has ---------------------------------------------------


def class_reference(assignment: str) -> instructor.Instructor:
    """Read as a class's submission is: against the release, refusing what only source/ holds."""
    kit = instructor.of_kit(assignment)
    return instructor.Instructor(kit.released, instructor.load(ROOT / "source" / assignment / f"{assignment}.ipynb"))


@pytest.mark.parametrize("kind_", ["source", "solutions"])
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_instructors_notebooks_handed_in_earn_nothing_and_are_flagged(kind_, assignment):
    submission = extract.read_notebook(
        ROOT / kind_ / assignment / f"{assignment}.ipynb", "s", assignment, class_reference(assignment)
    )
    assert submission.problem == provenance.REFUSED and submission.cells == []
    flagged = {f["cell"] for f in submission.findings if f["flag"] == provenance.INSTRUCTOR}
    assert flagged == {f"{e.id}_answer" for e in catalog.for_assignment(assignment)}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_a_students_correct_answers_are_their_own(tmp_path, assignment):
    submission = read(tmp_path, rerun_in_jupyter(sample.solved(assignment)), assignment, class_reference(assignment))
    assert submission.problem is None and submission.findings == []


@pytest.mark.parametrize("line", ["### BEGIN SOLUTION", "# BEGIN HIDDEN TESTS", "=== BEGIN MARK SCHEME ==="])
def test_one_of_nbgraders_delimiters_anywhere_is_the_instructors_material(tmp_path, line):
    assignment = ASSIGNMENTS[0]
    notebook = sample.solved(assignment)
    notebook["cells"].append({"cell_type": "markdown", "source": f"notes\n{line}\n", "metadata": {}})
    submission = read(tmp_path, notebook, assignment, class_reference(assignment))
    assert submission.problem == provenance.REFUSED
    [finding] = submission.findings
    assert finding["flag"] == provenance.INSTRUCTOR and line in finding["detail"]


def test_a_source_cell_without_its_delimiters_is_still_the_instructors(tmp_path):
    """A cell identical to one only source/ has (a check cell with hidden tests) is refused as well."""
    assignment = ASSIGNMENTS[0]
    source = load("source", assignment)
    check = next(c for c in source["cells"] if sanitize.is_check(c))
    check["source"] = "".join(check["source"]) + "\nassert secret_case()\n"
    (tmp_path / "source").mkdir()
    source_path = write(tmp_path / "source", source, assignment)
    reference = instructor.Instructor(instructor.of_kit(assignment).released, instructor.load(source_path))
    notebook = sample.solved(assignment)
    notebook["cells"].append(
        {"cell_type": "code", "source": check["source"], "metadata": {}, "outputs": [], "execution_count": None}
    )
    submission = read(tmp_path, notebook, assignment, reference)
    assert submission.problem == provenance.REFUSED
    assert [f["detail"] for f in submission.findings] == [f"identical to source/'s cell {sanitize.grade_id(check)}"]


def test_a_course_reads_submissions_against_its_own_notebooks_and_delimiters(tmp_path):
    assignment = ASSIGNMENTS[0]
    (tmp_path / "nbgrader_config.py").write_text(
        'c = get_config()\nc.ClearSolutions.begin_solution_delimeter = "ANSWER STARTS"\n', encoding="utf-8"
    )
    for kind_ in ("release", "source"):
        (tmp_path / kind_ / assignment).mkdir(parents=True)
        write(tmp_path / kind_ / assignment, load(kind_, assignment), assignment)
    reference = instructor.of_course(locate.course(tmp_path).coursedir, assignment)
    assert reference.guards and "ANSWER STARTS" in reference.delimiters and "BEGIN SOLUTION" not in reference.delimiters
    released = tmp_path / "release" / assignment / f"{assignment}.ipynb"
    assert reference.released.digest == instructor.load(released).digest
    notebook = sample.solved(assignment)
    notebook["cells"].append({"cell_type": "markdown", "source": "# ANSWER STARTS here", "metadata": {}})
    assert read(tmp_path, notebook, assignment, reference).problem == provenance.REFUSED


# -- graded for real: what code hidden in a locked cell earns --------------------------------------------


def attack_source(assignment: str) -> str:
    """Every exercise's solution, defined where the student put the attack."""
    return "\n\n".join(sample.solutions(assignment).values())


def only_first_answer(assignment: str) -> dict:
    """A student who answered the first exercise and deleted every other answer cell."""
    notebook = sample.solved(assignment)
    first = f"{catalog.for_assignment(assignment)[0].id}_answer"
    notebook["cells"] = [
        c
        for c in notebook["cells"]
        if not (sanitize.grade_id(c) or "").endswith("_answer") or sanitize.grade_id(c) == first
    ]
    return notebook


def hiding(assignment: str, key: str, how: str) -> dict:
    notebook = only_first_answer(assignment)
    cell = next(c for c in notebook["cells"] if sanitize.grade_id(c) == key)
    code = attack_source(assignment)
    if how == "turned into code":
        cell.update(cell_type="code", source=code, outputs=[], execution_count=None)
    else:
        cell["source"] = code + "\n" + "".join(cell["source"])  # before it: a check cell stops at its import
        if how != "code added":
            cell["metadata"]["nbgrader"][how.split()[0]] = how.endswith("true")
    return notebook


HIDING = {  # (locked cell, how): one per kind of locked cell and way to make the kit of today run it
    ("imports", "code added"),
    ("header", "turned into code"),
    ("text", "turned into code"),
    ("check", "code added"),
    ("check", "solution true"),
    ("check", "grade false"),
}


def test_code_hidden_in_a_locked_cell_earns_nothing_the_notebook_without_it_does_not(tmp_path):
    assignment = "a02_shapes"
    exercises = catalog.for_assignment(assignment)
    keys = {"imports": "imports", "header": "header", "text": f"{exercises[-1].id}_text", "check": exercises[-1].id}
    reference = instructor.of_kit(assignment)
    honest = read(tmp_path, only_first_answer(assignment), assignment)
    cases = sorted(HIDING)
    paths = [write(tmp_path, hiding(assignment, keys[cell], how), f"{cell}-{how}") for cell, how in cases]
    attacks = [extract.read_notebook(p, "student", assignment, reference) for p in paths]
    # read as notebooks of no assignment: every code cell as submitted, which is how the kit read them before
    unguarded = [dataclasses.replace(extract.read_notebook(p, "student"), assignment=assignment) for p in paths]
    results = grade.grade([honest, *attacks, *unguarded])
    honest_scores = {e.id: e.score for e in results[0].exercises}
    assert 0 < results[0].score < results[0].points
    for (cell, how), _attack, result, as_submitted in zip(
        cases, attacks, results[1:], results[1 + len(cases) :], strict=False
    ):
        assert {e.id: e.score for e in result.exercises} == honest_scores, (cell, how)
        assert result.flags == [sanitize.LOCKED] and [f["cell"] for f in result.findings] == [keys[cell]]
        if how != "code added" or cell != "check":  # check cells were never run, even as submitted
            assert as_submitted.score > result.score, (cell, how)  # the test can fail: the hidden code works
