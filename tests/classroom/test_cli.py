"""The command line, run as a user runs it: a real process, real files."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.engine import catalog, secret

ROOT = Path(__file__).resolve().parents[2]


def kit(*args: str, env_lang: str = "en") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "autograder", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"KIT_LANG": env_lang, "PATH": "/usr/bin:/bin"},
        timeout=300,
    )


def test_list_json_describes_every_exercise():
    listed = json.loads(kit("list", "--json").stdout)
    assert [e["id"] for e in listed] == [e.id for e in catalog.exercises()]
    for entry, exercise in zip(listed, catalog.exercises(), strict=True):
        assert entry == {
            "id": exercise.id,
            "assignment": exercise.assignment,
            "heading": exercise.heading,
            "points": exercise.points,
            "checks": len(exercise.checks),
            "mutants": len(exercise.mutants),
        }


def test_list_table_names_every_exercise():
    table = kit("list").stdout
    assert all(e.id in table for e in catalog.exercises())


def test_grading_a_broken_notebook_explains_without_a_traceback(tmp_path):
    broken = tmp_path / "a02_shapes.ipynb"
    broken.write_text("{ this is not json")
    done = kit("grade", str(broken), "--json", str(tmp_path / "results.json"))
    assert done.returncode == 0 and "Traceback" not in done.stdout + done.stderr
    assert "not valid JSON" in done.stdout
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["score"] == 0 and results["max_score"] > 0
    assert all(t["status"] == "failed" for t in results["tests"])


def test_grading_writes_gradescope_results_for_the_stub_and_the_solution(tmp_path):
    stub = ROOT / "release" / "a02_shapes" / "a02_shapes.ipynb"
    solution = ROOT / "source" / "a02_shapes" / "a02_shapes.ipynb"
    done = kit("grade", str(stub), str(solution), "--json", str(tmp_path / "results.json"))
    assert done.returncode == 0, done.stderr
    stub_result, solution_result = json.loads((tmp_path / "results.json").read_text())
    for result in (stub_result, solution_result):
        assert set(result) >= {"score", "max_score", "tests"}
        assert all(set(t) >= {"name", "score", "max_score", "status", "output"} for t in result["tests"])
    assert stub_result["score"] == 0 and solution_result["score"] == solution_result["max_score"]
    assert "Not done yet" in stub_result["tests"][0]["output"]


def test_a_course_salt_file_grades_notebooks_with_the_course_inputs_and_says_so(tmp_path):
    """Gradescope's autograder grades one notebook at a time: with the course's salt file (which it carries and
    students never see) the inputs are the course's, not the public practice ones."""
    solution = ROOT / "source" / "a02_shapes" / "a02_shapes.ipynb"
    salt = tmp_path / ".autograder-salt"
    salt.write_text("c0ffee" * 8 + "\n")
    salt.chmod(0o600)
    practice = kit("grade", str(solution), "--json", str(tmp_path / "practice.json"))
    course = kit("grade", str(solution), "--salt-file", str(salt), "--json", str(tmp_path / "course.json"))
    assert practice.returncode == 0 and course.returncode == 0, course.stderr
    practiced, graded = (json.loads((tmp_path / f"{n}.json").read_text()) for n in ("practice", "course"))
    assert practiced["extra_data"]["salt_sha256"] == secret.fingerprint(secret.PRACTICE_SALT)
    assert graded["extra_data"]["salt_sha256"] == secret.fingerprint("c0ffee" * 8)
    assert graded["score"] == graded["max_score"] and graded["extra_data"]["flags"] == []
    missing = kit("grade", str(solution), "--salt-file", str(tmp_path / "nowhere"))
    assert missing.returncode != 0 and "no salt file" in missing.stderr and "Traceback" not in missing.stderr
    course_too = kit("grade", "--assignment", "a02_shapes", "--salt-file", str(salt))
    assert course_too.returncode == 2 and "c.Kit.salt_file" in course_too.stderr


def test_feedback_is_korean_by_default(tmp_path):
    stub = ROOT / "release" / "a02_shapes" / "a02_shapes.ipynb"
    done = kit("grade", str(stub), env_lang="")
    assert "아직 구현하지 않았습니다" in done.stdout


def test_a_notebook_without_the_functions_scores_zero_with_a_reason(tmp_path):
    empty = tmp_path / "a02_shapes.ipynb"
    empty.write_text(
        json.dumps(
            {
                "cells": [
                    {"cell_type": "code", "source": "x = 1", "metadata": {}, "outputs": [], "execution_count": None}
                ],
                "metadata": {},
                "nbformat": 4,
                "nbformat_minor": 5,
            }
        )
    )
    done = kit("grade", str(empty))
    assert "was not found" in done.stdout and "Traceback" not in done.stdout + done.stderr


def test_grading_notebooks_is_sandboxed_by_default(tmp_path):
    hostile = tmp_path / "a02_shapes.ipynb"
    hostile.write_text(
        json.dumps(
            {
                "cells": [
                    {
                        "cell_type": "code",
                        "metadata": {},
                        "outputs": [],
                        "execution_count": None,
                        "source": "import os\nopen('/tmp/kit-cli-was-here', 'w').write('x')\n"
                        "def describe(t):\n    return open('/etc/hostname').read()\n",
                    }
                ],
                "metadata": {},
                "nbformat": 4,
                "nbformat_minor": 5,
            }
        )
    )
    done = kit("grade", str(hostile), "--json", str(tmp_path / "results.json"))
    assert done.returncode == 0, done.stderr
    assert not Path("/tmp/kit-cli-was-here").exists()
    assert json.loads((tmp_path / "results.json").read_text())["score"] == 0


@pytest.mark.slow
def test_a_publish_that_nbgrader_refuses_is_an_error_message_not_a_traceback(tmp_path):
    kit_copy = tmp_path / "kit"
    shutil.copytree(ROOT / "autograder", kit_copy / "autograder", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "source", kit_copy / "source")
    for name in ("nbgrader_config.py", "pyproject.toml"):
        shutil.copy(ROOT / name, kit_copy)
    broken = kit_copy / "source" / "a02_shapes" / "a02_shapes.ipynb"
    notebook = json.loads(broken.read_text(encoding="utf-8"))
    graded = [c for c in notebook["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade")]
    graded[1]["metadata"]["nbgrader"]["grade_id"] = graded[0]["metadata"]["nbgrader"]["grade_id"]  # duplicate id
    broken.write_text(json.dumps(notebook), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "autograder", "publish"],
        cwd=kit_copy,
        capture_output=True,
        text=True,
        timeout=600,
        env={"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8"},
    )
    assert done.returncode == 1, done.stdout[-2000:] + done.stderr[-2000:]
    assert done.stderr.startswith("error: nbgrader generate_assignment a02_shapes")  # nbgrader's log follows
    assert "autograder/cli.py" not in done.stderr  # and no traceback of the kit's own


def test_every_failure_of_the_kit_is_a_kit_error_and_student_outcomes_are_not():
    """One family for the kit's own failures (caught once by the CLI); a student's are verdicts, apart."""
    import importlib
    import pkgutil

    import autograder
    from autograder.errors import KitError

    student_outcomes = {"BoundaryError", "TransportFailure", "CheckFailed", "StudentRaised", "Refused"}
    found = {}
    for info in pkgutil.walk_packages(autograder.__path__, "autograder."):
        if info.name.startswith("autograder.graders.") or info.name == "autograder.__main__":
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if isinstance(value, type) and issubclass(value, BaseException) and value.__module__ == module.__name__:
                found[name] = value
    assert student_outcomes <= set(found)
    for name, error in found.items():
        assert issubclass(error, KitError) != (name in student_outcomes), name
