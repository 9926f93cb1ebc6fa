"""The command line, run as a user runs it: a real process, real files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from autograder import catalog

ROOT = Path(__file__).resolve().parents[1]


def kit(*args: str, env_lang: str = "en") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=ROOT, capture_output=True, text=True,
                          env={"KIT_LANG": env_lang, "PATH": "/usr/bin:/bin"}, timeout=300)


def test_list_json_describes_every_exercise():
    listed = json.loads(kit("list", "--json").stdout)
    assert [e["id"] for e in listed] == [e.id for e in catalog.exercises()]
    for entry, exercise in zip(listed, catalog.exercises()):
        assert entry == {"id": exercise.id, "assignment": exercise.assignment, "heading": exercise.heading,
                         "points": exercise.points, "checks": len(exercise.checks), "mutants": len(exercise.mutants)}


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


def test_feedback_is_korean_by_default(tmp_path):
    stub = ROOT / "release" / "a02_shapes" / "a02_shapes.ipynb"
    done = kit("grade", str(stub), env_lang="")
    assert "아직 구현하지 않았습니다" in done.stdout


def test_a_notebook_without_the_functions_scores_zero_with_a_reason(tmp_path):
    empty = tmp_path / "a02_shapes.ipynb"
    empty.write_text(json.dumps({"cells": [{"cell_type": "code", "source": "x = 1", "metadata": {},
                                            "outputs": [], "execution_count": None}],
                                 "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    done = kit("grade", str(empty))
    assert "was not found" in done.stdout and "Traceback" not in done.stdout + done.stderr


def test_grading_notebooks_is_sandboxed_by_default(tmp_path):
    hostile = tmp_path / "a02_shapes.ipynb"
    hostile.write_text(json.dumps({"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                                              "source": "import os\nopen('/tmp/kit-cli-was-here', 'w').write('x')\n"
                                                        "def describe(t):\n    return open('/etc/hostname').read()\n"}],
                                   "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    done = kit("grade", str(hostile), "--json", str(tmp_path / "results.json"))
    assert done.returncode == 0, done.stderr
    assert not Path("/tmp/kit-cli-was-here").exists()
    assert json.loads((tmp_path / "results.json").read_text())["score"] == 0
