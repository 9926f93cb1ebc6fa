"""The data format that crosses the call boundary: a MessagePack header plus raw byte blobs, never pickle.

`describe` writes it (the student's process describing what a call returned, the grader describing
inputs) and measures the facts a grader needs (storage sharing, autograd state) from C-level getters.
`decode` rebuilds exact plain types (`torch.Tensor`, `np.ndarray`, `pd.DataFrame`, builtins) so that no
student type, dunder method or patch ever reaches a comparison.

Both directions are faithful, by property (tests/boundary/test_boundary.py): inputs arrive in the student's process
with their values, dtypes, shapes, strides, offsets, contiguity, autograd state, `.grad`, storage sizes and
resizability, array layouts and writability, one object sent twice as one object, and every sharing of
memory between tensors and arrays, at the same relative positions (`describe.lay_out`); an answer arrives in
the grader with its values, dtype and shape, and as facts (`boundary.Call`) its device, strides, offset,
contiguity, requires_grad, is_leaf, grad_fn, `.grad`, identity and memory sharing (a tensor uses its whole
storage, so views share even where their elements do not; an array its byte bounds; a frame or series its
columns; an empty tensor or array uses nothing). What is approximated, and why no verdict can depend on it:

- An answer is rebuilt as new memory: its own strides and offset where its span is at most four times its
  size, else contiguous (an expanded or widely strided view), and an answer array is C-contiguous. Graders
  read layout and sharing from the facts, which are exact, never from the rebuilt object.
- A rebuilt answer carries no autograd graph: requires_grad, is_leaf, grad_fn and .grad are facts.
- A DataFrame or Series input arrives with memory of its own (pandas lays out its blocks); its names,
  index, dtypes and values are exact. One that shares memory with another input is refused where it is
  sent (ValueError), so a grader cannot send one and rely on the sharing.
- An input that is not a leaf is refused where it is sent: its graph stays in the grader.
- A storage that shares its stretch of memory with other storages or arrays arrives as a view of that
  memory and cannot be resized; one alone in its stretch keeps its resizability. Two storages only overlap
  when made over a numpy array or a buffer (from_numpy, frombuffer), which cannot be resized either.
- A tensor on a CUDA device crosses as its values and its device as a fact (inputs arrive on the CPU);
  only the in-process transport on a GPU machine sends one.
- A tensor whose memory is not its values (lazily conjugated or negated) or whose operations call Python
  (a __torch_dispatch__ subclass) crosses as an opaque value; other tensor subclasses arrive as plain tensors.
  No exercise uses complex numbers, and a subclass's behaviour is not part of any contract.
- Text over 100,000 characters is cut, a collection's items after the 10,000th and nesting below 32 levels
  become opaque values, and ints beyond 64 bits cross as text: no contract involves such values.
"""

from __future__ import annotations

import collections
import math
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, NoReturn, TypeVar

import msgpack
import numpy as np
import pandas as pd
import torch

from autograder.boundary import describe
from autograder.boundary.describe import DTYPE_NAMES, ITEMSIZES, MAX_DEPTH, MAX_FRAME, MAX_HEADER, MAX_ITEMS
from autograder.boundary.describe import MAX_ANSWER as MAX_ANSWER  # the boundary's limit, read as codec.MAX_ANSWER

encode = describe.encode
DTYPES = {name: dtype for dtype, name in DTYPE_NAMES.items()}
NUMPY_DTYPES = {name: dtype for dtype, name in describe.NUMPY_NAMES.items()}
_T = TypeVar("_T")
_PLAIN = frozenset((type(None), bool, int, float, str))  # what a frame's header holds as plain values
# Rebuilding inputs in the student's process uses torch's C methods, not torch.Tensor's: a student who
# patched those would otherwise have broken the kit's rebuilding of their own inputs.
_set, _numpy, _untyped = torch._C.TensorBase.set_, torch._C.TensorBase.numpy, torch._C.TensorBase.untyped_storage
_storage_nbytes = torch._C.StorageBase.nbytes  # type: ignore[attr-defined]  # a C method the stubs leave out
_clone = torch._C.TensorBase.clone
_frombuffer, _from_numpy, _empty = torch.frombuffer, torch.from_numpy, torch.empty
_unpackb = msgpack.unpackb


class BoundaryError(ValueError):
    """A frame that breaks the format: too large, too deep, wrong types or inconsistent sizes."""


@dataclass
class Opaque:
    """Stands in, in the parent, for a value whose type cannot cross the boundary."""

    type_name: str
    text: str = ""

    def __repr__(self) -> str:
        return f"<{self.type_name}>"


class Span(NamedTuple):
    """Bytes a value uses: `first` to `stop` counted from the start of memory region `region` (`describe`)."""

    region: int
    first: int
    stop: int


class TensorFacts(NamedTuple):
    """What the child measured about a tensor that a rebuilt copy cannot carry."""

    device: str
    requires_grad: bool
    is_leaf: bool
    grad_fn: str | None
    stride: tuple[int, ...]
    storage_offset: int
    is_contiguous: bool
    grad: torch.Tensor | None = None  # the rebuilt `.grad`, or None


@dataclass
class Decoded:
    """A rebuilt value and the facts measured about the tensors and arrays inside it."""

    value: dict[str, Any]  # "value", "args", "kwargs": whatever the sender's objects were
    facts: dict[int, TensorFacts] = field(default_factory=dict)
    memory: dict[int, tuple[Span, ...]] = field(default_factory=dict)  # id(object) -> the memory it uses
    identity: dict[int, int] = field(default_factory=dict)  # id(object) -> child object id
    keep: list = field(default_factory=list)  # keeps rebuilt objects alive so ids stay valid
    deferred: dict = field(default_factory=dict)  # key -> its description: values rebuilt when first read
    blobs: list = field(default_factory=list)  # copies of the blobs deferred values use, while some is deferred
    live: bool = False

    def shares(self, a: object, b: object) -> bool:
        """Whether two rebuilt values used overlapping memory in the sender's process: some span of each
        overlaps in one region (a sweep over both values' spans in order)."""
        spans = sorted(
            [(*span, 0) for span in self.memory.get(id(a), ())] + [(*span, 1) for span in self.memory.get(id(b), ())]
        )
        reach: dict[tuple[int, int], int] = {}  # (region, whose) -> the furthest byte its spans so far reach
        for region, first, stop, whose in spans:
            if reach.get((region, 1 - whose), -1) > first:
                return True
            reach[region, whose] = max(reach.get((region, whose), -1), stop)
        return False

    def get(self, key: str) -> Any:
        """`value[key]`, rebuilt now if it was deferred (its BoundaryError surfaces here then). The rebuilder
        is made here and dropped after: one kept in `deferred` would point back here, and the cycle would
        keep a large answer alive until a full collection."""
        if key in self.deferred:
            desc = self.deferred.pop(key)
            self.value[key] = _Rebuilder(self.blobs, self, self.live).rebuild(desc)
            if not self.deferred:
                self.blobs = []
        return self.value.get(key)


# ---------------------------------------------------------------------------------------------
# decode (parent side)


def decode(frame: bytes | memoryview, live: bool = False, defer: tuple[str, ...] = ()) -> tuple[dict, Decoded]:
    """Parse a frame; its "value", "args" and "kwargs" come back rebuilt in `Decoded.value`.

    `live` rebuilds inputs for a student's function (child side): shared storages, requires_grad
    and `.grad` restored. Otherwise tensors come back plain and their autograd state is only facts.
    Keys in `defer` are rebuilt by `Decoded.get` when first read: most checks never read the
    arguments a call echoes back, and rebuilding them was most of the parent's decoding.
    """
    if len(frame) > MAX_FRAME or len(frame) < 8:
        raise BoundaryError("frame has a bad size")
    head_len, count = struct.unpack_from("<II", frame)
    if count > MAX_ITEMS or head_len > MAX_HEADER:
        raise BoundaryError("too many blobs or too large a header")
    sizes = struct.unpack_from(f"<{count}Q", frame, 8)
    offset = 8 + 8 * count
    header = _unpack(frame[offset : offset + head_len])
    offset += head_len
    blobs = []
    view = memoryview(frame)  # blobs are views: each is copied once, into the value it rebuilds
    for size in sizes:
        blobs.append(view[offset : offset + size])
        offset += size
    if offset != len(frame) or not isinstance(header, dict):
        raise BoundaryError("frame sizes do not add up")
    out = Decoded(value={}, live=live)
    rebuilder = _Rebuilder(blobs, out, live, header.get("memory") if live else None)
    for key in ("value", "args", "kwargs"):
        if key in defer and key in header:
            out.deferred[key] = header[key]
        elif key in header:
            out.value[key] = rebuilder.rebuild(header[key])
    if out.deferred:
        out.blobs = _own_blobs(blobs, out.deferred.values())
    return header, out


def _own_blobs(blobs: list[memoryview], descriptions: Iterable[object]) -> list[bytes | memoryview]:
    """The blobs that `descriptions` use, copied out of the frame (the others left empty): a view would
    keep the whole frame, a large answer included, alive for as long as the call is."""
    used: set[int] = set()
    pending = list(descriptions)
    while pending:  # every "data" index anywhere is kept: keeping too many costs memory, never a value
        item = pending.pop()
        if type(item) is dict:
            if type(item.get("data")) is int:
                used.add(item["data"])
            pending.extend(item.values())
        elif type(item) is list:
            pending.extend(item)
    return [bytes(blob) if index in used else _EMPTY for index, blob in enumerate(blobs)]


_EMPTY = memoryview(b"")


def _unpack(head: bytes | memoryview) -> object:
    """The header: only maps with text keys, lists, text, numbers, booleans and nil (no bytes, no extensions)."""
    try:
        return _unpackb(head, raw=False, strict_map_key=True, max_bin_len=0, max_ext_len=0, ext_hook=_refuse_extension)
    except (msgpack.UnpackException, ValueError, TypeError) as error:
        raise BoundaryError(f"unreadable header: {error}") from None


def _refuse_extension(code: int, data: bytes) -> NoReturn:
    raise BoundaryError("extension types are not part of the format")


class _Rebuilder:
    def __init__(
        self, blobs: Sequence[bytes | memoryview], out: Decoded, live: bool = False, memory: dict | None = None
    ) -> None:
        self.blobs = blobs
        self.out = out
        self.live = live
        self.memory = _expect(memory, dict) if memory is not None else {"regions": [], "storages": []}
        self.storages: dict[int, torch.UntypedStorage] = {}
        self.regions: dict[int, np.ndarray] = {}  # region number -> a byte array over its memory
        self.objects: dict[int, object] = {}  # the sender's id -> what it was rebuilt as (live: one object once)

    def remember(self, obj: _T, desc: dict) -> _T:
        self.out.keep.append(obj)
        if "mem" in desc:
            self.out.memory[id(obj)] = _spans(desc["mem"])
        if "id" in desc:
            self.out.identity[id(obj)] = _expect(desc["id"], int)
        return obj

    def rebuild(self, desc: object, depth: int = 0) -> Any:
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
        if kind in ("tensor", "ndarray", "dataframe", "series") and self.live and desc.get("id") in self.objects:
            return self.objects[desc["id"]]  # one object sent twice arrives as one object
        if kind == "tensor":
            return self._once(desc, self.tensor(desc, depth))
        if kind == "ndarray":
            return self._once(desc, self.remember(self.ndarray(desc), desc))
        if kind == "npscalar":
            return NUMPY_DTYPES[_expect(desc["dtype"], str)].type(self.rebuild(desc["v"], depth + 1))
        if kind == "dtype":
            return DTYPES[_expect(desc["name"], str)]
        if kind == "device":
            device_type, index = _expect(desc["type"], str), desc.get("index")
            return torch.device(device_type) if index is None else torch.device(device_type, _expect(index, int))
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
            return _structseq(_expect(desc["type"], str), tuple(fields))(*items[: len(fields)])
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
            return self._once(
                desc,
                self.remember(
                    pd.DataFrame._from_arrays(
                        data,
                        columns=pd.Index(columns),
                        verify_integrity=False,
                        index=pd.RangeIndex(len(index)) if index == list(range(len(index))) else pd.Index(index),
                    ),
                    desc,
                ),
            )
        if kind == "series":
            return self._once(
                desc,
                self.remember(
                    pd.Series(
                        self.ndarray(desc["data"]),
                        index=self.rebuild(desc["index"], depth + 1),
                        name=self.rebuild(desc["name"], depth + 1),
                    ),
                    desc,
                ),
            )
        if kind == "object":
            return Opaque(str(desc.get("type", "?"))[:200], str(desc.get("text", ""))[:200])
        raise BoundaryError(f"unknown value kind {kind!r}")

    def _once(self, desc: dict, obj: _T) -> _T:
        if self.live and type(desc.get("id")) is int:
            self.objects[desc["id"]] = obj
        return obj

    def data(self, index: object) -> bytes | memoryview:
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

    def storage(self, key: object) -> torch.UntypedStorage:
        """Storage `key` of the sender's memory layout (`describe.lay_out`), rebuilt once."""
        key = _expect(key, int)
        if key in self.storages:
            return self.storages[key]
        table = _expect(self.memory.get("storages"), list)
        if not 0 <= key < len(table):
            raise BoundaryError("storage out of range")
        info = _expect(table[key], dict)
        region, at, nbytes = info["region"], _expect(info["at"], int), _expect(info["nbytes"], int)
        if region is None:
            storage = torch.UntypedStorage(0)
        elif self._region(region)["owner"] == key:  # the region is this storage: its own memory, as it was
            raw = bytearray(self.data(self._region(region)["data"]))
            memory = _frombuffer(raw, dtype=torch.uint8)
            if _expect(info["resizable"], bool):
                memory = _clone(memory)  # memory of torch's own, which resize_ may grow
            storage = _untyped(memory)
        else:
            region_bytes = self.region_memory(region)
            if not 0 <= at <= at + nbytes <= len(region_bytes):
                raise BoundaryError("storage lies outside its region")
            storage = _untyped(_from_numpy(region_bytes[at : at + nbytes]))
        self.storages[key] = storage
        return storage

    def _region(self, number: object) -> dict:
        regions = _expect(self.memory.get("regions"), list)
        if type(number) is not int or not 0 <= number < len(regions):
            raise BoundaryError("memory region out of range")
        return _expect(regions[number], dict)

    def region_memory(self, number: int) -> np.ndarray:
        """The bytes of a region as a numpy array that shares them: the owner storage's, or a buffer's."""
        if number not in self.regions:
            owner = self._region(number)["owner"]
            if owner is not None:
                memory = _numpy(_set(_empty(0, dtype=torch.uint8), self.storage(owner)))
            else:
                memory = np.frombuffer(bytearray(self.data(self._region(number)["data"])), dtype=np.uint8)
            self.regions[number] = memory
        return self.regions[number]

    def view_of_storage(self, desc: dict, dtype: torch.dtype, shape: list[int]) -> torch.Tensor:
        storage = self.storage(desc["storage"])
        stride = _ints(desc["stride"])
        offset = _expect(desc["offset"], int)
        itemsize = ITEMSIZES[dtype]
        last = offset + sum((size - 1) * step for size, step in zip(shape, stride, strict=False))
        empty = math.prod(shape) == 0  # uses no byte of its storage, wherever its offset points
        if (
            offset < 0
            or offset > 1 << 48
            or any(s < 0 for s in stride)
            or (not empty and (last + 1) * itemsize > _storage_nbytes(storage))
        ):
            raise BoundaryError("tensor view lies outside its storage")
        return _set(_empty(0, dtype=dtype), storage, offset, shape, stride)

    def ndarray(self, desc: dict, writeable: bool | None = None) -> np.ndarray:
        dtype = NUMPY_DTYPES.get(_expect(desc["dtype"], str))
        if dtype is None:
            raise BoundaryError("numpy dtype not allowed")
        shape = tuple(_expect(s, int) for s in desc["shape"])
        if "region" in desc and self.live:  # placed in the sender's memory layout: a view, as it was
            array = np.ndarray(
                shape,
                dtype,
                buffer=self.region_memory(desc["region"]),
                offset=_expect(desc["at"], int),
                strides=tuple(_ints(desc["strides"])),
            )
            if not desc.get("writeable", True):
                array.flags.writeable = False
            return array
        raw = self.data(desc["data"])
        if any(s < 0 for s in shape) or len(raw) != math.prod(shape) * dtype.itemsize:
            raise BoundaryError("array byte count does not match its shape")
        array = np.frombuffer(bytearray(raw), dtype=dtype).reshape(shape).copy()
        if not (desc.get("writeable", True) if writeable is None else writeable):
            array.flags.writeable = False
        return array


def _restride(values: torch.Tensor, stride: tuple, offset: object) -> torch.Tensor:
    """Lay values out with the strides and offset they had, so layout-sensitive code behaves alike."""
    if values.dim() == 0 or stride == tuple(values.stride()) and offset == 0:
        return values
    if any(type(s) is not int or s < 1 for s in stride) or type(offset) is not int or not 0 <= offset < 1 << 20:
        return values  # overlapping or odd layouts (expand) are rebuilt contiguous
    span = offset + sum((size - 1) * step for size, step in zip(values.shape, stride, strict=False)) + 1
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


def _spans(values: object) -> tuple[Span, ...]:
    """A value's "mem": [region, first, stop, ...]."""
    numbers = _ints(values)
    if len(numbers) % 3:
        raise BoundaryError("memory spans come in threes")
    return tuple(Span(*numbers[i : i + 3]) for i in range(0, len(numbers), 3))


def _ints(values: object) -> list[int]:
    if type(values) is not list or any(type(v) is not int for v in values):
        raise BoundaryError("expected a list of integers in frame")
    return values


def _expect(value: object, kind: type[_T]) -> _T:
    if type(value) is not kind:
        raise BoundaryError(f"expected {kind.__name__} in frame, got {type(value).__name__}")
    return value
