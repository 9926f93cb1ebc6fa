"""set_block_: assignment through a slice writes into the tensor itself (in place), and returns it."""

import torch

from autograder.authoring import Alternative, Edge, Exercise, Msg, Mutant, Promise, check, expect, inputs, show

EXERCISE = Exercise(
    id="set_block_",
    assignment="a03_operations",
    heading="Tensor 의 indexing & slicing",
    title=Msg(ko="부분 행렬에 값 쓰기 (in place)", en="Write into a block in place"),
    contract=(
        Promise(
            "block",
            en="M[:2, 1:3] of the M given becomes `value`, in place",
            ko="인자로 받은 M 의 M[:2, 1:3] 이 제자리에서 (in place) value 가 됨",
        ),
        Promise(
            "rest",
            en="elements outside the block stay as they were; M keeps its shape and dtype",
            ko="블록 밖의 원소는 그대로, M 의 shape 과 dtype 도 그대로",
        ),
        Promise(
            "same",
            en="returns M itself, the very same tensor object (not a copy)",
            ko="M 자신 (같은 텐서 객체) 을 반환, 복사본이 아님",
        ),
    ),
    edges=(
        Edge("a transpose (not contiguous)", lambda M, value: not M.is_contiguous()),
        Edge("a float32 M with a fractional value", lambda M, value: M.dtype == torch.float32 and value % 1),
        Edge("an int64 M", lambda M, value: M.dtype == torch.int64),
        Edge("exactly 2 rows", lambda M, value: M.shape[0] == 2),
        Edge("more than 3 columns (a block too wide shows)", lambda M, value: M.shape[1] > 3),
    ),
    mutants=(
        Mutant(
            "works_on_clone",
            violates=("block", "same"),
            says="",
            source="""
def set_block_(M, value):
    M = M.clone()
    M[:2, 1:3] = value
    return M
""",
        ),
        Mutant(
            "fancy_chained_assignment",
            violates="block",
            says="fancy",
            source="""
def set_block_(M, value):
    M[[0, 1]][:, 1:3] = value
    return M
""",
        ),
        Mutant(
            "returns_copy",
            violates="same",
            says="same tensor",
            source="""
def set_block_(M, value):
    M[:2, 1:3] = value
    return M.clone()
""",
        ),
        Mutant(
            "block_too_wide",
            violates="rest",
            says="outside",
            source="""
def set_block_(M, value):
    M[:2, 1:] = value
    return M
""",
        ),
    ),
    alternatives=(
        Alternative(
            "fill_",
            """
def set_block_(M, value):
    M[0:2, 1:3].fill_(value)
    return M
""",
        ),
        Alternative(
            "narrow_fill_",
            """
def set_block_(M, value):
    M.narrow(0, 0, 2).narrow(1, 1, 2).fill_(value)
    return M
""",
        ),
    ),
)


def _case(rng, dtype: torch.dtype | None = None, rows: int | None = None, transposed: bool | None = None):
    """A matrix with at least 2 rows and 4 columns (so a too-wide block shows), a non-contiguous transpose if
    asked (else sometimes), and a value of its kind."""
    rows, cols = rows or inputs.integer(rng, 2, 5), inputs.integer(rng, 4, 6)
    dtype = dtype or inputs.choice(rng, [torch.float32, torch.int64])
    if inputs.integer(rng, 0, 2) == 0 if transposed is None else transposed:
        m = inputs.transposed(rng, rows, cols, dtype)
    else:
        m = inputs.tensor(rng, (rows, cols), dtype)
    value = inputs.integer(rng, 20, 99)
    return m, (value + 0.5 if dtype.is_floating_point else value)


def _block_mask(m):
    mask = torch.zeros(m.shape, dtype=torch.bool)
    mask[:2, 1:3] = True
    return mask


def _result(call, m):
    result = call.value
    expect(
        type(result) is torch.Tensor and result.shape == m.shape and result.dtype == m.dtype,
        f"M 과 같은 shape {tuple(m.shape)}, dtype {m.dtype} 의 텐서를 반환해야 합니다.",
        f"Return a tensor with the shape {tuple(m.shape)} and dtype {m.dtype} of M.",
    )
    return result


@check(
    points=2,
    enforces="block",
    ko="M[:2, 1:3] (첫 두 행, 열 1과 2) 의 모든 원소가 value 가 되어야 합니다. M[[0, 1]] 같은 정수 리스트 "
    "(fancy) indexing 은 복사본을 만들므로, 거기에 이어서 대입하면 M 은 바뀌지 않습니다.",
    en="Every element of M[:2, 1:3] (the first two rows, columns 1 and 2) must become value. Integer-list (fancy) "
    "indexing such as M[[0, 1]] makes a copy, so assigning into it afterwards leaves M unchanged.",
)
def test_block_set(student, rng):
    for m, value in (_case(rng, torch.float32, 2, True), _case(rng, torch.int64, transposed=False), _case(rng)):
        result = _result(student(m.clone(), value), m)
        block = result[:2, 1:3]
        expect(
            bool((block == value).all()),
            f"M[:2, 1:3] 이 value={value} 로 채워지지 않았습니다. 받은 블록: {show(block)}",
            f"M[:2, 1:3] was not filled with value={value}: your block is {show(block)}.",
        )


@check(
    points=1,
    enforces="rest",
    requires="block_set",
    ko="블록 밖의 원소는 그대로여야 합니다. 슬라이스의 끝 (1:3 의 3) 은 포함되지 않습니다.",
    en="Elements outside the block must stay as they were. The end of a slice (the 3 of 1:3) is excluded.",
)
def test_rest_unchanged(student, rng):
    for _ in range(2):
        m, value = _case(rng)
        result = _result(student(m.clone(), value), m)
        outside = ~_block_mask(m)
        expect(
            torch.equal(result[outside], m[outside]),
            "블록 밖의 원소가 바뀌었습니다.",
            "Elements outside M[:2, 1:3] were changed.",
        )


@check(
    points=2,
    enforces="block",
    requires="block_set",
    ko="이름이 _ 로 끝나는 함수는 in place 로 동작합니다: 인자로 받은 M 자체를 바꿔야 하는데, 복사본 (clone) 을 바꾸었습니다.",
    en="A function whose name ends in _ works in place: it must change the M it was given, but yours changed a "
    "copy (clone).",
)
def test_in_place(student, rng):
    m, value = _case(rng)
    call = student(m.clone(), value)
    _result(call, m)
    expect(
        bool((call.args[0][:2, 1:3] == value).all()),
        "함수가 끝난 뒤에도 인자로 받은 M 이 바뀌지 않았습니다.",
        "After your function returned, the M passed in was not changed.",
    )


@check(
    points=1,
    enforces="same",
    requires="block_set",
    ko="in place 로 바꾼 M 자신 (같은 텐서 객체) 을 반환해야 합니다. 복사본이나 새 텐서를 반환하지 마세요.",
    en="Return M itself, the same tensor you changed in place, not a copy or a new tensor.",
)
def test_returns_input(student, rng):
    m, value = _case(rng)
    call = student(m.clone(), value)
    _result(call, m)
    expect(
        call.same_object(call.value, call.args[0]),
        "반환한 텐서가 인자로 받은 M 과 다른 객체입니다.",
        "The tensor you returned is not the same tensor object as the M passed in.",
    )
