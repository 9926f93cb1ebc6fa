"""Class-wide views of an assignment: what the class has not understood, and what to hand to an LMS.

`write_reports` produces, for one assignment:
- `report.html`: one self-contained page with plots (score distribution, pass rate per exercise), the
  most frequent failure messages, the item analysis of every exercise and check (`items`), submissions
  flagged for a human, late submissions, and the most similar pairs of submissions (`similarity`);
- `scores.csv`: one row per student, one column per exercise, for LMS import;
- `results/<student>.json`: Gradescope's results.json for each submission (named as `graded/` names it).
"""

from __future__ import annotations

import json
import statistics
from collections import Counter
from pathlib import Path

from autograder.engine import catalog
from autograder.engine.results import SubmissionResult
from autograder.engine.store import file_stem
from autograder.messages import language
from autograder.reports import gradescope, items, plots, similarity, spreadsheet, terminal
from autograder.reports.render import render

TOP_FAILURES = 12


def final_score(result: SubmissionResult) -> float:
    return max(0.0, result.score - result.late_penalty)


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


def _plots(results: list[SubmissionResult], lang: str) -> dict[str, str]:
    korean = lang == "ko"
    with plots.cjk_fonts():
        figure, axis = plots.figure(7, 3)
        maximum = results[0].points if results else 1
        axis.hist(
            [final_score(r) for r in results],
            bins=min(20, max(5, int(maximum))),
            range=(0, maximum),
            color="#0969da",
            edgecolor="white",
        )
        axis.set_xlabel("점수" if korean else "Score")
        axis.set_ylabel("학생 수" if korean else "Students")
        axis.set_title("점수 분포" if korean else "Score distribution")
        distribution = plots.png(figure)

        rates = exercise_rates(results)
        figure, axis = plots.figure(7, 0.35 * len(rates) + 1)
        axis.barh([i for i, _ in rates][::-1], [100 * r for _, r in rates][::-1], color="#1a7f37")
        axis.set_xlim(0, 100)
        axis.set_xlabel("만점 받은 학생 비율 (%)" if korean else "Students with full marks (%)")
        axis.set_title("문제별 통과율" if korean else "Pass rate per exercise")
        per_exercise = plots.png(figure)
    return {"distribution": distribution, "per_exercise": per_exercise}


def class_report(
    results: list[SubmissionResult],
    assignment: str,
    lang: str | None = None,
    similar: similarity.Analysis | None = None,
    resalted: dict[str, str] | None = None,
) -> str:
    """The page; `similar` adds the similarity section (it needs the notebooks, which results do not hold);
    `resalted` names the students just graded again because their inputs came from another salt."""
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
    return render(
        "class_report.html.j2",
        lang,
        assignment=assignment,
        summary=summary,
        plots=_plots(results, lang) if results else {},
        items=items.analyse(results),
        flag_below=items.FLAG_BELOW,
        similar=similar,
        review_at=similarity.REVIEW_AT,
        noise=similarity.NOISE_TOKENS,
        holders=similarity.MOST_HOLDERS,
        failures=frequent_failures(results, lang),
        flagged=flagged,
        late=late,
        findings={r.student: [terminal.finding_lines(f, lang) for f in r.findings] for r in flagged},
        layers=sorted({layer for r in results for layer in r.layers}),
        transports=sorted({r.transport for r in results}),
        salts=sorted({r.salt_sha256 for r in results if r.salt_sha256}),
        resalted=sorted(resalted or ()),
    )


def write_csv(results: list[SubmissionResult], path: Path, assignment: str) -> None:
    """One column per exercise, in notebook order, then the totals; rows sorted by student id. Scores
    are numbers; ids are text that a spreadsheet cannot take for a formula (`spreadsheet`)."""
    ids = [e.id for e in catalog.for_assignment(assignment)]
    rows = []
    for result in sorted(results, key=lambda r: r.student):
        by_id = {e.id: e.score for e in result.exercises}
        rows.append(
            [
                result.student,
                *(float(by_id.get(i, 0)) for i in ids),
                result.score,
                result.late_penalty,
                final_score(result),
                result.points,
            ]
        )
    spreadsheet.write(path, ["student", *ids, "raw_score", "late_penalty", "score", "max_score"], rows)


def write_reports(
    results: list[SubmissionResult],
    out_dir: Path,
    assignment: str,
    lang: str | None = None,
    similar: similarity.Analysis | None = None,
    resalted: dict[str, str] | None = None,
) -> dict[str, Path]:
    out_dir = Path(out_dir)
    (out_dir / "results").mkdir(parents=True, exist_ok=True)
    html = out_dir / "report.html"
    html.write_text(class_report(results, assignment, lang, similar, resalted), encoding="utf-8")
    scores = out_dir / "scores.csv"
    write_csv(results, scores, assignment)
    for result in results:
        (out_dir / "results" / f"{file_stem(result.student)}.json").write_text(
            json.dumps(gradescope.results_json(result, lang), ensure_ascii=False, indent=2), encoding="utf-8"
        )
    return {"report": html, "csv": scores, "results": out_dir / "results"}
