"""nbgrader's side of the kit: `nbgrader autograde` grades with the kit's graders, not a kernel.

nbgrader_config.py puts `KitGrade` where nbgrader's `Execute` was in
`Autograde.autograde_preprocessors`. Instead of running the notebook, it writes each check cell's
outputs from the kit's verdict: the feedback as printed text and the score as the cell's value, the
form nbgrader's own `SaveAutoGrades` reads as a partial score. nbgrader then records scores, late
penalties and comments exactly as it would for its own tests, so the formgrader, `generate_feedback`
and `export` show the kit's scores, and a grader's manual score is never overwritten.

The kit's `gradebook.record` hands `KitGrade` verdicts it already has (graded in a batch); run
directly by `nbgrader autograde`, `KitGrade` grades each submitted notebook itself, sandboxed.
"""

from __future__ import annotations

import contextlib
import fnmatch
import html
import json
import logging
import math
import os
import stat
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import nbformat
from nbconvert.exporters import HTMLExporter, NotebookExporter
from nbconvert.preprocessors import Preprocessor
from nbformat import NotebookNode
from nbgrader import utils as nbgrader_utils
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.coursedir import CourseDirectory
from nbgrader.exchange.default.collect import ExchangeCollect
from nbgrader.plugins import CsvExportPlugin, LateSubmissionPlugin
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Dict, Float, Unicode

from autograder.classroom import markup
from autograder.engine import extract, instructor, sanitize
from autograder.engine.results import ExerciseResult, SubmissionResult
from autograder.errors import KitGradeError
from autograder.messages import Msg, language
from autograder.reports import feedback, spreadsheet, terminal


class KitGrade(NbGraderPreprocessor):
    """Fill every check cell's outputs with the kit's feedback and score for that exercise, in a notebook
    whose student markup is made inert (`markup`): what it writes to `autograded/` is what the
    formgrader renders in the TA's session."""

    lang = Unicode("", help="Feedback language, ko or en (default: $KIT_LANG, else ko).").tag(config=True)
    results = Dict(help="Verdicts by student id, when the kit graded the submissions already.")

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        info = resources["nbgrader"]
        result = self.results.get(info["student"])
        if result is None:
            result = grade_submitted_notebook(
                self._course_directory(), info["assignment"], info["student"], info["notebook"]
            )
        lang = language(self.lang or None)
        coursedir = self._course_directory(required=False)
        markup.inert(nb, instructor.of_course(coursedir, info["assignment"], info["notebook"]).released)
        for cell in nb.cells:
            if nbgrader_utils.is_grade(cell) and not nbgrader_utils.is_solution(cell) and cell.cell_type == "code":
                cell.outputs = check_cell_outputs(self._exercise(result, cell), lang)
                cell.execution_count = None
        annotate_cell_errors(nb, result, lang)
        return nb, resources

    def _exercise(self, result: SubmissionResult, cell: NotebookNode) -> ExerciseResult:
        grade_id, points = cell.metadata.nbgrader["grade_id"], float(cell.metadata.nbgrader["points"])
        try:
            exercise = result.exercise(grade_id)
        except StopIteration:
            raise KitGradeError(
                f"check cell {grade_id!r} of {result.assignment} has no grader in "
                f"autograder/graders/ (a check cell's grade_id must be an exercise id)"
            ) from None
        if not math.isclose(exercise.points, points):
            raise KitGradeError(
                f"check cell {grade_id!r} is worth {points:g} points in the notebook but "
                f"{exercise.points:g} in its grader: run `python -m autograder publish`"
            )
        return exercise

    def _course_directory(self, required: bool = True) -> CourseDirectory:
        owner = self.parent
        while owner is not None and getattr(owner, "coursedir", None) is None:
            owner = owner.parent
        if owner is not None:
            return owner.coursedir
        if required:
            raise KitGradeError("KitGrade runs inside `nbgrader autograde` (it needs the course directory)")
        return CourseDirectory(config=self.config)  # given verdicts by `gradebook.record`, with the course's config


_graded: dict[tuple[str, str], SubmissionResult] = {}  # (path, fingerprint of what was read) -> verdict, this process


def grade_submitted_notebook(
    coursedir: CourseDirectory, assignment: str, student: str, notebook: str
) -> SubmissionResult:
    """The verdict on one submitted notebook, as `nbgrader autograde` asks for them one at a time.

    The first request grades, in one batch, every submission of the assignment that this run of
    nbgrader selects (its --student pattern), so the graders and the sandbox start once. Every file is
    read as the kit's batch reads it (`batch.read_submitted`): a link nbgrader followed is refused here.
    Inputs come from the course's salt, as in the kit's batch (`secret.of_course`, with nbgrader's config).
    """
    from autograder.engine import batch, locate, secret  # imports the graders, so only when grading

    path = Path(coursedir.format_path(coursedir.submitted_directory, student, assignment)) / f"{notebook}.ipynb"
    listed = {s.student: s for s in locate.submissions(coursedir, assignment)}
    asked = replace(listed.get(student) or locate.Submitted(student, path.parent, path), notebook=path)
    reference = instructor.of_course(coursedir, assignment, notebook)
    wanted = batch.read_submitted(asked, assignment, reference)
    if (str(path), wanted.fingerprint) not in _graded:
        others = [
            batch.read_submitted(s, assignment, reference)
            for s in listed.values()
            if fnmatch.fnmatchcase(s.student, coursedir.student_id) and s.student != student
        ]
        submissions = [*others, wanted]
        salt = secret.of_course(coursedir.root, coursedir.config)
        for submission, result in zip(submissions, batch.grade_now(submissions, salt=salt), strict=True):
            _graded[(submission.path, submission.fingerprint)] = result
    return _graded[(str(path), wanted.fingerprint)]


def check_cell_outputs(exercise: ExerciseResult, lang: str | None = None) -> list:
    """The feedback a student reads under the check cell, then the score nbgrader records."""
    head = Msg(
        ko=f"자동 채점 {exercise.id}: {exercise.score:g}/{exercise.points:g} 점 (숨은 검사, 무작위 입력)",
        en=f"Autograded {exercise.id}: {exercise.score:g}/{exercise.points:g} points "
        f"(hidden checks, randomized inputs)",
    )
    text = "\n".join([head.text(lang), *terminal.check_lines(exercise, lang)]) + "\n"
    return [
        nbformat.v4.new_output("stream", name="stdout", text=text),
        nbformat.v4.new_output(
            "execute_result", data={"text/plain": repr(float(exercise.score))}, execution_count=None
        ),
    ]


def annotate_cell_errors(nb: NotebookNode, result: SubmissionResult, lang: str | None = None) -> None:
    """Show an error the student's own cell raised when the graders ran it, under that cell. The cells
    are numbered as in the graded notebook, which is the one nbgrader autogrades (`SubmissionExporter`)."""
    for error in result.cell_errors:
        index = error.get("cell", 0) - 1 if isinstance(error.get("cell"), int) else -1
        if not 0 <= index < len(nb.cells) or not sanitize.runs(nb.cells[index]):
            continue
        line = next(
            (f"line {f.get('line')}: " for f in reversed(error.get("frames", [])) if f.get("cell") == index + 1), ""
        )
        text = f"{error.get('type')}: {str(error.get('message', ''))[:300]}"
        note = Msg(
            ko=f"⚠ 채점할 때 이 셀이 오류를 냈습니다 ({line}{text})",
            en=f"⚠ This cell raised an error when it was graded ({line}{text})",
        )
        nb.cells[index].outputs = [nbformat.v4.new_output("stream", name="stdout", text=note.text(lang) + "\n")]


UNREADABLE = Msg(
    ko="제출한 노트북을 읽을 수 없어 배포된 노트북으로 대신 보여 줍니다. 점수와 아래의 채점 결과는 "
    "제출한 파일에서 나온 것입니다: ",
    en="The kit could not read the submitted notebook, so the released notebook is shown instead. "
    "The scores and the feedback below come from the submitted file: ",
)
NOT_GRADED = Msg(ko="이 제출물은 채점하지 않았습니다: ", en="This submission was not graded: ")


class SubmissionExporter(NotebookExporter):
    """Reads a submitted notebook as the kit grades it, so that `autograded/` shows the code that ran.

    nbgrader's first pass reads the student's file; it gets the graded notebook instead (`sanitize`:
    locked cells from the release, answers and added cells from the submission, in the release's order),
    made by the same reading (`extract`) that the kit's verdict came from, after which nbgrader's own
    steps (`OverwriteCells`...) find nothing to restore. A file the kit cannot read is shown as the
    released notebook under a note that says why; one it refused, as read, under the reason. (`KitGrade`
    shows the note, as every text cell that is not the release's, as plain text.)
    """

    # nbconvert's Exporter says a NotebookNode comes back; NotebookExporter's is its text
    def from_filename(  # type: ignore[override]
        self, filename: str, resources: dict[str, Any] | None = None, **kw: Any
    ) -> tuple[NotebookNode | str, dict[str, Any]]:
        coursedir = getattr(self.parent, "coursedir", None)
        info = (resources or {}).get("nbgrader")
        if coursedir is None or info is None or not _is_submitted(coursedir, info, filename):
            return super().from_filename(filename, resources, **kw)  # later passes read nbgrader's own copy
        reference = instructor.of_course(coursedir, info["assignment"], info["notebook"])
        submission = extract.read_notebook(filename, info["student"], info["assignment"], reference)
        cells = submission.notebook or sanitize.restore([], reference.released)[0]
        nb = nbformat.from_dict(sanitize.as_notebook(cells, reference.released))
        if submission.problem is not None:
            notice = UNREADABLE if not submission.notebook else NOT_GRADED
            said = notice + submission.problem
            nb.cells.insert(0, nbformat.v4.new_markdown_cell(f"{said.ko}\n\n{said.en}"))
        resources = resources if resources is not None else {}
        resources.setdefault("metadata", {})
        resources["metadata"].update(name=Path(filename).stem, path=str(Path(filename).parent))
        return self.from_notebook_node(nb, resources, **kw)


def _is_submitted(coursedir: CourseDirectory, info: dict, filename: str) -> bool:
    """Whether nbgrader is reading the student's file (its first pass), not its own copy of it. No link is
    resolved: a notebook that is a link must be read (and refused) as the student's file."""
    submitted = coursedir.format_path(coursedir.submitted_directory, info["student"], info["assignment"])
    return os.path.dirname(os.path.abspath(filename)) == os.path.abspath(submitted)


class KitCollect(ExchangeCollect):
    """`nbgrader collect` that copies what the student made and never what a link points to.

    nbgrader's collect copies each submission with `shutil.copytree`, with the instructor's rights and
    following links: a student who leaves in the exchange a link to the instructor's files (or a folder
    that is such a link) has them collected as their work. Here a submission is first copied into a
    private folder through descriptors opened with O_NOFOLLOW, folders and regular files only, so that a
    link (even one swapped in while collecting), a FIFO or a device stays behind, named in the log;
    nbgrader's own copy (its size limits, ignore patterns, permissions) then runs on what was kept.
    Set by the kit's nbgrader_config.py (`c.ExchangeFactory.collect`).
    """

    def do_copy(self, src: str, dest: str, log: logging.Logger | None = None) -> None:
        with tempfile.TemporaryDirectory(prefix="kit-collect-") as private:
            kept = Path(private) / "submission"
            budget = [1000 * self.coursedir.max_dir_size]
            left = _copy_own(src, kept, budget)
            if not kept.is_dir():
                self.log.error("%s is not collected: it is %s, not a folder", terminal.clean(src), left[0][1])
                return
            for path, why in left:
                self.log.warning(
                    "not collected: %s is %s (only folders and regular files are)", terminal.clean(path), why
                )
            super().do_copy(str(kept), dest, log)


def _copy_own(source: str, kept: Path, budget: list[int]) -> list[tuple[str, str]]:
    """Copy the folder `source` to `kept`, never following a link; returns what was left behind and why."""
    left: list[tuple[str, str]] = []
    try:
        folder = os.open(source, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError as error:
        return [(source, _refused(source, error))]
    try:
        _copy_folder(folder, source, kept, left, budget)
    finally:
        os.close(folder)
    return left


def _refused(name: str, error: OSError, folder: int | None = None) -> str:
    """Why an entry could not be opened without following a link: it is one, or the system's reason."""
    with contextlib.suppress(OSError):
        if stat.S_ISLNK(os.lstat(name, dir_fd=folder).st_mode):
            return "a link"
    return error.strerror or "unreadable"


def _copy_folder(folder: int, shown: str, kept: Path, left: list, budget: list[int]) -> None:
    kept.mkdir()
    for name in sorted(os.listdir(folder)):
        where = os.path.join(shown, name)
        try:
            handle = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY, dir_fd=folder)
        except OSError as error:
            left.append((where, _refused(name, error, folder)))
            continue
        try:
            mode = os.fstat(handle).st_mode
            if stat.S_ISDIR(mode):
                _copy_folder(handle, where, kept / name, left, budget)
            elif stat.S_ISREG(mode):
                with open(kept / name, "wb") as copy, os.fdopen(os.dup(handle), "rb") as original:
                    while chunk := original.read(1 << 20):
                        budget[0] -= len(chunk)
                        if budget[0] < 0:
                            raise RuntimeError(f"{shown} is larger than CourseDirectory.max_dir_size")
                        copy.write(chunk)
            else:
                left.append((where, "not a regular file"))
        finally:
            os.close(handle)


class EscapeStudentNames(Preprocessor):
    """The formgrader's submission page prints the student's id and names and the notebook's path as
    HTML without escaping them (nbgrader's `formgrade_macros.html.j2`): an id such as
    `<img src=x onerror=...>` would run in the TA's session. As one of `c.HTMLExporter.preprocessors`
    this escapes them in the page's resources before the template reads them."""

    FIELDS = ("student", "first_name", "last_name", "notebook_path")

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        for field in self.FIELDS:
            if isinstance(resources.get(field), str):
                resources[field] = html.escape(resources[field], quote=True)
        return nb, resources


class LatePenaltyPerDay(LateSubmissionPlugin):
    """The course's late policy: each started day late costs a share of the notebook's score."""

    percent_per_day = Float(10.0, help="Percent of the score lost per started day late (100: zero at once).").tag(
        config=True
    )

    def late_submission_penalty(self, student_id: str, score: float, total_seconds_late: float) -> float | None:
        if total_seconds_late <= 0:
            return None
        days = math.ceil(total_seconds_late / 86400)
        return round(score * min(1.0, days * self.percent_per_day / 100), 6)


class KitCsvExport(CsvExportPlugin):
    """`nbgrader export` writes nbgrader's columns and rows through `spreadsheet`: every field quoted
    (nbgrader's own plugin quotes none, so a comma in a name shifts the columns) and no student id or
    name that a spreadsheet would evaluate as a formula."""

    COLUMNS = (
        "assignment",
        "duedate",
        "timestamp",
        "student_id",
        "last_name",
        "first_name",
        "email",
        "raw_score",
        "late_submission_penalty",
        "score",
        "max_score",
    )

    def export(self, gradebook: Gradebook) -> None:
        destination = self.to or "grades.csv"
        only_assignments, only_students = set(map(str, self.assignment)), set(map(str, self.student))
        self.log.info("Exporting grades to %s", destination)
        rows = []
        for assignment in gradebook.assignments:
            if only_assignments and assignment.name not in only_assignments:
                continue
            for student in gradebook.students:
                if only_students and student.id not in only_students:
                    continue
                try:
                    submission = gradebook.find_submission(assignment.name, student.id)
                    timestamp, raw, penalty = submission.timestamp, submission.score, submission.late_submission_penalty
                except MissingEntry:  # nothing submitted: zero, as nbgrader's own export says
                    timestamp, raw, penalty = None, 0.0, 0.0
                rows.append(
                    [
                        assignment.name,
                        assignment.duedate,
                        timestamp,
                        student.id,
                        student.last_name,
                        student.first_name,
                        student.email,
                        raw,
                        penalty,
                        max(0.0, raw - penalty),
                        assignment.max_score,
                    ]
                )
        spreadsheet.write(destination, self.COLUMNS, rows)


class KitFeedbackExporter(HTMLExporter):
    """`nbgrader generate_feedback` writes the kit's feedback page, which `release_feedback` delivers.

    The page is built from the kit's verdicts for that student (`reports/<assignment>/results.json`,
    written when the kit grades), so it carries every check's message and never the notebook's hidden
    parts. A student the kit has no verdict for gets nbgrader's own page of the autograded notebook.
    """

    lang = Unicode("", help="Feedback language, ko or en (default: $KIT_LANG, else ko).").tag(config=True)

    def from_notebook_node(  # type: ignore[override]  # as HTMLExporter's own: a page is text
        self, nb: NotebookNode, resources: dict[str, Any] | None = None, **kw: Any
    ) -> tuple[str, dict[str, Any]]:
        result = self._verdict(resources)
        if result is None:
            return super().from_notebook_node(nb, resources, **kw)
        resources = self._init_resources(resources)
        resources["output_extension"] = self.file_extension
        return feedback.feedback_page(result, language(self.lang or None)), resources

    def _verdict(self, resources: dict[str, Any] | None) -> SubmissionResult | None:
        coursedir = getattr(self.parent, "coursedir", None)
        if coursedir is None or not resources or "nbgrader" not in resources:
            return None
        student, assignment = resources["nbgrader"]["student"], resources["nbgrader"]["assignment"]
        path = Path(coursedir.root) / "reports" / assignment / "results.json"
        try:
            verdicts = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        found = [SubmissionResult.from_dict(v) for v in verdicts if v.get("student") == student]
        return found[0] if found else None
