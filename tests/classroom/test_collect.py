"""`nbgrader collect` through the kit copies what a student made and never what a link points to.

An exchange's inbound folder is filled the way a student can fill it: a submission folder holding a
notebook, a link to a file only the instructor may read, a FIFO and a folder with another link; and a
submission that is itself a link to a folder of the instructor's. The real `nbgrader collect` runs with
the kit's configuration (`KitCollect`) and with nbgrader's own collector, for comparison.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = "a04_autograd"
STAMP = "2026-03-10 09:00:00.000000 UTC"
SECRET = "instructor's secret"
NBGRADERS_OWN = "--ExchangeFactory.collect=nbgrader.exchange.default.collect.ExchangeCollect"
pytestmark = pytest.mark.slow


def course_with_inbound(tmp_path: Path) -> Path:
    course, exchange = tmp_path / "course", tmp_path / "exchange"
    course.mkdir()
    (course / "nbgrader_config.py").write_text(
        f"c = get_config()\nload_subconfig({str(ROOT / 'nbgrader_config.py')!r})\n"
        f"c.Exchange.root = {str(exchange)!r}\n",
        encoding="utf-8",
    )
    secrets = tmp_path / "instructor"
    secrets.mkdir()
    (secrets / f"{ASSIGNMENT}.ipynb").write_text(SECRET, encoding="utf-8")
    inbound = exchange / "pytorch-basic" / "inbound"
    alice = inbound / f"alice+{ASSIGNMENT}+{STAMP}+abc"
    (alice / "mine").mkdir(parents=True)
    (alice / f"{ASSIGNMENT}.ipynb").write_text(json.dumps({"cells": []}), encoding="utf-8")
    (alice / "timestamp.txt").write_text(STAMP, encoding="utf-8")
    (alice / "kitcheck.py").symlink_to(secrets / f"{ASSIGNMENT}.ipynb")
    (alice / "mine" / "notes.txt").symlink_to(secrets / f"{ASSIGNMENT}.ipynb")
    os.mkfifo(alice / "pipe")
    (inbound / f"bob+{ASSIGNMENT}+{STAMP}+def").symlink_to(secrets, target_is_directory=True)
    return course


def collect(course: Path, *extra: str) -> str:
    env = {
        "HOME": str(course),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(
        [sys.executable, "-m", "nbgrader", "collect", ASSIGNMENT, *extra],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout + done.stderr


def collected(course: Path, student: str) -> dict[str, str]:
    folder = course / "submitted" / student / ASSIGNMENT
    return (
        {str(p.relative_to(folder)): p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*")) if p.is_file()}
        if folder.exists()
        else {}
    )


def test_the_kits_collect_copies_folders_and_regular_files_and_names_what_it_left(tmp_path):
    course = course_with_inbound(tmp_path)
    log = collect(course)
    alice = collected(course, "alice")
    assert sorted(alice) == [f"{ASSIGNMENT}.ipynb", "timestamp.txt"] and SECRET not in alice.values()
    for left in ("kitcheck.py is a link", "notes.txt is a link", "pipe is not a regular file"):
        assert left in log, log[-3000:]
    assert collected(course, "bob") == {} and "is not collected: it is a link" in log


def test_nbgraders_own_collect_copies_what_the_links_point_to(tmp_path):
    """Why the kit's collector: with nbgrader's, both students hand in the instructor's file."""
    course = course_with_inbound(tmp_path)
    (course.parent / "exchange" / "pytorch-basic" / "inbound" / f"alice+{ASSIGNMENT}+{STAMP}+abc" / "pipe").unlink()
    collect(course, NBGRADERS_OWN)  # (with the FIFO, nbgrader's copy would hang on it)
    assert collected(course, "alice")["kitcheck.py"] == SECRET
    assert collected(course, "bob")[f"{ASSIGNMENT}.ipynb"] == SECRET
