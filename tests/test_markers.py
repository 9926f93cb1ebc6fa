"""The test suite's own rule for its `slow` marker, proved by collecting a test module in a real pytest process."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

MODULE = textwrap.dedent("""
    import pytest

    from tests import slow


    @pytest.fixture(scope="module")
    @slow.fixture
    def class_graded_by_nbgrader():
        return "graded"


    @pytest.fixture
    def report_of_it(class_graded_by_nbgrader):
        return class_graded_by_nbgrader


    @pytest.mark.slow
    def test_marked(report_of_it):
        pass


    def test_fast():
        pass
""")
UNMARKED = textwrap.dedent("""

    def test_unmarked(report_of_it):
        pass
""")


def collect(folder: Path, module: str) -> subprocess.CompletedProcess:
    """Collect `module` under the hook tests/conftest.py uses, in a folder of its own."""
    (folder / "pytest.ini").write_text("[pytest]\nmarkers =\n    slow: slow\n", encoding="utf-8")
    (folder / "conftest.py").write_text(
        "from tests.slow import pytest_collection_modifyitems  # noqa: F401\n", encoding="utf-8"
    )
    (folder / "test_module.py").write_text(module, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
        check=False,
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )


def test_a_test_reaching_a_slow_fixture_without_the_marker_stops_the_collection_and_is_named(tmp_path):
    done = collect(tmp_path, MODULE + UNMARKED)
    assert done.returncode == 4, done.stdout + done.stderr  # pytest's usage error
    named = [line.strip() for line in done.stderr.splitlines() if line.startswith("  ")]
    assert "must be marked @pytest.mark.slow" in done.stderr
    assert named == ["test_module.py::test_unmarked (uses class_graded_by_nbgrader)"], done.stderr


def test_tests_that_are_marked_or_reach_no_slow_fixture_collect(tmp_path):
    done = collect(tmp_path, MODULE)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 tests collected" in done.stdout and "Warning" not in done.stdout, done.stdout
