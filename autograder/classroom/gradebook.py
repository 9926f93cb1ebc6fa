"""The kit's verdicts in nbgrader's gradebook, written by nbgrader's own autograde pipeline.

`record` runs nbgrader's `Autograde` converter in this process with the course's configuration, its
`KitGrade` step holding verdicts the kit already made. nbgrader therefore does what it always does
(creates unknown students, reads `timestamp.txt`, restores locked and deleted check cells, records
every check cell's auto score, applies the course's late penalty, writes `autograded/`) and nothing
of that is written again here. `read` gives the gradebook's view back for checks and reports.
"""

from __future__ import annotations

import contextlib
import copy
import os
import shutil
import sys
import tempfile
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook
from nbgrader.apps.api import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from sqlalchemy.exc import SAWarning
from traitlets.config import Config

from autograder.classroom.plugin import KitGrade, KitGradeError
from autograder.engine import extract, intake, locate
from autograder.engine.locate import CONFIG_FILE, SECRET, TIMESTAMP
from autograder.engine.results import SubmissionResult
from autograder.errors import GradebookError
from autograder.messages import Msg, language

NOT_READ = Msg(
    ko="제출한 노트북을 읽지 않았으므로 배포된 노트북으로 대신 보여 줍니다.",
    en="The submitted notebook was not read, so the released notebook is shown instead.",
)


@dataclass
class Entry:
    """One student's graded submission as the gradebook holds it (what the formgrader shows)."""

    student: str
    scores: dict[str, float] = field(default_factory=dict)  # grade cell id -> effective score
    auto_scores: dict[str, float | None] = field(default_factory=dict)
    manual_scores: dict[str, float | None] = field(default_factory=dict)
    raw_score: float = 0.0
    late_penalty: float = 0.0
    max_score: float = 0.0
    seconds_late: float = 0.0
    timestamp: object = None

    @property
    def score(self) -> float:
        """After the late penalty, as `nbgrader export` computes it."""
        return max(0.0, self.raw_score - self.late_penalty)


@contextlib.contextmanager
def quiet_nbgrader() -> Iterator[None]:
    """Silence nbgrader 0.9.6's known, harmless warnings (SQLAlchemy 2 session notices, an unclosed
    timestamp file, a misspelt `authentictor` argument), which would drown the kit's output."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", ".*not in session", SAWarning)
        warnings.simplefilter("ignore", ResourceWarning)
        warnings.filterwarnings("ignore", "Passing unrecognized arguments", DeprecationWarning)
        yield


def nbgrader_config(course: str | Path | locate.Course) -> Config:
    """The course's nbgrader configuration, loaded as nbgrader loads it (`locate.course`)."""
    return locate.course(course).config


def location(course: str | Path | locate.Course) -> str:
    """The gradebook's database URL (nbgrader's default: sqlite:///<course>/gradebook.db)."""
    return CourseDirectory(config=nbgrader_config(course)).db_url


def _alembic_on_path() -> None:
    """nbgrader's gradebook shells out to `alembic`, which lives beside this interpreter."""
    if shutil.which("alembic") is None:
        os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])


_alembic_on_path()


def nbgrader_api(course: str | Path | locate.Course, config: Config | None = None) -> NbGraderAPI:
    """nbgrader's high-level API (the formgrader's) on the course, for its steps in this process."""
    config = config or nbgrader_config(course)
    return NbGraderAPI(CourseDirectory(config=config), config=config)


def record(
    course: str | Path | locate.Course, assignment: str, results: Iterable[SubmissionResult], lang: str | None = None
) -> list[str]:
    """Record verdicts for `submitted/<student>/<assignment>/`; returns the students recorded.

    nbgrader reads a copy of each submission that holds only what the kit read through `intake` (the
    notebook, or the released one with the reason it was refused, and `timestamp.txt`), so it never
    follows a link or opens a FIFO that a student left in `submitted/`. Each student is named to
    nbgrader by a glob that matches that id alone (`locate.literal`), in a copy that holds no other
    student; an id nbgrader cannot take (`locate.id_problem`) is left out, its result saying why. A
    re-grade rewrites auto scores and `autograded/`; manual scores given in the formgrader stay and keep
    winning over the auto score.
    Raises `GradebookError` naming the students nbgrader could not record (the others are recorded).
    """
    by_student = {r.student: r for r in results}
    located = locate.course(course)
    found = {s.student: s for s in located.submissions(assignment) if s.student in by_student and s.recordable}
    config = copy.deepcopy(located.config)
    config.Autograde.autograde_preprocessors = _with_verdicts(
        config.Autograde.get("autograde_preprocessors", []),
        KitGrade(results=by_student, lang=lang or "", config=config),
    )
    failures = []
    api = nbgrader_api(located, config)
    with tempfile.TemporaryDirectory(prefix="kit-submitted-") as staging:
        for index, student in enumerate(sorted(found)):
            # Each student alone in a folder of its own (absolute: nbgrader's root does not prefix it), where
            # nbgrader's glob of the notebooks in the folder it found cannot reach a classmate's.
            api.coursedir.submitted_directory = os.path.join(staging, str(index))
            _stage(found[student], by_student[student], api.coursedir, assignment, language(lang))
            with quiet_nbgrader():
                outcome = api.autograde(assignment, locate.literal(student), force=True, create=True)
            if not outcome["success"]:
                failures.append(f"{student}: {outcome.get('error', '')[-1500:]}\n{outcome.get('log', '')[-1500:]}")
    if failures:
        raise GradebookError(
            f"nbgrader could not record {len(failures)} submission(s) of {assignment}:\n" + "\n".join(failures)
        )
    return sorted(found)


def _stage(
    submitted: locate.Submitted, result: SubmissionResult, coursedir: CourseDirectory, assignment: str, lang: str
) -> None:
    """What nbgrader reads of one submission, where `coursedir` (the staging copy) expects it."""
    folder = Path(coursedir.format_path(coursedir.submitted_directory, submitted.student, assignment))
    folder.mkdir(parents=True)
    if result.timestamp is not None:
        (folder / TIMESTAMP).write_text(result.timestamp + "\n", encoding="utf-8")
    try:
        if submitted.refused is not None:  # its folder is a link: nothing in it is opened
            raise intake.Refused(submitted.refused)
        notebook = intake.read_bytes(submitted.notebook, extract.MAX_NOTEBOOK_BYTES, extract.NOTEBOOK)
    except intake.Refused as refused:
        notebook = _released_with_reason(coursedir, assignment, NOT_READ.text(lang), refused.reason.text(lang))
    (folder / f"{assignment}.ipynb").write_bytes(notebook)
    if submitted.refused is None:
        with contextlib.suppress(intake.Refused):  # the exchange's proof of who submitted, for release_feedback
            (folder / SECRET).write_bytes(intake.read_bytes(submitted.folder / SECRET, 4096))


def _released_with_reason(coursedir: CourseDirectory, assignment: str, *reason: str) -> bytes:
    """The released notebook, headed by why the student's was not read: what the formgrader shows instead."""
    released = Path(coursedir.format_path(coursedir.release_directory, ".", assignment)) / f"{assignment}.ipynb"
    notebook = nbformat.read(released, as_version=4)
    notebook.cells.insert(0, nbformat.v4.new_markdown_cell(" ".join(f"**{part}**" for part in reason)))
    return nbformat.writes(notebook).encode()


def _with_verdicts(pipeline: list, kit: KitGrade) -> list:
    """The course's autograde pipeline with its KitGrade step holding the verdicts."""
    names = [p if isinstance(p, str) else f"{p.__module__}.{p.__qualname__}" for p in pipeline]
    wanted = f"{KitGrade.__module__}.{KitGrade.__qualname__}"
    if wanted not in names:
        raise KitGradeError(
            f"{CONFIG_FILE} must list {wanted} in c.Autograde.autograde_preprocessors "
            "(in place of nbgrader's Execute) for the kit to write the gradebook"
        )
    return [kit if name == wanted else step for name, step in zip(names, pipeline, strict=True)]


def read(course: str | Path | locate.Course, assignment: str) -> dict[str, Entry]:
    """Every submission of an assignment as recorded, by student id."""
    config = nbgrader_config(course)
    coursedir = CourseDirectory(config=config)
    entries = {}
    with Gradebook(coursedir.db_url, coursedir.course_id) as gb:
        for submission in gb.assignment_submissions(assignment):
            entry = Entry(
                submission.student.id,
                raw_score=submission.score,
                max_score=submission.max_score,
                late_penalty=submission.late_submission_penalty or 0.0,
                seconds_late=submission.total_seconds_late,
                timestamp=submission.timestamp,
            )
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    entry.scores[grade.name] = grade.score
                    entry.auto_scores[grade.name] = grade.auto_score
                    entry.manual_scores[grade.name] = grade.manual_score
            entries[entry.student] = entry
    return entries
