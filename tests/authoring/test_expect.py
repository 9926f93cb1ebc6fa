"""One tolerance rule for every value a check compares: exact, unless the value is computed by floating-point
arithmetic whose order the student chooses; no grader brings a tolerance of its own."""

from __future__ import annotations

import ast

import numpy as np
import pytest
import torch

from autograder.authoring.expect import ARITHMETIC, CheckFailed, close, expect_scalar
from autograder.engine import catalog

GRADER_FILES = sorted({catalog.grader_file(e) for e in catalog.exercises()})
TOLERANCE_WORDS = {"rtol", "atol", "rel", "abs_tol", "rel_tol", "equal_nan"}
TOLERANT_CALLS = {"allclose", "isclose", "assert_close", "assert_allclose", "approx"}


@pytest.mark.parametrize("path", GRADER_FILES, ids=[p.stem for p in GRADER_FILES])
def test_no_grader_sets_a_tolerance_of_its_own(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    keywords = {k.arg for node in ast.walk(tree) if isinstance(node, ast.Call) for k in node.keywords}
    calls = {
        getattr(node.func, "attr", getattr(node.func, "id", ""))
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
    }
    assert not keywords & TOLERANCE_WORDS and not calls & TOLERANT_CALLS


def next_up(value: float, dtype: torch.dtype) -> torch.Tensor:
    """The next representable value of `dtype` above `value`: one unit in the last place away."""
    x = torch.tensor(value, dtype=dtype)
    return torch.nextafter(x, torch.tensor(float("inf"), dtype=dtype))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_a_value_whose_rounding_is_fixed_must_be_exact(dtype):
    x = torch.tensor([0.1, -2.5, 3.0], dtype=dtype)
    off = x.clone()
    off[0] = next_up(0.1, dtype)
    assert close(x, x.clone()) and not close(off, x)
    assert close(torch.tensor([float("nan")], dtype=dtype), torch.tensor([float("nan")], dtype=dtype))
    assert close(x.numpy(), x.numpy().copy()) and not close(off.numpy(), x.numpy())


def test_float64_values_where_float32_rounding_is_promised_are_wrong():
    """tolist() of a float32 tensor gives the float32-rounded numbers; returning the float64 ones is a mistake
    that any tolerance as loose as float32's rounding would let through."""
    promised = torch.tensor([0.1], dtype=torch.float32).tolist()[0]
    with pytest.raises(CheckFailed):
        expect_scalar(0.1, promised, float)
    expect_scalar(promised, promised, float)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_arithmetic_gets_the_tolerance_of_its_dtype_and_no_more(dtype):
    rtol, atol = ARITHMETIC[dtype]
    x = torch.tensor([1.0, 100.0, -7.0], dtype=dtype)
    assert close(next_up(1.0, dtype).expand(1), x[:1], computed_in=dtype)
    assert not close(x * (1 + 4 * rtol) + 2 * atol, x, computed_in=dtype)
    assert close(1.0 + rtol / 2, 1.0, computed_in=dtype) and not close(1.0 + rtol / 2, 1.0)
    assert not close(np.float64(1.0) + 10 * (rtol + atol), 1.0, computed_in=dtype)


def test_integers_are_exact_whatever_the_arithmetic():
    assert not close(torch.tensor([3]), torch.tensor([4]), computed_in=torch.int64)
    assert close(2**53 + 1, 2**53 + 1) and not close(2**53 + 1, 2**53, computed_in=torch.float64)
