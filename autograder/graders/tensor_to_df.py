"""tensor_to_df: a float32 tensor becomes float32 columns under the given names; going through tolist() gives float64."""

import numpy as np
import pandas as pd
import torch

from autograder import inputs
from autograder.expect import expect, expect_type, expect_unchanged, show
from autograder.messages import Msg
from autograder.spec import Alternative, Exercise, Mutant, check

EXERCISE = Exercise(
    id="tensor_to_df",
    assignment="a02_shapes",
    heading="pandas 및 python list 와의 호환성",
    title=Msg(ko="텐서를 DataFrame 으로", en="A tensor as a DataFrame"),
    order=9,
    mutants=(
        Mutant("ignores_columns", kills=("frame",), says="column", source='''
def tensor_to_df(t, columns):
    return pd.DataFrame(t.numpy())
'''),
        Mutant("through_tolist", kills=("float32_columns",), says="float32", source='''
def tensor_to_df(t, columns):
    return pd.DataFrame(t.tolist(), columns=columns)
'''),
    ),
    alternatives=(
        Alternative("dict_of_columns", '''
def tensor_to_df(t, columns):
    return pd.DataFrame({name: t[:, i].numpy().copy() for i, name in enumerate(columns)})
'''),
        Alternative("copy_keyword", '''
def tensor_to_df(t, columns):
    return pd.DataFrame(t.numpy(), columns=columns, copy=True)
'''),
    ),
)

COLUMN_NAMES = ("x", "y", "z", "width", "height", "mass", "speed", "price")


def _case(rng, rows: int):
    """A float32 matrix (sometimes a non-contiguous transpose) and distinct column names for it."""
    cols = inputs.integer(rng, 2, 4)
    t = inputs.transposed(rng, rows, cols) if rows and inputs.integer(rng, 0, 1) else inputs.tensor(rng, (rows, cols))
    names = [COLUMN_NAMES[i] for i in torch.randperm(len(COLUMN_NAMES), generator=rng)[:cols].tolist()]
    return t, names


def _frame(call, t, names) -> pd.DataFrame:
    df = call.value
    expect_type(df, pd.DataFrame)
    expect([str(c) for c in df.columns] == names and all(type(c) is str for c in df.columns),
           f"열 이름이 {names} 이어야 하는데 {show(list(df.columns))} 입니다.",
           f"The column names should be {names}, but they are {show(list(df.columns))}.")
    expect(df.shape == tuple(t.shape),
           f"DataFrame 의 shape 이 {tuple(t.shape)} 이어야 하는데 {df.shape} 입니다.",
           f"The frame has shape {df.shape}, but it should be {tuple(t.shape)}.")
    return df


@check(points=2, ko="결과는 DataFrame 으로, 열 이름이 columns 와 같은 순서로 같고 텐서의 행과 값을 그대로 담아야 합니다 "
                   "(index 는 0, 1, 2, ...). pd.DataFrame(..., columns=columns) 로 열 이름을 주세요.",
       en="The result must be a DataFrame whose column names are `columns`, in that order, holding the tensor's rows "
          "and values (index 0, 1, 2, ...). Pass the names with pd.DataFrame(..., columns=columns).")
def test_frame(student, rng):
    for rows in (inputs.integer(rng, 2, 6), 1):
        t, names = _case(rng, rows)
        call = student(t, names)
        df = _frame(call, t, names)
        expect(list(df.index) == list(range(rows)),
               f"index 가 0 부터 {rows - 1} 까지여야 하는데 {show(list(df.index))} 입니다.",
               f"The index should run from 0 to {rows - 1}, but it is {show(list(df.index))}.")
        values = df.to_numpy(dtype=np.float64)
        expect(np.allclose(values, t.double().numpy()),
               f"DataFrame 의 값이 텐서와 다릅니다. 받은 값: {show(values)}",
               f"The frame's values differ from the tensor's. You returned {show(values)}")


@check(points=1, requires="frame",
       ko="모든 열의 dtype 은 텐서와 같은 float32 여야 합니다 (행이 없는 텐서도). t.tolist() 를 거치면 float64 (행이 없으면 "
          "object) 열이 되니 t.numpy() 에서 만드세요.",
       en="Every column must be float32 like the tensor (also for a tensor with no rows). Going through t.tolist() "
          "gives float64 (or object, with no rows) columns: build it from t.numpy().")
def test_float32_columns(student, rng):
    for rows in (inputs.integer(rng, 1, 5), 0):
        t, names = _case(rng, rows)
        df = _frame(student(t, names), t, names)
        dtypes = [str(d) for d in df.dtypes]
        expect(all(d == "float32" for d in dtypes),
               f"열의 dtype 이 모두 float32 여야 하는데 {dtypes} 입니다.",
               f"Every column should be float32, but the dtypes are {dtypes}.")


@check(points=1, requires="frame", ko="입력 텐서 t 를 바꾸면 안 됩니다.", en="The input tensor t must not be modified.")
def test_input_unchanged(student, rng):
    t, names = _case(rng, inputs.integer(rng, 2, 5))
    call = student(t.clone(), names)
    call.value
    expect_unchanged(t, call.args[0])
