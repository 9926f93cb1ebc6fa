"""The command line: a thin layer over the public API.

python -m autograder list [--json]
python -m autograder grade NOTEBOOK... [--json FILE] [--lang ko|en] [--no-sandbox]
python -m autograder grade --assignment A [--course DIR] [--workers N | --scheduler ADDRESS|local[:N]] [--force]
                           [--no-sandbox]
python -m autograder publish [--check]
python -m autograder gradebook ASSIGNMENT [--course DIR] [--scheduler ADDRESS|local[:N]] [--lang ko|en]
python -m autograder term-report [--course DIR] [--lang ko|en]
python -m autograder sample-class [--dir DIR] [--students N] [--assignment A]... [--lang ko|en]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from autograder.classroom import publish
from autograder.engine import batch, catalog, extract, locate, secret
from autograder.errors import KitError
from autograder.messages import LANGUAGES, language
from autograder.reports import gradescope, terminal
from autograder.reports.terminal import emit

SCHEDULER_HELP = (
    "grade on a Dask cluster: a running scheduler's address (tcp://host:8786), or local[:N] for a "
    "LocalCluster of N worker processes here (default: one per core); the workers need the kit, not "
    "the course"
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    listing = commands.add_parser("list", help="list the exercises")
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")

    grading = commands.add_parser("grade", help="grade notebooks")
    grading.add_argument(
        "notebooks",
        nargs="*",
        type=Path,
        help="submitted .ipynb files, graded for practice: their inputs come from the kit's public "
        "practice salt, not a course's secret one (grade a class with --assignment, or give --salt-file)",
    )
    grading.add_argument(
        "--salt-file",
        type=Path,
        metavar="FILE",
        help="with notebooks: grade them with the course's secret salt kept in FILE (its .autograder-salt), "
        "as the class is graded; for a Gradescope autograder, which carries that file and never shows it",
    )
    grading.add_argument(
        "--json",
        type=Path,
        metavar="FILE",
        help="write Gradescope's results.json (a list when grading several notebooks)",
    )
    grading.add_argument("--lang", choices=LANGUAGES, help="feedback language (default: $KIT_LANG or ko)")
    grading.add_argument(
        "--assignment",
        choices=catalog.ASSIGNMENTS,
        help="the assignment the notebooks belong to (default: from the file name); "
        "without notebooks, grade every submission of it in the course",
    )
    grading.add_argument(
        "--course",
        type=Path,
        default=None,
        metavar="DIR",
        help="with --assignment alone: the course directory, as for nbgrader (default: the "
        "current one); its submitted/<student>/A/ is graded into graded/A/<student>.json",
    )
    grading.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="with --assignment alone: grading processes (default: one per core)",
    )
    grading.add_argument("--scheduler", metavar="ADDRESS|local[:N]", help=SCHEDULER_HELP)
    grading.add_argument(
        "--force",
        action="store_true",
        help="with --assignment alone: grade again even what is unchanged since the last run",
    )
    grading.add_argument(
        "--no-sandbox",
        action="store_true",
        help="run the notebooks unconfined, in this process; only for trusted notebooks",
    )

    publishing = commands.add_parser("publish", help="regenerate release/ and solutions/ from source/ with nbgrader")
    publishing.add_argument("--check", action="store_true", help="only report whether they are out of date")

    recording = commands.add_parser(
        "gradebook", help="grade the collected submissions (submitted/*/ASSIGNMENT/) into nbgrader's gradebook"
    )
    recording.add_argument("assignment", choices=catalog.ASSIGNMENTS)
    recording.add_argument(
        "--course",
        type=Path,
        default=None,
        metavar="DIR",
        help="the course directory, as for nbgrader (default: the current one)",
    )
    recording.add_argument("--scheduler", metavar="ADDRESS|local[:N]", help=SCHEDULER_HELP)
    recording.add_argument("--lang", choices=LANGUAGES, help="feedback language (default: $KIT_LANG or ko)")

    termly = commands.add_parser(
        "term-report", help="mastery of each section of the notes over every graded assignment, and who is at risk"
    )
    termly.add_argument(
        "--course",
        type=Path,
        default=None,
        metavar="DIR",
        help="the course directory, as for nbgrader (default: the current one)",
    )
    termly.add_argument("--lang", choices=LANGUAGES, help="report language (default: $KIT_LANG or ko)")

    sampling = commands.add_parser(
        "sample-class", help="run a term on a bundled class of simulated students, from release to feedback"
    )
    sampling.add_argument(
        "--dir",
        type=Path,
        default=None,
        help="where to build the class (default: course/ in the kit; rebuilt on every run)",
    )
    sampling.add_argument("--students", type=int, default=30, help="how many students (default: 30)")
    sampling.add_argument(
        "--assignment",
        action="append",
        choices=catalog.ASSIGNMENTS,
        help="only this assignment (repeatable; default: every assignment)",
    )
    sampling.add_argument("--lang", choices=LANGUAGES, help="feedback language (default: $KIT_LANG or ko)")

    args = parser.parse_args(argv)
    terminal.log_to_terminal()
    if getattr(args, "scheduler", None) is not None:
        problem = scheduler_problem(args.scheduler)
        if problem:
            (recording if args.command == "gradebook" else grading).error(problem)
    try:
        return run_command(args, grading)
    except KitError as error:  # the kit's own failures; a student's never reach here
        emit(f"error: {error}", stream=sys.stderr)
        return error.exit_code


def run_command(args: argparse.Namespace, grading: argparse.ArgumentParser) -> int:
    if args.command == "gradebook":
        return record_gradebook(args.course, args.assignment, language(args.lang), args.scheduler)
    if args.command == "term-report":
        return write_term_report(args.course, language(args.lang))
    if args.command == "sample-class":
        return run_sample_class(args.dir, args.students, args.assignment, language(args.lang))
    if args.command == "list":
        return list_exercises(args.json)
    if args.command == "publish":
        return publish_notebooks(args.check)
    batch_only = [
        flag
        for flag, given in (
            ("--course", args.course),
            ("--workers", args.workers),
            ("--force", args.force),
            ("--scheduler", args.scheduler),
        )
        if given
    ]
    if args.notebooks and batch_only:
        grading.error(f"{', '.join(batch_only)}: only with --assignment and no notebooks (a whole course)")
    if not args.notebooks and args.assignment:
        if args.json is not None:
            grading.error("--json: only with notebooks given by path")
        if args.salt_file is not None:
            grading.error("--salt-file: only with notebooks (a course's is c.Kit.salt_file in nbgrader_config.py)")
        if args.workers is not None and args.scheduler is not None:
            grading.error("--workers: not with --scheduler (the cluster's workers grade; local:N for N of them)")
        return grade_course(
            args.course,
            args.assignment,
            args.workers,
            args.force,
            not args.no_sandbox,
            language(args.lang),
            args.scheduler,
        )
    salt = secret.from_file(args.salt_file) if args.salt_file is not None else secret.PRACTICE_SALT
    return grade_files(args.notebooks, args.json, language(args.lang), args.assignment, not args.no_sandbox, salt)


def list_exercises(as_json: bool) -> int:
    exercises = catalog.exercises()
    if as_json:
        emit(
            json.dumps(
                [
                    {
                        "id": e.id,
                        "assignment": e.assignment,
                        "heading": e.heading,
                        "points": e.points,
                        "checks": len(e.checks),
                        "mutants": len(e.mutants),
                    }
                    for e in exercises
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        emit(terminal.exercise_table(list(exercises)))
    return 0


def publish_notebooks(check_only: bool) -> int:
    if check_only:
        differ = publish.stale()
        for name in differ:
            emit(f"out of date: {name}")
        return 1 if differ else 0
    publish.build(publish.ROOT, publish.present_assignments())
    emit("release/ and solutions/ regenerated from source/")
    return 0


def scheduler_problem(text: str) -> str | None:
    """Why --scheduler cannot be used as given (checked before Dask is imported), or None."""
    from autograder.engine.cluster import Scheduler  # Dask takes a second to import

    try:
        Scheduler.parse(text)
    except ValueError as error:
        return str(error)
    return None


def grade_course(
    course: Path | None,
    assignment: str,
    workers: int | None,
    force: bool,
    sandboxed: bool,
    lang: str,
    scheduler: str | None = None,
) -> int:
    if workers is not None and workers < 1:
        emit("error: --workers must be at least 1", stream=sys.stderr)
        return 2
    try:
        elsewhere = None
        if scheduler is not None:
            from autograder.engine import cluster

            elsewhere = cluster.Scheduler.parse(scheduler)  # checked by scheduler_problem before
        run = batch.run(
            course,
            assignment,
            workers=workers,
            force=force,
            progress=True,
            scheduler=elsewhere,
            transport_factory=batch.default_transport if sandboxed else None,
        )
    except KeyboardInterrupt:
        emit("interrupted: the results stored so far are kept; run the same command to go on", stream=sys.stderr)
        return 130
    emit(run.summary(lang))
    return 0


def grade_files(
    paths: list[Path],
    json_path: Path | None,
    lang: str,
    assignment: str | None,
    sandboxed: bool = True,
    salt: str = secret.PRACTICE_SALT,
) -> int:
    if not paths:
        emit("error: give notebooks to grade", stream=sys.stderr)
        return 2
    submissions = []
    for path in paths:  # each read against the kit's release of its assignment (`extract`)
        chosen = assignment or catalog.guess_assignment(extract.read_notebook(path))
        submissions.append(extract.read_notebook(path, path.stem, chosen))
    results = batch.grade_now(submissions, sandboxed, salt)
    for result in results:
        emit(terminal.submission_report(result, lang))
        emit()
    if json_path is not None:
        documents = [gradescope.results_json(r, lang) for r in results]
        json_path.write_text(
            json.dumps(documents[0] if len(documents) == 1 else documents, ensure_ascii=False, indent=2),
            encoding="utf-8",
        )
    return 0


def record_gradebook(where: Path | None, assignment: str, lang: str, scheduler: str | None = None) -> int:
    from autograder.classroom import course, gradebook  # nbgrader is slow to import; only these need it

    located = locate.course(where)
    results = course.grade_and_record(located, assignment, lang=lang, scheduler=scheduler)
    emit(
        terminal.table(
            [("student", "score", "late penalty", "flags")]
            + [
                (
                    r.student,
                    f"{r.score:g}/{r.points:g}",
                    f"{r.late_penalty:g}" if r.late_penalty else "",
                    " ".join(r.flags),
                )
                for r in results
            ]
        )
    )
    recorded = gradebook.read(located, assignment)
    left_out = [r for r in results if r.student not in recorded]
    for result in left_out:
        emit(f"not recorded: {result.student!r}: {result.problem.text(lang) if result.problem else ''}")
    emit(
        f"\n{len(results) - len(left_out)} submissions of {assignment} recorded in {gradebook.location(located)}; "
        f"reports in {located.reports_folder(assignment)}"
    )
    return 0


def write_term_report(where: Path | None, lang: str) -> int:
    from autograder.reports import term  # matplotlib and the graders are slow to import; only this needs them

    written = term.write_term_report(where, lang)
    summary = written.term
    emit(f"{len(summary.students)} students, graded: {', '.join(summary.assignments)}")
    risks = summary.risks()
    emit(f"at risk (below {term.RISK_BELOW:.0%} on a section later ones build on): {len(risks)}")
    if risks:
        emit(
            terminal.table(
                [("student", "weak foundations")]
                + [(r.student, "; ".join(f"{s} {m:.0%}" for s, m in r.weak)) for r in risks]
            )
        )
    emit(f"Report: {written.report}\nCSV:    {written.csv}")
    return 0


def run_sample_class(directory: Path | None, students: int, assignments: list[str] | None, lang: str) -> int:
    from autograder.classroom import gradebook, sample

    term = sample.run(directory or sample.KIT_ROOT / "course", students, assignments, lang=lang)
    entries = {a: gradebook.read(term.root, a) for a in term.assignments}
    rows = [("student", "role", *term.assignments)]
    for student in term.students:
        scores = [entries[a].get(student.id) for a in term.assignments]
        rows.append(
            (
                student.id,
                student.role,
                *(
                    f"{e.score:g}/{e.max_score:g}" + (" late" if e.seconds_late > 0 else "") if e else "-"
                    for e in scores
                ),
            )
        )
    emit()
    emit(terminal.table(rows))
    emit(f"""
Gradebook:  {term.gradebook}  (formgrader: cd {term.root} && jupyter lab, then Nbgrader > Formgrader)
Feedback:   {term.feedback}/<student>/<assignment>/<assignment>.html, released to the students
Reports:    {term.root / "reports"}/<assignment>/  (class report, scores.csv, similarity.csv)
Term:       {term.term_report}  (mastery by section of the notes, students at risk)
Grades:     {term.grades_csv}  (nbgrader export)""")
    return 0
