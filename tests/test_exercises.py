"""Every grader is proven: full marks for the solution and every correct alternative, zero for the
stub and for nonsense, and each known mistake loses points with a message that names it."""

from __future__ import annotations

import pytest

from autograder import catalog

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


@pytest.mark.parametrize("variant", ["none", "wrong_type"])
@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_nonsense_answer_scores_zero(results, exercise, variant):
    result = results(exercise.assignment)[f"{exercise.id}:{variant}"].exercise(exercise.id)
    assert result.score == 0, [c.name for c in result.checks if c.passed]


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_exercise_has_two_mutants_or_more(exercise):
    assert len(exercise.mutants) >= 2


@pytest.mark.parametrize(("exercise", "mutant"), MUTANTS)
def test_mutant_loses_points_with_a_message_that_names_it(results, exercise, mutant):
    result = results(exercise.assignment)[f"{exercise.id}:mutant:{mutant.name}"].exercise(exercise.id)
    assert result.score < result.points
    for name in mutant.kills:
        killed = next(c for c in result.checks if c.name == name)
        assert not killed.passed, f"{mutant.name} should fail {name}"
        said = f"{killed.message.en} {killed.detail.en}"
        assert mutant.says.lower() in said.lower(), said


@pytest.mark.parametrize(("exercise", "alternative"), ALTERNATIVES)
def test_correct_alternative_scores_full_marks(results, exercise, alternative):
    result = results(exercise.assignment)[f"{exercise.id}:alt:{alternative.name}"].exercise(exercise.id)
    assert result.score == result.points, failures(result)


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_every_check_has_points_and_both_languages(exercise):
    assert exercise.checks
    for spec in exercise.checks:
        assert spec.points > 0 and spec.msg.ko.strip() and spec.msg.en.strip()
        assert set(spec.requires) <= {c.name for c in exercise.checks}


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_mutants_name_real_checks(exercise):
    names = {c.name for c in exercise.checks}
    for mutant in exercise.mutants:
        assert mutant.kills and set(mutant.kills) <= names, mutant.name
