"""The kit's verdicts in nbgrader's gradebook, written by nbgrader's own autograde pipeline.

`record` runs nbgrader's `Autograde` converter in this process with the course's configuration, its
`KitGrade` step holding verdicts the kit already made. nbgrader therefore does what it always does
(creates unknown students, reads `timestamp.txt`, restores locked and deleted check cells, records
every check cell's auto score, applies the course's late penalty, writes `autograded/`) and nothing
of that is written again here. `read` gives the gradebook's view back for checks and reports.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook
from nbgrader.apps.api import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from sqlalchemy.exc import SAWarning
from traitlets.config import Config

from autograder import locate
from autograder.errors import GradebookError
from autograder.locate import CONFIG_FILE
from autograder.nbgrader_plugin import KitGrade, KitGradeError
from autograder.results import SubmissionResult


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
def quiet_nbgrader():
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


def record(course: str | Path | locate.Course, assignment: str, results: Iterable[SubmissionResult],
           lang: str | None = None) -> list[str]:
    """Record verdicts for `submitted/<student>/<assignment>/`; returns the students recorded.

    A re-grade rewrites auto scores and `autograded/`; manual scores given in the formgrader stay
    and keep winning over the auto score. Raises `GradebookError` naming the students nbgrader
    could not record (the others are recorded).
    """
    results = {r.student: r for r in results}
    config = nbgrader_config(course)
    config.Autograde.autograde_preprocessors = _with_verdicts(
        config.Autograde.get("autograde_preprocessors", []), KitGrade(results=results, lang=lang or "",
                                                                      config=config))
    api = nbgrader_api(course, config)
    failures = []
    for student in sorted(results):
        with quiet_nbgrader():
            outcome = api.autograde(assignment, student, force=True, create=True)
        if not outcome["success"]:
            failures.append(f"{student}: {outcome.get('error', '')[-1500:]}\n{outcome.get('log', '')[-1500:]}")
    if failures:
        raise GradebookError(f"nbgrader could not record {len(failures)} submission(s) of {assignment}:\n"
                             + "\n".join(failures))
    return sorted(results)


def _with_verdicts(pipeline: list, kit: KitGrade) -> list:
    """The course's autograde pipeline with its KitGrade step holding the verdicts."""
    names = [p if isinstance(p, str) else f"{p.__module__}.{p.__qualname__}" for p in pipeline]
    wanted = f"{KitGrade.__module__}.{KitGrade.__qualname__}"
    if wanted not in names:
        raise KitGradeError(f"{CONFIG_FILE} must list {wanted} in c.Autograde.autograde_preprocessors "
                            "(in place of nbgrader's Execute) for the kit to write the gradebook")
    return [kit if name == wanted else step for name, step in zip(names, pipeline)]


def read(course: str | Path | locate.Course, assignment: str) -> dict[str, Entry]:
    """Every submission of an assignment as recorded, by student id."""
    config = nbgrader_config(course)
    coursedir = CourseDirectory(config=config)
    entries = {}
    with Gradebook(coursedir.db_url, coursedir.course_id) as gb:
        for submission in gb.assignment_submissions(assignment):
            entry = Entry(submission.student.id, raw_score=submission.score, max_score=submission.max_score,
                          late_penalty=submission.late_submission_penalty or 0.0,
                          seconds_late=submission.total_seconds_late, timestamp=submission.timestamp)
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    entry.scores[grade.name] = grade.score
                    entry.auto_scores[grade.name] = grade.auto_score
                    entry.manual_scores[grade.name] = grade.manual_score
            entries[entry.student] = entry
    return entries
