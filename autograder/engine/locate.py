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
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from jupyter_core.paths import jupyter_config_path
from traitlets.config import Config, PyFileConfigLoader

from autograder.errors import CourseError, NoSubmissions
from autograder.messages import Msg

if TYPE_CHECKING:
    from nbgrader.coursedir import CourseDirectory

CONFIG_FILE = "nbgrader_config.py"
TIMESTAMP = "timestamp.txt"  # written by nbgrader collect beside each notebook: when it was submitted
SECRET = "submission_secret.txt"  # written by nbgrader collect: how release_feedback finds the exchange copy
_STUDENT = "\0student\0"  # stands in for a student id while a path pattern is taken apart


LINKED_FOLDER = Msg(
    ko="제출 폴더가 심볼릭 링크입니다. 링크는 따라가지 않으므로 제출물로 채점하지 않습니다.",
    en="The submission folder is a symbolic link: links are not followed, so it is not graded as a submission.",
)

NOT_TEXT = Msg(
    ko="학생 ID(폴더 이름)가 UTF-8 텍스트가 아니어서 채점하거나 성적부에 기록할 수 없습니다. 조교가 확인해야 합니다.",
    en="The student id (the folder's name) is not UTF-8 text, so it cannot be graded or recorded; "
    "a TA must look at it.",
)
LINE_BREAK = Msg(
    ko="학생 ID(폴더 이름)에 줄바꿈이 있어 nbgrader 가 성적부에 기록할 수 없습니다. 조교가 확인해야 합니다.",
    en="The student id (the folder's name) holds a line break, which nbgrader cannot record; a TA must look at it.",
)
PATTERN = Msg(
    ko="학생 ID(폴더 이름)에 *, ? 또는 [ 가 있어 nbgrader 의 명령들이 패턴으로 읽고 "
    "다른 학생의 폴더까지 다룹니다. 폴더 이름을 바꿔야 합니다. 조교가 확인해야 합니다.",
    en="The student id (the folder's name) holds *, ? or [, which nbgrader's commands read as a pattern "
    "that reaches other students' folders; the folder must be renamed. A TA must look at it.",
)
HIDDEN = Msg(
    ko="학생 ID(폴더 이름)가 점(.)으로 시작해 nbgrader 의 명령들이 건너뜁니다. 조교가 확인해야 합니다.",
    en="The student id (the folder's name) starts with a dot, which nbgrader's commands skip; a TA must look at it.",
)


@dataclass(frozen=True)
class Submitted:
    """One collected submission: a student's folder, and the notebook the kit grades in it; `refused` says
    why nothing in it is read (its folder is a link, or its id is one nbgrader cannot take)."""

    student: str
    folder: Path
    notebook: Path
    refused: Msg | None = None
    recordable: bool = True  # whether nbgrader can take the id: its gradebook, autograded/ and feedback/


@dataclass(frozen=True)
class Course:
    """A course as nbgrader sees it from one directory: its configuration and its root."""

    directory: Path  # where the command runs (or --course): the nbgrader_config.py that counts is here
    config: Config

    @property
    def root(self) -> Path:
        return Path(self.config.CourseDirectory.root)

    @property
    def coursedir(self) -> CourseDirectory:
        from nbgrader.coursedir import CourseDirectory  # importing nbgrader takes seconds

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


def submissions(coursedir: CourseDirectory, assignment: str) -> list[Submitted]:
    """Every collected submission of an assignment, by student id, where nbgrader's configured layout
    puts them (`submitted/<student>/<assignment>/<assignment>.ipynb` by default).

    Student folders are listed, never globbed: an id may hold `*` or `[`. A folder that is a link is
    never followed (a student's link to a classmate's work is not their submission): it is listed,
    refused, so that the TA sees it."""
    before, after = _around_student(coursedir, assignment)
    try:
        entries = sorted(os.scandir(before), key=lambda entry: entry.name)
    except (FileNotFoundError, NotADirectoryError):
        return []
    found = []
    for entry in entries:
        folder = Path(entry.path, after)
        linked = entry.is_symlink() or _linked_below(Path(entry.path), after)
        if linked is None or not (linked or entry.is_dir(follow_symlinks=False)):
            continue  # this student has no folder for the assignment, or the entry is a file
        student, refused = entry.name, LINKED_FOLDER if linked else None
        unrecordable = id_problem(student)
        if unrecordable is NOT_TEXT:  # no JSON, database or page can hold it: shown escaped, never graded
            student = os.fsencode(student).decode("utf-8", "backslashreplace")
        found.append(
            Submitted(
                student,
                folder,
                folder / f"{assignment}.ipynb",
                unrecordable or refused,
                recordable=unrecordable is None,
            )
        )
    return found


def id_problem(student: str) -> Msg | None:
    """Why nbgrader cannot take a student id, if it cannot. Any other id can be recorded, given `literal`."""
    try:
        student.encode("utf-8")
    except UnicodeEncodeError:  # bytes that are not UTF-8, kept by the file system decoder as surrogates
        return NOT_TEXT
    if "\n" in student:  # nbgrader matches paths with `(?P<student_id>.*)`, and `.` stops at a line break
        return LINE_BREAK
    if student.startswith("."):  # nbgrader's `*` (autograde, generate_feedback, release_feedback) skips it
        return HIDDEN
    if any(c in student for c in "*?["):  # nbgrader globs a folder's notebooks by its path: `ali[c]e` finds alice's
        return PATTERN
    return None


def literal(student: str) -> str:
    """The glob that matches this student id alone, for nbgrader's `student_id`: nbgrader strips the
    spaces around it and globs it, so those spaces (and any `*`, `?`, `[`) are put in brackets."""
    return "".join(f"[{c}]" if c in "*?[" or c.isspace() else c for c in student)


def _linked_below(top: Path, below: str) -> bool | None:
    """Whether a folder on the way from `top` down to `top/below` is a link; None if one is missing."""
    for part in Path(below).parts:
        top = top / part
        try:
            mode = top.lstat().st_mode
        except OSError:
            return None
        if stat.S_ISLNK(mode):
            return True
        if not stat.S_ISDIR(mode):
            return None
    return False


def expected_notebook(coursedir: CourseDirectory, assignment: str) -> str:
    """Where a student's notebook is expected, for messages: `/course/submitted/<student>/A/A.ipynb`."""
    before, after = _around_student(coursedir, assignment)
    return os.path.join(before, "<student>", after, f"{assignment}.ipynb")


def _around_student(coursedir: CourseDirectory, assignment: str) -> tuple[str, str]:
    """The submitted layout split at the student id: the folder that lists students, and the path below."""
    pattern = coursedir.format_path(coursedir.submitted_directory, _STUDENT, assignment)
    before, _, after = pattern.partition(_STUDENT)
    return before.rstrip(os.sep) or os.sep, after.lstrip(os.sep)


def no_submissions(course: Course, assignment: str) -> NoSubmissions:
    return NoSubmissions(
        f"no submissions of {assignment} found: looked for "
        f"{expected_notebook(course.coursedir, assignment)} (course {course.root}; "
        f"collect them with `nbgrader collect {assignment}` or `nbgrader zip_collect "
        f"{assignment}`, or run this in the course directory or give --course DIR)"
    )
