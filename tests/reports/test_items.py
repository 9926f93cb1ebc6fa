"""Item analysis: difficulty, point-biserial discrimination and the upper-lower index, checked against values
computed by hand and against scipy and numpy; a check decided by a wrong grader is flagged."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from bs4 import BeautifulSoup
from scipy import stats

from autograder.engine.results import CheckResult, ExerciseResult, SubmissionResult
from autograder.messages import Msg
from autograder.reports import items, report


def result(student: str, passed: dict[str, list[bool]], points: float = 1.0) -> SubmissionResult:
    """A submission whose checks `<exercise>.<index>` passed as given."""
    return SubmissionResult(
        student,
        "a00",
        [
            ExerciseResult(
                exercise,
                "reshape",
                Msg(ko=exercise, en=exercise),
                [CheckResult(f"c{i}", points, points if ok else 0.0) for i, ok in enumerate(checks)],
            )
            for exercise, checks in passed.items()
        ],
    )


def test_point_biserial_by_hand():
    # passed: 1 1 0 1 0, rest scores 8 6 4 7 2: M1 = 7, M0 = 3, p = 0.6, s = sqrt(23.2 / 5) (divided by n)
    by_hand = (7 - 3) / math.sqrt(23.2 / 5) * math.sqrt(0.6 * 0.4)
    assert items.point_biserial([1, 1, 0, 1, 0], [8, 6, 4, 7, 2]) == pytest.approx(by_hand, abs=1e-12)
    assert by_hand == pytest.approx(0.909718, abs=1e-6)


@pytest.mark.parametrize("seed", range(8))
def test_point_biserial_is_scipys_and_numpys(seed):
    generator = np.random.default_rng(seed)
    passed = generator.integers(0, 2, 25)
    passed[:2] = (0, 1)  # both outcomes occur
    rest = generator.integers(0, 30, 25) + 5 * passed
    ours = items.point_biserial(passed.tolist(), rest.tolist())
    assert ours == pytest.approx(stats.pointbiserialr(passed, rest).statistic, abs=1e-12)
    assert ours == pytest.approx(np.corrcoef(passed, rest)[0, 1], abs=1e-12)


@pytest.mark.parametrize(("item", "rest"), [([1, 1, 1, 1], [3, 1, 2, 0]), ([0, 1, 0, 1], [2, 2, 2, 2]), ([1], [4])])
def test_point_biserial_is_undefined_without_variation(item, rest):
    assert items.point_biserial(item, rest) is None


def test_upper_lower_index_by_hand():
    # ten students, groups of round(0.27 * 10) = 3: the top three by total pass 3 of 3, the bottom three 1 of 3
    totals = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]
    item = [1, 1, 1, 0, 1, 0, 1, 0, 1, 0]
    assert items.upper_lower(item, totals) == pytest.approx(1 - 1 / 3)
    assert items.upper_lower(item[::-1], totals) == pytest.approx(1 / 3 - 1)


def test_analyse_gives_every_exercise_then_its_checks_with_rest_score_correlations():
    passes = {
        "ann": [[1, 1], [1]],
        "bob": [[1, 0], [1]],
        "cho": [[0, 0], [1]],
        "dan": [[1, 1], [0]],
        "eve": [[0, 1], [0]],
    }
    results = [
        result(name, {"first": list(map(bool, a)), "second": list(map(bool, b))}) for name, (a, b) in passes.items()
    ]
    found = {(i.exercise, i.check): i for i in items.analyse(results)}
    assert list(found) == [("first", None), ("first", "c0"), ("first", "c1"), ("second", None), ("second", "c0")]
    totals = [sum(a) + sum(b) for a, b in passes.values()]
    c0 = [a[0] for a, _ in passes.values()]
    assert found[("first", "c0")].difficulty == pytest.approx(0.6)
    assert found[("first", "c0")].discrimination == pytest.approx(
        stats.pointbiserialr(c0, [t - c for t, c in zip(totals, c0, strict=True)]).statistic
    )
    first = [sum(a) / 2 for a, _ in passes.values()]
    assert found[("first", None)].difficulty == pytest.approx(0.6)
    assert found[("first", None)].discrimination == pytest.approx(
        np.corrcoef(first, [t - 2 * f for t, f in zip(totals, first, strict=True)])[0, 1]
    )
    assert found[("second", "c0")].students == 5


def ability_class(students: int = 60, checks: int = 12, seed: int = 7) -> list[SubmissionResult]:
    """Students of varied ability; check k is passed by those whose ability (plus noise) clears its difficulty."""
    draw = random.Random(seed)
    abilities = [draw.gauss(0, 1) for _ in range(students)]
    hardness = [-1.5 + 3 * k / (checks - 1) for k in range(checks)]
    return [
        result(f"s{n:02d}", {f"e{k}": [a + draw.gauss(0, 0.5) > hardness[k]] for k in range(checks)})
        for n, a in enumerate(abilities)
    ]


def test_a_check_decided_by_a_wrong_grader_is_flagged_and_no_other():
    results = ability_class()
    assert not [i for i in items.analyse(results) if i.flagged]
    for submission in results:  # e5's grader has its expectation backwards: it fails right answers, passes wrong ones
        check = submission.exercise("e5").checks[0]
        check.score = check.points - check.score
    flagged = {(i.exercise, i.check) for i in items.analyse(results) if i.flagged}
    assert flagged == {("e5", None), ("e5", "c0")}


def test_a_check_everyone_passes_has_no_discrimination_and_is_not_flagged():
    results = ability_class()
    for submission in results:
        submission.exercise("e0").checks[0].score = 1.0
    first = items.analyse(results)[1]
    assert (first.exercise, first.check, first.difficulty, first.discrimination) == ("e0", "c0", 1.0, None)
    assert not first.flagged


def test_class_report_shows_the_item_table_with_the_formulas_and_the_flag():
    results = ability_class()
    for submission in results:
        check = submission.exercise("e2").checks[0]
        check.score = check.points - check.score
    for lang, warning, formula in (
        ("en", "may not measure what it should", "point-biserial"),
        ("ko", "측정이 의심됨", "점이연 상관계수"),
    ):
        soup = BeautifulSoup(report.class_report(results, "a00", lang), "html.parser")
        table = soup.find("table", class_="items")
        rows = table.find_all("tr")[1:]
        assert len(rows) == 24  # twelve exercises, each with one check
        flagged = [r for r in rows if "flag" in r.get("class", [])]
        assert {r.find("td").get_text() for r in flagged} == {"e2", "c0"}
        assert all(warning in r.get_text() for r in flagged)
        assert formula in soup.get_text() and "D = p" in soup.get_text().replace("\n", " ")
