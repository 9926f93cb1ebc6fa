"""Shared fixtures: every exercise's solution, stub and known mistakes, graded once per session."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from autograder.engine import catalog, extract, grade
from autograder.engine.results import SubmissionResult
from tests import slow
from tests.slow import pytest_collection_modifyitems  # noqa: F401 (the slow marker's rule, a hook)

ROOT = Path(__file__).resolve().parents[1]


def pytest_addoption(parser):
    parser.addoption("--update-goldens", action="store_true", help="rewrite golden files from actual output")


@pytest.fixture
def update_goldens(request) -> bool:
    return request.config.getoption("--update-goldens")


def notebook(kind: str, assignment: str) -> Path:
    return ROOT / kind / assignment / f"{assignment}.ipynb"


def variants(assignment: str) -> dict[str, extract.Submission]:
    """The solution notebook, the released stub, and per exercise its wrong answers and alternatives."""
    solution = extract.read_notebook(notebook("source", assignment), "solution", assignment)
    found = {"solution": solution, "stub": extract.read_notebook(notebook("release", assignment), "stub", assignment)}

    def replacing(name: str, source: str) -> extract.Submission:
        cells = solution.cells + [{"index": 999, "source": source}]
        return extract.Submission(name, assignment, cells)

    for exercise in catalog.for_assignment(assignment):
        found[f"{exercise.id}:none"] = replacing(
            f"{exercise.id}:none", f"def {exercise.id}(*args, **kwargs):\n    return None\n"
        )
        found[f"{exercise.id}:wrong_type"] = replacing(
            f"{exercise.id}:wrong_type", f"def {exercise.id}(*args, **kwargs):\n    return object()\n"
        )
        found[f"{exercise.id}:empty_tuple"] = replacing(
            f"{exercise.id}:empty_tuple", f"def {exercise.id}(*args, **kwargs):\n    return ()\n"
        )
        for mutant in exercise.mutants:
            name = f"{exercise.id}:mutant:{mutant.name}"
            found[name] = replacing(name, "import numpy as np\nimport pandas as pd\nimport torch\n" + mutant.source)
        for alternative in exercise.alternatives:
            name = f"{exercise.id}:alt:{alternative.name}"
            found[name] = replacing(
                name, "import numpy as np\nimport pandas as pd\nimport torch\n" + alternative.source
            )
    return found


@functools.cache
def graded(assignment: str) -> dict[str, SubmissionResult]:
    found = variants(assignment)
    return dict(zip(found, grade.grade(found.values()), strict=True))


@pytest.fixture(scope="session")
def results():
    """`results(assignment)[variant]`: graded lazily, once per assignment per session."""
    return graded


@pytest.fixture(scope="session")
@slow.fixture
def hostile_class(tmp_path_factory):
    """A class whose ids, names and answers carry terminal, spreadsheet and markup payloads, graded,
    recorded, given feedback and exported with the real commands (tests/hostile_class.py)."""
    from tests import hostile_class as builder

    return builder.build(tmp_path_factory.mktemp("hostile-class"))
