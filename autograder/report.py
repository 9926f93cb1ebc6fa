"""Class-wide views of an assignment: what the class has not understood, and what to hand to an LMS.

`write_reports` produces, for one assignment:
- `report.html`: one self-contained page with plots (score distribution, pass rate per exercise and
  per check), the most frequent failure messages, submissions flagged for a human, late submissions;
- `scores.csv`: one row per student, one column per exercise, for LMS import;
- `results/<student>.json`: Gradescope's results.json for each submission.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import statistics
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 - the backend must be chosen first

from autograder import catalog, gradescope  # noqa: E402
from autograder.messages import language  # noqa: E402
from autograder.render import render  # noqa: E402
from autograder.results import SubmissionResult  # noqa: E402

CJK_FONTS = ["Noto Sans CJK KR", "Noto Sans CJK JP", "DejaVu Sans"]
TOP_FAILURES = 12


@dataclass
class CheckStat:
    exercise: str
    check: str
    passed: int
    total: int

    @property
    def rate(self) -> float:
        return self.passed / self.total if self.total else 0.0


def final_score(result: SubmissionResult) -> float:
    return max(0.0, result.score - result.late_penalty)


def check_stats(results: list[SubmissionResult]) -> list[CheckStat]:
    stats: dict[tuple[str, str], CheckStat] = {}
    for result in results:
        for exercise in result.exercises:
            for check in exercise.checks:
                stat = stats.setdefault((exercise.id, check.name), CheckStat(exercise.id, check.name, 0, 0))
                stat.total += 1
                stat.passed += check.passed
    return list(stats.values())


def exercise_rates(results: list[SubmissionResult]) -> list[tuple[str, float]]:
    """Share of students with full marks on each exercise, in notebook order."""
    ids = [e.id for e in results[0].exercises] if results else []
    return [(i, sum(r.exercise(i).score >= r.exercise(i).points for r in results) / len(results)) for i in ids]


def frequent_failures(results: list[SubmissionResult], lang: str) -> list[tuple[str, str, int]]:
    """(exercise, message, how many students) for the misconceptions the class holds most."""
    counts: Counter = Counter()
    for result in results:
        for exercise in result.exercises:
            for check in exercise.checks:
                if not check.passed and check.message is not None:
                    counts[(exercise.id, check.message.text(lang))] += 1
    return [(exercise, message, n) for (exercise, message), n in counts.most_common(TOP_FAILURES)]


def _png(figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(figure)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _plots(results: list[SubmissionResult], lang: str) -> dict[str, str]:
    korean = lang == "ko"
    with plt.rc_context({"font.family": CJK_FONTS, "axes.unicode_minus": False}):
        figure, axis = plt.subplots(figsize=(7, 3))
        maximum = results[0].points if results else 1
        axis.hist([final_score(r) for r in results], bins=min(20, max(5, int(maximum))), range=(0, maximum),
                  color="#0969da", edgecolor="white")
        axis.set_xlabel("점수" if korean else "Score")
        axis.set_ylabel("학생 수" if korean else "Students")
        axis.set_title("점수 분포" if korean else "Score distribution")
        distribution = _png(figure)

        rates = exercise_rates(results)
        figure, axis = plt.subplots(figsize=(7, 0.35 * len(rates) + 1))
        axis.barh([i for i, _ in rates][::-1], [100 * r for _, r in rates][::-1], color="#1a7f37")
        axis.set_xlim(0, 100)
        axis.set_xlabel("만점 받은 학생 비율 (%)" if korean else "Students with full marks (%)")
        axis.set_title("문제별 통과율" if korean else "Pass rate per exercise")
        per_exercise = _png(figure)
    return {"distribution": distribution, "per_exercise": per_exercise}


def class_report(results: list[SubmissionResult], assignment: str, lang: str | None = None) -> str:
    lang = language(lang)
    scores = [final_score(r) for r in results]
    summary = {
        "students": len(results),
        "points": results[0].points if results else 0,
        "mean": statistics.fmean(scores) if scores else 0,
        "median": statistics.median(scores) if scores else 0,
        "full": sum(r.score >= r.points for r in results),
    }
    flagged = [r for r in results if r.flags or r.problem is not None]
    late = [r for r in results if r.late_seconds > 0]
    return render("class_report.html.j2", lang, assignment=assignment, summary=summary,
                  plots=_plots(results, lang) if results else {}, checks=check_stats(results),
                  failures=frequent_failures(results, lang), flagged=flagged, late=late,
                  layers=sorted({layer for r in results for layer in r.layers}),
                  transports=sorted({r.transport for r in results}))


def write_csv(results: list[SubmissionResult], path: Path, assignment: str) -> None:
    """One column per exercise, in notebook order, then the totals; rows sorted by student id."""
    ids = [e.id for e in catalog.for_assignment(assignment)]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", *ids, "raw_score", "late_penalty", "score", "max_score"])
        for result in sorted(results, key=lambda r: r.student):
            by_id = {e.id: e.score for e in result.exercises}
            writer.writerow([result.student, *(f"{by_id.get(i, 0):g}" for i in ids), f"{result.score:g}",
                             f"{result.late_penalty:g}", f"{final_score(result):g}", f"{result.points:g}"])


def write_reports(results: list[SubmissionResult], out_dir: Path, assignment: str,
                  lang: str | None = None) -> dict[str, Path]:
    out_dir = Path(out_dir)
    (out_dir / "results").mkdir(parents=True, exist_ok=True)
    html = out_dir / "report.html"
    html.write_text(class_report(results, assignment, lang), encoding="utf-8")
    scores = out_dir / "scores.csv"
    write_csv(results, scores, assignment)
    for result in results:
        (out_dir / "results" / f"{result.student}.json").write_text(
            json.dumps(gradescope.results_json(result, lang), ensure_ascii=False, indent=2), encoding="utf-8")
    return {"report": html, "csv": scores, "results": out_dir / "results"}
