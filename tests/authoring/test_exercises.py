"""Every grader is proven: full marks for the solution and every correct alternative, zero for the
stub and for nonsense, and each known mistake loses points with a message that names it. Contract and
checks are one thing: every promise of a stub's contract is enforced by checks, every check enforces a
promise, and for every promise a mutant that breaks it alone loses exactly its checks."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from autograder.classroom import publish
from autograder.engine import catalog
from autograder.engine.grade import NEEDS_CORRECT_RESULT

ROOT = Path(__file__).resolve().parents[2]
HANGUL = re.compile(r"[\uac00-\ud7a3]")
EXERCISES = catalog.exercises()
IDS = [e.id for e in EXERCISES]
MUTANTS = [pytest.param(e, m, id=f"{e.id}:{m.name}") for e in EXERCISES for m in e.mutants]
ALTERNATIVES = [pytest.param(e, a, id=f"{e.id}:{a.name}") for e in EXERCISES for a in e.alternatives]


def failures(result) -> str:
    return "; ".join(f"{c.name}: {c.detail.en if c.detail else ''}" for c in result.checks if not c.passed)


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_solution_scores_full_marks(results, exercise):
    result = results(exercise.assignment)["solution"].exercise(exercise.id)
    assert result.score == result.points == exercise.points, failures(result)


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_released_stub_scores_zero(results, exercise):
    result = results(exercise.assignment)["stub"].exercise(exercise.id)
    assert result.score == 0, [c.name for c in result.checks if c.passed]
    assert "Not done yet" in result.checks[0].detail.en


@pytest.mark.parametrize("variant", ["none", "wrong_type", "empty_tuple"])
@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_nonsense_answer_scores_zero(results, exercise, variant):
    result = results(exercise.assignment)[f"{exercise.id}:{variant}"].exercise(exercise.id)
    assert result.score == 0, [c.name for c in result.checks if c.passed]


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_exercise_has_two_mutants_or_more(exercise):
    assert len(exercise.mutants) >= 2


def lost(result) -> tuple[set[str], set[str]]:
    """The checks a result lost on their own, and those it lost only because a check they require failed."""
    gated = {c.name for c in result.checks if c.detail == NEEDS_CORRECT_RESULT}
    return {c.name for c in result.checks if not c.passed} - gated, gated


@pytest.mark.parametrize(("exercise", "mutant"), MUTANTS)
def test_mutant_loses_only_checks_of_the_promises_it_breaks_and_one_names_it(results, exercise, mutant):
    """Every promise it breaks loses a check, and one of them names the mistake; every other check passes, or
    fails only because a check it requires failed (a property such as "leaves its input alone" earns no points
    beside a wrong result)."""
    result = results(exercise.assignment)[f"{exercise.id}:mutant:{mutant.name}"].exercise(exercise.id)
    own, gated = lost(result)
    assert result.score < result.points
    assert own <= set(mutant.kills), f"{mutant.name} breaks {mutant.violates} only, but fails {own - set(mutant.kills)}"
    for promise in mutant.violates:
        assert (own | gated) & set(exercise.enforcing((promise,))), f"{mutant.name} keeps {promise!r}"
    said = [f"{c.message.en} {c.detail.en}" for c in result.checks if c.name in own]
    assert any(mutant.says.lower() in text.lower() for text in said), said


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_every_promise_is_broken_alone_by_a_mutant_that_loses_exactly_its_checks(results, exercise):
    graded = results(exercise.assignment)
    for promise in exercise.contract:
        checks = set(exercise.enforcing((promise.key,)))
        alone = [
            m.name
            for m in exercise.mutants
            if m.violates == (promise.key,)
            and set().union(*lost(graded[f"{exercise.id}:mutant:{m.name}"].exercise(exercise.id))) >= checks
        ]
        assert alone, f"no mutant breaks only {promise.key!r} and loses all of {sorted(checks)}"


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_every_promise_is_enforced_and_every_check_enforces_a_promise(exercise):
    keys = [promise.key for promise in exercise.contract]
    assert keys and len(set(keys)) == len(keys), keys
    for spec in exercise.checks:
        assert spec.enforces and set(spec.enforces) <= set(keys), (spec.name, spec.enforces)
    for key in keys:
        assert exercise.enforcing((key,)), f"no check enforces {key!r}"
    for mutant in exercise.mutants:
        assert mutant.violates and set(mutant.violates) <= set(keys), (mutant.name, mutant.violates)


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_every_promise_is_written_in_both_languages(exercise):
    for promise in exercise.contract:
        assert re.search(r"[A-Za-z]{3,}", promise.en) and HANGUL.search(promise.ko), promise.key


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_stub_docstring_lists_the_contract_of_its_grader(exercise):
    """The notebooks carry what `publish` writes from the graders (release/ is checked by publish.stale)."""
    notebook = json.loads((ROOT / "source" / exercise.assignment / f"{exercise.assignment}.ipynb").read_text("utf-8"))
    answer = next(
        "".join(c["source"])
        for c in notebook["cells"]
        if c["metadata"].get("nbgrader", {}).get("grade_id") == f"{exercise.id}_answer"
    )
    assert "\n".join(publish.contract_lines(exercise)) in answer, "run: python -m autograder publish"
    assert publish.with_contract(answer, exercise) == answer, "run: python -m autograder publish"


@pytest.mark.parametrize(("exercise", "alternative"), ALTERNATIVES)
def test_correct_alternative_scores_full_marks(results, exercise, alternative):
    result = results(exercise.assignment)[f"{exercise.id}:alt:{alternative.name}"].exercise(exercise.id)
    assert result.score == result.points, failures(result)


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_every_check_has_points_both_languages_and_requires_only_checks_before_it(exercise):
    assert exercise.checks
    for earlier, spec in enumerate(exercise.checks):
        assert spec.points > 0 and spec.msg.ko.strip() and spec.msg.en.strip()
        # a check can be gated only by checks graded before it: grade.finish sees those alone
        assert set(spec.requires) <= {c.name for c in exercise.checks[:earlier]}, (spec.name, spec.requires)


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_mutants_name_real_checks(exercise):
    names = {c.name for c in exercise.checks}
    for mutant in exercise.mutants:
        assert mutant.kills and set(mutant.kills) <= names, mutant.name
