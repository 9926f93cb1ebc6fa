"""reduce_max: torch.max over one dim gives (values, indices), first index on ties, keepdim keeps the axis."""

import torch

from autograder.authoring import (
    Alternative,
    Edge,
    Exercise,
    Msg,
    Mutant,
    Promise,
    check,
    expect,
    expect_tensor,
    expect_tuple,
    expect_type,
    inputs,
    show,
)

EXERCISE = Exercise(
    id="reduce_max",
    assignment="a03_operations",
    heading="torch.sum, torch.max, torch.min, torch.argmax, torch.argmin",
    title=Msg(ko="한 차원을 따라 최댓값과 그 위치", en="Maximum along a dimension, and where it is"),
    contract=(
        Promise(
            "values",
            en="values first: the maxima along dim, in t's dtype (dim may be negative)",
            ko="첫 번째는 values: dim 을 따라 구한 최댓값, t 의 dtype (dim 은 음수일 수도)",
        ),
        Promise(
            "indices",
            en="indices second: int64, where the maxima are, the first position on ties",
            ko="두 번째는 indices: 최댓값의 위치 (int64), 같은 값이 여럿이면 첫 번째 위치",
        ),
        Promise(
            "keepdim",
            en="keepdim=True keeps the reduced dimension, with size 1",
            ko="keepdim=True 이면 줄어든 차원을 크기 1로 남김",
        ),
    ),
    edges=(
        Edge(
            "a tie for a maximum",
            lambda t, dim, keepdim=False: bool(((t == t.max(dim, keepdim=True).values).sum(dim) > 1).any()),
        ),
        Edge("a negative dim", lambda t, dim, keepdim=False: dim < 0),
        Edge("a 3-D tensor", lambda t, dim, keepdim=False: t.dim() == 3),
        Edge("keepdim=True", lambda t, dim, keepdim=False: keepdim),
        Edge("int64", lambda t, dim, keepdim=False: t.dtype == torch.int64),
        Edge("float32", lambda t, dim, keepdim=False: t.dtype == torch.float32),
    ),
    mutants=(
        Mutant(
            "swapped",
            violates=("values", "indices"),
            says="order",
            source="""
def reduce_max(t, dim, keepdim=False):
    values, indices = torch.max(t, dim, keepdim)
    return indices, values
""",
        ),
        Mutant(
            "float_values",
            violates="values",
            says="dtype",
            source="""
def reduce_max(t, dim, keepdim=False):
    return torch.max(t.float(), dim, keepdim)
""",
        ),
        Mutant(
            "ignores_keepdim",
            violates="keepdim",
            says="keepdim",
            source="""
def reduce_max(t, dim, keepdim=False):
    return torch.max(t, dim)
""",
        ),
        Mutant(
            "overall_max",
            violates=("values", "indices", "keepdim"),
            says="",
            source="""
def reduce_max(t, dim, keepdim=False):
    return torch.max(t), torch.argmax(t)
""",
        ),
        Mutant(
            "last_index_on_ties",
            violates="indices",
            says="first",
            source="""
def reduce_max(t, dim, keepdim=False):
    flipped = torch.max(t.flip(dim), dim, keepdim)
    return flipped.values, t.shape[dim] - 1 - flipped.indices
""",
        ),
    ),
    alternatives=(
        Alternative(
            "return_types_directly",
            """
def reduce_max(t, dim, keepdim=False):
    return torch.max(t, dim, keepdim)
""",
        ),
        Alternative(
            "amax_argmax",
            """
def reduce_max(t, dim, keepdim=False):
    return t.amax(dim, keepdim=keepdim), t.argmax(dim, keepdim=keepdim)
""",
        ),
        Alternative(
            "method_keywords",
            """
def reduce_max(t, dim, keepdim=False):
    result = t.max(dim=dim, keepdim=keepdim)
    return result.values, result.indices
""",
        ),
    ),
)


def _case(rng, ndim: int | None = None, dtype: torch.dtype | None = None, negative: bool | None = None):
    """A 2-D or 3-D tensor of few distinct values with a sure tie for one maximum, and a dim (negative if
    asked, else maybe)."""
    ndim = ndim or inputs.integer(rng, 2, 3)
    size = inputs.shape(rng, ndim, 2, 5)
    t = inputs.ties(rng, size, dtype or inputs.choice(rng, [torch.int64, torch.float32]))
    dim = inputs.integer(rng, 0, ndim - 1)
    first = inputs.integer(rng, 0, size[dim] - 2)
    for position in (first, inputs.integer(rng, first + 1, size[dim] - 1)):  # a new maximum, twice in one slice
        t[(0,) * dim + (position,) + (0,) * (ndim - dim - 1)] = 3
    if inputs.integer(rng, 0, 1) if negative is None else negative:
        dim -= ndim
    return t, dim


def _cases(rng) -> list:
    return [_case(rng, 3, torch.int64, True), _case(rng, 2, torch.float32, False), _case(rng)]


def _check(student, rng, part: int):
    for t, dim in _cases(rng):
        call = student(t, dim)
        expected = torch.max(t, dim)
        expect_tensor(
            call,
            expect_tuple(call.value, 2)[part],
            expected[part],
            what=("values", "indices")[part],
            inputs=f"t={show(t)}, dim={dim}",
        )


@check(
    points=3,
    enforces="values",
    ko="첫 번째 값은 dim 을 따라 구한 최댓값들 (values) 로, t 의 dtype 입니다. torch.max(t, dim) 처럼 (values, indices) "
    "순서로 반환하고, dim 없이 전체 최댓값을 구하지 마세요.",
    en="The first value holds the maxima along dim (values), in t's dtype. Return them in the order "
    "(values, indices), as torch.max(t, dim) does, and do not take the overall maximum without dim.",
)
def test_values(student, rng):
    _check(student, rng, 0)


@check(
    points=2,
    enforces="indices",
    ko="두 번째 값은 최댓값의 위치 (indices, int64) 입니다. 최댓값이 여러 개면 첫 번째 (first) 위치입니다. "
    "(values, indices) 순서를 지키세요.",
    en="The second value holds where the maxima are (indices, int64); on ties, the first position. Keep the "
    "order (values, indices).",
)
def test_indices(student, rng):
    _check(student, rng, 1)


@check(
    points=2,
    enforces="keepdim",
    ko="keepdim=True 이면 줄어든 차원을 크기 1로 남겨야 합니다 (예: (3, 4) 에서 dim=1 이면 (3, 1)). "
    "keepdim 인자를 torch.max 에 넘기세요.",
    en="With keepdim=True the reduced dimension stays, with size 1 (e.g. (3, 4) with dim=1 gives (3, 1)). Pass "
    "keepdim on to torch.max.",
)
def test_keepdim(student, rng):
    t, dim = _case(rng)
    wanted = tuple(torch.max(t, dim, keepdim=True).values.shape)
    for name, part in zip(("values", "indices"), expect_tuple(student(t, dim, keepdim=True).value, 2), strict=True):
        expect_type(part, torch.Tensor, name)
        expect(
            tuple(part.shape) == wanted,
            f"keepdim=True 인데 {name} 의 shape 이 {wanted} 가 아니라 {tuple(part.shape)} 입니다.",
            f"With keepdim=True the {name} have shape {tuple(part.shape)}, not {wanted}.",
        )
