"""Grading inputs are a pure function of the check's seed: the same draws give the same values."""

from __future__ import annotations

import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from autograder import inputs

FLOATS = (torch.float16, torch.bfloat16, torch.float32, torch.float64)


def torch_arithmetic(rng, size, dtype, low, high):
    """The draw as torch itself computes it: what `inputs.tensor` must give, value for value."""
    values = torch.rand(size, generator=rng, dtype=torch.float64) * (high - low) + low
    return values.round(decimals=3).to(dtype)


@settings(max_examples=300, deadline=None)
@given(seed=st.integers(0, 2**63 - 1), size=st.lists(st.integers(0, 4), max_size=3), dtype=st.sampled_from(FLOATS),
       low=st.integers(-20, 0) | st.floats(-5, 0), span=st.integers(1, 20) | st.floats(0.25, 5))
def test_float_draws_are_torch_arithmetic_rounded_to_three_decimals(seed, size, dtype, low, span):
    drawn = inputs.tensor(torch.Generator().manual_seed(seed), size, dtype, low, low + span)
    expected = torch_arithmetic(torch.Generator().manual_seed(seed), tuple(size), dtype, low, low + span)
    assert drawn.dtype == dtype and drawn.shape == expected.shape
    assert torch.equal(drawn, expected)


def test_the_same_seed_draws_the_same_inputs_and_another_seed_others():
    def draw(seed):
        rng = torch.Generator().manual_seed(seed)
        return (inputs.floats(rng, 5), inputs.ints(rng, 5), inputs.tensor(rng, (2, 3)).tolist(), inputs.shape(rng, 3))

    assert draw(7) == draw(7) and draw(7) != draw(8)
    floats, ints, _, _ = draw(7)
    assert all(type(x) is float and round(x, 3) == x for x in floats) and all(type(x) is int for x in ints)
