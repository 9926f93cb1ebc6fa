"""The static scan finds the constructs that reach into the grading process, however they are spelled, and
nothing in honest answers.

The red-team corpus (tests/redteam) shows whole attacks flagged; these tests pin the spellings that would
otherwise slip past the scan: a name given later, a pattern that reads attributes, sys passed on.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from autograder.boundary import scan
from autograder.engine import catalog, extract

ROOT = Path(__file__).resolve().parents[2]


def findings(source: str) -> list[scan.Finding]:
    return scan.code(extract.from_source(textwrap.dedent(source)).cells)


@pytest.mark.parametrize(
    ("source", "line", "what"),
    [
        ("import sys\nframe = sys._getframe(1)\n", 2, "._getframe"),
        ("g = getattr\nframe = g(error, 'tb_' + 'frame')\n", 1, "getattr passed on"),
        ("import functools\nread = functools.partial(getattr, error)\n", 2, "getattr passed on"),
        ("import builtins\nread = builtins.getattr\n", 2, ".getattr passed on"),
        ("from builtins import getattr as read\n", 1, "import getattr"),
        ("match error:\n    case object(__traceback__=tb):\n        pass\n", 2, "case ...(__traceback__=...)"),
        ("match tb:\n    case object(tb_frame=frame):\n        pass\n", 2, "case ...(tb_frame=...)"),
        ("import traceback\nframes = traceback.walk_tb(tb)\n", 2, ".walk_tb"),
        ("tb = error.__traceback__\n", 1, ".__traceback__"),
        ("from sys import modules\n", 1, "from sys import modules"),
        ("from sys import *\n", 1, "from sys import *"),
        ("import sys\nalias = sys\n", 2, "sys passed on"),
        ("import string\nvalue, _ = string.Formatter().get_field('0.f_back', [frame], {})\n", 2, ".get_field"),
        ("from numpy.lib._stride_tricks_impl import as_strided\n", 1, "import numpy.lib._stride_tricks_impl"),
        ("import torch\nmodel = torch.load('model.pt', weights_only=False)\n", 2, "weights_only=..."),
        ("import numpy as np\ndata = np.load('data.npy', allow_pickle=True)\n", 2, "allow_pickle=..."),
    ],
)
def test_a_construct_that_reaches_into_the_process_is_found_with_its_line(source, line, what):
    found = findings(source)
    assert any(f.what == what and f.line == line and f.voids for f in found), found


def _honest_sources():
    for path in sorted(ROOT.glob("source/*/*.ipynb")):
        yield path.parent.name, "".join(c["source"] for c in extract.read_notebook(path).cells)
    for exercise in catalog.exercises():
        for code in (*exercise.mutants, *exercise.alternatives):
            yield f"{exercise.id}:{code.name}", code.source


HONEST = list(_honest_sources())


@pytest.mark.parametrize("source", [s for _, s in HONEST], ids=[n for n, _ in HONEST])
def test_honest_answers_and_honest_mistakes_have_no_finding(source):
    """The solutions, every mutant (an honest mistake) and every alternative answer of every exercise."""
    assert not [f for f in findings(source) if f.voids]


def test_sys_used_as_written_is_not_flagged():
    assert not findings("import sys\nprint(sys.version, sys.maxsize)\nsys.stdout.flush()\n")
