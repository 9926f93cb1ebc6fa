"""shares_storage: compare storages, not data_ptr() (wrong for offset slices) nor values; empties share nothing.

The grader builds each pair itself, so it knows the answer; the boundary delivers the pair to the
student's process with the same storages, offsets and strides.
"""

import torch

from autograder.authoring import Alternative, Edge, Exercise, Msg, Mutant, Promise, check, expect, expect_type, inputs


def _shared(a, b) -> bool:
    return a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()


EXERCISE = Exercise(
    id="shares_storage",
    assignment="a02_shapes",
    heading="reshape",
    title=Msg(ko="두 텐서가 메모리를 공유하는지", en="Do two tensors share memory?"),
    contract=(
        Promise(
            "views",
            en="True for views, transposes and slices of one tensor, even when the elements they show do "
            "not overlap (x[:2] and x[2:])",
            ko="한 텐서의 view, 전치, 슬라이스끼리는 True, 보이는 원소가 겹치지 않아도 (x[:2] 와 x[2:])",
        ),
        Promise(
            "copies",
            en="False for copies (clone, integer-list or boolean-mask indexing), even with equal values",
            ko="복사본 (clone, 정수 리스트나 불리언 마스크 인덱싱) 은 값이 같아도 False",
        ),
        Promise(
            "empty",
            en="False when either tensor has no elements, an empty slice x[k:k] of x included",
            ko="어느 한 쪽이라도 원소가 없으면 False, x 의 빈 슬라이스 x[k:k] 도",
        ),
    ),
    edges=(
        Edge("an offset slice", lambda a, b: b.storage_offset() > 0 and b.numel() > 0 and _shared(a, b)),
        Edge("a transpose", lambda a, b: a.dim() == 2 and a.numel() > 1 and b.stride() == a.stride()[::-1]),
        Edge(
            "slices that do not overlap",
            lambda a, b: (
                a.numel() and b.numel() and _shared(a, b) and a.storage_offset() + a.numel() <= b.storage_offset()
            ),
        ),
        Edge("a copy with equal values", lambda a, b: torch.equal(a, b) and a.numel() > 0 and not _shared(a, b)),
        Edge(
            "an empty slice x[k:k] of a non-empty x",
            lambda a, b: a.numel() > 0 and b.numel() == 0 and _shared(a, b) and b.storage_offset() > 0,
        ),
        Edge("an empty 2-D tensor and its transpose", lambda a, b: a.dim() == 2 and a.numel() == 0 and b.dim() == 2),
    ),
    mutants=(
        Mutant(
            "data_ptr",
            violates=("views", "empty"),
            says="",
            source="""
def shares_storage(a, b):
    return a.data_ptr() == b.data_ptr()
""",
        ),
        Mutant(
            "storage_without_empty_guard",
            violates="empty",
            says="numel",
            source="""
def shares_storage(a, b):
    return a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()
""",
        ),
        Mutant(
            "storage_without_numel_guard",
            violates="empty",
            says="numel",
            source="""
def shares_storage(a, b):
    pa, pb = a.untyped_storage().data_ptr(), b.untyped_storage().data_ptr()
    return pa != 0 and pa == pb
""",
        ),
        Mutant(
            "equal_values",
            violates=("views", "copies", "empty"),
            says="",
            source="""
def shares_storage(a, b):
    return torch.equal(a, b)
""",
        ),
        Mutant(
            "same_storage_size",
            violates="copies",
            says="storage",
            source="""
def shares_storage(a, b):
    return a.numel() > 0 and b.numel() > 0 and a.untyped_storage().nbytes() == b.untyped_storage().nbytes()
""",
        ),
        Mutant(
            "always_false",
            violates="views",
            says="same storage",
            source="""
def shares_storage(a, b):
    return False
""",
        ),
    ),
    alternatives=(
        Alternative(
            "overlapping_storage_ranges",
            """
def shares_storage(a, b):
    if a.nelement() == 0 or b.nelement() == 0:
        return False
    sa, sb = a.untyped_storage(), b.untyped_storage()
    return sa.data_ptr() < sb.data_ptr() + sb.nbytes() and sb.data_ptr() < sa.data_ptr() + sa.nbytes()
""",
        ),
    ),
)


def _base(rng):
    """A contiguous 1-D tensor of at least 4 elements, and a split point inside it."""
    x = inputs.tensor(rng, (inputs.integer(rng, 4, 8),), inputs.choice(rng, [torch.float32, torch.int64]))
    return x, inputs.integer(rng, 1, x.numel() - 1)


def _truly_shared(a: torch.Tensor, b: torch.Tensor) -> bool:
    return a.numel() > 0 and b.numel() > 0 and _shared(a, b)


def _expect_answer(call, truth: bool, a_text: str, b_text: str):
    answer = call.value
    expect_type(answer, bool)
    expect(
        answer == truth,
        f"a = {a_text}, b = {b_text} 에 대한 답이 틀렸습니다: {answer!r} 를 돌려주었습니다.",
        f"Wrong answer for a = {a_text}, b = {b_text}: you returned {answer!r}.",
    )


@check(
    points=2,
    enforces="views",
    ko="view, 전치(transpose), x[2:] 같은 슬라이스처럼 같은 storage 를 쓰는 두 텐서는 (보이는 원소가 겹치지 않아도) "
    "True 이고, 결과는 Python bool 이어야 합니다. 오프셋이 있는 슬라이스는 data_ptr() 가 다르므로 "
    "untyped_storage().data_ptr() 를 비교하세요.",
    en="Two tensors that use the same storage, such as a view, a transpose or a slice like x[2:], give True "
    "(even when the elements they show do not overlap), as a Python bool. An offset slice has a different "
    "data_ptr(), so compare untyped_storage().data_ptr().",
)
def test_views_share(student, rng):
    x, k = _base(rng)
    square = x[:4].view(2, 2)
    pairs = (
        (x, x.view(-1, 1), "x", "x.view(-1, 1)"),
        (x, x[k:], "x", f"x[{k}:]"),
        (square, square.t(), "m", "m.t()"),
        (x[:k], x[k:], f"x[:{k}]", f"x[{k}:]"),
    )
    for a, b, a_text, b_text in pairs:
        _expect_answer(student(a, b), _truly_shared(a, b), a_text, b_text)


@check(
    points=2,
    enforces="copies",
    ko="복사본은 False 입니다: clone(), 정수 리스트 인덱싱 x[[0, 1]], 불리언 마스크 인덱싱은 새 메모리를 만듭니다. "
    "값이 같아도 메모리는 다를 수 있으니 값이 아니라 메모리(storage)를 비교하세요 (torch.equal 은 값을 비교합니다).",
    en="Copies give False: clone(), integer-list indexing x[[0, 1]] and boolean-mask indexing make new memory. "
    "Equal values do not mean shared memory: compare storages, not values (torch.equal compares values).",
)
def test_copies_do_not_share(student, rng):
    x, _ = _base(rng)
    pairs = (
        (x, x.clone(), "x", "x.clone()"),
        (x[:2], x[[0, 1]], "x[:2]", "x[[0, 1]]"),
        (x[x > 0], x[x > 0], "x[x > 0]", "x[x > 0]"),
    )
    for a, b, a_text, b_text in pairs:
        _expect_answer(student(a, b), _truly_shared(a, b), a_text, b_text)


@check(
    points=1,
    enforces="empty",
    ko="원소가 0개인 텐서는 어떤 메모리도 공유하지 않으므로 False 입니다. 빈 텐서는 모두 data_ptr() 가 0 이라 "
    "같아 보이니, 먼저 numel() > 0 인지 확인하세요.",
    en="A tensor with no elements shares no memory, so the answer is False. Every empty tensor reports "
    "data_ptr() 0, so they look alike: check numel() > 0 first.",
)
def test_zero_element(student, rng):
    x, k = _base(rng)
    empty = torch.zeros(inputs.integer(rng, 1, 3), 0, dtype=torch.int64)
    none = torch.zeros(0, dtype=torch.float32)
    pairs = (
        (none, none.clone(), "torch.zeros(0)", "torch.zeros(0)"),
        (empty, empty.t(), "e", "e.t()"),
        (x, x[k:k], "x", f"x[{k}:{k}]"),
    )
    for a, b, a_text, b_text in pairs:
        _expect_answer(student(a, b), _truly_shared(a, b), a_text, b_text)
