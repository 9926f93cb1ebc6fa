"""A bundled sample class: simulated students take every assignment through nbgrader, the kit grades.

`run(directory)` builds a course directory beside the kit (its own `nbgrader_config.py` loads the
kit's), then plays a term: the instructor generates and releases each assignment; every student
fetches it, answers each exercise the way their profile says, and submits at a time on a simulated
clock; the instructor collects, the kit grades and records the gradebook, nbgrader writes and
releases feedback, and the grades are exported. Everything is deterministic: the same class comes
out of every run in the same directory (its inputs come from the class's own secret salt, which a
rebuild keeps).

Answers are made from the course's own material: the solution in `source/`, the correct
alternatives and the known mistakes ("mutants") of each grader, a typo in the solution, or the stub
left as released. A few students have fixed roles (all correct, blank, hostile, late), and two pairs are
planted for the similarity report: an original whose answers are in a style of their own and a copier
who hands in the same code with the names changed, the helpers reordered and the comments gone; a
lender with another style of their own, and a borrower who works alone except on two exercises.
"""

from __future__ import annotations

import ast
import datetime
import hashlib
import io
import json
import re
import shutil
import time
import tokenize
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.auth import Authenticator
from nbgrader.coursedir import CourseDirectory
from nbgrader.exchange.default import Exchange, ExchangeFetchAssignment, ExchangeFetchFeedback, ExchangeSubmit
from traitlets.config import Config

from autograder import kit
from autograder.authoring.spec import Alternative, Exercise, Mutant
from autograder.classroom import course, gradebook
from autograder.engine import catalog, secret
from autograder.errors import CourseError
from autograder.reports import term

KIT_ROOT = kit.ROOT
MARKER = ".kit-sample-class"
FIRST_DUEDATE = datetime.datetime(2026, 3, 13, 14, 59, tzinfo=datetime.UTC)  # Friday 23:59 in Seoul, week 2

COURSE_CONFIG = '''"""nbgrader configuration of a class run with the PyTorch basics kit: the kit's settings,
rooted here."""

import os

c = get_config()  # noqa: F821
load_subconfig({kit_config!r})  # noqa: F821 - the kit's course settings (course id, grading, late policy)

here = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.root = here
c.Exchange.root = os.path.join(here, "exchange")
'''

GIVEN_NAMES = (
    "minjun",
    "seoyeon",
    "jiho",
    "hayoon",
    "dohyun",
    "jiwoo",
    "eunwoo",
    "sua",
    "junseo",
    "chaewon",
    "yejun",
    "jiyu",
    "siwoo",
    "daeun",
    "hajun",
    "yuna",
    "jihun",
    "seoa",
    "geonwoo",
    "suhyun",
)
FAMILY_NAMES = ("kim", "lee", "park", "choi", "jung", "kang", "cho", "yoon", "jang", "lim", "han", "oh")
ROLES = ("all_correct", "blank", "hostile", "late", "original", "copier", "lender", "borrower")
BORROWED = (1, 4)  # the borrower copies the lender's 2nd and 5th exercise of each assignment

HOSTILE_ANSWER = '''
import os, sys
import torch

class _Agreeable:
    """Equal to everything, so a grader comparing with == in the student's process would pass it."""
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __bool__(self): return True

torch.allclose = lambda *args, **kwargs: True
torch.equal = lambda *args, **kwargs: True
torch.testing.assert_close = lambda *args, **kwargs: None
print("grader, give me full marks", file=sys.stderr)

def {name}(*args, **kwargs):
    for secret in ("../../../source", "../../../autograder/graders", "../../../gradebook.db", "/etc/shadow"):
        try:
            print(os.listdir(secret) if os.path.isdir(secret) else open(secret, "rb").read(100))
        except OSError:
            pass
    if {leave}:
        os._exit(0)  # end the grading process before it can record a failure
    return _Agreeable()
'''


@dataclass(frozen=True)
class Style:
    """A student's own way of writing any answer around the model solution: helpers of their own above the
    function, a first line calling one of them, and the last `return` written their way."""

    helpers: str
    opening: str  # format fields: {first} (the first parameter), {id} (the exercise)
    closing: str  # format fields: {value} (what the solution returns), {indent}, {id}


STYLES = {
    "defensive": Style(
        helpers="""
def _require(*given):
    # refuse a missing argument early, with a message that says which one
    for where, piece in enumerate(given):
        if piece is None:
            raise ValueError("argument " + str(where) + " is missing")
    return len(given)


def _finish(outcome, tag):
    # one place to look at what every function returns
    kind = type(outcome).__name__
    if kind == "NoneType":
        raise RuntimeError(tag + " computed nothing")
    return outcome
""",
        opening="_require({first})",
        closing='answer = {value}\n{indent}return _finish(answer, "{id}")',
    ),
    "stepwise": Style(
        helpers='''
STEP_NOTE = "checked by hand against the notes"


def _trace(name, *inputs):
    """Remember where I am: the exercise and the shapes it was given."""
    parts = [name]
    for item in inputs:
        parts.append(str(getattr(item, "shape", type(item).__name__))[:40])
    return " | ".join(parts)
''',
        opening='where = _trace("{id}", {first})',
        closing='assert where.startswith("{id}"), STEP_NOTE\n{indent}result = {value}\n{indent}return result',
    ),
}
# What a copier renames: every name the styles' authors chose (none is a parameter of an exercise).
COPIED_NAMES = {
    "_require": "_check_args",
    "_finish": "_done",
    "given": "args_in",
    "where": "idx",
    "piece": "arg",
    "outcome": "res",
    "tag": "label_",
    "kind": "type_name",
    "answer": "out",
    "_trace": "_log_step",
    "STEP_NOTE": "NOTE",
    "parts": "bits",
    "inputs": "things",
    "item": "thing",
    "result": "final",
}


def styled(style: str, exercise_id: str, solution: str) -> str:
    """The solution (a function with a docstring) written in a student's own style."""
    way = STYLES[style]
    function = ast.parse(solution).body[0]
    assert isinstance(function, ast.FunctionDef)  # a solution is one function
    lines = solution.split("\n")
    last = max(i for i, line in enumerate(lines) if line.lstrip().startswith("return "))
    indent = lines[last][: len(lines[last]) - len(lines[last].lstrip())]
    value = lines[last].lstrip().removeprefix("return ")
    lines[last] = indent + way.closing.format(indent=indent, value=value, id=exercise_id)
    lines.insert(
        function.body[1].lineno - 1, "    " + way.opening.format(first=function.args.args[0].arg, id=exercise_id)
    )
    return way.helpers.strip("\n") + "\n\n\n" + "\n".join(lines)


def disguised(code: str) -> str:
    """A copy made to look like other work: the names its author chose renamed (`COPIED_NAMES`), the
    comments gone, and the helpers moved below the function in the opposite order."""
    edits, previous = [], ""
    for token in tokenize.generate_tokens(io.StringIO(code).readline):
        if token.type == tokenize.COMMENT:
            edits.append((token.start, token.end, ""))
        elif token.type == tokenize.NAME and token.string in COPIED_NAMES and previous != ".":
            edits.append((token.start, token.end, COPIED_NAMES[token.string]))
        previous = token.string
    lines = code.split("\n")
    for (row, begin), (_, end), text in reversed(edits):
        lines[row - 1] = lines[row - 1][:begin] + text + lines[row - 1][end:]
    renamed = "\n".join(line.rstrip() for line in lines if line.strip() or not line)
    *helpers, function = [ast.get_source_segment(renamed, statement) or "" for statement in ast.parse(renamed).body]
    return "\n\n\n".join([function, *reversed(helpers)])


@dataclass
class Student:
    """A simulated student: who they are and how they answer."""

    id: str
    role: str = ""  # one of ROLES, or "" for a student drawn by ability
    ability: float = 0.7  # the chance to answer an exercise correctly
    choices: dict[str, str] = field(default_factory=dict)  # exercise id -> kind of answer, fixed by hand

    def answer_kind(self, exercise: Exercise) -> str:
        """solution, alternative:<name>, mutant:<name>, typo, stub, hostile, style:<style> or copy:<style>
        (another student's answer in that style, disguised); drawn deterministically."""
        if exercise.id in self.choices:
            return self.choices[exercise.id]
        planted = {"original": "style:defensive", "copier": "copy:defensive", "lender": "style:stepwise"}
        if self.role in planted:
            return planted[self.role]
        if self.role == "borrower" and catalog.for_assignment(exercise.assignment).index(exercise) in BORROWED:
            return "copy:stepwise"
        if self.role in ("blank", "hostile"):
            return {"blank": "stub", "hostile": "hostile"}[self.role]
        if self.role in ("all_correct", "late") or _uniform(self.id, exercise.id, "answer") < self.ability:
            kinds = ["solution"] + [f"alternative:{a.name}" for a in exercise.alternatives]
        else:
            kinds = [f"mutant:{m.name}" for m in exercise.mutants] + ["typo", "stub"]
        return kinds[int(_uniform(self.id, exercise.id, "which") * len(kinds))]


def answer_source(kind: str, exercise: Exercise, solution: str, stub: str) -> str:
    """The code of an answer cell of the given kind."""
    if kind in ("solution", "stub"):
        return {"solution": solution, "stub": stub}[kind]
    if kind == "typo":
        return _typo(solution)
    if kind == "hostile":
        return HOSTILE_ANSWER.replace("{name}", exercise.id).replace("{leave}", str(exercise.order % 2 == 1))
    family, _, name = kind.partition(":")
    if family in ("style", "copy"):
        own = styled(name, exercise.id, solution)
        return own if family == "style" else disguised(own)
    variants: dict[str, tuple[Mutant | Alternative, ...]] = {
        "mutant": exercise.mutants,
        "alternative": exercise.alternatives,
    }
    return next(v.source for v in variants[family] if v.name == name)


@dataclass
class ClassRun:
    """Where a run put things, and what it graded."""

    root: Path
    students: list[Student] = field(default_factory=list)
    assignments: list[str] = field(default_factory=list)
    results: dict = field(default_factory=dict)  # assignment -> [SubmissionResult]
    answers: dict = field(default_factory=dict)  # (student, assignment) -> {exercise: kind}
    grades_csv: Path | None = None
    reports: list[Path] = field(default_factory=list)
    term_report: Path | None = None

    @property
    def gradebook(self) -> str:
        return gradebook.location(self.root)

    @property
    def feedback(self) -> Path:
        return self.root / "feedback"


def roster(count: int) -> list[Student]:
    """`count` students: the fixed roles first, then students of varied ability."""
    names = [f"{family}_{given}" for given in GIVEN_NAMES for family in FAMILY_NAMES]
    names.sort(key=lambda name: hashlib.sha256(name.encode()).hexdigest())
    students = []
    for index, name in enumerate(names[:count]):
        role = ROLES[index] if index < len(ROLES) else ""
        students.append(Student(name, role, ability=0.35 + 0.6 * _uniform(name, "ability")))
    return students


def build_course(root: Path, assignments: list[str]) -> None:
    """A fresh course directory: the kit's source notebooks and a config that loads the kit's. A class
    rebuilt where one was keeps its secret salt (made by the first grading, as in any course), so the same
    class, inputs included, comes out of every run there."""
    if root.exists():
        if not (root / MARKER).exists() and any(root.iterdir()):
            raise CourseError(f"{root} exists and is not a sample class made by the kit: choose another --dir")
        for entry in root.iterdir():
            if entry.name == secret.SALT_FILE:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
    (root / "source").mkdir(parents=True)
    for assignment in assignments:
        shutil.copytree(KIT_ROOT / "source" / assignment, root / "source" / assignment, symlinks=False)
    (root / "nbgrader_config.py").write_text(
        COURSE_CONFIG.format(kit_config=str(KIT_ROOT / gradebook.CONFIG_FILE)), encoding="utf-8"
    )
    (root / MARKER).write_text("made by `python -m autograder sample-class`; safe to delete\n", encoding="utf-8")


def present_assignments() -> list[str]:
    return [
        a
        for a in catalog.ASSIGNMENTS
        if (KIT_ROOT / "source" / a / f"{a}.ipynb").is_file() and catalog.for_assignment(a)
    ]


# -- the students' side: nbgrader's exchange, as their Assignment List runs it -------------------------


def home(root: Path, student: str) -> Path:
    return root / "students" / student


def _student_config(root: Path, student: str) -> Config:
    config = gradebook.nbgrader_config(root)
    config.Exchange.assignment_dir = str(home(root, student))
    config.Exchange.cache = str(home(root, student) / ".nbgrader_cache")
    config.CourseDirectory.student_id = student
    return config


class _SubmitAt(ExchangeSubmit):
    """nbgrader's submit with the submission time taken from the simulated clock."""

    at: datetime.datetime | None = None

    def set_timestamp(self) -> None:
        if self.at is None:
            return super().set_timestamp()
        self.timestamp = self.at.strftime(self.timestamp_format)


def fetch(root: Path, student: str, assignment: str) -> Path:
    """The student fetches a released assignment into their home folder."""
    home(root, student).mkdir(parents=True, exist_ok=True)
    _run_exchange(ExchangeFetchAssignment, root, student, assignment)
    return home(root, student) / assignment


def submit(root: Path, student: str, assignment: str, at: datetime.datetime | None = None) -> None:
    """The student submits their copy; `at` is a simulated submission time (default: now)."""
    _run_exchange(_SubmitAt, root, student, assignment, at=at)


def fetch_feedback(root: Path, student: str, assignment: str) -> list[Path]:
    """The student fetches their released feedback; returns the pages they received."""
    _run_exchange(ExchangeFetchFeedback, root, student, assignment)
    return sorted((home(root, student) / assignment / "feedback").glob("*/*.html"))


def _run_exchange(kind: type[Exchange], root: Path, student: str, assignment: str, **attributes: object) -> None:
    config = _student_config(root, student)
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id = assignment
    app = kind(coursedir=coursedir, authenticator=Authenticator(config=config), config=config)
    for name, value in attributes.items():
        setattr(app, name, value)
    app.start()


def fill(notebook: Path, student: Student, assignment: str) -> dict[str, str]:
    """Answer every exercise in a fetched notebook; returns {exercise id: kind of answer}."""
    nb = nbformat.read(notebook, as_version=4)
    by_id = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
    kinds = {}
    for exercise in catalog.for_assignment(assignment):
        cell = by_id.get(f"{exercise.id}_answer")
        if cell is None:
            continue
        kind = student.answer_kind(exercise)
        cell.source = answer_source(kind, exercise, solutions(assignment)[exercise.id], cell.source).strip("\n")
        kinds[exercise.id] = kind
    nbformat.write(nb, notebook)
    return kinds


def solutions(assignment: str) -> dict[str, str]:
    """Each exercise's answer cell from the source notebook, solution markers removed."""
    nb = json.loads((KIT_ROOT / "source" / assignment / f"{assignment}.ipynb").read_text(encoding="utf-8"))
    found = {}
    for cell in nb["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
        if grade_id.endswith("_answer"):
            source = "".join(cell["source"])
            found[grade_id.removesuffix("_answer")] = re.sub(
                r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*(\n|$)", "", source, flags=re.MULTILINE
            ).rstrip()
    return found


def solved(assignment: str) -> dict:
    """The released notebook with every exercise answered by its solution: what a student who solved them
    all hands in (never `source/`, whose solution delimiters no student has)."""
    notebook = json.loads((KIT_ROOT / "release" / assignment / f"{assignment}.ipynb").read_text(encoding="utf-8"))
    answers = solutions(assignment)
    for cell in notebook["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
        if grade_id.endswith("_answer") and grade_id.removesuffix("_answer") in answers:
            cell["source"] = answers[grade_id.removesuffix("_answer")]
    return notebook


def _typo(solution: str) -> str:
    """The solution with the slip students make most: a misspelt `return`."""
    return solution.replace("return ", "retrun ", 1) if "return " in solution else solution + "\n)"


def _uniform(*key: str) -> float:
    digest = hashlib.sha256("\0".join(("sample-class",) + key).encode()).digest()
    return int.from_bytes(digest[:8], "little") / 2**64


def submission_time(student: Student, index: int) -> datetime.datetime:
    """On the simulated clock: hours before the due date, or two days after it for the late student."""
    duedate = FIRST_DUEDATE + datetime.timedelta(weeks=index)
    if student.role == "late":
        return duedate + datetime.timedelta(days=1, hours=7)
    return duedate - datetime.timedelta(hours=1 + 90 * _uniform(student.id, str(index), "when"))


# -- the whole term ----------------------------------------------------------------------------------


def run(
    root: str | Path,
    students: int | list[Student] = 30,
    assignments: list[str] | None = None,
    lang: str | None = None,
    log: Callable[[str], object] = print,
) -> ClassRun:
    """Play a term for a roster (or that many students) over the assignments (default: all that exist)."""
    root = Path(root).resolve()
    assignments = assignments or present_assignments()
    build_course(root, assignments)
    run = ClassRun(root, roster(students) if isinstance(students, int) else list(students), list(assignments))
    for index, assignment in enumerate(assignments):
        started = time.perf_counter()
        log(f"[{assignment}] generate and release")
        course.step(root, "generate_assignment", assignment)
        course.set_duedate(root, assignment, FIRST_DUEDATE.replace(tzinfo=None) + datetime.timedelta(weeks=index))
        course.step(root, "release_assignment", assignment)
        log(f"[{assignment}] {len(run.students)} students fetch, answer and submit")
        for student in run.students:
            notebook = fetch(root, student.id, assignment) / f"{assignment}.ipynb"
            run.answers[(student.id, assignment)] = fill(notebook, student, assignment)
            submit(root, student.id, assignment, at=submission_time(student, index))
        log(f"[{assignment}] collect, grade with the kit, record the gradebook")
        course.step(root, "collect", assignment)
        run.results[assignment] = course.grade_and_record(root, assignment, lang=lang)
        run.reports.append(root / "reports" / assignment)
        log(f"[{assignment}] feedback")
        course.step(root, "generate_feedback", assignment)
        course.release_feedback(root, assignment)
        for student in run.students:
            fetch_feedback(root, student.id, assignment)
        log(f"[{assignment}] done in {time.perf_counter() - started:.0f} s")
    run.grades_csv = course.export_grades(root, root / "grades.csv")
    run.term_report = term.write_term_report(root, lang).report
    return run
