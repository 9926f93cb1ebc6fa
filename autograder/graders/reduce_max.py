"""reduce_max: torch.max over one dim gives (values, indices), first index on ties, keepdim keeps the axis."""

import torch

from autograder import inputs
from autograder.expect import expect_tensor, expect_tuple, expect_unchanged, show
from autograder.messages import Msg
from autograder.spec import Alternative, Exercise, Mutant, check

EXERCISE = Exercise(
    id="reduce_max",
    assignment="a03_operations",
    heading="torch.sum, torch.max, torch.min, torch.argmax, torch.argmin",
    title=Msg(ko="한 차원을 따라 최댓값과 그 위치", en="Maximum along a dimension, and where it is"),
    order=11,
    mutants=(
        Mutant("swapped", kills=("values", "indices"), says="order", source='''
def reduce_max(t, dim, keepdim=False):
    values, indices = torch.max(t, dim, keepdim)
    return indices, values
'''),
        Mutant("ignores_keepdim", kills=("keepdim",), says="keepdim", source='''
def reduce_max(t, dim, keepdim=False):
    return torch.max(t, dim)
'''),
        Mutant("overall_max", kills=("values",), says="dim", source='''
def reduce_max(t, dim, keepdim=False):
    return torch.max(t), torch.argmax(t)
'''),
        Mutant("last_index_on_ties", kills=("indices",), says="first", source='''
def reduce_max(t, dim, keepdim=False):
    flipped = torch.max(t.flip(dim), dim, keepdim)
    return flipped.values, t.shape[dim] - 1 - flipped.indices
'''),
    ),
    alternatives=(
        Alternative("return_types_directly", '''
def reduce_max(t, dim, keepdim=False):
    return torch.max(t, dim, keepdim)
'''),
        Alternative("amax_argmax", '''
def reduce_max(t, dim, keepdim=False):
    return t.amax(dim, keepdim=keepdim), t.argmax(dim, keepdim=keepdim)
'''),
        Alternative("method_keywords", '''
def reduce_max(t, dim, keepdim=False):
    result = t.max(dim=dim, keepdim=keepdim)
    return result.values, result.indices
'''),
    ),
)


def _case(rng):
    """A 2-D or 3-D tensor of few distinct values (so maxima tie), and a dim that may be negative."""
    ndim = inputs.integer(rng, 2, 3)
    size = inputs.shape(rng, ndim, 2, 5)
    t = inputs.ties(rng, size, inputs.choice(rng, [torch.int64, torch.float32]))
    return t, inputs.integer(rng, -ndim, ndim - 1)


def _check(student, rng, part: int, keepdim: bool = False, count: int = 3):
    for _ in range(count):
        t, dim = _case(rng)
        call = student(t, dim, keepdim=True) if keepdim else student(t, dim)
        expected = torch.max(t, dim, keepdim)
        expect_tensor(call, expect_tuple(call.value, 2)[part], expected[part], what=("values", "indices")[part],
                      inputs=f"t={show(t)}, dim={dim}")


@check(points=2, ko="첫 번째 값은 dim 을 따라 구한 최댓값들 (values) 입니다. torch.max(t, dim) 처럼 (values, indices) "
                   "순서로 반환하고, dim 없이 전체 최댓값을 구하지 마세요.",
       en="The first value holds the maxima along dim (values). Return them in the order (values, indices), as "
          "torch.max(t, dim) does, and do not take the overall maximum without dim.")
def test_values(student, rng):
    _check(student, rng, 0)


@check(points=2, ko="두 번째 값은 최댓값의 위치 (indices, int64) 입니다. 최댓값이 여러 개면 첫 번째 (first) 위치입니다. "
                   "(values, indices) 순서를 지키세요.",
       en="The second value holds where the maxima are (indices, int64); on ties, the first position. Keep the "
          "order (values, indices).")
def test_indices(student, rng):
    _check(student, rng, 1)


@check(points=2, ko="keepdim=True 이면 줄어든 차원을 크기 1로 남겨야 합니다 (예: (3, 4) 에서 dim=1 이면 (3, 1)). "
                   "keepdim 인자를 torch.max 에 넘기세요.",
       en="With keepdim=True the reduced dimension stays, with size 1 (e.g. (3, 4) with dim=1 gives (3, 1)). Pass "
          "keepdim on to torch.max.")
def test_keepdim(student, rng):
    for part in (0, 1):
        _check(student, rng, part, keepdim=True, count=1)


@check(points=1, requires="values", ko="입력 텐서를 바꾸면 안 됩니다.", en="The input tensor must not be modified.")
def test_input_unchanged(student, rng):
    t, dim = _case(rng)
    call = student(t.clone(), dim)
    expect_tuple(call.value, 2)
    expect_unchanged(t, call.args[0])
