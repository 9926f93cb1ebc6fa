"""df_to_tensor: mixed int/float/bool columns need an explicit float32 conversion; df.values is an object array."""

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
    expect_tensor,
    expect_unchanged,
    inputs,
)

EXERCISE = Exercise(
    id="df_to_tensor",
    assignment="a02_shapes",
    heading="pandas 및 python list 와의 호환성",
    title=Msg(ko="DataFrame 을 float32 텐서로", en="A DataFrame as a float32 tensor"),
    contract=(
        Promise(
            "values",
            en="dtype float32, shape (len(df), len(df.columns)), the values column by column: ints and "
            "floats as float32, bools as 0.0 / 1.0, also for frames with one row or none",
            ko="dtype float32, shape (len(df), len(df.columns)), 열 순서대로의 값: int 와 float 는 float32, bool 은 "
            "0.0 / 1.0, 행이 하나이거나 없는 DataFrame 도",
        ),
        Promise(
            "unchanged", en="does not modify `df` (not even a column's dtype)", ko="df 를 바꾸지 않음 (열의 dtype 도)"
        ),
    ),
    edges=(
        Edge("int, float and bool columns in one frame", lambda df: {d.kind for d in df.dtypes} >= {"i", "f", "b"}),
        Edge("a frame with one row", lambda df: len(df) == 1),
        Edge("a frame with no rows", lambda df: len(df) == 0),
    ),
    mutants=(
        Mutant(
            "tensor_of_values",
            violates="values",
            says="object",
            source="""
def df_to_tensor(df):
    return torch.tensor(df.values)
""",
        ),
        Mutant(
            "float64_result",
            violates="values",
            says="float32",
            source="""
def df_to_tensor(df):
    return torch.tensor(df.to_numpy(dtype=np.float64))
""",
        ),
        Mutant(
            "squeezed",
            violates="values",
            says="one row",
            source="""
def df_to_tensor(df):
    return torch.from_numpy(df.to_numpy(dtype=np.float32)).squeeze()
""",
        ),
        Mutant(
            "casts_bool_columns_in_place",
            violates="unchanged",
            says="modif",
            source="""
def df_to_tensor(df):
    for name in df.columns:
        if df[name].dtype == bool:
            df[name] = df[name].astype(int)
    return torch.tensor(df.values, dtype=torch.float32)
""",
        ),
    ),
    alternatives=(
        Alternative(
            "from_numpy_float32",
            """
def df_to_tensor(df):
    return torch.from_numpy(df.to_numpy(dtype=np.float32))
""",
        ),
        Alternative(
            "through_float64",
            """
def df_to_tensor(df):
    return torch.tensor(df.to_numpy(dtype=np.float64)).float()
""",
        ),
        Alternative(
            "astype_then_tensor",
            """
def df_to_tensor(df):
    return torch.tensor(df.astype("float32").values)
""",
        ),
    ),
)

COLUMN_NAMES = ("age", "height", "score", "passed", "count", "weight", "member", "rank")
KINDS = {"int": torch.int64, "float": torch.float64, "bool": torch.bool}


def _frame(rng, rows: int) -> pd.DataFrame:
    """At least one int, one float and one bool column, in a random order, under random names."""
    kinds = ["int", "float", "bool"] + [inputs.choice(rng, list(KINDS)) for _ in range(inputs.integer(rng, 0, 2))]
    kinds = [kinds[i] for i in torch.randperm(len(kinds), generator=rng).tolist()]
    names = [COLUMN_NAMES[i] for i in torch.randperm(len(COLUMN_NAMES), generator=rng)[: len(kinds)].tolist()]
    return pd.DataFrame(
        {name: inputs.tensor(rng, (rows,), KINDS[kind]).numpy() for name, kind in zip(names, kinds, strict=True)}
    )


def _expect_converted(student, df):
    call = student(df)
    described = ", ".join(f"{name}: {dtype}" for name, dtype in df.dtypes.items())
    expect_tensor(
        call, call.value, torch.from_numpy(df.to_numpy(dtype=np.float32)), inputs=f"DataFrame {df.shape} ({described})"
    )


@check(
    points=2,
    enforces="values",
    ko="결과는 shape (행 수, 열 수) 의 float32 텐서로, 열 순서대로 DataFrame 의 값을 담고 bool 은 0/1 이어야 "
    "합니다. int, float, bool 열이 섞이면 df.values 는 object 배열이 되어 torch.tensor 가 거부하니 "
    "df.to_numpy(dtype=np.float32) 를 쓰세요.",
    en="The result must be a float32 tensor of shape (rows, columns) holding the frame's values in column order, "
    "bools as 0/1. With mixed int, float and bool columns df.values is an object array that torch.tensor "
    "rejects: use df.to_numpy(dtype=np.float32).",
)
def test_values(student, rng):
    for _ in range(2):
        _expect_converted(student, _frame(rng, inputs.integer(rng, 2, 6)))


@check(
    points=1,
    enforces="values",
    ko="행이 하나뿐이거나 하나도 없는 DataFrame 도 shape (1, 열 수), (0, 열 수) 의 float32 텐서가 되어야 합니다.",
    en="A frame with one row or no rows must give a float32 tensor of shape (1, columns) or (0, columns).",
)
def test_edge_shapes(student, rng):
    for rows in (1, 0):
        _expect_converted(student, _frame(rng, rows))


@check(
    points=1,
    enforces="unchanged",
    requires="values",
    ko="입력 DataFrame 을 수정하면 안 됩니다 (열의 dtype 을 바꾸는 것도 수정입니다). 변환은 복사본에서 하세요.",
    en="Do not modify the input frame (changing a column's dtype modifies it too): convert a copy.",
)
def test_input_unchanged(student, rng):
    df = _frame(rng, inputs.integer(rng, 2, 5))
    call = student(df.copy())
    call.value  # noqa: B018 - reading it fails the check if the call raised
    expect_unchanged(df, call.args[0], what="DataFrame")
