"""tensor_to_df: float32 columns under the given names (tolist() would give float64), in memory of their own."""

import numpy as np
import pandas as pd
import torch

from autograder.authoring import (
    Alternative,
    Edge,
    Exercise,
    Msg,
    Mutant,
    Promise,
    check,
    close,
    expect,
    expect_not_shares,
    expect_type,
    inputs,
    show,
)

EXERCISE = Exercise(
    id="tensor_to_df",
    assignment="a02_shapes",
    heading="pandas 및 python list 와의 호환성",
    title=Msg(ko="텐서를 DataFrame 으로", en="A tensor as a DataFrame"),
    contract=(
        Promise(
            "columns",
            en="the rows and values of `t` under columns named `columns`, in that order; index 0, 1, 2, ...",
            ko="t 의 행과 값을 columns 라는 이름의 열에 그 순서대로 담음; index 는 0, 1, 2, ...",
        ),
        Promise(
            "float32", en="every column float32 (also when `t` has no rows)", ko="모든 열이 float32 (t 에 행이 없어도)"
        ),
        Promise(
            "copy",
            en="a copy: later writes to `t` do not change the frame",
            ko="복사본: 나중에 t 에 써도 DataFrame 은 바뀌지 않음",
        ),
    ),
    edges=(
        Edge("a tensor with no rows", lambda t, columns: t.shape[0] == 0),
        Edge("a tensor with one row", lambda t, columns: t.shape[0] == 1),
        Edge("a transpose (not contiguous)", lambda t, columns: t.shape[0] > 1 and not t.is_contiguous()),
        Edge("a contiguous tensor (which a frame can share)", lambda t, columns: t.shape[0] > 1 and t.is_contiguous()),
    ),
    mutants=(
        Mutant(
            "ignores_columns",
            violates="columns",
            says="column",
            source="""
def tensor_to_df(t, columns):
    return pd.DataFrame(t.numpy().copy())
""",
        ),
        Mutant(
            "through_tolist",
            violates="float32",
            says="float32",
            source="""
def tensor_to_df(t, columns):
    return pd.DataFrame(t.tolist(), columns=columns)
""",
        ),
        Mutant(
            "shares_memory",
            violates="copy",
            says="copy",
            source="""
def tensor_to_df(t, columns):
    return pd.DataFrame(t.numpy(), columns=columns, copy=False)
""",
        ),
    ),
    alternatives=(
        Alternative(
            "dict_of_columns",
            """
def tensor_to_df(t, columns):
    return pd.DataFrame({name: t[:, i].numpy().copy() for i, name in enumerate(columns)})
""",
        ),
        Alternative(
            "copy_keyword",
            """
def tensor_to_df(t, columns):
    return pd.DataFrame(t.numpy(), columns=columns, copy=True)
""",
        ),
        Alternative(
            "pandas_default",
            """
def tensor_to_df(t, columns):
    return pd.DataFrame(t.numpy(), columns=columns)
""",
        ),
    ),
)

COLUMN_NAMES = ("x", "y", "z", "width", "height", "mass", "speed", "price")


def _case(rng, rows: int, transposed: bool | None = None):
    """A float32 matrix (a non-contiguous transpose if asked, else sometimes) and distinct column names for it."""
    cols = inputs.integer(rng, 2, 4)
    transposed = inputs.integer(rng, 0, 1) == 1 if transposed is None else transposed
    t = inputs.transposed(rng, rows, cols) if rows and transposed else inputs.tensor(rng, (rows, cols))
    names = [COLUMN_NAMES[i] for i in torch.randperm(len(COLUMN_NAMES), generator=rng)[:cols].tolist()]
    return t, names


def _frame(call, t, names) -> pd.DataFrame:
    df = call.value
    expect_type(df, pd.DataFrame)
    expect(
        [str(c) for c in df.columns] == names and all(type(c) is str for c in df.columns),
        f"열 이름이 {names} 이어야 하는데 {show(list(df.columns))} 입니다.",
        f"The column names should be {names}, but they are {show(list(df.columns))}.",
    )
    expect(
        df.shape == tuple(t.shape),
        f"DataFrame 의 shape 이 {tuple(t.shape)} 이어야 하는데 {df.shape} 입니다.",
        f"The frame has shape {df.shape}, but it should be {tuple(t.shape)}.",
    )
    return df


@check(
    points=2,
    enforces="columns",
    ko="결과는 DataFrame 으로, 열 이름이 columns 와 같은 순서로 같고 텐서의 행과 값을 그대로 담아야 합니다 "
    "(index 는 0, 1, 2, ...). pd.DataFrame(..., columns=columns) 로 열 이름을 주세요.",
    en="The result must be a DataFrame whose column names are `columns`, in that order, holding the tensor's rows "
    "and values (index 0, 1, 2, ...). Pass the names with pd.DataFrame(..., columns=columns).",
)
def test_frame(student, rng):
    for rows, transposed in ((inputs.integer(rng, 2, 6), True), (1, False)):
        t, names = _case(rng, rows, transposed)
        call = student(t, names)
        df = _frame(call, t, names)
        expect(
            list(df.index) == list(range(rows)),
            f"index 가 0 부터 {rows - 1} 까지여야 하는데 {show(list(df.index))} 입니다.",
            f"The index should run from 0 to {rows - 1}, but it is {show(list(df.index))}.",
        )
        values = df.to_numpy(dtype=np.float64)
        expect(
            close(values, t.double().numpy()),
            f"DataFrame 의 값이 텐서와 다릅니다. 받은 값: {show(values)}",
            f"The frame's values differ from the tensor's. You returned {show(values)}",
        )


@check(
    points=1,
    enforces="float32",
    requires="frame",
    ko="모든 열의 dtype 은 텐서와 같은 float32 여야 합니다 (행이 없는 텐서도). t.tolist() 를 거치면 float64 (행이 없으면 "
    "object) 열이 되니 t.numpy() 에서 만드세요.",
    en="Every column must be float32 like the tensor (also for a tensor with no rows). Going through t.tolist() "
    "gives float64 (or object, with no rows) columns: build it from t.numpy().",
)
def test_float32_columns(student, rng):
    for rows in (inputs.integer(rng, 1, 5), 0):
        t, names = _case(rng, rows)
        df = _frame(student(t, names), t, names)
        dtypes = [str(d) for d in df.dtypes]
        expect(
            all(d == "float32" for d in dtypes),
            f"열의 dtype 이 모두 float32 여야 하는데 {dtypes} 입니다.",
            f"Every column should be float32, but the dtypes are {dtypes}.",
        )


@check(
    points=1,
    enforces="copy",
    requires="frame",
    ko="결과는 t 와 메모리를 공유하지 않는 복사본이어야 합니다: 나중에 t 를 바꿔도 DataFrame 은 그대로여야 합니다. "
    "pd.DataFrame(t.numpy(), copy=False) 는 t 의 메모리를 그대로 씁니다.",
    en="The frame must be a copy that shares no memory with t, so that later writes to t leave it alone; "
    "pd.DataFrame(t.numpy(), copy=False) uses t's own memory.",
)
def test_copy(student, rng):
    for transposed in (False, True):
        t, names = _case(rng, inputs.integer(rng, 2, 5), transposed)
        call = student(t, names)
        _frame(call, t, names)
        expect_not_shares(call, call.value, call.args[0], what="frame", other="t")
