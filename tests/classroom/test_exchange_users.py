"""A shared exchange with two real unix users: what a student can make `nbgrader collect` copy, and what the kit does.

The test creates an instructor and a student with `useradd` (removed afterwards, also when a test fails) and
runs nbgrader's own commands as each: the instructor generates and releases an assignment into a shared
exchange, the student fetches, answers and submits it, the instructor collects and the kit grades (as
root, as on the grading machine). Then the student leaves links in the exchange's inbound folder, one to
the instructor's `source/` notebook and one that is the whole submission folder: `collect` copies what they
point to with the instructor's rights when nbgrader's own collector runs, and the kit must refuse the
instructor's solutions as the student's work and flag them; the kit's collector (`KitCollect`, the kit's
default) leaves the link behind. The course directory is closed to students (README, "A shared exchange"):
the student cannot read the solutions from their own account.
"""

from __future__ import annotations

import datetime
import json
import os
import pwd
import secrets
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import pytest

from autograder.classroom import sample
from autograder.engine import catalog, provenance
from autograder.engine.results import SubmissionResult
from tests import slow

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = "a04_autograd"
COURSE_ID = "pytorch-basic"
NBGRADERS_OWN = "--ExchangeFactory.collect=nbgrader.exchange.default.collect.ExchangeCollect"  # not the kit's
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not hasattr(os, "geteuid") or os.geteuid() != 0,
        reason="creating unix users (useradd) and running commands as them needs root; "
        "the kit's machines and CI run the tests as root",
    ),
    pytest.mark.skipif(
        shutil.which("useradd") is None or shutil.which("userdel") is None, reason="useradd/userdel are not installed"
    ),
]


def open_to_others(path: str | Path, mode: int) -> bool:
    """Whether a user other than root has `mode` (0o001 run, 0o005 read a folder) on `path`, every folder above
    it searchable by others."""
    real = Path(os.path.realpath(path))
    return all(folder.stat().st_mode & 0o001 for folder in real.parents) and real.stat().st_mode & mode == mode


def interpreter_for_users() -> str:
    """This Python, or the system's Python of the same version where this one lives in root's home (pyenv)."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for candidate in (sys.executable, shutil.which(version, path="/usr/local/bin:/usr/bin:/bin")):
        if candidate and open_to_others(candidate, 0o001):
            return candidate
    pytest.skip(f"no {version} that another user may run (this one is {os.path.realpath(sys.executable)})")


class Machine:
    """A shared machine for one test module: a world-traversable folder with the exchange, the course and the homes."""

    def __init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="kit-exchange-"))
        self.base.chmod(0o755)
        token = secrets.token_hex(3)
        self.instructor, self.student = f"kitins{token}", f"kitstu{token}"
        self.users: list[str] = []
        self.course = self.base / "course"
        self.exchange = self.base / "srv" / "exchange"
        (self.base / "home").mkdir(mode=0o755)
        self.python = interpreter_for_users()
        self.bin = self.base / "bin"  # nbgrader runs `alembic` from PATH: one that runs with that Python
        self.bin.mkdir(mode=0o755)
        (self.bin / "alembic").write_text(f'#!/bin/sh\nexec "{self.python}" -m alembic "$@"\n', encoding="utf-8")
        (self.bin / "alembic").chmod(0o755)

    def add_user(self, name: str) -> None:
        subprocess.run(
            ["useradd", "--create-home", "--home-dir", str(self.home(name)), "--shell", "/bin/sh", name],
            check=True,
            capture_output=True,
        )
        self.users.append(name)

    def home(self, name: str) -> Path:
        return self.base / "home" / name

    def run_as(self, name: str, *command: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
        entry = pwd.getpwnam(name)
        packages = os.pathsep.join([*sysconfig.get_paths()["purelib"].split(os.pathsep), str(ROOT)])
        env = {
            "HOME": str(self.home(name)),
            "PATH": f"{self.bin}{os.pathsep}/usr/bin:/bin",
            "PYTHONPATH": packages,
            "LANG": "C.UTF-8",
            "KIT_LANG": "en",
            "USER": name,
        }
        done = subprocess.run(
            list(command),
            cwd=cwd,
            env=env,
            user=entry.pw_uid,
            group=entry.pw_gid,
            extra_groups=[],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if check:
            assert done.returncode == 0, f"{name}: {' '.join(command)}\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
        return done

    def nbgrader(self, name: str, *args: str, cwd: Path) -> str:
        done = self.run_as(name, self.python, "-m", "nbgrader", *args, cwd=cwd)
        return done.stdout + done.stderr

    def remove(self) -> None:
        for name in self.users:
            subprocess.run(["userdel", "--remove", name], check=False, capture_output=True)
        shutil.rmtree(self.base, ignore_errors=True)


def grade_class(course: Path) -> tuple[str, SubmissionResult]:
    """The kit grades the class as root, as on the grading machine: the summary and the student's result."""
    env = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}/usr/bin:/bin",
        "HOME": str(course.parent),
        "LANG": "C.UTF-8",
        "KIT_LANG": "en",
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", "--assignment", ASSIGNMENT],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-5000:]
    [stored] = (course / "graded" / ASSIGNMENT).glob("*.json")
    return done.stdout, SubmissionResult.from_dict(json.loads(stored.read_text(encoding="utf-8")))


def inbound_entry(machine: Machine, minutes_later: int) -> Path:
    """A name in the inbound folder as `nbgrader submit` makes them, newer than the honest submission."""
    when = datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=minutes_later)
    stamp = when.strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    return machine.exchange / COURSE_ID / "inbound" / f"{machine.student}+{ASSIGNMENT}+{stamp}+{secrets.token_hex(4)}"


@pytest.fixture(scope="module")
@slow.fixture
def machine():
    if not open_to_others(ROOT / "source" / ASSIGNMENT, 0o005):
        pytest.skip(
            f"the kit's checkout {ROOT} is not readable by other users (a folder above it is private, mode 0700, "
            "say): the instructor's and the student's accounts run nbgrader on its files"
        )
    machine = Machine()
    try:
        for name in (machine.instructor, machine.student):
            machine.add_user(name)
        instructor = pwd.getpwnam(machine.instructor)
        for folder in (machine.course, machine.exchange.parent):
            folder.mkdir(parents=True)
            os.chown(folder, instructor.pw_uid, instructor.pw_gid)
        yield machine
    finally:
        machine.remove()


@pytest.fixture(scope="module")
@slow.fixture
def term(machine):
    """Release, fetch, answer, submit, collect and grade an honest submission; then two links, each collected."""
    course, instructor, student = machine.course, machine.instructor, machine.student
    config = (
        f"c = get_config()\nload_subconfig({json.dumps(str(ROOT / 'nbgrader_config.py'))})\n"
        f"c.Exchange.root = {json.dumps(str(machine.exchange))}\n"
    )  # no single quote: it goes through sh
    machine.run_as(
        instructor,
        "sh",
        "-c",
        f"mkdir source && cp -rL '{ROOT / 'source' / ASSIGNMENT}' source/ "
        f"&& printf '%s' '{config}' > nbgrader_config.py",
        cwd=course,
    )
    machine.nbgrader(instructor, "generate_assignment", ASSIGNMENT, cwd=course)
    machine.nbgrader(instructor, "release_assignment", ASSIGNMENT, cwd=course)
    course.chmod(0o700)  # the course is closed to students (README, "A shared exchange")

    home = machine.home(student)
    machine.run_as(
        student,
        "sh",
        "-c",
        f"mkdir -p .jupyter && printf '%s\\n' 'c = get_config()' "
        f"'c.CourseDirectory.course_id = \"{COURSE_ID}\"' 'c.Exchange.root = \"{machine.exchange}\"' "
        f"> .jupyter/nbgrader_config.py",
        cwd=home,
    )
    machine.nbgrader(student, "fetch_assignment", ASSIGNMENT, cwd=home)
    notebook = home / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    sample.fill(notebook, sample.Student(student, "all_correct"), ASSIGNMENT)  # the file stays the student's
    machine.nbgrader(student, "submit", ASSIGNMENT, cwd=home)
    machine.nbgrader(instructor, "collect", ASSIGNMENT, cwd=course)
    honest = grade_class(course)
    reads_source = machine.run_as(
        student,
        machine.python,
        "-c",
        f"open({str(course / 'source' / ASSIGNMENT / f'{ASSIGNMENT}.ipynb')!r}).read()",
        cwd=home,
        check=False,
    )

    source = course / "source" / ASSIGNMENT
    inside = inbound_entry(machine, 1)  # a folder of the student's, holding a link to the instructor's notebook
    machine.run_as(
        student,
        "sh",
        "-c",
        f"mkdir '{inside}' && ln -s '{source / f'{ASSIGNMENT}.ipynb'}' '{inside / f'{ASSIGNMENT}.ipynb'}'",
        cwd=home,
    )
    linked_notebook_log = machine.nbgrader(instructor, "collect", "--update", NBGRADERS_OWN, ASSIGNMENT, cwd=course)
    linked_notebook = grade_class(course)
    folder = inbound_entry(machine, 2)  # the submission folder itself a link to the instructor's folder
    machine.run_as(student, "ln", "-s", str(source), str(folder), cwd=home)
    linked_folder_log = machine.nbgrader(instructor, "collect", "--update", NBGRADERS_OWN, ASSIGNMENT, cwd=course)
    linked_folder = grade_class(course)
    again = inbound_entry(machine, 3)  # the first trick again, collected by the kit's collector
    machine.run_as(
        student,
        "sh",
        "-c",
        f"mkdir '{again}' && ln -s '{source / f'{ASSIGNMENT}.ipynb'}' '{again / f'{ASSIGNMENT}.ipynb'}'",
        cwd=home,
    )
    kits_log = machine.nbgrader(instructor, "collect", "--update", ASSIGNMENT, cwd=course)
    kits = grade_class(course)
    return {
        "honest": honest,
        "reads_source": reads_source,
        "linked_notebook": linked_notebook,
        "linked_notebook_log": linked_notebook_log,
        "linked_folder": linked_folder,
        "linked_folder_log": linked_folder_log,
        "kits_log": kits_log,
        "kits": kits,
    }


def test_an_honest_submission_through_the_shared_exchange_gets_full_marks(machine, term):
    _, result = term["honest"]
    assert result.student == machine.student
    assert result.score == result.points == sum(e.points for e in catalog.for_assignment(ASSIGNMENT))
    assert result.flags == [] and result.findings == [] and result.problem is None


def test_the_student_cannot_read_the_solutions_from_their_own_account(term):
    assert term["reads_source"].returncode != 0 and "Permission denied" in term["reads_source"].stderr


@pytest.mark.parametrize("link", ["linked_notebook", "linked_folder"])
def test_the_instructors_notebook_collected_through_a_link_earns_nothing_and_is_flagged(machine, term, link):
    summary, result = term[link]
    assert result.score == 0 and result.problem == provenance.REFUSED
    assert provenance.INSTRUCTOR in result.flags
    assert {f["flag"] for f in result.findings} == {provenance.INSTRUCTOR}
    assert f"{machine.student}: instructor's material in the submission (no credit)" in summary


def test_nbgraders_collect_copies_what_a_link_points_to_and_check_owner_only_sees_a_linked_folder(machine, term):
    """Why the kit checks what it grades: nbgrader's collector copies both links; its owner check names one."""
    assert "cheating attempt?" not in term["linked_notebook_log"]
    assert "cheating attempt?" in term["linked_folder_log"] and machine.student in term["linked_folder_log"]


def test_the_kits_collect_leaves_the_link_behind_and_says_so(machine, term):
    assert f"{ASSIGNMENT}.ipynb is a link" in term["kits_log"]
    collected = machine.course / "submitted" / machine.student / ASSIGNMENT
    assert collected.is_dir() and not (collected / f"{ASSIGNMENT}.ipynb").exists()
    _, result = term["kits"]
    assert result.score == 0 and result.problem is not None and provenance.INSTRUCTOR not in result.flags
