"""Reading a submitted notebook never raises: a broken file becomes a submission with a reason."""

from __future__ import annotations

import json

import pytest

from autograder.engine import extract


def write(tmp_path, content: bytes):
    path = tmp_path / "a02_shapes.ipynb"
    path.write_bytes(content)
    return path


def notebook(*cells) -> bytes:
    return json.dumps({"cells": list(cells), "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode()


def code(source, **nbgrader):
    return {
        "cell_type": "code",
        "source": source,
        "metadata": {"nbgrader": nbgrader} if nbgrader else {},
        "outputs": [],
        "execution_count": None,
    }


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"\xff\xfe\x00garbage", "UTF-8"),
        (b'{"cells": [', "JSON"),
        (b"[1, 2, 3]", "not a Jupyter notebook"),
        (b'{"cells": "none"}', "not a Jupyter notebook"),
    ],
    ids=["not-utf8", "truncated-json", "json-list", "cells-not-a-list"],
)
def test_broken_notebook_gets_a_reason_instead_of_an_exception(tmp_path, content, reason):
    submission = extract.read_notebook(write(tmp_path, content))
    assert submission.problem is not None and reason in submission.problem.en
    assert submission.problem.ko and submission.cells == []


def test_missing_file_gets_a_reason(tmp_path):
    submission = extract.read_notebook(tmp_path / "nope.ipynb")
    assert "cannot be read" in submission.problem.en


def test_check_cells_are_left_out_and_their_ids_remembered(tmp_path):
    path = write(
        tmp_path,
        notebook(
            code("import torch"),
            code("def f():\n    pass", solution=True, grade=False),
            code("check()", grade=True, grade_id="f", points=2),
        ),
    )
    submission = extract.read_notebook(path)
    assert [c["source"] for c in submission.cells] == ["import torch", "def f():\n    pass"]
    assert submission.grade_ids == ["f"] and submission.problem is None


def test_malformed_cells_are_skipped(tmp_path):
    path = write(tmp_path, notebook("not a cell", {"cell_type": "code", "source": 42}, code(["x = ", "1"])))
    assert [c["source"] for c in extract.read_notebook(path).cells] == ["x = 1"]


def test_magics_become_pass_and_keep_line_numbers():
    source = "%time x = 1\n!pip install evil\nif True:\n    %matplotlib inline\ny = 2"
    neutral = extract.neutralise_magics(source)
    assert neutral.split("\n")[4] == "y = 2" and "pip" not in neutral.split("\n")[1].split("#")[0]
    compile(neutral, "<cell>", "exec")


def test_fingerprint_changes_with_content(tmp_path):
    first = extract.read_notebook(write(tmp_path, notebook(code("a = 1")))).fingerprint
    second = extract.read_notebook(write(tmp_path, notebook(code("a = 2")))).fingerprint
    assert first != second and len(first) == 64
