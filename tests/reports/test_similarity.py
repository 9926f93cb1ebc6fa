"""The similarity report: the sample class's planted pairs rank above every pair of independent work, and what
every student received or writes alike never makes a pair look copied."""

from __future__ import annotations

import csv
import json
import shutil

import pytest
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st

from autograder.classroom import sample
from autograder.reports import report, similarity
from tests.sample_notebooks import copied, hand_in, released, set_answer

ASSIGNMENTS = sample.present_assignments()
CLASS_SIZE = 30


@pytest.fixture(scope="module")
def roster():
    return sample.roster(CLASS_SIZE)


@pytest.fixture(scope="module")
def classes(roster, tmp_path_factory):
    folder = tmp_path_factory.mktemp("similarity")
    return {a: hand_in(folder / a, roster, a) for a in ASSIGNMENTS}


@pytest.fixture(scope="module")
def analyses(classes):
    return {a: similarity.compare(notebooks, released(a), a) for a, notebooks in classes.items()}


def by_role(roster, role: str) -> str:
    return next(s.id for s in roster if s.role == role)


def planted(roster) -> list[frozenset]:
    return [
        frozenset((by_role(roster, "original"), by_role(roster, "copier"))),
        frozenset((by_role(roster, "lender"), by_role(roster, "borrower"))),
    ]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_planted_pairs_rank_above_every_independent_pair(analyses, roster, assignment):
    pairs = analyses[assignment].pairs
    top = [frozenset((p.student_a, p.student_b)) for p in pairs[:2]]
    assert set(top) == set(planted(roster)), pairs[:4]
    assert all(p.similarity >= similarity.REVIEW_AT for p in pairs[:2])
    assert all(p.similarity < similarity.REVIEW_AT for p in pairs[2:]), pairs[2:4]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_copy_shares_every_exercise_and_the_borrower_the_two_borrowed(analyses, roster, assignment):
    pairs = {frozenset((p.student_a, p.student_b)): p for p in analyses[assignment].pairs}
    copied, borrowed = (pairs[pair] for pair in planted(roster))
    exercises = [e.id for e in sample.catalog.for_assignment(assignment)]
    assert list(copied.exercises) == exercises and copied.similarity > 0.8
    assert list(borrowed.exercises) == [exercises[i] for i in sample.BORROWED]


def test_side_by_side_marks_the_shared_code_and_keeps_every_character(analyses, roster, classes):
    analysis = analyses["a02_shapes"]
    pair = analysis.pairs[0]
    shown = analysis.side_by_side(pair, most=len(pair.exercises))
    assert [s.exercise for s in shown] == list(pair.exercises)
    assert len(analysis.side_by_side(pair)) == similarity.SHOWN_EXERCISES
    for side, student in ((shown[1].a, pair.student_a), (shown[1].b, pair.student_b)):
        cells = similarity.answer_cells(json.loads(classes["a02_shapes"][student].read_text()))
        assert "".join(text for text, _ in side) == cells[shown[1].exercise]
        marked = "".join(text for text, shared in side if shared)
        unmarked = "".join(text for text, shared in side if not shared)
        assert "raise RuntimeError" in marked and "computed nothing" in marked  # the helper both hand in
        docstring = cells[shown[1].exercise].split('"""')[1].splitlines()[0]
        assert docstring in unmarked and docstring not in marked  # what every student received


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_what_every_student_received_makes_no_pair(tmp_path, assignment):
    """Stubs left as released, and locked cells pasted into answers, are not similarity."""
    stubs = hand_in(tmp_path, [sample.Student(f"blank{i}", "blank") for i in range(4)], assignment)
    locked = "\n".join(similarity.code_cells(json.loads(released(assignment).read_text())))
    for notebook in list(stubs.values())[:2]:
        set_answer(notebook, assignment, sample.catalog.for_assignment(assignment)[0].id, locked)
    assert similarity.compare(stubs, released(assignment), assignment).pairs == []


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_kits_own_answers_make_no_pair(tmp_path, assignment):
    """Students who all hand in the model solution, or the same known mistake, did what many do alone."""
    exercises = sample.catalog.for_assignment(assignment)
    students = [sample.Student(f"right{i}", "all_correct") for i in range(3)]
    students += [
        sample.Student(f"wrong{i}", choices={e.id: f"mutant:{e.mutants[0].name}" for e in exercises if e.mutants})
        for i in range(2)
    ]
    assert similarity.compare(hand_in(tmp_path, students, assignment), released(assignment), assignment).pairs == []


ONE_LINERS = {  # correct one-liners that are not the kit's answers, long enough to be fingerprinted
    "describe": "    return t.dim(), tuple(t.size()), t.numel()",
    "reshape_copy": "    return t.reshape(shape).detach().clone()",
    "tensor_to_numpy": "    return t.cpu().detach().numpy()",
    "df_to_tensor": "    return torch.tensor(df.values.astype(np.float32))",
}


def test_identical_correct_one_liners_that_many_write_do_not_flag_a_pair(classes, roster, tmp_path):
    six = [s.id for s in roster if not s.role][:6]
    notebooks = copied(classes["a02_shapes"], tmp_path)
    for student in six:  # six students write the same four one-liners
        for exercise, line in ONE_LINERS.items():
            set_answer(notebooks[student], "a02_shapes", exercise, line)
    analysis = similarity.compare(notebooks, released("a02_shapes"), "a02_shapes")
    assert all(analysis.answers[(s, e)].hashes for s in six for e in ONE_LINERS), "fragments independent of the kit"
    among = [p for p in analysis.pairs if {p.student_a, p.student_b} <= set(six)]
    assert all(not set(p.exercises) & set(ONE_LINERS) and p.similarity < similarity.REVIEW_AT for p in among), among
    assert {frozenset((p.student_a, p.student_b)) for p in analysis.pairs[:2]} == set(planted(roster))


def test_a_correct_one_liner_only_two_students_write_does_not_flag_them(classes, roster, tmp_path):
    two = [s.id for s in roster if not s.role][:2]
    notebooks = copied(classes["a02_shapes"], tmp_path)
    for student in two:
        set_answer(notebooks[student], "a02_shapes", "df_to_tensor", ONE_LINERS["df_to_tensor"])
        set_answer(notebooks[student], "a02_shapes", "flatten_view", "    return t.flatten()")  # under a fragment
    analysis = similarity.compare(notebooks, released("a02_shapes"), "a02_shapes")
    pair = next(p for p in analysis.pairs if {p.student_a, p.student_b} == set(two))
    assert "df_to_tensor" in pair.exercises and "flatten_view" not in pair.exercises
    assert pair.similarity < similarity.REVIEW_AT
    assert analysis.pairs.index(pair) >= 2


def test_similarity_csv_has_the_columns_and_the_pairs_most_similar_first(analyses, tmp_path):
    path = similarity.write_csv(analyses["a03_operations"], tmp_path / "similarity.csv")
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == ("student_a", "student_b", "exercises", "similarity")
    values = [float(r[3]) for r in rows[1:]]
    assert values == sorted(values, reverse=True) and all(0 < v <= 1 for v in values)
    assert len(rows) - 1 == len(analyses["a03_operations"].pairs)


def test_broken_and_hostile_notebooks_are_set_aside_and_the_rest_compared(classes, roster, tmp_path):
    notebooks = copied(classes["a01_tensors"], tmp_path)
    garbage, odd, untokenizable = (tmp_path / f"{n}.ipynb" for n in ("garbage", "odd", "untokenizable"))
    garbage.write_bytes(b"\x00\xff not a notebook")
    odd.write_text(
        json.dumps({"cells": [7, None, {"cell_type": "code", "source": 5, "metadata": {"nbgrader": {"grade_id": 3}}}]})
    )
    shutil.copyfile(classes["a01_tensors"][roster[0].id], untokenizable)
    for exercise, body in (
        ("float_and_int", '    return """never closed'),
        ("make_tensor", "  x = 1\n    y = (\n"),
        ("float_vector", "    " + "x = (x + 1) * 2\n    " * 20_000),
    ):
        set_answer(untokenizable, "a01_tensors", exercise, body)
    notebooks.update({"garbage": garbage, "odd": odd, "untokenizable": untokenizable})
    analysis = similarity.compare(notebooks, released("a01_tensors"), "a01_tensors")
    assert analysis.unreadable == ["garbage"]
    assert {frozenset((p.student_a, p.student_b)) for p in analysis.pairs[:2]} == set(planted(roster))


@settings(max_examples=300, deadline=None)
@given(
    st.text()
    | st.lists(
        st.sampled_from(
            [
                "x",
                " = ",
                "(",
                ")",
                "\n",
                "  ",
                "'",
                '"""',
                "\r",
                "\x0c",
                "#",
                "é",
                "\\",
                "f'{",
                "}'",
                ":",
                "def ",
                "1.5",
                "\u2028",
                "가",
            ]
        )
    ).map("".join)
)
def test_any_text_tokenizes_without_an_error_and_every_token_points_at_its_text(source):
    for token in similarity.tokens(source):
        assert 0 <= token.start <= token.end <= len(source)
        assert token.text in ("V", "S") or source[token.start : token.end] == token.text


def test_student_text_in_the_similarity_section_is_not_markup(classes, roster, tmp_path):
    hostile = '<script>alert("id")</script>'
    notebooks = copied(dict(list(classes["a02_shapes"].items())[:12]), tmp_path)
    original = by_role(roster, "original")
    notebooks[hostile] = tmp_path / "hostile.ipynb"
    shutil.copyfile(notebooks[original], notebooks[hostile])
    for student in (original, hostile):
        for exercise in sample.catalog.for_assignment("a02_shapes"):
            set_answer(
                notebooks[student],
                "a02_shapes",
                exercise.id,
                '    x = "</pre><img src=x onerror=alert(1)>"\n'
                "    return t.dim() + 0, tuple(t.shape) + (), t.numel() * 1 + 0 - 0",
            )
    analysis = similarity.compare(notebooks, released("a02_shapes"), "a02_shapes")
    assert any(hostile in (p.student_a, p.student_b) for p in analysis.top())
    soup = BeautifulSoup(report.class_report([], "a02_shapes", "en", analysis), "html.parser")
    assert not soup.find_all(["script", "img"])
    assert hostile in soup.get_text() and "<img src=x onerror=alert(1)>" in soup.get_text()
