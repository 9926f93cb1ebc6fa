"""Describe values as plain data: the sending half of the codec (`codec` rebuilds what this writes).

The student's process describes what a call returned with this module, and the grader describes
the inputs it sends. The description reads a value only through C-level getters captured when this
module is loaded, and copies memory through numpy's array interface from addresses those getters
give: no method of the value, of its type or of a library module is called, so nothing a student
patched or defined (a `__getattribute__`, a dispatch rule, a pandas method, a finalizer) runs while
a value is described.

The module defines no class and reads no name at run time that was not captured at load: the sandbox
loads a private copy of it (`seal.load_private`) whose functions nothing in the student's process can
reach or change. Anything it cannot describe this way becomes {"t": "object"}, an opaque value.
"""

from __future__ import annotations

import math
import struct
import types
from collections.abc import Callable
from typing import Any

import msgpack
import numpy as np
import pandas as pd
import pandas._libs.arrays
import pandas._libs.internals
import torch
import torch.return_types

MAX_FRAME = 64 << 20  # the most bytes one frame may carry (the grader's inputs)
MAX_ANSWER = 16 << 20  # the most bytes one answer from a student's process may carry
MAX_HEADER = 4 << 20  # the most bytes of a frame's header (each byte may become tens once rebuilt)
MAX_DEPTH = 32
MAX_ITEMS = 10_000
MAX_TEXT = 4_000
TEXT_LIMIT = MAX_TEXT * 25  # the longest string described (longer ones are cut)

DTYPE_NAMES = {
    dtype: str(dtype).removeprefix("torch.")
    for dtype in (
        torch.bool,
        torch.uint8,
        torch.int8,
        torch.int16,
        torch.int32,
        torch.int64,
        torch.float16,
        torch.bfloat16,
        torch.float32,
        torch.float64,
        torch.complex64,
        torch.complex128,
    )
}
ITEMSIZES = {dtype: torch.empty((), dtype=dtype).element_size() for dtype in DTYPE_NAMES}
# numpy's name for the memory of each dtype (bfloat16 has none: its 16-bit words are copied as they are)
_TYPESTRS = {
    dtype: np.dtype(str(dtype).removeprefix("torch.")).str if dtype is not torch.bfloat16 else "<u2"
    for dtype in DTYPE_NAMES
}
NUMPY_NAMES = {
    np.dtype(n): np.dtype(n).name
    for n in (
        "bool",
        "uint8",
        "int8",
        "int16",
        "int32",
        "int64",
        "uint16",
        "uint32",
        "uint64",
        "float16",
        "float32",
        "float64",
        "complex64",
        "complex128",
    )
}
_NUMPY_SCALARS = {dtype.type: name for dtype, name in NUMPY_NAMES.items()}

# Captured now: C-level getters and functions, which a student can neither patch nor make call back
# into Python (a getter of TensorBase reads the tensor's own fields, not its type's attributes).
_type = type
_id = id
# An object of the student's process: any type, read only through the getters captured here, never its own methods.
Foreign = Any
_len = len
_isinstance = isinstance
_str_join = "".join
_type_name = type.__dict__["__name__"].__get__
_type_module = type.__dict__["__module__"].__get__
_tensor_get = {
    name: torch._C.TensorBase.__dict__[name].__get__
    for name in (
        "dtype",
        "shape",
        "device",
        "requires_grad",
        "is_leaf",
        "grad_fn",
        "grad",
        "layout",
        "is_quantized",
        "is_nested",
    )
}
_untyped_storage = torch._C.TensorBase.untyped_storage
_stride = torch._C.TensorBase.stride
_storage_offset = torch._C.TensorBase.storage_offset
_numel = torch._C.TensorBase.numel
_is_contiguous = torch._C.TensorBase.is_contiguous
# StorageBase's C methods, which torch's stubs leave out
_storage_data_ptr = torch._C.StorageBase.data_ptr  # type: ignore[attr-defined]
_storage_nbytes = torch._C.StorageBase.nbytes  # type: ignore[attr-defined]
_storage_cdata = torch._C.StorageBase.__dict__["_cdata"].__get__
_storage_resizable = torch._C.StorageBase.resizable  # type: ignore[attr-defined]
_device_type = torch.device.__dict__["type"].__get__
_device_index = torch.device.__dict__["index"].__get__
_dispatch_keys = torch._C._dispatch_keys
_has_key = torch._C.DispatchKeySet.has
# Tensors whose memory is not what their values are (lazy conjugation or negation) or whose every
# operation calls Python (a __torch_dispatch__ subclass) are not described: they cross as opaque.
_REFUSED_KEYS = tuple(
    getattr(torch._C.DispatchKey, name)
    for name in ("Python", "PythonTLSSnapshot", "Conjugate", "Negative", "Functionalize")
    if hasattr(torch._C.DispatchKey, name)
)
_strided = torch.strided
# While describing, a tensor subclass's __torch_function__ is not called: TensorBase's own getters and methods
# call it for a subclass otherwise, which would run the student's code here, in the sandbox's sealed thread.
_no_torch_function = torch._C.DisableTorchFunction
# Classes a student can change are only ever compared by identity here: never called, hashed or asked.
_Tensor, _Parameter, _TensorBase = torch.Tensor, torch.nn.Parameter, torch._C.TensorBase
_Dtype, _Device, _Size = torch.dtype, torch.device, torch.Size
_type_mro = type.__dict__["__mro__"].__get__
_ndarray = np.ndarray
_array_interface = np.ndarray.__dict__["__array_interface__"].__get__
_array_dtype = np.ndarray.__dict__["dtype"].__get__
_array_shape = np.ndarray.__dict__["shape"].__get__
_array_strides = np.ndarray.__dict__["strides"].__get__
_array_writeable = np.ndarray.__dict__["flags"].__get__
_itemsize = np.ndarray.__dict__["itemsize"].__get__
_tolist = np.ndarray.tolist
_tobytes = np.ndarray.tobytes
_item = np.generic.item
_asarray = np.asarray
_ascontiguousarray = np.ascontiguousarray
_Namespace = types.SimpleNamespace  # an immutable builtin type: numpy reads its __array_interface__ from the instance
_slice_indices = slice.indices
_complex_real = complex.__dict__["real"].__get__
_complex_imag = complex.__dict__["imag"].__get__
_dtype_text = torch.dtype.__repr__
_pack = struct.pack
_Packer, _pack_with = msgpack.Packer, msgpack.Packer.pack  # C; msgpack.packb is Python, with patchable globals
_prod = math.prod
_sorted = sorted
_range = range
_list = list
_tuple = tuple
_dict_items = dict.items
_dict_get = dict.get
_list_iter = list.__iter__
_tuple_iter = tuple.__iter__
_int_to_str = int.__repr__
_range_attrs = (range.__dict__["start"].__get__, range.__dict__["stop"].__get__, range.__dict__["step"].__get__)

# pandas, read through its compiled internals (Cython getters) and instance dictionaries: pandas'
# Python methods are a student's to patch.
_DataFrame, _Series, _Index, _RangeIndex = pd.DataFrame, pd.Series, pd.Index, pd.RangeIndex
_internals = pandas._libs.internals
_BlockManager = type(pd.DataFrame({"a": [0]})._mgr)
_SingleBlockManager = type(pd.Series([0])._mgr)
_NumpyBlock = type(pd.DataFrame({"a": [0]})._mgr.blocks[0])
_StringArray = type(pd.Index(["a"])._data)
_mgr_blocks = _internals.BlockManager.__dict__["blocks"].__get__
_mgr_axes = _internals.BlockManager.__dict__["axes"].__get__
_block_values = _internals.Block.__dict__["values"].__get__
_block_locs = _internals.Block.__dict__["_mgr_locs"].__get__
_placement_indexer = _internals.BlockPlacement.__dict__["indexer"].__get__
_backed_ndarray = pandas._libs.arrays.NDArrayBacked.__dict__["_ndarray"].__get__
_frame_dict = next(c.__dict__["__dict__"] for c in pd.DataFrame.__mro__ if "__dict__" in c.__dict__).__get__
_series_dict = next(c.__dict__["__dict__"] for c in pd.Series.__mro__ if "__dict__" in c.__dict__).__get__
_index_dict = next(c.__dict__["__dict__"] for c in pd.Index.__mro__ if "__dict__" in c.__dict__).__get__
_single_manager_dict = next(
    c.__dict__["__dict__"] for c in _SingleBlockManager.__mro__ if "__dict__" in c.__dict__
).__get__

# torch.return_types.* (the values/indices pairs of max, min, sort...): C struct sequences, by their fields
_STRUCTSEQS = {
    kind: ("torch.return_types." + _type_name(kind), [str(name) for name in kind.__match_args__])
    for kind in vars(torch.return_types).values()
    if _isinstance(kind, type) and issubclass(kind, tuple) and hasattr(kind, "n_fields")
}
_INT_MIN, _UINT_MAX = -(1 << 63), (1 << 64) - 1  # the ints MessagePack carries as numbers
_SCALARS = frozenset((type(None), bool, int, float))
_OPAQUE_TOO_MUCH = {"t": "object", "type": "too deep or too large", "text": ""}


# ---------------------------------------------------------------------------------------------
# the description of one message: state is [blobs, regions, items, storages or None, wide ints, keep, placed,
# sent or None, measuring]

BLOBS, REGIONS, ITEMS, STORAGES, WIDE, KEEP, PLACED, SENT, MEASURING = range(9)


def new_state(storages: bool = False, wide_ints: bool = False, sent: dict | None = None) -> list:
    """`storages`: the message's memory travels as it is laid out (the grader's inputs: see `lay_out`), so
    that the receiver rebuilds views, offsets, strides and every sharing between tensors and arrays exactly.
    `wide_ints`: every int is checked against MessagePack's 64 bits. `KEEP` holds every object reached while
    describing: the sandbox drops them in the student's thread, never here. `PLACED`: arrays and frames whose
    memory the layout places. `sent`: the memory the call's inputs used before it ran (`measure`): the frame
    then says whether any of them uses other memory now, or is gone from the arguments ("moved")."""
    return [[], [], 0, {} if storages else None, wide_ints, [], [], sent, False]


def measure(values: list, keep: list) -> dict:
    """The memory each tensor, array, frame and series in `values` uses, by `id`: [(start, stop), ...].

    Taken by the sandbox's sealed side before a student's function runs on its inputs, and compared with what
    the same objects use once it has returned: a function that points its input at other memory (`set_`,
    `.data =`, `resize_`) or swaps an input out of a list could otherwise pass off a copy as a view of its
    input, or a view as a copy. Nothing is copied; `keep` receives every object reached, so that their ids
    and memory stay theirs until the call's answer is sent."""
    state = new_state()
    state[MEASURING] = True
    with _no_torch_function():
        value(state, values)
    keep.append(state[KEEP])
    used: dict = {}
    for start, stop, desc in state[REGIONS]:
        used.setdefault(desc["id"], []).append((start, stop))
    return used


def _moved(state: list) -> bool:
    """Whether an input measured before the call (`measure`) uses other memory now, or was not described again."""
    now: dict = {}
    for start, stop, desc in state[REGIONS]:
        if desc["id"] in state[SENT]:
            now.setdefault(desc["id"], set()).add((start, stop))
    return any(_dict_get(now, key) != set(spans) for key, spans in _dict_items(state[SENT]))


def value(state: list, obj: Foreign, depth: int = 0) -> object:
    """The plain description of `obj` (tensor and array bytes go to `state`'s blobs)."""
    state[ITEMS] += 1
    if depth > MAX_DEPTH or state[ITEMS] > MAX_ITEMS:
        return _OPAQUE_TOO_MUCH
    if state[MEASURING]:
        state[KEEP].append(obj)  # its id stays its own while the call runs
    t = _type(obj)
    if t is int:
        if state[WIDE] and not _INT_MIN <= obj <= _UINT_MAX:
            return {"t": "int", "v": _int_to_str(obj)}  # refuses ints over 4300 digits: an undescribable answer
        return obj
    if obj is None or t is bool or t is float:  # kept exactly: 1.0 stays a float, NaN too
        return obj
    if t is str:
        return obj[:TEXT_LIMIT]
    if t is list or t is tuple:
        return _sequence(state, obj, t, depth)
    if t is dict:
        return _dict(state, obj, depth)
    if t is _Tensor or t is _Parameter or _is_tensor_class(t):
        return tensor(state, obj, depth)
    if t is _ndarray:
        return ndarray(state, obj)
    if t is complex:
        return {"t": "complex", "re": _complex_real(obj), "im": _complex_imag(obj)}
    if t is _DataFrame:
        return dataframe(state, obj, depth)
    if t is _Series:
        return series(state, obj, depth)
    if t is _Dtype:
        return {"t": "dtype", "name": DTYPE_NAMES.get(obj) or _dtype_text(obj).removeprefix("torch.")}
    if t is _Device:
        return {"t": "device", "type": _device_type(obj), "index": _device_index(obj)}
    if t is _Size:
        return {"t": "size", "items": _list(_tuple_iter(obj))}
    if _type(t) is not type:  # a class with a metaclass of its own: its hash and equality are its own code
        return opaque(t)
    if t in _NUMPY_SCALARS:
        return {"t": "npscalar", "dtype": _NUMPY_SCALARS[t], "v": value(state, _item(obj), depth + 1)}
    if t in _STRUCTSEQS:
        name, fields = _STRUCTSEQS[t]
        return {
            "t": "structseq",
            "type": name,
            "fields": fields,
            "items": [value(state, x, depth + 1) for x in _tuple_iter(obj)],
        }
    return opaque(t)


def _is_tensor_class(kind: type) -> bool:
    """A subclass of torch's tensor, found by identity in its MRO (isinstance could ask the object)."""
    for base in _type_mro(kind):
        if base is _TensorBase:
            return True
    return False


def opaque(kind: type, why: str = "") -> dict:
    """A value that crosses as its type's name only (its repr would run the student's code)."""
    name = _str_join((_type_name(kind),))
    module = _type_module(kind)
    module = module if _type(module) is str else "?"
    return {"t": "object", "type": f"{module}.{name}"[:200] + why, "text": ""}


def _attributes(getter: Callable[[Foreign], object], obj: Foreign) -> dict:
    """An object's instance dictionary, if every key is exact text: looking a name up in it then compares
    no key by the student's own equality."""
    attributes = getter(obj)
    if _type(attributes) is not dict or not all(_type(k) is str for k in attributes):
        return {}
    return attributes


def _sequence(state: list, obj: Foreign, kind: type, depth: int) -> dict:
    items = _list(_list_iter(obj) if kind is list else _tuple_iter(obj))
    name = "list" if kind is list else "tuple"
    if state[ITEMS] + _len(items) <= MAX_ITEMS and not state[WIDE] and all(_type(x) in _SCALARS for x in items):
        state[ITEMS] += _len(items)  # numbers as they are: no call per item for long lists of numbers
        return {"t": name, "items": items}
    return {"t": name, "items": [value(state, x, depth + 1) for x in items]}


def _dict(state: list, obj: dict, depth: int) -> dict:
    items = _list(_dict_items(obj))
    if not all(_type(k) is str for k, _ in items):
        return {"t": "object", "type": "builtins.dict", "text": ""}
    return {"t": "dict", "items": {k: value(state, v, depth + 1) for k, v in items}}


def tensor(state: list, obj: Foreign, depth: int) -> dict:
    keys = _dispatch_keys(obj)
    if (
        any(_has_key(keys, key) for key in _REFUSED_KEYS)
        or _tensor_get["layout"](obj) is not _strided
        or _tensor_get["is_quantized"](obj)
        or _tensor_get["is_nested"](obj)
    ):
        return opaque(_type(obj), " (a tensor whose memory is not its values)")
    keep = state[KEEP]
    device_object = _tensor_get["device"](obj)
    dtype = _tensor_get["dtype"](obj)
    grad_fn = _tensor_get["grad_fn"](obj)
    is_leaf = _tensor_get["is_leaf"](obj)
    keep.append(device_object)
    keep.append(grad_fn)
    device = _device_type(device_object)
    shape = _list(_tuple_iter(_tensor_get["shape"](obj)))
    stride = _list(_tuple_iter(_stride(obj)))
    offset = _storage_offset(obj)
    desc = {
        "t": "tensor",
        "dtype": DTYPE_NAMES.get(dtype) or _dtype_text(dtype).removeprefix("torch."),
        "shape": shape,
        "device": device,
        "requires_grad": _tensor_get["requires_grad"](obj),
        "is_leaf": is_leaf,
        "grad_fn": _str_join((_type_name(_type(grad_fn)),)) if grad_fn is not None else None,
        "stride": stride,
        "offset": offset,
        "contiguous": _is_contiguous(obj),
        "id": _id(obj),
    }
    grad = _tensor_get["grad"](obj) if is_leaf else None  # a non-leaf's .grad warns, and is always None
    keep.append(grad)
    desc["grad"] = (
        tensor(state, grad, depth + 1) if grad is not None and depth < MAX_DEPTH and not state[MEASURING] else None
    )
    if state[STORAGES] is not None and desc["requires_grad"] and not is_leaf:
        raise ValueError("an input tensor must be a leaf: its graph stays in the grader, so it would arrive as one")
    if device == "meta":
        return desc
    if dtype not in DTYPE_NAMES:
        raise ValueError(f"dtype {_dtype_text(dtype)} cannot cross the boundary")
    numel = _numel(obj)
    sharing = state[STORAGES] is not None and device == "cpu"
    if not numel and not sharing:
        desc["data"] = blob(state, b"")
        return desc
    storage = _untyped_storage(obj)
    keep.append(storage)
    start, nbytes = _storage_data_ptr(storage), _storage_nbytes(storage)
    desc["nbytes"] = nbytes  # its storage's size: a grader's input arrives with the size it was sent
    itemsize = ITEMSIZES[dtype]
    if numel:
        last = offset + sum((size - 1) * step for size, step in zip(shape, stride, strict=False))
        if offset < 0 or any(step < 0 for step in stride) or (last + 1) * itemsize > nbytes:
            raise ValueError("a tensor whose view lies outside its storage cannot be described")
        state[REGIONS].append((start, start + nbytes, desc))
    if sharing:
        _share_storage(state, desc, storage, start, nbytes)
    elif not state[MEASURING]:
        strides = [step * itemsize for step in stride]
        desc["data"] = blob(
            state,
            _tobytes(_ascontiguousarray(_memory(start + offset * itemsize, shape, strides, _TYPESTRS[dtype], keep))),
        )
    return desc


def _memory(address: int, shape: list, strides: list | None, typestr: str, keep: list) -> np.ndarray:
    """A read-only numpy view of memory the description already proved is the value's own."""
    view = _asarray(
        _Namespace(
            __array_interface__={
                "shape": _tuple(shape),
                "typestr": typestr,
                "data": (address, True),
                "strides": _tuple(strides) if strides is not None else None,
                "version": 3,
            }
        )
    )
    keep.append(view)
    return view


def _share_storage(state: list, desc: dict, storage: torch.UntypedStorage, start: int, nbytes: int) -> None:
    """A storage travels once, in the memory layout of the message (`lay_out`)."""
    storages = state[STORAGES]
    key = _storage_cdata(storage)  # the storage itself: empty storages all have address 0
    if key not in storages:
        storages[key] = [_len(storages), start, nbytes, _storage_resizable(storage)]
    desc["storage"] = storages[key][0]


def ndarray(state: list, obj: np.ndarray, own: int | None = None) -> dict:
    """`own`: the id of the frame this is a column of; its values travel as a copy of their own then, even
    where the message's memory is laid out (pandas lays a rebuilt frame's memory out itself)."""
    dtype = _array_dtype(obj)
    name = NUMPY_NAMES.get(dtype)
    if name is None:
        return {"t": "object", "type": "numpy.ndarray[unsupported dtype]", "text": ""}
    shape = _list(_array_shape(obj))
    desc = {
        "t": "ndarray",
        "dtype": name,
        "shape": shape,
        "strides": _list(_array_strides(obj)),
        "writeable": bool(_array_writeable(obj).writeable),
        "id": _id(obj),
    }
    if state[MEASURING]:
        if own is None and _prod(shape) > 0:  # a frame's column is measured as the frame's
            state[REGIONS].append((*_byte_bounds(obj), desc))
        return desc
    if _prod(shape) > 0:
        low, high = _byte_bounds(obj)
        state[REGIONS].append((low, high, desc))
        if state[STORAGES] is not None:
            state[PLACED].append(
                (low, high, desc, ("frame", own) if own is not None else _array_interface(obj)["data"][0])
            )
            if own is None:
                return desc  # placed in the layout, at its own address and strides
    desc["data"] = blob(state, _tobytes(_ascontiguousarray(obj)))
    return desc


def lay_out(state: list) -> dict:
    """The memory of the grader's inputs as it is: every stretch of overlapping storages and arrays is one
    region sent once; storages and arrays are placed in it at their own offsets. A region that is exactly
    one storage is that storage (rebuilt resizable if it was); otherwise storages and arrays are views of it."""
    storages = _sorted(state[STORAGES].values(), key=_region_start_of_storage)
    spans = [
        (start, start + nbytes, "storage", entry)
        for entry in storages
        for start, nbytes in ((entry[1], entry[2]),)
        if nbytes
    ]
    spans += [(low, high, "array", (desc, address)) for low, high, desc, address in state[PLACED]]
    table: list[dict | None] = [None] * _len(storages)
    for entry in storages:
        table[entry[0]] = {"region": None, "at": 0, "nbytes": 0, "resizable": entry[3]}
    regions: list[dict] = []
    members: list[tuple] = []
    end = -1
    for start, stop, kind, what in _sorted(spans, key=_region_start) + [(1 << 64, 1 << 64, "end", None)]:
        if start >= end and members:
            regions.append(_region(state, members, table, _len(regions)))
            members = []
        if kind == "end":
            break
        end = stop if not members else max(end, stop)
        members.append((start, stop, kind, what))
    return {"regions": regions, "storages": table}


def _region(state: list, members: list, table: list, number: int) -> dict:
    start = min(m[0] for m in members)
    stop = max(m[1] for m in members)
    owners = [what for low, high, kind, what in members if kind == "storage" and low == start and high == stop]
    frames = {what[1][1] for low, high, kind, what in members if kind == "array" and _type(what[1]) is tuple}
    if (
        _len(frames) > 1
        or frames
        and any(kind == "storage" or _type(what[1]) is not tuple for low, high, kind, what in members)
    ):
        raise ValueError("a DataFrame input shares memory with another input: it would arrive with memory of its own")
    for low, high, kind, what in members:
        if kind == "storage":
            table[what[0]].update(region=number, at=low - start, nbytes=high - low)
        elif not frames:
            what[0]["region"], what[0]["at"] = number, what[1] - start
    data = blob(state, _tobytes(_memory(start, [stop - start], None, "|u1", state[KEEP])))
    return {"data": data, "owner": owners[0][0] if _len(owners) == 1 and not frames else None}


def _region_start_of_storage(entry: list) -> int:
    return entry[0]


def _byte_bounds(array: np.ndarray) -> tuple[int, int]:
    """First and one-past-last byte an array uses (numpy's byte_bounds, from its C getters)."""
    interface = _array_interface(array)
    low = high = interface["data"][0]
    itemsize = _itemsize(array)
    if interface["strides"] is None:  # C-contiguous
        return low, low + _prod(interface["shape"]) * itemsize
    for size, stride in zip(interface["shape"], interface["strides"], strict=False):
        if stride < 0:
            low += (size - 1) * stride
        else:
            high += (size - 1) * stride
    return low, high + itemsize


def dataframe(state: list, obj: Foreign, depth: int) -> dict:
    """Columns from pandas' blocks (the memory the frame really uses, so sharing is measured truly),
    names and index from its Index objects; only numeric numpy columns and plain indexes cross."""
    keep = state[KEEP]
    manager = _dict_get(_attributes(_frame_dict, obj), "_mgr")
    keep.append(manager)
    if _type(manager) is not _BlockManager:
        return opaque(_DataFrame, " (not one the kit can read)")
    axes = _mgr_axes(manager)
    blocks = _mgr_blocks(manager)
    keep.append(axes)
    keep.append(blocks)
    if _type(axes) is not list or _len(axes) != 2 or _type(blocks) is not tuple:
        return opaque(_DataFrame, " (not one the kit can read)")
    names, index = _labels(axes[0], keep), _labels(axes[1], keep)
    if names is None or index is None:
        return opaque(_DataFrame, " (with an index the kit cannot read)")
    columns: list[np.ndarray | None] = [None] * _len(names)
    for block in blocks:
        keep.append(block)
        values = _block_values(block) if _type(block) is _NumpyBlock else None
        keep.append(values)
        if _type(values) is not _ndarray or _array_dtype(values) not in NUMPY_NAMES or _len(_array_shape(values)) != 2:
            return opaque(_DataFrame, " with non-numeric columns")
        placement = _block_locs(block)
        keep.append(placement)
        indexer = _placement_indexer(placement)
        keep.append(indexer)
        if _type(indexer) is slice:
            positions = _list(_range(*_slice_indices(indexer, _len(columns))))
        elif _type(indexer) is _ndarray:
            positions = _tolist(indexer)
        else:
            return opaque(_DataFrame, " (not one the kit can read)")
        rows = _array_shape(values)
        if _len(positions) != rows[0] or rows[1] != _len(index):
            return opaque(_DataFrame, " (not one the kit can read)")
        for row, position in enumerate(positions):
            if _type(position) is not int or not 0 <= position < _len(columns) or columns[position] is not None:
                return opaque(_DataFrame, " (not one the kit can read)")
            column = values[row]  # a view of the block's memory: its byte bounds are the column's
            keep.append(column)
            columns[position] = column
    arrays = [c for c in columns if c is not None]
    if _len(arrays) != _len(columns):
        return opaque(_DataFrame, " (not one the kit can read)")
    desc = {
        "t": "dataframe",
        "id": _id(obj),
        "columns": [value(state, name, depth + 1) for name in names],
        "data": [ndarray(state, column, own=_id(obj)) for column in arrays],
        "index": value(state, index, depth + 1),
    }
    for column in arrays:  # the frame's memory is its columns': it shares what any of them shares
        if _prod(_array_shape(column)) > 0:
            low, high = _byte_bounds(column)
            state[REGIONS].append((low, high, desc))
    return desc


def series(state: list, obj: Foreign, depth: int) -> dict:
    keep = state[KEEP]
    attributes = _attributes(_series_dict, obj)
    manager = _dict_get(attributes, "_mgr")
    name = _dict_get(attributes, "_name")
    keep.append(manager)
    keep.append(name)
    if _type(manager) is not _SingleBlockManager:
        return opaque(_Series, " (not one the kit can read)")
    parts = _attributes(_single_manager_dict, manager)  # a Python class, its fields in its instance dict
    axes, blocks = _dict_get(parts, "axes"), _dict_get(parts, "blocks")
    keep.append(axes)
    keep.append(blocks)
    if _type(axes) is not list or _len(axes) != 1 or _type(blocks) is not tuple or _len(blocks) != 1:
        return opaque(_Series, " (not one the kit can read)")
    index = _labels(axes[0], keep)
    values = _block_values(blocks[0]) if _type(blocks[0]) is _NumpyBlock else None
    keep.append(values)
    if (
        index is None
        or _type(values) is not _ndarray
        or _array_dtype(values) not in NUMPY_NAMES
        or _array_shape(values) != (_len(index),)
    ):
        return opaque(_Series, " (not one the kit can read)")
    desc = {
        "t": "series",
        "id": _id(obj),
        "name": value(state, name, depth + 1),
        "data": ndarray(state, values, own=_id(obj)),
        "index": value(state, index, depth + 1),
    }
    if _prod(_array_shape(values)) > 0:
        low, high = _byte_bounds(values)
        state[REGIONS].append((low, high, desc))
    return desc


def _labels(index: Foreign, keep: list) -> list | None:
    """An exact pandas Index's labels as a list (a RangeIndex, numbers or text); None for any other."""
    keep.append(index)
    kind = _type(index)
    if kind is _RangeIndex:
        numbers = _dict_get(_attributes(_index_dict, index), "_range")
        if _type(numbers) is not range:
            return None
        return _list(_range(*(attribute(numbers) for attribute in _range_attrs)))
    if kind is not _Index:
        return None
    data = _dict_get(_attributes(_index_dict, index), "_data")
    keep.append(data)
    if _type(data) is _StringArray:
        data = _backed_ndarray(data)
        keep.append(data)
    if _type(data) is not _ndarray or _len(_array_shape(data)) != 1:
        return None
    if _array_dtype(data) not in NUMPY_NAMES and _array_dtype(data).kind != "O":
        return None
    labels = _tolist(data)
    keep.append(labels)
    return labels


def blob(state: list, data: bytes) -> int:
    state[BLOBS].append(data)
    return _len(state[BLOBS]) - 1


def assign_memory(state: list) -> None:
    """Number the regions (stretches of overlapping memory); each value lists the bytes it uses ("mem"):
    [region, first, past-last, ...], counted from its region's start. Sharing is an overlap of two values'
    own spans, never merely a common region: a third value can join two that share nothing into one region
    (an array over the bytes of two disjoint slices)."""
    region = -1
    end = base = -1
    for start, stop, desc in _sorted(state[REGIONS], key=_region_start):
        if start >= end:
            region += 1
            base = start
        end = max(end, stop)
        used = desc.get("mem")
        if used is None:
            used = desc["mem"] = []
        used += (region, start - base, stop - base)


def _region_start(region: tuple) -> int:
    return region[0]


def plain(obj: Foreign, depth: int = 0) -> object:
    """Metadata a student's code produced (error reports, printed text) as exact plain types: maps
    with text keys, lists, text, numbers, booleans and nil; anything else becomes None."""
    t = _type(obj)
    if depth > MAX_DEPTH:
        return None
    if t is str:
        return obj[:TEXT_LIMIT]
    if obj is None or t is bool or t is float or t is int and _INT_MIN <= obj <= _UINT_MAX:
        return obj
    if t is list or t is tuple:
        items = _list(_list_iter(obj) if t is list else _tuple_iter(obj))
        return [plain(x, depth + 1) for x in items[:MAX_ITEMS]]
    if t is dict:
        return {k: plain(v, depth + 1) for k, v in _list(_dict_items(obj))[:MAX_ITEMS] if _type(k) is str}
    return None


# ---------------------------------------------------------------------------------------------
# frames: a MessagePack header, then raw byte blobs

VALUE_KEYS = ("value", "args", "kwargs")


def encode(message: dict, storages: bool = False, keep: list | None = None, limit: int = MAX_FRAME) -> bytes:
    """Frame a message: its "value", "args" and "kwargs" are described, its other keys are plain data.

    `keep` receives every object reached while describing (see `new_state`); a frame over `limit` bytes
    is refused (ValueError)."""
    try:
        return frame(message, new_state(storages), keep, limit)
    except OverflowError:  # an int beyond 64 bits somewhere: describe ints one by one this time
        return frame(message, new_state(storages, wide_ints=True), keep, limit)


def frame(message: dict, state: list, keep: list | None = None, limit: int = MAX_FRAME) -> bytes:
    try:
        with _no_torch_function():
            header = {
                key: (value(state, item) if key in VALUE_KEYS else plain(item))
                for key, item in _list(_dict_items(message))
            }
        assign_memory(state)
        if state[STORAGES] is not None:
            header["memory"] = lay_out(state)
        if state[SENT] is not None:
            header["moved"] = _moved(state)
    finally:
        if keep is not None:
            keep.append(state[KEEP])
    head = _pack_with(_Packer(use_bin_type=True, strict_types=True), header)
    blobs = state[BLOBS]
    sizes = [_len(b) for b in blobs]
    total = 8 + 8 * _len(sizes) + _len(head) + sum(sizes)
    if total > limit or _len(head) > MAX_HEADER:
        raise ValueError(f"the answer is too large to grade ({total} bytes; at most {limit})")
    return b"".join([_pack(f"<II{_len(sizes)}Q", _len(head), _len(sizes), *sizes), head, *blobs])
