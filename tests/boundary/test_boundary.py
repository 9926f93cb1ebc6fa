"""The call boundary is faithful: what a grader reads about a value is what the value was on the other side.

Property tests draw families of values that may share memory (tensors, views of views with offsets,
strides, transposes, expands, empty slices, 0-d tensors, numpy arrays on tensors and tensors on numpy
arrays, DataFrames, leaves and non-leaves, requires_grad, .grad) and send them both ways: as a grader's
inputs (rebuilt live in the student's process) and as a student's answer (rebuilt in the grader). Every
fact the receiving side can read must equal the sender's; the approximations that remain are listed in
`codec`'s docstring, each with why it cannot change a verdict.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from autograder.boundary import codec
from autograder.boundary.parent import Call
from autograder.engine import extract, grade

ROOT = Path(__file__).resolve().parents[2]
DTYPES = [
    torch.float32,
    torch.float64,
    torch.int64,
    torch.int32,
    torch.uint8,
    torch.bool,
    torch.float16,
    torch.bfloat16,
    torch.complex64,
]
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# -- drawing families of values ---------------------------------------------------------------------------


def _slice(draw, t):
    dim = draw(st.integers(0, t.dim() - 1))
    size = t.shape[dim]
    start = draw(st.integers(0, size))
    stop = draw(st.integers(start, size))
    step = draw(st.integers(1, 3))
    index = [slice(None)] * dim + [slice(start, stop, step)]
    return t[tuple(index)]


def _select(draw, t):
    dim = draw(st.integers(0, t.dim() - 1))
    return t.select(dim, draw(st.integers(0, t.shape[dim] - 1)))


def _expand(draw, t):
    return t.unsqueeze(0).expand(draw(st.integers(0, 3)), *t.shape)


TENSOR_OPS = {  # op -> (whether it applies, what it makes)
    "slice": (lambda t: t.dim() > 0, _slice),
    "empty_slice": (lambda t: t.dim() > 0, lambda draw, t: t[draw(st.integers(0, t.shape[0])) :][:0]),
    "select": (lambda t: t.dim() > 0 and min(t.shape) > 0, _select),
    "transpose": (lambda t: t.dim() >= 2, lambda draw, t: t.transpose(0, t.dim() - 1)),
    "expand": (lambda t: t.dim() < 3, _expand),
    "view": (lambda t: t.is_contiguous(), lambda draw, t: t.view(-1)),
    "unsqueeze": (lambda t: t.dim() < 3, lambda draw, t: t.unsqueeze(draw(st.integers(0, t.dim())))),
    "clone": (lambda t: True, lambda draw, t: t.clone()),
    "numpy": (lambda t: t.dtype is not torch.bfloat16 and not t.requires_grad, lambda draw, t: t.numpy()),
    "frame": (
        lambda t: t.dim() == 2 and t.dtype not in (torch.bfloat16, torch.complex64) and not t.requires_grad,
        lambda draw, t: pd.DataFrame(t.numpy(), columns=[f"c{i}" for i in range(t.shape[1])], copy=draw(st.booleans())),
    ),
}
ARRAY_OPS = {
    "reversed": (lambda a: a.ndim > 0, lambda draw, a: a[::-1]),
    "stepped": (lambda a: a.ndim > 0, lambda draw, a: a[::2]),
    "transposed": (lambda a: True, lambda draw, a: a.T),
    "from_numpy": (lambda a: all(s >= 0 for s in a.strides) and a.flags.writeable, lambda draw, a: torch.from_numpy(a)),
    "read_only": (lambda a: True, lambda draw, a: _read_only(a)),
    "frame": (
        lambda a: a.ndim == 2 and a.dtype.kind in "fiub",
        lambda draw, a: pd.DataFrame(a, columns=[f"c{i}" for i in range(a.shape[1])], copy=draw(st.booleans())),
    ),
}


def _read_only(array: np.ndarray) -> np.ndarray:
    view = array.view()
    view.flags.writeable = False
    return view


@st.composite
def families(draw, non_leaves: bool):
    """A base tensor and values made from it (and from each other), any of which may share memory."""
    dtype = draw(st.sampled_from(DTYPES))
    shape = draw(st.lists(st.integers(0, 4), max_size=3))
    seed = draw(st.integers(0, 2**32 - 1))
    base = torch.randn(shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64) * 5
    base = base.to(dtype) if not dtype.is_complex else torch.complex(base, -base).to(dtype)
    values = [base]
    if dtype.is_floating_point and draw(st.booleans()):
        leaf = base.clone().requires_grad_()
        if draw(st.booleans()):
            leaf.grad = torch.ones_like(leaf)
        values.append(leaf)
        if non_leaves:
            values.append(leaf * 2)
    for _ in range(draw(st.integers(0, 8))):
        source = draw(st.sampled_from(values))
        if isinstance(source, torch.Tensor) and source.requires_grad and not non_leaves:
            continue  # a view of a leaf that requires grad is not a leaf: no input is one
        ops = TENSOR_OPS if isinstance(source, torch.Tensor) else ARRAY_OPS if isinstance(source, np.ndarray) else {}
        usable = [name for name, (applies, _) in ops.items() if applies(source)]
        if not usable:
            continue
        name = draw(st.sampled_from(usable))
        made = ops[name][1](draw, source)
        if name == "frame" and not non_leaves and any(_shares(made, v) for v in values):
            made = made.copy()  # a grader never sends a frame beside a value it shares memory with (refused)
        values.append(made)
    if draw(st.booleans()):
        values.append(draw(st.sampled_from(values)))  # one object twice
    return values


# -- what each side can read ---------------------------------------------------------------------------------


def _bytes(value) -> bytes:
    """A tensor's or array's values, bit for bit (NaN, -0.0 and bfloat16 included)."""
    if isinstance(value, torch.Tensor):
        plain = torch.empty(value.shape, dtype=value.dtype).copy_(value.detach())  # row-major, whatever the strides
        return plain.reshape(-1).view(torch.uint8).numpy().tobytes() if plain.numel() else b""
    return np.ascontiguousarray(value).tobytes()


def _memory(value) -> list[tuple[int, int]]:
    """The memory a value uses, as the kit defines sharing: a non-empty tensor its whole storage (views
    share even where their elements do not overlap), an array its byte bounds, a frame its columns'."""
    if isinstance(value, torch.Tensor):
        if not value.numel():
            return []
        storage = value.untyped_storage()
        return [(storage.data_ptr(), storage.data_ptr() + storage.nbytes())]
    if isinstance(value, np.ndarray):
        if not value.size:
            return []
        low, high = np.lib.array_utils.byte_bounds(value)
        return [(low, high)]
    if isinstance(value, pd.DataFrame):
        return [span for i in range(value.shape[1]) for span in _memory(value._mgr.iget_values(i))]
    return []


def _shares(a, b) -> bool:
    return any(low < end and start < high for low, high in _memory(a) for start, end in _memory(b))


def _address(value) -> int | None:
    if isinstance(value, torch.Tensor):
        return value.data_ptr() if value.numel() else None
    if isinstance(value, np.ndarray):
        return value.__array_interface__["data"][0] if value.size else None
    return None


def _expect_same_value(sent, arrived, facts=None) -> None:
    assert type(arrived) is type(sent) or isinstance(sent, torch.Tensor) and type(arrived) is torch.Tensor
    if isinstance(sent, torch.Tensor):
        assert arrived.dtype == sent.dtype and arrived.shape == sent.shape and _bytes(arrived) == _bytes(sent)
        seen = facts if facts is not None else arrived
        stride = facts.stride if facts is not None else tuple(arrived.stride())
        offset = facts.storage_offset if facts is not None else arrived.storage_offset()
        assert stride == sent.stride() and offset == sent.storage_offset()
        assert (facts.is_contiguous if facts is not None else arrived.is_contiguous()) == sent.is_contiguous()
        assert seen.requires_grad == sent.requires_grad and seen.is_leaf == sent.is_leaf
        grad_fn = facts.grad_fn if facts is not None else arrived.grad_fn and type(arrived.grad_fn).__name__
        assert grad_fn == (type(sent.grad_fn).__name__ if sent.grad_fn is not None else None)
        grad = facts.grad if facts is not None else arrived.grad if arrived.is_leaf else None
        sent_grad = sent.grad if sent.is_leaf else None  # a non-leaf's .grad warns, and is None
        assert (grad is None) == (sent_grad is None) and (grad is None or torch.equal(grad, sent_grad))
    elif isinstance(sent, np.ndarray):
        assert arrived.dtype == sent.dtype and arrived.shape == sent.shape and _bytes(arrived) == _bytes(sent)
        assert arrived.flags.writeable == sent.flags.writeable
    else:
        pd.testing.assert_frame_equal(arrived, sent)


# -- the grader's inputs, as the student's code sees them --------------------------------------------------


@SETTINGS
@given(families(non_leaves=False))
def test_inputs_arrive_with_every_fact_they_had(values):
    _, decoded = codec.decode(codec.encode({"op": "call", "args": values}, storages=True), live=True)
    arrived = decoded.value["args"]
    for sent, got in zip(values, arrived, strict=True):
        _expect_same_value(sent, got)
        if isinstance(sent, np.ndarray):
            assert got.strides == sent.strides  # the array's own layout, not a contiguous copy
        if isinstance(sent, torch.Tensor) and sent.numel():
            storage, original = got.untyped_storage(), sent.untyped_storage()
            assert storage.nbytes() == original.nbytes() and storage.resizable() == original.resizable()
    for i, (a, ga) in enumerate(zip(values, arrived, strict=True)):
        for b, gb in zip(values[i + 1 :], arrived[i + 1 :], strict=True):
            assert _shares(ga, gb) == _shares(a, b)
            assert (ga is gb) == (a is b)
            if _shares(a, b) and _address(a) is not None and _address(b) is not None:
                assert _address(ga) - _address(gb) == _address(a) - _address(b)  # where, within shared memory
            if isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor) and a.numel() and b.numel():
                same = a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()
                assert (ga.untyped_storage().data_ptr() == gb.untyped_storage().data_ptr()) == same


def test_an_input_that_is_not_a_leaf_is_refused_rather_than_arriving_as_one():
    leaf = torch.ones(2, requires_grad=True)
    with pytest.raises(ValueError, match="leaf"):
        codec.encode({"op": "call", "args": [leaf * 2]}, storages=True)


def test_a_frame_input_that_shares_memory_with_another_input_is_refused():
    array = np.arange(6.0).reshape(3, 2)
    with pytest.raises(ValueError, match="DataFrame"):
        codec.encode({"op": "call", "args": [pd.DataFrame(array, copy=False), array]}, storages=True)


# -- a student's answer, as the grader reads it --------------------------------------------------------------


def _slices_bridged_by_their_base() -> list:
    """Two arrays over disjoint slices of one tensor, which spans both: one stretch of memory, no byte shared."""
    base = torch.arange(6.0)
    return [base, base[:2].numpy(), base[4:].numpy()]


@SETTINGS
@given(families(non_leaves=True))
@example(_slices_bridged_by_their_base())
def test_answers_arrive_with_every_fact_a_grader_can_read(values):
    _, decoded = codec.decode(codec.encode({"op": "result", "value": values}))
    call = Call(error=None, _value=decoded.value["value"], decoded=decoded)
    arrived = call.value
    for sent, got in zip(values, arrived, strict=True):
        _expect_same_value(sent, got, call.facts(got) if isinstance(sent, torch.Tensor) else None)
        if isinstance(sent, torch.Tensor):
            assert call.device(got) == sent.device.type
    for i, (a, ga) in enumerate(zip(values, arrived, strict=True)):
        for b, gb in zip(values[i + 1 :], arrived[i + 1 :], strict=True):
            assert call.shares_memory(ga, gb) == _shares(a, b), (a, b)
            if isinstance(a, (torch.Tensor, np.ndarray)) and isinstance(b, (torch.Tensor, np.ndarray)):
                assert call.same_object(ga, gb) == (a is b)


# -- the case that escaped before ------------------------------------------------------------------------------

STORAGE_ADDRESSES_WITHOUT_NUMEL_GUARD = """
import torch
def shares_storage(a, b):
    pa, pb = a.untyped_storage().data_ptr(), b.untyped_storage().data_ptr()
    return pa != 0 and pa == pb
"""


def test_an_empty_slice_keeps_its_storage_so_an_answer_without_a_numel_guard_is_caught():
    """x[k:k] keeps x's storage in PyTorch; had it crossed as a fresh empty tensor (address 0), an answer that
    only skips address 0 would pass every check."""
    solution = extract.read_notebook(ROOT / "source/a02_shapes/a02_shapes.ipynb", "s", "a02_shapes")
    cells = solution.cells + [{"index": 999, "source": STORAGE_ADDRESSES_WITHOUT_NUMEL_GUARD}]
    result = grade.grade([extract.Submission("s", "a02_shapes", cells)])[0].exercise("shares_storage")
    failed = {c.name for c in result.checks if not c.passed}
    assert failed == {"zero_element"}, failed
