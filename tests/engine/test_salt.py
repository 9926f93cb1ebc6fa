"""The course's secret salt (autograder/engine/secret.py): made once, private, configurable, never where students
get files, and never shown. The batch's use of it is in test_batch.py; nbgrader's release of a class in
test_sample_class.py."""

from __future__ import annotations

import json
import multiprocessing
import os
import pickle
from pathlib import Path

import pytest
from traitlets.config import Config

from autograder.classroom import plugin, sample
from autograder.engine import locate, secret
from autograder.errors import SaltError

ASSIGNMENT = "a02_shapes"


def course_with_config(root: Path, settings: str = "") -> locate.Course:
    root.mkdir(parents=True, exist_ok=True)
    (root / "nbgrader_config.py").write_text(f"c = get_config()\n{settings}", encoding="utf-8")
    return locate.course(root)


def test_the_salt_file_is_made_once_with_mode_0600_and_then_reused(tmp_path):
    salt = secret.of_course(tmp_path, Config())
    path = tmp_path / secret.SALT_FILE
    made = path.stat()
    assert made.st_mode & 0o777 == 0o600 and path.read_text(encoding="ascii") == f"{salt}\n"
    assert len(salt) == 64 and int(salt, 16) >= 0
    assert secret.of_course(tmp_path, Config()) == salt
    assert path.stat().st_mtime_ns == made.st_mtime_ns and path.stat().st_ino == made.st_ino
    assert [p.name for p in tmp_path.iterdir()] == [secret.SALT_FILE]  # no temporary file left behind


def _first_run(root: str, barrier, answers) -> None:
    barrier.wait()
    answers.put(str(secret.of_course(root, Config())))


def test_first_runs_at_the_same_time_agree_on_one_salt(tmp_path):
    context = multiprocessing.get_context("fork")
    count = 8
    barrier, answers = context.Barrier(count), context.Queue()
    runs = [context.Process(target=_first_run, args=(str(tmp_path), barrier, answers)) for _ in range(count)]
    for run in runs:
        run.start()
    salts = [answers.get(timeout=60) for _ in runs]
    for run in runs:
        run.join(timeout=60)
    assert len(set(salts)) == 1 and all(run.exitcode == 0 for run in runs)
    assert (tmp_path / secret.SALT_FILE).read_text(encoding="ascii") == f"{salts[0]}\n"
    assert [p.name for p in tmp_path.iterdir()] == [secret.SALT_FILE]


def test_two_courses_get_different_salts(tmp_path):
    assert secret.of_course(tmp_path / "one", Config()) != secret.of_course(tmp_path / "two", Config())


def test_a_salt_configured_in_nbgrader_config_wins_and_no_file_is_made(tmp_path):
    (tmp_path / secret.SALT_FILE).write_text("the salt file's salt, unused\n", encoding="ascii")
    course = course_with_config(tmp_path, "c.Kit.salt = 'from the course config, 36 characters'\n")
    assert secret.of_course(course.root, course.config) == "from the course config, 36 characters"


def test_the_salt_file_can_be_moved_in_nbgrader_config(tmp_path):
    course = course_with_config(tmp_path / "course", f"c.Kit.salt_file = {str(tmp_path / 'keys' / 'salt')!r}\n")
    salt = secret.of_course(course.root, course.config)
    assert (tmp_path / "keys" / "salt").read_text(encoding="ascii") == f"{salt}\n"
    assert not (course.root / secret.SALT_FILE).exists()


@pytest.mark.parametrize(
    "settings, complaint",
    [
        ("c.Kit.salt = 'short'\n", "c.Kit.salt in nbgrader_config.py) is too short"),
        ("c.Kit.salt_file = 'empty-salt'\n", "empty-salt) is empty"),
    ],
)
def test_a_salt_too_short_or_empty_is_refused_with_what_to_do(tmp_path, settings, complaint):
    (tmp_path / "empty-salt").write_text(" \n", encoding="ascii")
    course = course_with_config(tmp_path, settings)
    with pytest.raises(SaltError, match="at least 16 characters. Restore it from your backup") as raised:
        secret.of_course(course.root, course.config)
    assert complaint in str(raised.value)


@pytest.mark.parametrize(
    "where",
    [
        "source/a02_shapes/.autograder-salt",
        "release/.autograder-salt",
        "feedback/.autograder-salt",
        "exchange/pytorch-basic/.autograder-salt",
    ],
)
def test_a_salt_file_where_nbgrader_hands_files_to_students_is_refused(tmp_path, where):
    course = course_with_config(
        tmp_path, f"c.Kit.salt_file = {where!r}\nc.Exchange.root = {str(tmp_path / 'exchange')!r}\n"
    )
    with pytest.raises(SaltError, match="which nbgrader hands to students"):
        secret.of_course(course.root, course.config)
    assert not (tmp_path / where).exists()


@pytest.mark.parametrize("make", [os.mkfifo, os.mkdir], ids=["fifo", "folder"])
def test_a_salt_file_that_is_not_a_regular_file_is_refused_without_waiting(tmp_path, make):
    make(tmp_path / secret.SALT_FILE)
    with pytest.raises(SaltError, match="is not a regular file"):
        secret.of_course(tmp_path, Config())


def test_a_salt_never_shows_itself_in_a_repr_and_crosses_a_pickle_as_a_salt():
    salt = secret.Salt("a secret of forty characters, kept here")
    shown = repr(salt)
    assert "secret" not in shown and secret.fingerprint(salt) in shown
    assert "secret" not in repr({"salt": salt, "args": (salt,)})
    copied = pickle.loads(pickle.dumps(salt))
    assert type(copied) is secret.Salt and copied == salt and f"{copied}" == str(salt)


def test_nbgrader_autograde_grades_with_the_courses_salt(tmp_path):
    """KitGrade's own grading (`nbgrader autograde` run by hand) reads the salt from nbgrader's config."""
    course = course_with_config(tmp_path, "c.Kit.salt = 'the course salt that nbgrader reads'\n")
    folder = tmp_path / "submitted" / "alice" / ASSIGNMENT
    folder.mkdir(parents=True)
    (folder / f"{ASSIGNMENT}.ipynb").write_text(json.dumps(sample.solved(ASSIGNMENT)), encoding="utf-8")
    result = plugin.grade_submitted_notebook(course.coursedir, ASSIGNMENT, "alice", ASSIGNMENT)
    assert result.salt_sha256 == secret.fingerprint("the course salt that nbgrader reads")
    assert result.score == result.points > 0
