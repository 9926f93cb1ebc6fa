"""Randomized grading inputs drawn from a seeded `torch.Generator`, with the edge cases that matter.

Every draw takes the check's `rng`, so a re-grade of the same student gives the same inputs and
two students get different ones; nothing depends on the global seed or the default dtype.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

import numpy as np
import torch

_T = TypeVar("_T")


def integer(rng: torch.Generator, low: int, high: int) -> int:
    """An int in [low, high]."""
    return int(torch.randint(low, high + 1, (), generator=rng))


def choice(rng: torch.Generator, options: Iterable[_T]) -> _T:
    listed = list(options)
    return listed[integer(rng, 0, len(listed) - 1)]


def shape(rng: torch.Generator, ndim: int, low: int = 1, high: int = 5) -> tuple[int, ...]:
    return tuple(integer(rng, low, high) for _ in range(ndim))


def tensor(
    rng: torch.Generator, size: Iterable[int], dtype: torch.dtype = torch.float32, low: float = -10, high: float = 10
) -> torch.Tensor:
    """Values in [low, high): integers for integer dtypes, with negatives by default."""
    size = tuple(size)
    if dtype == torch.bool:
        return torch.randint(0, 2, size, generator=rng).bool()
    if dtype.is_floating_point:
        # torch's own arithmetic (x * (high - low) + low, then round(decimals=3): rint(x * 1000) / 1000), done
        # in place by numpy: the same float64 operations, so the same values, without a dispatch per step.
        values = torch.rand(size, generator=rng, dtype=torch.float64).numpy()
        values *= high - low
        values += low
        values *= 1000
        np.rint(values, out=values)
        values /= 1000
        return torch.from_numpy(values).to(dtype)
    return torch.randint(int(low), int(high), size, generator=rng, dtype=torch.int64).to(dtype)


def ties(rng: torch.Generator, size: Iterable[int], dtype: torch.dtype = torch.int64) -> torch.Tensor:
    """Few distinct values, so maxima and minima repeat."""
    return tensor(rng, size, torch.int64, 0, 3).to(dtype)


def transposed(rng: torch.Generator, rows: int, cols: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """A non-contiguous (rows, cols) tensor: the transpose of a contiguous one."""
    return tensor(rng, (cols, rows), dtype).t()


def array(
    rng: torch.Generator, size: Iterable[int], dtype: str = "float64", low: float = -10, high: float = 10
) -> np.ndarray:
    return (
        tensor(rng, size, getattr(torch, dtype) if dtype != "float64" else torch.float64, low, high)
        .numpy()
        .astype(dtype)
    )


def floats(rng: torch.Generator, count: int, low: float = -10, high: float = 10) -> list[float]:
    return [round(v, 3) for v in tensor(rng, (count,), torch.float64, low, high).tolist()]


def ints(rng: torch.Generator, count: int, low: int = -10, high: int = 10) -> list[int]:
    return tensor(rng, (count,), torch.int64, low, high).tolist()


def wide_ints(rng: torch.Generator, count: int) -> list[int]:
    """Odd ints between 2**24 and 2**40 in magnitude, alternating in sign: float32 holds none of them exactly
    (its significand has 24 bits), float64 holds them all."""
    return [(1 - 2 * (i % 2)) * (2 * integer(rng, 2**23, 2**39 - 1) + 1) for i in range(count)]


def fractions(rng: torch.Generator, count: int, magnitude: int = 10) -> list[float]:
    """Non-integer floats in (-magnitude, magnitude), negative and positive, with fractional parts
    both under and over one half, so truncation, floor and rounding all give different integers."""
    values = []
    for i in range(count):
        whole = integer(rng, 0, magnitude - 1)
        fraction = 0.1 + 0.3 * float(torch.rand((), generator=rng, dtype=torch.float64)) + (0.5 if i % 2 else 0.0)
        sign = -1 if i % 4 < 2 else 1
        values.append(round(sign * (whole + fraction), 3))
    order = torch.randperm(count, generator=rng).tolist()
    return [values[i] for i in order]
