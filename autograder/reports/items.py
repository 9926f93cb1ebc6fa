"""Item analysis: whether each check and each exercise measures what the rest of the assignment measures.

Classical test theory, for every item (a check, passed or not; an exercise, a share of its points):

- difficulty p: the mean share of the item's points the class earned; for a check, the share passing;
- discrimination r: the point-biserial correlation between the item and the rest of the score (the total
  without the item, so that an item is not correlated with itself). For a check it is
  r_pb = (M1 - M0) / s * sqrt(p * q), M1 and M0 the mean rest scores of those who passed and failed,
  s their standard deviation over the class (divided by n), q = 1 - p: Pearson's r with a 0/1 item,
  which is what is computed (and, for an exercise, its Pearson r with the rest);
- upper-lower index D = p_upper - p_lower: the item's difficulty among the top 27 % of the class by total
  score minus that among the bottom 27 % (Kelley's groups).

A check that those who know the material fail as often as those who do not (r near zero or negative) does not
measure what it should: a wrong grader, an ambiguous instruction or a check that other checks already
decide. Such items are flagged. An item everyone passed, or nobody, has no discrimination (it cannot tell
students apart) and is not flagged.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from autograder.engine.results import SubmissionResult

FLAG_BELOW = 0.1  # discrimination under this is "near zero or negative"
GROUP_SHARE = 0.27  # Kelley: the upper and lower 27 % of the class


@dataclass(frozen=True)
class Item:
    exercise: str
    check: str | None  # None: the exercise as a whole
    students: int
    difficulty: float
    discrimination: float | None  # None when the item or the rest of the score does not vary
    upper_lower: float | None  # None with fewer than two students

    @property
    def flagged(self) -> bool:
        """May not measure what it should: discrimination near zero or negative."""
        return self.discrimination is not None and self.discrimination < FLAG_BELOW


def point_biserial(item: Sequence[float], rest: Sequence[float]) -> float | None:
    """Pearson's r of an item's scores with the rest of the score (the point-biserial r for a 0/1 item);
    None when either does not vary."""
    if len(item) < 2 or len(set(item)) < 2 or len(set(rest)) < 2:
        return None
    r = statistics.correlation(item, rest)
    return None if math.isnan(r) else r


def upper_lower(item: Sequence[float], totals: Sequence[float], share: float = GROUP_SHARE) -> float | None:
    """Mean item score of the top `share` of the class by total minus that of the bottom `share`. Groups
    hold round(share * n) students (at least one); ties at a group's edge are broken by the order given."""
    n = len(item)
    if n < 2:
        return None
    size = max(1, round(share * n))
    ranked = sorted(range(n), key=lambda i: totals[i])  # stable: equal totals keep the order given
    lower, upper = ranked[:size], ranked[-size:]
    return statistics.fmean(item[i] for i in upper) - statistics.fmean(item[i] for i in lower)


def analyse(results: list[SubmissionResult]) -> list[Item]:
    """Every exercise, followed by its checks, in notebook order. Results are sorted by student, so that
    the upper-lower groups do not depend on the order they arrive in; an exercise or check a result
    lacks (graded before the graders changed) counts as not earned."""
    results = sorted(results, key=lambda r: r.student)
    if not results:
        return []
    totals = [r.score for r in results]
    earned = [{(e.id, c.name): c.score for e in r.exercises for c in e.checks} for r in results]
    items = []
    for exercise in results[0].exercises:
        if exercise.points <= 0:
            continue
        scores = [sum(got.get((exercise.id, c.name), 0.0) for c in exercise.checks) for got in earned]
        items.append(_item(exercise.id, None, exercise.points, scores, totals))
        for check in exercise.checks:
            if check.points > 0:
                items.append(
                    _item(
                        exercise.id,
                        check.name,
                        check.points,
                        [got.get((exercise.id, check.name), 0.0) for got in earned],
                        totals,
                    )
                )
    return items


def _item(exercise: str, check: str | None, points: float, scores: list[float], totals: list[float]) -> Item:
    shares = [score / points for score in scores]
    rest = [total - score for total, score in zip(totals, scores, strict=True)]
    return Item(
        exercise,
        check,
        len(shares),
        statistics.fmean(shares),
        point_biserial(shares, rest),
        upper_lower(shares, totals),
    )
