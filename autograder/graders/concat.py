"""concat: torch.cat joins along an existing dimension, rows by default; stack would add a new one."""

import torch

from autograder.authoring import Alternative, Edge, Exercise, Msg, Mutant, Promise, check, expect_tensor, inputs

EXERCISE = Exercise(
    id="concat",
    assignment="a03_operations",
    heading="Concatenation",
    title=Msg(ko="행 방향과 열 방향으로 이어 붙이기", en="Concatenate by rows or by columns"),
    contract=(
        Promise(
            "rows",
            en="dim=0, the default: joined row-wise, shape (m1 + m2, n)",
            ko="dim=0 (기본값): 행 방향으로 이어 붙여 shape (m1 + m2, n)",
        ),
        Promise(
            "columns",
            en="dim=1: joined column-wise, shape (m, n1 + n2), dim given by position or by name",
            ko="dim=1: 열 방향으로 이어 붙여 shape (m, n1 + n2), dim 은 위치로도 이름으로도",
        ),
    ),
    edges=(
        Edge("no dim given", lambda a, b, *dim, **named: not dim and not named),
        Edge("dim=1 by name", lambda a, b, *dim, **named: named == {"dim": 1}),
        Edge("dim=1 by position", lambda a, b, *dim, **named: dim == (1,)),
        Edge("different row counts", lambda a, b, *dim, **named: a.shape[0] != b.shape[0]),
        Edge("different column counts", lambda a, b, *dim, **named: a.shape[1] != b.shape[1]),
        Edge("int64", lambda a, b, *dim, **named: a.dtype == torch.int64),
    ),
    mutants=(
        Mutant(
            "stack",
            violates=("rows", "columns"),
            says="",
            source="""
def concat(a, b, dim=0):
    return torch.stack([a, b], dim)
""",
        ),
        Mutant(
            "ignores_dim",
            violates="columns",
            says="dim=1",
            source="""
def concat(a, b, dim=0):
    return torch.cat([a, b])
""",
        ),
        Mutant(
            "always_columns",
            violates="rows",
            says="first axis",
            source="""
def concat(a, b, dim=1):
    return torch.cat([a, b], dim)
""",
        ),
    ),
    alternatives=(
        Alternative(
            "tuple_and_keyword",
            """
def concat(a, b, dim=0):
    return torch.cat((a, b), dim=dim)
""",
        ),
        Alternative(
            "torch_concatenate",
            """
def concat(a, b, dim=0):
    return torch.concatenate([a, b], axis=dim)
""",
        ),
    ),
)


def _matrix(rng, rows: int, cols: int, dtype: torch.dtype):
    return inputs.tensor(rng, (rows, cols), dtype)


def _expect_cat(call, a, b, dim):
    expect_tensor(
        call,
        call.value,
        torch.cat([a, b], dim),
        inputs=f"a of shape {tuple(a.shape)}, b of shape {tuple(b.shape)}, dim={dim}",
    )


@check(
    points=3,
    enforces="rows",
    ko="dim 을 주지 않으면 첫 번째 축 (행 방향, dim=0) 으로 이어 붙여 (m1 + m2, n) 이 됩니다. "
    "torch.stack 은 새 차원을 추가하므로 다릅니다.",
    en="Without dim, join along the first axis (row-wise, dim=0), giving (m1 + m2, n). torch.stack adds a new "
    "dimension instead.",
)
def test_rows_by_default(student, rng):
    n = inputs.integer(rng, 2, 4)
    m = n + inputs.integer(rng, 1, 2)
    for rows_b, dtype in ((m, torch.float32), (m + 1, torch.int64)):
        a, b = _matrix(rng, m, n, dtype), _matrix(rng, rows_b, n, dtype)
        _expect_cat(student(a, b), a, b, 0)


@check(
    points=2,
    enforces="columns",
    ko="dim=1 이면 열 방향으로 이어 붙여 (m, n1 + n2) 가 됩니다. dim 인자를 torch.cat 에 넘기세요.",
    en="With dim=1, join column-wise, giving (m, n1 + n2). Pass dim on to torch.cat.",
)
def test_columns(student, rng):
    m = inputs.integer(rng, 2, 4)
    n = m + inputs.integer(rng, 1, 2)
    a, b = _matrix(rng, m, n, torch.float32), _matrix(rng, m, n + 1, torch.float32)
    _expect_cat(student(a, b, dim=1), a, b, 1)
    a, b = _matrix(rng, m, n, torch.int64), _matrix(rng, m, n, torch.int64)
    _expect_cat(student(a, b, 1), a, b, 1)
