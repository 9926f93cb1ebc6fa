"""The data format that crosses the call boundary: a MessagePack header plus raw byte blobs, never pickle.

`encode` runs where the student's code runs (the child); it describes a value as plain data and
measures the facts a grader needs (storage sharing, autograd state) with functions captured at
import time, before any student code could patch them. `decode` runs in the trusted parent and
rebuilds exact plain types (`torch.Tensor`, `np.ndarray`, `pd.DataFrame`, builtins) so that no
student type, dunder method or patch ever reaches a comparison.
"""

from __future__ import annotations

import collections
import ctypes
import functools
import math
import struct
from dataclasses import dataclass, field
from typing import NamedTuple

import msgpack
import numpy as np
import pandas as pd
import torch

MAX_FRAME = 64 << 20
MAX_DEPTH = 32
MAX_ITEMS = 10_000
MAX_TEXT = 4_000

DTYPES = {
    str(d).removeprefix("torch."): d
    for d in (
        torch.bool, torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64,
        torch.float16, torch.bfloat16, torch.float32, torch.float64,
        torch.complex64, torch.complex128,
    )
}
DTYPE_NAMES = {dtype: name for name, dtype in DTYPES.items()}
ITEMSIZES = {dtype: torch.empty((), dtype=dtype).element_size() for dtype in DTYPES.values()}
NUMPY_DTYPES = {
    np.dtype(n).name: np.dtype(n)
    for n in ("bool", "uint8", "int8", "int16", "int32", "int64", "uint16", "uint32", "uint64",
              "float16", "float32", "float64", "complex64", "complex128")
}

# Captured before any student code runs: a student who patches these later patches copies.
_TensorBase = torch._C.TensorBase
_tensor_type = torch.Tensor
_disable_torch_function = torch._C.DisableTorchFunction
_get = {name: getattr(_TensorBase, name).__get__ for name in (
    "dtype", "shape", "device", "requires_grad", "is_leaf", "grad_fn", "grad")}
_untyped_storage = _TensorBase.untyped_storage
_stride = _TensorBase.stride
_storage_offset = _TensorBase.storage_offset
_numel = _TensorBase.numel
_detach = _TensorBase.detach
_contiguous = _TensorBase.contiguous
_cpu = _TensorBase.cpu
_reshape = _TensorBase.reshape
_view_dtype = _TensorBase.view
_numpy = _TensorBase.numpy
_is_contiguous = _TensorBase.is_contiguous
_uint8 = torch.uint8
_ndarray = np.ndarray
# Storage addresses and array bounds come from C types that cannot be patched: torch.UntypedStorage and
# numpy's byte_bounds are Python code a student can monkeypatch to fake memory sharing.
_storage_data_ptr = torch._C.StorageBase.data_ptr
_storage_nbytes = torch._C.StorageBase.nbytes
_storage_cdata = torch._C.StorageBase.__dict__["_cdata"].__get__
_array_interface = np.ndarray.__dict__["__array_interface__"].__get__
_itemsize = np.ndarray.__dict__["itemsize"].__get__
_ascontiguousarray = np.ascontiguousarray
_string_at = ctypes.string_at
_isinstance = isinstance
_type = type
_id = id
_repr = repr
_NUMPY_SCALARS = {dtype.type: name for name, dtype in NUMPY_DTYPES.items()}
_NUMPY_NAMES = {dtype: name for name, dtype in NUMPY_DTYPES.items()}  # dtype.name is Python code: 2 us a read
_SCALARS = frozenset((type(None), bool, int, float))  # the header carries these exactly, as they are
_PLAIN = frozenset((type(None), bool, int, float, str))  # what a frame's header holds as plain values


class BoundaryError(ValueError):
    """A frame that breaks the format: too large, too deep, wrong types or inconsistent sizes."""


@dataclass
class Opaque:
    """Stands in, in the parent, for a value whose type cannot cross the boundary."""

    type_name: str
    text: str = ""

    def __repr__(self) -> str:
        return f"<{self.type_name}>"


class TensorFacts(NamedTuple):
    """What the child measured about a tensor that a rebuilt copy cannot carry."""

    device: str
    requires_grad: bool
    is_leaf: bool
    grad_fn: str | None
    stride: tuple[int, ...]
    storage_offset: int
    is_contiguous: bool
    grad: object = None  # the rebuilt `.grad`, or None


@dataclass
class Decoded:
    """A rebuilt value and the facts measured about the tensors and arrays inside it."""

    value: object
    facts: dict[int, TensorFacts] = field(default_factory=dict)
    memory: dict[int, int] = field(default_factory=dict)  # id(object) -> memory region
    identity: dict[int, int] = field(default_factory=dict)  # id(object) -> child object id
    keep: list = field(default_factory=list)  # keeps rebuilt objects alive so ids stay valid
    deferred: dict = field(default_factory=dict)  # key -> rebuilds it: values rebuilt when first read

    def get(self, key: str):
        """`value[key]`, rebuilt now if it was deferred (its BoundaryError surfaces here then)."""
        if key in self.deferred:
            self.value[key] = self.deferred.pop(key)()
        return self.value.get(key)


# ---------------------------------------------------------------------------------------------
# encode (child side)


class _Encoder:
    def __init__(self, storages: bool = False, wide_ints: bool = False) -> None:
        self.wide_ints = wide_ints  # check every int against MessagePack's 64 bits (only after one overflowed)
        self.blobs: list[bytes] = []
        self.regions: list[tuple[int, int, dict]] = []
        self.items = 0
        self.storages: dict[int, int] | None = {} if storages else None  # data_ptr -> storage key

    def blob(self, data: bytes) -> int:
        self.blobs.append(data)
        return len(self.blobs) - 1

    def encode(self, obj, depth: int = 0):
        self.items += 1
        if depth > MAX_DEPTH or self.items > MAX_ITEMS:
            return {"t": "object", "type": "too deep or too large", "text": ""}
        t = _type(obj)
        if t is int and self.wide_ints and not _INT_MIN <= obj <= _UINT_MAX:
            return {"t": "int", "v": str(obj)}  # str() refuses ints over 4300 digits: an undescribable answer
        if obj is None or t is bool or t is int or t is float:  # kept exactly: 1.0 stays a float, NaN too
            return obj
        if t is str:
            return obj[:MAX_TEXT * 25]
        describe = self.by_type.get(t)
        if describe is not None:
            return describe(self, obj, depth)
        if _isinstance(obj, _TensorBase):
            return self.tensor(obj, depth)
        if t in _NUMPY_SCALARS:
            return {"t": "npscalar", "dtype": _NUMPY_SCALARS[t], "v": self.encode(obj.item(), depth + 1)}
        if _isinstance(obj, tuple) and hasattr(t, "n_fields"):  # torch.return_types.*, in field order
            names = [str(n) for n in getattr(t, "__match_args__", ())]
            return {"t": "structseq", "type": f"{t.__module__}.{t.__name__}", "fields": names,
                    "items": [self.encode(x, depth + 1) for x in tuple.__iter__(obj)]}
        return {"t": "object", "type": f"{t.__module__}.{t.__qualname__}", "text": _safe_repr(obj)}

    def _complex(self, obj, depth: int):
        return {"t": "complex", "re": obj.real, "im": obj.imag}

    def _sequence(self, obj, depth: int):
        items = list(obj)  # one snapshot: a student's thread may be changing the list meanwhile
        if self.items + len(items) <= MAX_ITEMS and not self.wide_ints and all(_type(x) in _SCALARS for x in items):
            self.items += len(items)  # numbers as they are: no call per item for long lists of numbers
            return {"t": _type(obj).__name__, "items": items}
        return {"t": _type(obj).__name__, "items": [self.encode(x, depth + 1) for x in items]}

    def _dict(self, obj, depth: int):
        if not all(_type(k) is str for k in obj):
            return {"t": "object", "type": "builtins.dict", "text": _safe_repr(obj)}
        return {"t": "dict", "items": {k: self.encode(v, depth + 1) for k, v in obj.items()}}

    def _series(self, obj, depth: int):
        return {"t": "series", "name": self.encode(obj.name, depth + 1),
                "data": self.ndarray(obj.to_numpy(copy=True)),
                "index": self.encode(list(obj.index), depth + 1)}

    # Exact types only: a subclass of any of them is described by the checks in `encode` (or as opaque).
    by_type = {
        complex: _complex, list: _sequence, tuple: _sequence, dict: _dict, pd.Series: _series,
        _ndarray: lambda self, obj, depth: self.ndarray(obj),
        pd.DataFrame: lambda self, obj, depth: self.dataframe(obj, depth),
        torch.dtype: lambda self, obj, depth: {"t": "dtype", "name": str(obj).removeprefix("torch.")},
        torch.device: lambda self, obj, depth: {"t": "device", "type": obj.type, "index": obj.index},
        torch.Size: lambda self, obj, depth: {"t": "size", "items": [int(i) for i in obj]},
    }

    def tensor(self, obj, depth: int):
        with _disable_torch_function():
            device = _get["device"](obj).type
            dtype = _get["dtype"](obj)
            grad_fn = _get["grad_fn"](obj)
            is_leaf = _get["is_leaf"](obj)
            desc = {
                "t": "tensor",
                "subclass": _type(obj) is not _tensor_type and _type(obj) is not torch.nn.Parameter,
                "dtype": DTYPE_NAMES.get(dtype) or str(dtype).removeprefix("torch."),
                "shape": list(_get["shape"](obj)),
                "device": device,
                "requires_grad": _get["requires_grad"](obj),
                "is_leaf": is_leaf,
                "grad_fn": _type(grad_fn).__name__ if grad_fn is not None else None,
                "stride": list(_stride(obj)),
                "offset": _storage_offset(obj),
                "contiguous": _is_contiguous(obj),
                "id": _id(obj),
            }
            grad = _get["grad"](obj) if is_leaf else None
            desc["grad"] = self.tensor(grad, depth + 1) if grad is not None and depth < MAX_DEPTH else None
            if device == "meta":
                return desc
            if dtype not in DTYPE_NAMES:
                raise BoundaryError(f"dtype {dtype} cannot cross the boundary")
            numel = _numel(obj)
            if not numel and (self.storages is None or device != "cpu"):
                desc["data"] = self.blob(b"")
                return desc
            storage = _untyped_storage(obj)
            if numel:  # an empty tensor uses no memory, so it shares none, though it keeps its storage
                start = _storage_data_ptr(storage)
                self.regions.append((start, start + _storage_nbytes(storage), desc))
            if self.storages is not None and device == "cpu":
                self.share_storage(desc, storage)  # the receiver rebuilds the values from the storage
            else:
                desc["data"] = self.blob(_values_bytes(obj, device, dtype))
            return desc

    def share_storage(self, desc: dict, storage) -> None:
        """Send whole storages so the receiver rebuilds views, offsets and aliasing exactly."""
        key = _storage_cdata(storage)  # the storage itself: empty storages all have address 0
        if key not in self.storages:
            self.storages[key] = len(self.storages)
            # One copy of the storage's bytes (bytes(storage) would copy byte by byte in Python: 50 ms for 12 KB).
            nbytes = _storage_nbytes(storage)
            desc["storage_data"] = self.blob(_string_at(_storage_data_ptr(storage), nbytes) if nbytes else b"")
        desc["storage"] = self.storages[key]

    def ndarray(self, obj):
        dtype = _NUMPY_NAMES.get(obj.dtype)
        if dtype is None:
            return {"t": "object", "type": f"numpy.ndarray[{obj.dtype}]", "text": ""}
        desc = {"t": "ndarray", "dtype": dtype, "shape": list(obj.shape),
                "strides": list(obj.strides), "writeable": bool(obj.flags.writeable), "id": _id(obj),
                "data": self.blob(_ascontiguousarray(obj).tobytes())}
        if obj.size > 0:
            low, high = _byte_bounds(obj)
            self.regions.append((low, high, desc))
        return desc

    def dataframe(self, obj, depth: int):
        # pandas' own column arrays: a Series per column (obj[c]) costs ten times as much, and these
        # are the memory the frame really uses, so sharing with other values is measured truly.
        columns = [obj._get_column_array(i) for i in range(len(obj.columns))]
        if not all(_type(c) is _ndarray and c.dtype in _NUMPY_NAMES for c in columns):
            return {"t": "object", "type": "pandas.DataFrame with non-numeric columns", "text": _safe_repr(obj)}
        return {"t": "dataframe",
                "columns": [self.encode(c, depth + 1) for c in obj.columns],
                "data": [self.ndarray(c) for c in columns],
                "index": self.encode(list(obj.index), depth + 1)}

    def assign_memory(self) -> None:
        """Label storages that overlap with one shared region number."""
        region = -1
        end = -1
        for start, stop, desc in sorted(self.regions, key=lambda r: r[0]):
            if start >= end:
                region += 1
            end = max(end, stop)
            desc["mem"] = region


def _byte_bounds(array: np.ndarray) -> tuple[int, int]:
    """First and one-past-last byte an array uses (numpy's byte_bounds, from unpatchable getters)."""
    interface = _array_interface(array)
    low = high = interface["data"][0]
    itemsize = _itemsize(array)
    if interface["strides"] is None:  # C-contiguous
        return low, low + math.prod(interface["shape"]) * itemsize
    for size, stride in zip(interface["shape"], interface["strides"]):
        if stride < 0:
            low += (size - 1) * stride
        else:
            high += (size - 1) * stride
    return low, high + itemsize


def _values_bytes(obj, device: str, dtype) -> bytes:
    """The tensor's values in row-major order (numpy copies a strided layout in one C loop)."""
    plain = _detach(obj) if device == "cpu" else _cpu(_detach(obj))
    if dtype is torch.bfloat16:  # numpy has no bfloat16: copy it as raw 16-bit words
        return bytes(_numpy(_view_dtype(_reshape(_contiguous(plain), (-1,)), _uint8)))
    return _numpy(plain).tobytes()


def _safe_repr(obj) -> str:
    try:
        return str(_repr(obj))[:200]
    except BaseException:  # noqa: BLE001 - a hostile __repr__ must not stop the description
        return ""


_INT_MIN, _UINT_MAX = -(1 << 63), (1 << 64) - 1  # the ints MessagePack carries as numbers
_packb, _unpackb = msgpack.packb, msgpack.unpackb  # captured, like the getters above


def encode(message: dict, storages: bool = False) -> bytes:
    """Frame a message whose values may hold tensors, arrays and frames.

    With `storages`, CPU tensors travel with their whole storage, so that the receiver rebuilds
    views, offsets and shared memory between arguments exactly (the parent sending inputs).
    """
    try:
        return _frame(message, _Encoder(storages))
    except OverflowError:  # an int beyond 64 bits somewhere: describe ints one by one this time
        return _frame(message, _Encoder(storages, wide_ints=True))


def _frame(message: dict, enc: _Encoder) -> bytes:
    header = {key: (enc.encode(value) if key in ("value", "args", "kwargs") else value)
              for key, value in message.items()}
    enc.assign_memory()
    head = _packb(header, use_bin_type=True)
    sizes = [len(b) for b in enc.blobs]
    meta = struct.pack(f"<II{len(sizes)}Q", len(head), len(sizes), *sizes)
    frame = meta + head + b"".join(enc.blobs)
    if len(frame) > MAX_FRAME:
        raise BoundaryError(f"frame of {len(frame)} bytes is too large")
    return frame


# ---------------------------------------------------------------------------------------------
# decode (parent side)


def decode(frame: bytes, live: bool = False, defer: tuple[str, ...] = ()) -> tuple[dict, Decoded]:
    """Parse a frame; its "value", "args" and "kwargs" come back rebuilt in `Decoded.value`.

    `live` rebuilds inputs for a student's function (child side): shared storages, requires_grad
    and `.grad` restored. Otherwise tensors come back plain and their autograd state is only facts.
    Keys in `defer` are rebuilt by `Decoded.get` when first read: most checks never read the
    arguments a call echoes back, and rebuilding them was most of the parent's decoding.
    """
    if len(frame) > MAX_FRAME or len(frame) < 8:
        raise BoundaryError("frame has a bad size")
    head_len, count = struct.unpack_from("<II", frame)
    if count > MAX_ITEMS:
        raise BoundaryError("too many blobs")
    sizes = struct.unpack_from(f"<{count}Q", frame, 8)
    offset = 8 + 8 * count
    header = _unpack(frame[offset:offset + head_len])
    offset += head_len
    blobs = []
    view = memoryview(frame)  # blobs are views: each is copied once, into the value it rebuilds
    for size in sizes:
        blobs.append(view[offset:offset + size])
        offset += size
    if offset != len(frame) or not isinstance(header, dict):
        raise BoundaryError("frame sizes do not add up")
    out = Decoded(value=None)
    rebuilder = _Rebuilder(blobs, out, live)
    out.value = {}
    for key in ("value", "args", "kwargs"):
        if key in defer and key in header:
            out.deferred[key] = functools.partial(rebuilder.rebuild, header[key])
        elif key in header:
            out.value[key] = rebuilder.rebuild(header[key])
    return header, out


def _unpack(head: bytes):
    """The header: only maps with text keys, lists, text, numbers, booleans and nil (no bytes, no extensions)."""
    try:
        return _unpackb(head, raw=False, strict_map_key=True, max_bin_len=0, max_ext_len=0,
                        ext_hook=_refuse_extension)
    except (msgpack.UnpackException, ValueError, TypeError) as error:
        raise BoundaryError(f"unreadable header: {error}") from None


def _refuse_extension(code: int, data: bytes):
    raise BoundaryError("extension types are not part of the format")


class _Rebuilder:
    def __init__(self, blobs: list[bytes], out: Decoded, live: bool = False) -> None:
        self.blobs = blobs
        self.out = out
        self.live = live
        self.storages: dict[int, torch.UntypedStorage] = {}

    def remember(self, obj, desc: dict):
        self.out.keep.append(obj)
        if "mem" in desc:
            self.out.memory[id(obj)] = _expect(desc["mem"], int)
        if "id" in desc:
            self.out.identity[id(obj)] = _expect(desc["id"], int)
        return obj

    def rebuild(self, desc, depth: int = 0):
        if depth > MAX_DEPTH + 2:
            raise BoundaryError("value nested too deep")
        if type(desc) in _PLAIN:
            return desc
        if type(desc) is not dict or type(desc.get("t")) is not str:
            raise BoundaryError("malformed value")
        kind = desc["t"]
        if kind == "complex":
            return complex(_expect(desc["re"], float), _expect(desc["im"], float))
        if kind == "int":
            return int(_expect(desc["v"], str))
        if kind == "tensor":
            return self.tensor(desc, depth)
        if kind == "ndarray":
            return self.remember(self.ndarray(desc), desc)
        if kind == "npscalar":
            return NUMPY_DTYPES[_expect(desc["dtype"], str)].type(self.rebuild(desc["v"], depth + 1))
        if kind == "dtype":
            return DTYPES[_expect(desc["name"], str)]
        if kind == "device":
            return torch.device(_expect(desc["type"], str), desc.get("index"))
        if kind == "size":
            return torch.Size([_expect(i, int) for i in desc["items"]])
        if kind in ("list", "tuple"):
            items = _expect(desc["items"], list)
            if not all(type(x) in _PLAIN for x in items):
                items = [self.rebuild(x, depth + 1) for x in items]
            return items if kind == "list" else tuple(items)
        if kind == "structseq":
            fields = [_expect(f, str) for f in desc["fields"]]
            items = [self.rebuild(x, depth + 1) for x in _expect(desc["items"], list)]
            return _structseq(_expect(desc["type"], str), tuple(fields))(*items[:len(fields)])
        if kind == "dict":
            return {_expect(k, str): self.rebuild(v, depth + 1) for k, v in _expect(desc["items"], dict).items()}
        if kind == "dataframe":
            columns = [self.rebuild(c, depth + 1) for c in _expect(desc["columns"], list)]
            data = [self.ndarray(d, writeable=True) for d in _expect(desc["data"], list)]  # not pandas' read-only views
            index = _expect(self.rebuild(desc["index"], depth + 1), list)
            if any(d.ndim != 1 or len(d) != len(index) for d in data):
                raise BoundaryError("frame columns and index differ in length")
            # From the column arrays as they are (names may repeat or be of any plain type): the public
            # constructor's checks and copies cost twice as much.
            return pd.DataFrame._from_arrays(
                data, columns=pd.Index(columns), verify_integrity=False,
                index=pd.RangeIndex(len(index)) if index == list(range(len(index))) else pd.Index(index))
        if kind == "series":
            return pd.Series(self.ndarray(desc["data"]), index=self.rebuild(desc["index"], depth + 1),
                             name=self.rebuild(desc["name"], depth + 1))
        if kind == "object":
            return Opaque(str(desc.get("type", "?"))[:200], str(desc.get("text", ""))[:200])
        raise BoundaryError(f"unknown value kind {kind!r}")

    def data(self, index) -> memoryview:
        index = _expect(index, int)
        if not 0 <= index < len(self.blobs):
            raise BoundaryError("blob index out of range")
        return self.blobs[index]

    def tensor(self, desc: dict, depth: int) -> torch.Tensor:
        dtype = DTYPES.get(_expect(desc["dtype"], str))
        if dtype is None:
            raise BoundaryError("dtype not allowed")
        shape = _ints(desc["shape"])
        if any(s < 0 for s in shape):
            raise BoundaryError("negative size")
        device = _expect(desc["device"], str)
        if device == "meta":
            tensor = torch.empty(shape, dtype=dtype, device="meta")
        elif "storage" in desc:
            tensor = self.view_of_storage(desc, dtype, shape)
        else:
            raw = self.data(desc["data"])
            numel = math.prod(shape)
            if len(raw) != numel * ITEMSIZES[dtype]:
                raise BoundaryError("tensor byte count does not match its shape")
            if numel == 0:
                tensor = torch.empty(shape, dtype=dtype)
            else:  # the bytearray is the tensor's own memory: one copy out of the frame
                tensor = torch.frombuffer(bytearray(raw), dtype=dtype).reshape(shape)
                tensor = _restride(tensor, tuple(desc["stride"]), desc["offset"])
        grad = desc.get("grad")
        facts = TensorFacts(
            device,
            _expect(desc["requires_grad"], bool),
            _expect(desc["is_leaf"], bool),
            desc["grad_fn"] if desc["grad_fn"] is None else str(desc["grad_fn"])[:100],
            tuple(_ints(desc["stride"])),
            _expect(desc["offset"], int),
            _expect(desc["contiguous"], bool),
            self.tensor(grad, depth + 1) if grad is not None else None,
        )
        if self.live and facts.requires_grad and (dtype.is_floating_point or dtype.is_complex):
            tensor.requires_grad_(True)
            if facts.grad is not None and facts.grad.shape == tensor.shape:
                tensor.grad = facts.grad.to(dtype)
        self.out.facts[id(tensor)] = facts
        return self.remember(tensor, desc)

    def view_of_storage(self, desc: dict, dtype: torch.dtype, shape: list[int]) -> torch.Tensor:
        key = _expect(desc["storage"], int)
        if key not in self.storages:
            raw = self.data(desc["storage_data"])
            self.storages[key] = (torch.frombuffer(bytearray(raw), dtype=torch.uint8).clone().untyped_storage()
                                  if len(raw) else torch.UntypedStorage(0))
        storage = self.storages[key]
        stride = _ints(desc["stride"])
        offset = _expect(desc["offset"], int)
        itemsize = ITEMSIZES[dtype]
        last = offset + sum((size - 1) * step for size, step in zip(shape, stride))
        empty = math.prod(shape) == 0  # uses no byte of its storage, wherever its offset points
        if offset < 0 or offset > 1 << 48 or any(s < 0 for s in stride) or (
                not empty and (last + 1) * itemsize > storage.nbytes()):
            raise BoundaryError("tensor view lies outside its storage")
        return torch.empty(0, dtype=dtype).set_(storage, offset, shape, stride)

    def ndarray(self, desc: dict, writeable: bool | None = None) -> np.ndarray:
        dtype = NUMPY_DTYPES.get(_expect(desc["dtype"], str))
        if dtype is None:
            raise BoundaryError("numpy dtype not allowed")
        shape = tuple(_expect(s, int) for s in desc["shape"])
        raw = self.data(desc["data"])
        if any(s < 0 for s in shape) or len(raw) != math.prod(shape) * dtype.itemsize:
            raise BoundaryError("array byte count does not match its shape")
        array = np.frombuffer(bytearray(raw), dtype=dtype).reshape(shape).copy()
        if not (desc.get("writeable", True) if writeable is None else writeable):
            array.flags.writeable = False
        return array


def _restride(values: torch.Tensor, stride: tuple, offset) -> torch.Tensor:
    """Lay values out with the strides and offset they had, so layout-sensitive code behaves alike."""
    if values.dim() == 0 or stride == tuple(values.stride()) and offset == 0:
        return values
    if any(type(s) is not int or s < 1 for s in stride) or type(offset) is not int or not 0 <= offset < 1 << 20:
        return values  # overlapping or odd layouts (expand) are rebuilt contiguous
    span = offset + sum((size - 1) * step for size, step in zip(values.shape, stride)) + 1
    if span > 4 * values.numel() + offset:
        return values
    laid_out = torch.zeros(span, dtype=values.dtype).as_strided(values.shape, stride, offset)
    laid_out.copy_(values)
    return laid_out


_STRUCTSEQS: dict[tuple[str, tuple[str, ...]], type] = {}


def _structseq(name: str, fields: tuple[str, ...]) -> type:
    """A namedtuple standing in for torch.return_types.* (values, indices) results."""
    key = (name, fields)
    if key not in _STRUCTSEQS:
        if not all(f.isidentifier() for f in fields):
            raise BoundaryError("bad field names")
        _STRUCTSEQS[key] = collections.namedtuple(name.rsplit(".", 1)[-1].replace("-", "_") or "result", fields)
    return _STRUCTSEQS[key]


def _ints(values) -> list[int]:
    if type(values) is not list or any(type(v) is not int for v in values):
        raise BoundaryError("expected a list of integers in frame")
    return values


def _expect(value, kind: type):
    if type(value) is not kind:
        raise BoundaryError(f"expected {kind.__name__} in frame, got {type(value).__name__}")
    return value
