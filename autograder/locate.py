"""Where a course is and where its submissions are: nbgrader's own rule, for every command on a class.

A command works on the directory it runs in, or on `--course DIR`. nbgrader reads `nbgrader_config.py`
there (after the user's and the system's Jupyter config folders), and that file may move the course
elsewhere (`c.CourseDirectory.root`) or rename its folders (`submitted_directory`, `directory_structure`).
The kit asks nbgrader's `CourseDirectory` the same questions, so `python -m autograder grade
--assignment`, `gradebook`, `nbgrader autograde` through the kit and the sample class all find the same
notebooks, and every file the kit writes for a course (`graded/`, `reports/`) lands in the course root.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from jupyter_core.paths import jupyter_config_path
from traitlets.config import Config, PyFileConfigLoader

from autograder.errors import CourseError, NoSubmissions

CONFIG_FILE = "nbgrader_config.py"
_STUDENT = "\0student\0"  # stands in for a student id while a path pattern is taken apart


@dataclass(frozen=True)
class Submitted:
    """One collected submission: a student's folder, and the notebook the kit grades in it."""

    student: str
    folder: Path
    notebook: Path


@dataclass(frozen=True)
class Course:
    """A course as nbgrader sees it from one directory: its configuration and its root."""

    directory: Path  # where the command runs (or --course): the nbgrader_config.py that counts is here
    config: Config

    @property
    def root(self) -> Path:
        return Path(self.config.CourseDirectory.root)

    @property
    def coursedir(self):
        from nbgrader.coursedir import CourseDirectory  # noqa: PLC0415 - importing nbgrader takes seconds

        return CourseDirectory(config=self.config)

    def submissions(self, assignment: str) -> list[Submitted]:
        return submissions(self.coursedir, assignment)

    def graded_folder(self, assignment: str) -> Path:
        """Where the kit keeps one verdict per submission (`store.ResultStore`)."""
        return self.root / "graded" / assignment

    def reports_folder(self, assignment: str) -> Path:
        return self.root / "reports" / assignment


def course(where: str | Path | Course | None = None) -> Course:
    """The course a command works on: `where` (the command's --course), else the current directory."""
    if isinstance(where, Course):
        return where
    directory = Path(where if where is not None else os.getcwd()).resolve()
    if not directory.is_dir():
        raise CourseError(f"{directory} is not a directory")
    config = load_config(directory)
    root = config.CourseDirectory.get("root")
    config.CourseDirectory.root = str((directory / root).resolve() if root else directory)
    return Course(directory, config)


def load_config(directory: Path) -> Config:
    """nbgrader_config.py as nbgrader loads it: the Jupyter config folders, then the course directory's
    own file, each later one overriding the ones before."""
    config = Config()
    for folder in [*reversed(jupyter_config_path()), str(directory)]:
        if Path(folder, CONFIG_FILE).is_file():
            config.merge(PyFileConfigLoader(CONFIG_FILE, path=str(folder)).load_config())
    return config


def submissions(coursedir, assignment: str) -> list[Submitted]:
    """Every collected submission of an assignment, by student id, where nbgrader's configured layout
    puts them (`submitted/<student>/<assignment>/<assignment>.ipynb` by default).

    Student folders are listed, never globbed: an id may hold `*` or `[`. A folder that is a link is
    not followed (a student's link to a classmate's work is not their submission)."""
    before, after = _around_student(coursedir, assignment)
    try:
        entries = sorted(os.scandir(before), key=lambda entry: entry.name)
    except (FileNotFoundError, NotADirectoryError):
        return []
    found = []
    for entry in entries:
        if not entry.is_dir(follow_symlinks=False):
            continue
        folder = Path(entry.path, after)
        if folder.is_dir() and not folder.is_symlink():
            found.append(Submitted(entry.name, folder, folder / f"{assignment}.ipynb"))
    return found


def expected_notebook(coursedir, assignment: str) -> str:
    """Where a student's notebook is expected, for messages: `/course/submitted/<student>/A/A.ipynb`."""
    before, after = _around_student(coursedir, assignment)
    return os.path.join(before, "<student>", after, f"{assignment}.ipynb")


def _around_student(coursedir, assignment: str) -> tuple[str, str]:
    """The submitted layout split at the student id: the folder that lists students, and the path below."""
    pattern = coursedir.format_path(coursedir.submitted_directory, _STUDENT, assignment)
    before, _, after = pattern.partition(_STUDENT)
    return before.rstrip(os.sep) or os.sep, after.lstrip(os.sep)


def no_submissions(course: Course, assignment: str) -> NoSubmissions:
    return NoSubmissions(f"no submissions of {assignment} found: looked for "
                         f"{expected_notebook(course.coursedir, assignment)} (course {course.root}; "
                         f"collect them with `nbgrader collect {assignment}` or `nbgrader zip_collect "
                         f"{assignment}`, or run this in the course directory or give --course DIR)")
