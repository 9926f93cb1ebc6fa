"""slices: basic slicing gives views (shared memory, shape kept or dropped by `i` vs `i:i+1`); reversing needs flip."""

import torch

from autograder.authoring import (
    Alternative,
    Edge,
    Exercise,
    Msg,
    Mutant,
    Promise,
    check,
    expect_shares,
    expect_tensor,
    expect_tuple,
    inputs,
)

EXERCISE = Exercise(
    id="slices",
    assignment="a03_operations",
    heading="Tensor 의 indexing & slicing",
    title=Msg(ko="행, 열, 부분 행렬 잘라내기", en="Rows, columns and sub-matrices by slicing"),
    contract=(
        Promise(
            "views",
            en="last_row is M[-1] (shape (cols,)), third_col_2d is M[:, 2:3] (shape (rows, 1)) and "
            "even_rows_odd_cols is M[::2, 1::2], each with M's dtype",
            ko="last_row 는 M[-1] (shape (cols,)), third_col_2d 는 M[:, 2:3] (shape (rows, 1)), even_rows_odd_cols 는 "
            "M[::2, 1::2], 모두 M 의 dtype",
        ),
        Promise(
            "reversed",
            en="reversed_rows is M with its rows in reverse order (equals M.flip(0))",
            ko="reversed_rows 는 행의 순서를 뒤집은 M (M.flip(0) 과 같음)",
        ),
        Promise(
            "share",
            en="the first three share memory with M (views, not copies)",
            ko="앞의 셋은 M 과 메모리를 공유 (복사본이 아닌 view)",
        ),
    ),
    edges=(
        Edge("a transpose (not contiguous)", lambda M: not M.is_contiguous()),
        Edge("an odd number of rows", lambda M: M.shape[0] % 2 == 1),
        Edge("an even number of rows", lambda M: M.shape[0] % 2 == 0),
        Edge("int64", lambda M: M.dtype == torch.int64),
        Edge("float32", lambda M: M.dtype == torch.float32),
    ),
    mutants=(
        Mutant(
            "column_drops_dim",
            violates="views",
            says="2:3",
            source="""
def slices(M):
    return M[-1], M[:, 2], M[::2, 1::2], M.flip(0)
""",
        ),
        Mutant(
            "last_column",
            violates="views",
            says="M[-1]",
            source="""
def slices(M):
    return M[:, -1], M[:, 2:3], M[::2, 1::2], M.flip(0)
""",
        ),
        Mutant(
            "chained_indexing",
            violates="views",
            says="M[::2, 1::2]",
            source="""
def slices(M):
    return M[-1], M[:, 2:3], M[::2][1::2], M.flip(0)
""",
        ),
        Mutant(
            "negative_step",
            violates=("views", "reversed"),
            says="step",
            source="""
def slices(M):
    return M[-1], M[:, 2:3], M[::2, 1::2], M[::-1]
""",
        ),
        Mutant(
            "flips_columns",
            violates="reversed",
            says="flip",
            source="""
def slices(M):
    return M[-1], M[:, 2:3], M[::2, 1::2], M.flip(1)
""",
        ),
        Mutant(
            "clone",
            violates="share",
            says="copy",
            source="""
def slices(M):
    return M[-1].clone(), M[:, 2:3].clone(), M[::2, 1::2].clone(), M.flip(0)
""",
        ),
        Mutant(
            "fancy_index_column",
            violates="share",
            says="copy",
            source="""
def slices(M):
    return M[-1], M[:, [2]], M[::2, 1::2], M.flip(0)
""",
        ),
    ),
    alternatives=(
        Alternative(
            "unsqueeze_and_torch_flip",
            """
def slices(M):
    return M[M.shape[0] - 1, :], M[:, 2].unsqueeze(1), M[0::2, 1::2], torch.flip(M, dims=[0])
""",
        ),
        Alternative(
            "index_list_reverse",
            """
def slices(M):
    return M[-1], M[:, 2, None], M[::2][:, 1::2], M[torch.arange(M.shape[0] - 1, -1, -1)]
""",
        ),
    ),
)

VIEW_NAMES = ("last_row", "third_col_2d", "even_rows_odd_cols")


def _matrix(rng, rows: int | None = None, transposed: bool | None = None, dtype: torch.dtype | None = None):
    """A 2-D tensor with at least 3 rows and 3 columns; a non-contiguous transpose if asked, else sometimes."""
    rows, cols = rows or inputs.integer(rng, 3, 6), inputs.integer(rng, 3, 6)
    dtype = dtype or inputs.choice(rng, [torch.float32, torch.int64])
    if inputs.integer(rng, 0, 1) if transposed is None else transposed:
        return inputs.transposed(rng, rows, cols, dtype)
    return inputs.tensor(rng, (rows, cols), dtype)


def _parts(call):
    return expect_tuple(call.value, 4)


@check(
    points=2,
    enforces="views",
    ko="last_row 는 마지막 행 M[-1] (shape (열 수,)), third_col_2d 는 세 번째 열을 2차원으로 남긴 M[:, 2:3] (shape (행 수, 1)), "
    "even_rows_odd_cols 는 M[::2, 1::2] 이어야 합니다. M[:, 2] 는 차원이 하나 줄어듭니다.",
    en="last_row must be M[-1] (shape (cols,)), third_col_2d the third column kept 2-D, M[:, 2:3] (shape (rows, "
    "1)), and even_rows_odd_cols M[::2, 1::2]. M[:, 2] drops a dimension.",
)
def test_views(student, rng):
    for m in (_matrix(rng, 3, True, torch.int64), _matrix(rng, 4, False, torch.float32), _matrix(rng)):
        call = student(m)
        for name, value, expected in zip(VIEW_NAMES, _parts(call), (m[-1], m[:, 2:3], m[::2, 1::2]), strict=False):
            expect_tensor(call, value, expected, what=name, inputs=f"shape {tuple(m.shape)}")


@check(
    points=2,
    enforces="reversed",
    ko="reversed_rows 는 행의 순서를 뒤집은 M.flip(0) 이어야 합니다. PyTorch 는 M[::-1] 처럼 음수 step 을 "
    "지원하지 않으므로 (ValueError) torch.flip 을 쓰세요.",
    en="reversed_rows must be M.flip(0), the rows in reverse order. PyTorch does not support a negative step "
    "such as M[::-1] (ValueError): use flip.",
)
def test_reversed_rows(student, rng):
    for _ in range(2):
        m = _matrix(rng)
        call = student(m)
        expect_tensor(call, _parts(call)[3], m.flip(0), what="reversed_rows", inputs=f"shape {tuple(m.shape)}")


@check(
    points=3,
    enforces="share",
    requires="views",
    ko="기본 slicing (정수와 start:stop:step) 의 결과는 view 라서 M 과 메모리를 공유해야 합니다. 결과가 복사본입니다: "
    "clone() 이나 M[:, [2]] 같은 정수 리스트 (fancy) indexing 은 복사합니다.",
    en="Basic slicing (integers and start:stop:step) gives views that share memory with M, but yours is a copy: "
    "clone() and integer-list (fancy) indexing such as M[:, [2]] copy.",
)
def test_share_memory(student, rng):
    for _ in range(2):
        call = student(_matrix(rng))
        for name, value in zip(VIEW_NAMES, _parts(call), strict=False):
            expect_shares(call, value, call.args[0], what=name, other="M")
