"""The call boundary is faithful: what a grader reads about a value is what the value was on the other side."""

from __future__ import annotations

from pathlib import Path

from autograder import extract, grade

ROOT = Path(__file__).resolve().parents[1]

STORAGE_ADDRESSES_WITHOUT_NUMEL_GUARD = '''
import torch
def shares_storage(a, b):
    pa, pb = a.untyped_storage().data_ptr(), b.untyped_storage().data_ptr()
    return pa != 0 and pa == pb
'''


def test_an_empty_slice_keeps_its_storage_so_an_answer_without_a_numel_guard_is_caught():
    """x[k:k] keeps x's storage in PyTorch; had it crossed as a fresh empty tensor (address 0), an answer that
    only skips address 0 would pass every check."""
    solution = extract.read_notebook(ROOT / "source/a02_shapes/a02_shapes.ipynb", "s", "a02_shapes")
    cells = solution.cells + [{"index": 999, "source": STORAGE_ADDRESSES_WITHOUT_NUMEL_GUARD}]
    result = grade.grade([extract.Submission("s", "a02_shapes", cells)])[0].exercise("shares_storage")
    failed = {c.name for c in result.checks if not c.passed}
    assert failed == {"zero_element"}, failed
