"""The boundary format rebuilds exact plain types and refuses frames that break it."""

from __future__ import annotations

import json
import math
import struct

import msgpack
import numpy as np
import pandas as pd
import pytest
import torch

from autograder.boundary import codec
from autograder.boundary.parent import Program, StudentRaised
from autograder.boundary.transport import InProcess
from autograder.engine.extract import from_source


def roundtrip(value):
    header, decoded = codec.decode(codec.encode({"op": "result", "value": value}))
    return decoded.value["value"], decoded


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        3,
        -(2**62),
        "한국어",
        1.5,
        float("inf"),
        -0.0,
        2 + 3j,
        complex("inf-2j"),
        [1, [2.5, "x"]],
        (1, (2,)),
        {"a": 1},
        [1, 1.0, True, None, -0.0],
        (0.1, 2),
        torch.float64,
        torch.device("cpu"),
        torch.Size([2, 3]),
        np.float32(1.5),
        np.int64(7),
    ],
    ids=repr,
)
def test_plain_values_round_trip_with_their_exact_type(value):
    rebuilt, _ = roundtrip(value)
    assert type(rebuilt) is type(value) and rebuilt == value


@pytest.mark.parametrize("value", [2**64, -(2**63) - 1, [1.5, 3**50, [-(10**30)]], {"big": 2**200}], ids=repr)
def test_ints_beyond_64_bits_round_trip_exactly(value):
    rebuilt, _ = roundtrip(value)
    assert rebuilt == value and json.dumps(rebuilt) == json.dumps(value)


def test_an_int_too_long_to_write_out_is_an_undescribable_answer_not_a_crash():
    program = Program(InProcess(), from_source("def f():\n    return 10 ** 5000\n").cells)
    call = program.call("f", (), {})
    assert call.raised and call.error.type == "UndescribableResult"


def test_nan_round_trips_as_a_float():
    rebuilt, _ = roundtrip([float("nan"), 1])
    assert type(rebuilt[0]) is float and math.isnan(rebuilt[0]) and type(rebuilt[1]) is int


def test_a_list_of_numbers_keeps_each_items_exact_type():
    rebuilt, _ = roundtrip([1, 1.0, True, 0, False, None])
    assert [type(x) for x in rebuilt] == [int, float, bool, int, bool, type(None)]


def test_a_float_subclass_inside_a_list_does_not_pass_as_a_float():
    class Always(float):
        def __eq__(self, other):
            return True

    rebuilt, _ = roundtrip([1.5, Always(2.0)])
    assert rebuilt[0] == 1.5 and type(rebuilt[1]) is codec.Opaque


def test_a_list_longer_than_the_item_limit_is_cut_short():
    rebuilt, _ = roundtrip(list(range(codec.MAX_ITEMS + 5)))
    assert type(rebuilt[-1]) is codec.Opaque and rebuilt[:100] == list(range(100))


@pytest.mark.parametrize("dtype", list(codec.DTYPES.values()), ids=str)
def test_tensor_round_trips_dtype_shape_and_values(dtype):
    tensor = (torch.arange(6) - 2).reshape(2, 3).to(dtype)
    rebuilt, _ = roundtrip(tensor)
    assert type(rebuilt) is torch.Tensor and rebuilt.dtype == dtype and rebuilt.shape == (2, 3)
    assert torch.equal(rebuilt, tensor)


def test_non_contiguous_tensor_keeps_its_strides():
    tensor = torch.arange(12.0).reshape(3, 4).t()
    rebuilt, decoded = roundtrip(tensor)
    assert rebuilt.stride() == tensor.stride() and not rebuilt.is_contiguous() and torch.equal(rebuilt, tensor)
    assert decoded.facts[id(rebuilt)].stride == (1, 4)


def test_zero_element_and_zero_dim_tensors_round_trip():
    for tensor in (torch.empty(0, 3), torch.tensor(2.5)):
        rebuilt, _ = roundtrip(tensor)
        assert rebuilt.shape == tensor.shape and torch.equal(rebuilt, tensor)


def test_meta_tensor_crosses_without_values():
    rebuilt, decoded = roundtrip(torch.empty(2, 2, device="meta"))
    assert rebuilt.device.type == "meta" and decoded.facts[id(rebuilt)].device == "meta"


def test_autograd_facts_are_measured_in_the_sender():
    leaf = torch.tensor([1.0, 2.0], requires_grad=True)
    (leaf**2).sum().backward()
    derived = leaf * 3
    (rebuilt_leaf, rebuilt_derived), decoded = roundtrip((leaf, derived))
    assert not rebuilt_leaf.requires_grad and not rebuilt_derived.requires_grad  # rebuilt tensors carry no graph
    leaf_facts, derived_facts = decoded.facts[id(rebuilt_leaf)], decoded.facts[id(rebuilt_derived)]
    assert leaf_facts.is_leaf and leaf_facts.requires_grad and leaf_facts.grad_fn is None
    assert torch.equal(leaf_facts.grad, torch.tensor([2.0, 4.0]))
    assert not derived_facts.is_leaf and derived_facts.grad_fn == "MulBackward0"


def test_storage_sharing_counts_offset_slices_but_not_copies_or_empty_tensors():
    base = torch.arange(10.0)
    values = (base, base[4:], base.clone(), base[:0], base.numpy())
    (whole, offset, copy, empty, array), decoded = roundtrip(values)
    assert decoded.shares(whole, offset) and decoded.shares(offset, array) and decoded.shares(whole, array)
    assert not decoded.shares(copy, whole) and not decoded.shares(copy, offset)
    assert id(empty) not in decoded.memory and not decoded.shares(empty, whole)


def test_dataframe_and_series_round_trip():
    frame = pd.DataFrame({"a": [1, 2], "b": [0.5, 1.5], "c": [True, False]})
    rebuilt, _ = roundtrip(frame)
    assert type(rebuilt) is pd.DataFrame
    pd.testing.assert_frame_equal(rebuilt, frame)
    series, _ = roundtrip(frame["b"])
    pd.testing.assert_series_equal(series, frame["b"])


def test_a_frame_or_series_shares_the_memory_its_columns_share():
    t = torch.arange(6.0).reshape(3, 2)
    on_t, own = pd.DataFrame(t.numpy(), copy=False), pd.DataFrame(t.numpy(), copy=True)
    (on_t, own, column, t), decoded = roundtrip((on_t, own, on_t[1], t))
    assert decoded.shares(on_t, t) and decoded.shares(column, t) and decoded.shares(column, on_t)
    assert not decoded.shares(own, t) and not decoded.shares(own, on_t)


def test_arrays_over_disjoint_bytes_share_nothing_though_a_third_value_spans_both():
    """One region holds all three (its memory overlaps each), yet the two slices use no byte in common."""
    base = torch.arange(6.0)
    (whole, head, tail, middle), decoded = roundtrip((base, base[:2].numpy(), base[4:].numpy(), base[1:5].numpy()))
    assert decoded.shares(whole, head) and decoded.shares(whole, tail)
    assert decoded.shares(middle, head) and decoded.shares(middle, tail)
    assert not decoded.shares(head, tail) and not decoded.shares(tail, head)


@pytest.mark.parametrize(
    "frame",
    [
        pd.DataFrame({"a": [1, 2], "a ": [0.5, 1.5]}).set_axis(["a", "a"], axis=1),  # repeated names
        pd.DataFrame({0: [1.5], 2.5: [True], None: [np.int8(3)]}),  # names of any plain type
        pd.DataFrame({"x": [1, 2, 3]}, index=[10, 5, 7]),
        pd.DataFrame({"x": np.array([], dtype=np.float32)}),
        pd.DataFrame(np.arange(6.0).reshape(3, 2), columns=["p", "q"]).iloc[1:],  # a slice: pandas' read-only views
    ],
    ids=["repeated names", "plain names", "index", "no rows", "slice"],
)
def test_dataframes_round_trip_with_names_index_and_dtypes(frame):
    rebuilt, _ = roundtrip(frame)
    pd.testing.assert_frame_equal(rebuilt, frame)
    if len(rebuilt):
        rebuilt.iloc[0, 0] = 0  # the rebuilt frame's memory is writable, its own


def test_tensor_subclass_is_rebuilt_as_a_plain_tensor():
    class Liar(torch.Tensor):
        def __eq__(self, other):
            return True

    rebuilt, _ = roundtrip(torch.tensor([1, 2]).as_subclass(Liar))
    assert type(rebuilt) is torch.Tensor and not bool((rebuilt == torch.tensor([9, 9])).all())


def test_unknown_objects_become_opaque_and_never_run_code_in_the_parent():
    class Spoof:
        def __eq__(self, other):
            return True

    rebuilt, _ = roundtrip(Spoof())
    assert type(rebuilt) is codec.Opaque and rebuilt != 1 and "Spoof" in rebuilt.type_name


def test_return_types_become_namedtuples():
    rebuilt, _ = roundtrip(torch.max(torch.tensor([[1, 5], [7, 2]]), 1))
    assert isinstance(rebuilt, tuple) and torch.equal(rebuilt.indices, torch.tensor([1, 0]))


def frame_with(header: dict, blobs: list[bytes]) -> bytes:
    head = msgpack.packb(header)
    return struct.pack(f"<II{len(blobs)}Q", len(head), len(blobs), *map(len, blobs)) + head + b"".join(blobs)


@pytest.mark.parametrize(
    "frame",
    [
        b"",
        b"\x00" * 7,
        b"not a frame at all",
        frame_with(
            {
                "value": {
                    "t": "tensor",
                    "dtype": "float32",
                    "shape": [4],
                    "device": "cpu",
                    "data": 0,
                    "requires_grad": False,
                    "is_leaf": True,
                    "grad_fn": None,
                    "stride": [1],
                    "offset": 0,
                    "contiguous": True,
                }
            },
            [b"\x00" * 3],
        ),
        frame_with({"value": {"t": "tensor", "dtype": "object", "shape": [1]}}, []),
        frame_with({"value": {"t": "pickle", "data": "cos\nsystem\n"}}, []),
        frame_with({"value": {"t": "ndarray", "dtype": "float64", "shape": [2], "data": 5}}, []),
        frame_with({"value": {"t": "list", "items": "nope"}}, []),
        frame_with({"value": 1, "output": b"bytes"}, []),
        frame_with({"value": msgpack.ExtType(1, b"x")}, []),
        frame_with({"value": msgpack.Timestamp(0)}, []),
        frame_with({"value": {1: "int key"}}, []),
        frame_with({"value": {"t": "int", "v": "12a"}}, []),
        frame_with(
            {
                "value": {
                    "t": "dataframe",
                    "columns": ["a"],
                    "index": 5,
                    "data": [{"t": "ndarray", "dtype": "float64", "shape": [1], "data": 0}],
                }
            },
            [bytes(8)],
        ),
        frame_with(
            {
                "value": {
                    "t": "dataframe",
                    "columns": ["a"],
                    "index": [0],
                    "data": [{"t": "ndarray", "dtype": "float64", "shape": [1, 1], "data": 0}],
                }
            },
            [bytes(8)],
        ),
    ],
    ids=[
        "empty",
        "short",
        "garbage",
        "byte-count",
        "dtype",
        "unknown-kind",
        "blob-index",
        "bad-items",
        "bytes-in-header",
        "extension",
        "timestamp",
        "int-key",
        "bad-int",
        "frame-index",
        "frame-2d-column",
    ],
)
def test_malformed_frames_are_refused(frame):
    with pytest.raises((codec.BoundaryError, ValueError, KeyError, UnicodeDecodeError)):
        codec.decode(frame)


def test_a_garbled_answer_fails_the_call_not_the_grader():
    class Garbling(InProcess):
        def open(self, cells):
            session = super().open(cells)
            session.request = lambda frame: b"\x01\x02garbage"
            return session

    program = Program(Garbling(), from_source("def f(x):\n    return x\n").cells)
    call = program.call("f", (1,), {})
    assert call.raised and call.error.type == "protocol"


def test_garbled_echoed_arguments_fail_only_the_check_that_reads_them():
    class GarblingArgs(InProcess):
        def open(self, cells):
            session = super().open(cells)
            answer = session.request

            def request(frame):
                header, _ = codec.decode(answer(frame))
                return frame_with({**header, "args": {"t": "tensor", "dtype": "object"}}, [])

            session.request = request
            return session

    program = Program(GarblingArgs(), from_source("def f(x):\n    return x + 1\n").cells)
    call = program.call("f", (1,), {})
    assert not call.raised and call.value == 2
    with pytest.raises(StudentRaised) as raised:
        call.args  # noqa: B018 - reading them is what fails
    assert raised.value.error.type == "protocol"


def test_echoed_arguments_are_rebuilt_once_with_their_facts():
    program = Program(InProcess(), from_source("def f(x):\n    return x.view(-1)\n").cells)
    call = program.call("f", (torch.zeros(2, 2),), {})
    assert "args" not in call.decoded.value  # not rebuilt until read
    (x,) = call.args
    assert call.args[0] is x and call.shares_memory(call.value, x) and call.facts(x).stride == (2, 1)


def live_roundtrip(*args):
    _, decoded = codec.decode(codec.encode({"op": "call", "args": list(args)}, storages=True), live=True)
    return decoded.value["args"]


def test_inputs_arrive_sharing_storage_as_they_were_sent():
    base = torch.arange(12.0)
    whole, offset, transposed = live_roundtrip(base, base[4:], base.view(3, 4).t())
    assert whole.untyped_storage().data_ptr() == offset.untyped_storage().data_ptr()
    assert offset.storage_offset() == 4 and torch.equal(offset, base[4:])
    assert not transposed.is_contiguous() and torch.equal(transposed, base.view(3, 4).t())
    whole[5] = -1
    assert offset[1] == -1 and transposed[1, 1] == -1


@pytest.mark.parametrize(
    "make",
    [lambda x: x[3:3], lambda x: x[6:], lambda x: x.view(2, 3)[:, 1:1], lambda x: x[2:2].view(0, 1)],
    ids=["slice", "past_the_end", "columns", "view"],
)
def test_an_empty_view_arrives_on_the_storage_of_its_base(make):
    base = torch.arange(6.0)
    empty = make(base)
    arrived_base, arrived = live_roundtrip(base, empty)
    assert arrived.numel() == 0 and arrived.shape == empty.shape and arrived.stride() == empty.stride()
    assert arrived.storage_offset() == empty.storage_offset()
    assert arrived.untyped_storage().data_ptr() == arrived_base.untyped_storage().data_ptr() != 0


def test_separate_empty_tensors_arrive_on_separate_storages():
    first, second = torch.zeros(0), torch.zeros(0)
    a, b, again = live_roundtrip(first, second, first)
    assert a.untyped_storage().nbytes() == 0 and not a.is_set_to(b) and a.is_set_to(again)


def test_an_empty_slice_shares_no_memory_with_its_base_though_it_keeps_the_storage():
    program = Program(InProcess(), from_source("def f(x):\n    return x, x[2:2]\n").cells)
    call = program.call("f", (torch.arange(4.0),), {})
    whole, empty = call.value
    assert not call.shares_memory(whole, empty) and call.facts(empty).storage_offset == 2


def test_inputs_arrive_requiring_grad_with_their_grad():
    leaf = torch.tensor([1.0, 2.0], requires_grad=True)
    leaf.grad = torch.tensor([0.5, 0.5])
    (arrived,) = live_roundtrip(leaf)
    assert arrived.requires_grad and arrived.is_leaf and torch.equal(arrived.grad, leaf.grad)
    with pytest.raises(RuntimeError):
        arrived.numpy()


def test_results_never_come_back_live():
    leaf = torch.tensor([1.0], requires_grad=True)
    rebuilt, _ = roundtrip(leaf)
    assert not rebuilt.requires_grad


def test_a_view_outside_its_storage_is_refused():
    frame = codec.encode({"op": "call", "args": [torch.zeros(4)]}, storages=True)
    head_len, count = struct.unpack_from("<II", frame)
    header = msgpack.unpackb(frame[8 + 8 * count : 8 + 8 * count + head_len])
    header["args"]["items"][0]["offset"] = 2  # four elements from the third of four
    blobs = [bytes(16)]
    with pytest.raises(codec.BoundaryError):
        codec.decode(frame_with(header, blobs), live=True)


def test_dataframe_with_text_columns_crosses_as_an_opaque_value():
    rebuilt, _ = roundtrip(pd.DataFrame({"name": ["a", "b"], "x": [1, 2]}))
    assert type(rebuilt) is codec.Opaque
