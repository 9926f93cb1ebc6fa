"""One feedback page per student and assignment, built from verdicts only.

`nbgrader generate_feedback` renders it through `nbgrader_plugin.KitFeedbackExporter` into
`feedback/<student>/<assignment>/<notebook>.html`, so `release_feedback` and the student's
`fetch_feedback` deliver it unchanged; `write_feedback` writes the same pages where no nbgrader
course is involved. The page holds the student's scores, the messages of failed checks, the notes'
section to reread and their own errors: no grader source or hidden expected value can reach it.
"""

from __future__ import annotations

from pathlib import Path

from autograder.engine.results import SubmissionResult
from autograder.reports.render import render


def feedback_page(result: SubmissionResult, lang: str | None = None) -> str:
    return render("feedback.html.j2", lang, result=result, final=max(0.0, result.score - result.late_penalty))


def write_feedback(results: list[SubmissionResult], feedback_root: Path, lang: str | None = None) -> list[Path]:
    """Write each page as feedback/<student>/<assignment>/<assignment>.html (nbgrader's layout)."""
    written = []
    for result in results:
        path = Path(feedback_root) / result.student / result.assignment / f"{result.assignment}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(feedback_page(result, lang), encoding="utf-8")
        written.append(path)
    return written
