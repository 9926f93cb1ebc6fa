"""A class's run on one course directory: nbgrader's steps, the kit's grading, what follows it.

nbgrader's own steps (generate, release, collect, feedback, export) run through `NbGraderAPI` in this
process, exactly the code its commands and the formgrader run, without a 3-second start each time.
Grading is the kit's: `grade_and_record` grades `submitted/*/<assignment>/`, records the verdicts in
the gradebook and then calls `after_grading`, where reports plug in.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import TYPE_CHECKING

from nbgrader.api import Gradebook

if TYPE_CHECKING:
    from nbgrader.apps.api import NbGraderAPI

from autograder.classroom import gradebook
from autograder.classroom.plugin import KitCsvExport
from autograder.engine import batch, intake, locate
from autograder.engine.results import SubmissionResult
from autograder.errors import StepFailed
from autograder.reports import report, similarity


def step(course: str | Path | locate.Course, name: str, assignment: str, **kwargs: object) -> str:
    """Run one of NbGraderAPI's steps (generate_assignment, release_assignment, collect,
    generate_feedback, release_feedback) and return its log."""
    return _run(gradebook.nbgrader_api(course), name, assignment, **kwargs)


def release_feedback(course: str | Path | locate.Course, assignment: str) -> list[str]:
    """Release feedback to everyone who submitted through the exchange; returns the others.

    Submissions imported by `nbgrader zip_collect` carry no exchange secret, so their feedback
    (`feedback/<student>/<assignment>/`) goes back through the LMS they came from. Each student is
    released alone, named by a glob that matches that id only (`locate.literal`).
    """
    located = locate.course(course)
    api = gradebook.nbgrader_api(located)
    others = []
    for submitted in located.submissions(assignment):
        if submitted.recordable and submitted.refused is None and intake.is_regular(submitted.folder / locate.SECRET):
            _run(api, "release_feedback", assignment, student_id=locate.literal(submitted.student))
        else:
            others.append(submitted.student)
    return others


def _run(api: NbGraderAPI, name: str, assignment: str, **kwargs: object) -> str:
    with gradebook.quiet_nbgrader():
        outcome = getattr(api, name)(assignment, **kwargs)
    if not outcome or not outcome.get("success"):
        raise StepFailed(
            f"nbgrader {name} {assignment} failed:\n{(outcome or {}).get('error', '')}\n"
            f"{(outcome or {}).get('log', '')[-3000:]}"
        )
    return outcome.get("log", "")


def set_duedate(course: str | Path | locate.Course, assignment: str, duedate: datetime.datetime) -> None:
    """The assignment's due date (a UTC datetime), which late penalties count from."""
    directories = locate.course(course).coursedir
    with Gradebook(directories.db_url, directories.course_id) as gb:
        gb.update_or_create_assignment(assignment, duedate=duedate)


def export_grades(course: str | Path | locate.Course, destination: str | Path) -> Path:
    """The CSV export of the whole gradebook (what `nbgrader export --to FILE` writes with the course's
    configuration: nbgrader's columns, neutralised for spreadsheets)."""
    located = locate.course(course)
    directories = located.coursedir
    with gradebook.quiet_nbgrader(), Gradebook(directories.db_url, directories.course_id) as gb:
        KitCsvExport(config=located.config, to=str(destination)).export(gb)
    return Path(destination)


def grade_and_record(
    course: str | Path | locate.Course,
    assignment: str,
    lang: str | None = None,
    workers: int | None = None,
    force: bool = False,
    scheduler: str | None = None,
) -> list[SubmissionResult]:
    """Grade every collected submission (`batch`: in parallel, sandboxed, skipping what is unchanged
    since the last run; on a Dask cluster with `scheduler`; inputs from the course's salt), record it in the
    gradebook, then run what follows grading."""
    course = locate.course(course)
    elsewhere = None
    if scheduler is not None:
        from autograder.engine import cluster

        elsewhere = cluster.Scheduler.parse(scheduler)  # a malformed address fails before anything is read
    run = batch.run(course, assignment, workers=workers, force=force, scheduler=elsewhere)
    results = run.results
    try:
        gradebook.record(course, assignment, results, lang=lang)
    finally:
        recorded = gradebook.read(course, assignment)
        for result in results:
            if result.student in recorded:
                result.late_seconds = recorded[result.student].seconds_late
                result.late_penalty = recorded[result.student].late_penalty
        after_grading(course, assignment, results, lang, run.resalted)
    return results


def after_grading(
    course: str | Path | locate.Course,
    assignment: str,
    results: list[SubmissionResult],
    lang: str | None = None,
    resalted: dict[str, str] | None = None,
) -> list[Path]:
    """What reads a graded assignment: the similarity of the submissions (`similarity.csv`), the class
    report (which names the students just graded again because the salt changed, `resalted`), then the
    kit's full verdicts, check by check, in `reports/<assignment>/results.json` (the gradebook holds one
    score per exercise). Returns the files."""
    course = locate.course(course)
    folder = course.reports_folder(assignment)
    folder.mkdir(parents=True, exist_ok=True)
    similar = similarity.analyse_course(course, assignment)
    written = [
        similarity.write_csv(similar, folder / "similarity.csv"),
        *report.write_reports(results, folder, assignment, lang, similar, resalted).values(),
    ]
    path = folder / "results.json"
    path.write_text(json.dumps([r.to_dict() for r in results], ensure_ascii=False, indent=1), encoding="utf-8")
    return [*written, path]
