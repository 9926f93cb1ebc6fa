"""The sandboxed child's trusted side, sealed off from the student's code that shares its interpreter.

Everything a sandboxed child reports is measured in the student's own process, so the part that
measures and reports must be out of the student's reach. Its design (the README's threat model says
why each piece is there):

- Two threads, never more. The student's cells and calls run in a thread of their own (`park`), whose
  stack holds no kit frame but `park` itself, a function without globals; frames, tracebacks and
  `inspect` there lead nowhere. The main thread decodes nothing, calls nothing of the student's and runs
  no library code a student can patch: it hands each request to the student's thread, waits until that
  thread is parked again, reads the call's outcome from the parked frame's own local variables,
  describes it with a private copy of `describe` and sends it. A call is two hand-overs: the inputs are
  rebuilt, then measured here (`describe.measure`) before the student's function runs on them, so that a
  function which points an input at other memory is seen to have done so. Once the student's thread
  runs, the process may start no thread or process (RLIMIT_NPROC 0): a thread beside the main one could
  switch the garbage collector on while the main thread allocates, and the collection would run the
  student's finalizers and gc.callbacks here.
- Private code. `load_private` runs a kit module's source into a fresh namespace with its own builtins,
  registered nowhere; this module and `describe` define no class (every class is reachable through
  `object.__subclasses__()`), and their functions read only what they captured at load.
- An audit hook (PEP 578), installed before any student code, refuses from every thread but the main
  one what would reach the main thread or the process's memory: gc object walks, other threads' frames,
  trace and profile functions, new audit hooks, ctypes, forks and new programs, symlinks, opening
  /proc/*/mem-like files. Each refusal raises PermissionError in the student's code and is recorded
  (event, cell, line) in every later report.
- An authenticated channel. Every frame the child sends ends with a keyed BLAKE2b tag over its sequence
  number and bytes; the key came from the grader in the start frame and lives in the main thread's
  locals only. A frame a student writes to the channel's descriptor is refused by the grader.

What this cannot stop (raw memory access through numpy's array interface, say) is what
`scan` flags before any code runs.
"""

from __future__ import annotations

import _thread
import builtins
import gc
import hashlib
import importlib.util
import io
import os
import pathlib
import resource
import struct
import sys
import time
import types
from collections.abc import Callable
from typing import Any

TAG_BYTES = 16
YIELDS_BEFORE_WAITING = 200  # GIL hand-overs to the student's thread before the sealed side naps between looks
MAX_REFUSED = 20  # refusals kept per process (each report carries them all)
WARM_UP_ROUNDS = 64  # enough for CPython 3.11 to specialise the private code's bytecode
FRAME_LENGTH = struct.Struct("<Q")
# Audit events refused in the student's threads: what reaches other threads, the heap, or memory.
REFUSED_EVENTS = frozenset(
    (
        "sys._current_frames",
        "sys._current_exceptions",
        "gc.get_objects",
        "gc.get_referrers",
        "gc.get_referents",
        "sys.settrace",
        "sys.setprofile",
        "sys.addaudithook",
        "os.fork",
        "os.forkpty",
        "os.posix_spawn",
        "os.spawn",
        "os.exec",
        "os.system",
        "subprocess.Popen",
        "os.symlink",
        "os.link",
        "cpython.PyInterpreterState_New",
        "cpython.remote_debugger_script",
    )
)
REFUSED_PREFIXES = ("ctypes.",)
SEALED_SIDE_FAILED = 70  # the exit status of a child whose sealed side raised (a MemoryError, say)
THREADS_LEFT = "threads left running"  # recorded like a refusal: results could not be read while they ran
MEMORY_FILES = frozenset(("mem", "pagemap", "kcore", "kmem", "maps", "smaps", "syscall", "environ"))
# Code is compiled or loaded in the student's thread only from where the student cannot write: code the notebook
# writes to a file and then imports (or runs with runpy) is code the scan never read.
CODE_SUFFIXES = (".py", ".pyc", ".pyo", ".pyw", ".so", ".zip", ".egg", ".whl")  # not .pth: torch.save's habit
WRITABLE = ("/var/tmp/", "/dev/shm/")  # and the scratch directory, the child's working one (a Python installed
# under it is bound there read-only and belongs to another uid: its files stay trusted)


def load_private(name: str) -> dict:
    """A private copy of the kit module `autograder.<name>`: its namespace (with a copy of the builtins),
    which nothing else refers to. Loaded before any student code, so what it captures is genuine."""
    spec = importlib.util.find_spec(f"autograder.{name}")
    if spec is None or spec.origin is None:
        raise ImportError(f"autograder.{name} has no source to load privately")
    with open(spec.origin, encoding="utf-8") as source:
        code = compile(source.read(), spec.origin, "exec")
    namespace = {"__name__": f"autograder.{name}", "__file__": spec.origin, "__builtins__": dict(vars(builtins))}
    exec(code, namespace)  # the kit's own module, loaded privately
    return namespace


def sealed_server(*warm_values: object) -> Callable[..., None]:
    """`serve`, bound to private copies of this module and of `describe`: call it in the child.

    `warm_values`: typical answers, described here a few dozen times so that the private code's first uses
    (the interpreter specialising its bytecode, lazy set-up) happen once in the zygote, not in every child."""
    private = load_private("boundary.seal")
    describe = load_private("boundary.describe")
    for _ in range(WARM_UP_ROUNDS if warm_values else 0):
        keep: list = []
        sent = describe["measure"]([warm_values, ()], keep)
        answer = {"op": "result", "value": warm_values, "args": list(warm_values), "kwargs": {}, "output": ""}
        describe["frame"](answer, describe["new_state"](sent=sent), keep, describe["MAX_ANSWER"])
    return private["_bind"](describe)


# ---------------------------------------------------------------------------------------------
# everything below runs from the private copy; names it reads at run time were captured here

_allocate_lock = _thread.allocate_lock
_start_new_thread = _thread.start_new_thread
_get_ident = _thread.get_ident
_thread_count = _thread._count
_current_frames = sys._current_frames
_getframe = sys._getframe
_addaudithook = sys.addaudithook
_gc_disable, _gc_enable = gc.disable, gc.enable
_read, _write, _exit = os.read, os.write, os._exit
_fspath, _getcwd, _stat, _getuid = os.fspath, os.getcwd, os.stat, os.getuid
# Path objects whose __fspath__ is the standard library's: what it returns to the hook, it returns to open().
# A path object of the student's own class could name one file to the hook and another to open() a moment later.
_STANDARD_PATHS = (pathlib.PurePosixPath, pathlib.PosixPath)
_OSError = OSError
_sleep = time.sleep
_setrlimit, _RLIMIT_NPROC = resource.setrlimit, resource.RLIMIT_NPROC
_blake2b = hashlib.blake2b
_digest = hashlib.blake2b.digest
_pack_length, _unpack_length = FRAME_LENGTH.pack, FRAME_LENGTH.unpack_from
_StringIO, _getvalue = io.StringIO, io.StringIO.getvalue
_FunctionType = types.FunctionType
_PermissionError = PermissionError
_BaseException = BaseException
_str, _bytes, _int, _tuple, _dict, _list, _len, _type = str, bytes, int, tuple, dict, list, len, type
_dict_get, _dict_clear, _tuple_iter = dict.get, dict.clear, tuple.__iter__
_sys = sys


def _bind(describe: dict) -> Callable[..., None]:
    """`serve` with the private describe's functions as its own."""
    describe_frame, new_state, plain, limit = (
        describe["frame"],
        describe["new_state"],
        describe["plain"],
        describe["MAX_ANSWER"],
    )
    measure = describe["measure"]
    parked_at = _park_point(park.__code__)  # once, here: `dis` in every child cost half a millisecond

    def frame(message: dict, state: list, keep: list) -> bytes:
        return describe_frame(message, state, keep, limit)

    def serve(fd: int, key: bytes, cells: list, ready: dict, namespace: dict, tools: tuple) -> None:
        """Never returns, and never raises: an exception leaving here would be printed by library code the
        student may have replaced (`traceback`), in this thread, with the session key on the stack."""
        try:
            _serve(fd, key, cells, ready, namespace, tools, frame, new_state, plain, measure, parked_at)
        finally:
            _write(2, b"the sealed side of the student's process failed\n")
            _exit(SEALED_SIDE_FAILED)

    return serve


def _serve(
    fd: int,
    key: bytes,
    cells: list,
    ready: dict,
    namespace: dict,
    tools: tuple,
    frame: Callable[[dict, list, list], bytes],
    new_state: Callable[..., list],
    plain: Callable[[object], object],
    measure: Callable[[list, list], dict],
    parked_at: int,
) -> None:
    """The main thread: run the cells, then answer calls until the grader hangs up (never returns).

    `ready`: what the ready frame says besides the cells' outcome (devices, withheld devices);
    `namespace`: the student's globals; `tools`: the student-side helpers `park` uses (see `park`)."""
    main = _get_ident()
    refused: list = []
    writable = (_getcwd().rstrip("/") + "/", *WRITABLE)
    _addaudithook(_without_globals(_audit_hook(main, refused, writable)))
    go, done = _allocate_lock(), _allocate_lock()
    go.acquire()
    done.acquire()
    inbox: list = [None, None]  # the job for the student's thread; what it must let go of
    student_park = _without_globals(park)
    thread = _start_new_thread(student_park, (go.acquire, done.release, inbox, namespace, tools))
    park_frame = None
    while park_frame is None:  # before any student code: the thread's one frame is park's
        _sleep(0.0005)
        park_frame = _dict_get(_current_frames(), thread)
    # No thread of the student's may ever run beside this one: a collection of the garbage collector that
    # this thread's allocations set off runs finalizers and gc.callbacks here, where the audit hook lets
    # everything through. The process (its uid) may start no more threads or processes from now on.
    _setrlimit(_RLIMIT_NPROC, (0, 0))
    handoff = (go, done, inbox, park_frame, parked_at, refused)
    sequence = 0
    reader = [b"", bytearray()]  # pending bytes
    job: tuple[str, object] = ("cells", cells)
    while True:
        threads_left = _hand_over(job, handoff)
        sent: dict | None = None
        keep: list = []
        if job[0] == "decode":  # the call's inputs are rebuilt and no code of the student's has run yet
            outcome = park_frame.f_locals
            if _dict_get(outcome, "kind") == "decoded" and not threads_left:
                try:
                    sent = measure([_dict_get(outcome, "args"), _dict_get(outcome, "kw_items")], keep)
                except _BaseException:  # inputs the student's patched decoding made: not run
                    sent = None
                del outcome
                if sent is not None:
                    threads_left = _hand_over(("run",), handoff)
        outcome = park_frame.f_locals
        message = _report(outcome, ready, refused, threads_left, plain)
        payload = _describe(message, frame, new_state, keep, sent)
        inbox[1] = keep  # dropped by the student's thread: a last reference dropped here could run its code
        del message, outcome, sent, keep
        tag = _digest(_blake2b(_pack_length(sequence) + payload, key=key, digest_size=TAG_BYTES))
        _send(fd, _pack_length(_len(payload) + TAG_BYTES) + payload + tag)
        sequence += 1
        request = _receive(fd, reader)
        if request is None:
            _exit(0)
        job = ("decode", request)


def _hand_over(job: tuple, handoff: tuple) -> bool:
    """Let the student's thread do `job` and wait until it is parked again; whether threads were left running."""
    go, done, inbox, park_frame, parked_at, refused = handoff
    inbox[0] = job
    _gc_disable()  # the student's thread turns it on for its code and off before it hands back
    go.release()
    done.acquire()
    waited = 0
    while True:  # it is ours once it has taken the job and is parked again (a signal is not proof: the
        _gc_disable()  # student's code can reach `done`), and no other thread of the student's runs
        if inbox[0] is None and park_frame.f_lasti == parked_at:
            break
        # After `done` the student's thread is a few bytecodes from its park point: hand it the GIL at once
        # (sleep(0)); a 0.5 ms nap here cost two per call, most of a submission's time. A thread that does
        # not park (a student's trick) is then waited on without spinning.
        waited += 1
        _sleep(0 if waited < YIELDS_BEFORE_WAITING else 0.0005)
    threads_left = _thread_count() != 1
    if threads_left and [THREADS_LEFT, -1, 0] not in refused:
        refused.append([THREADS_LEFT, -1, 0])
    return threads_left


def _report(outcome: dict, ready: dict, refused: list, threads_left: bool, plain: Callable[[object], object]) -> dict:
    """The message for what the student's thread left in its locals (plain copies of its metadata)."""
    refusals = plain(_list(refused))
    if _dict_get(outcome, "kind") == "cells":
        return {
            "op": "ready",
            **ready,
            "cell_errors": plain(_dict_get(outcome, "cell_errors")),
            "output": plain(_dict_get(outcome, "output")),
            "refused": refusals,
        }
    if threads_left or _dict_get(outcome, "kind") == "decoded":  # ...or its inputs could not be measured: not run
        error = (
            {
                "type": "ThreadsRunning",
                "frames": [],
                "message": "a thread your code started is still running, so the result cannot be read",
            }
            if threads_left
            else {
                "type": "ProtocolError",
                "frames": [],
                "message": "the call's inputs could not be read in your process",
            }
        )
        return {
            "op": "result",
            "error": error,
            "backward_error": None,
            "value": None,
            "args": None,
            "kwargs": None,
            "output": "",
            "refused": refusals,
        }
    # whatever the student's thread left there: their exact types are checked next, with the captured type()
    args: Any = _dict_get(outcome, "args")
    items: Any = _dict_get(outcome, "kw_items")
    if (
        _type(args) is not _tuple
        or _type(items) is not _tuple
        or not all(_type(item) is _tuple and _len(item) == 2 and _type(item[0]) is _str for item in _tuple_iter(items))
    ):
        args, items = (), ()  # only the student's thread could have made them so
    return {
        "op": "result",
        "error": plain(_dict_get(outcome, "error")),
        "backward_error": plain(_dict_get(outcome, "backward_error")),
        "value": _dict_get(outcome, "value"),
        "args": _list(args),
        "kwargs": _dict(items),
        "output": plain(_dict_get(outcome, "output")),
        "refused": refusals,
    }


def _describe(
    message: dict,
    frame: Callable[[dict, list, list], bytes],
    new_state: Callable[..., list],
    keep: list,
    sent: dict | None,
) -> bytes:
    """The frame for `message`; an answer that cannot be described says so instead (its arguments too).
    `sent`: the memory the call's inputs used before it ran (`describe.measure`), None for the ready frame."""
    try:
        return frame(message, new_state(sent=sent), keep)
    except OverflowError:
        try:
            return frame(message, new_state(wide_ints=True, sent=sent), keep)
        except _BaseException as raised:
            failure = raised
    except _BaseException as raised:  # our own code failed on a value: never a student's
        failure = raised
    text = _str(failure)[:300] if _type(failure) in (ValueError, TypeError, RecursionError, MemoryError) else ""
    del failure  # its traceback holds this frame, which holds it: a cycle the student's thread would collect,
    # and with gc.DEBUG_SAVEALL read from gc.garbage, frames of the private code and their globals included
    message["error"] = {"type": "UndescribableResult", "message": text, "frames": []}
    message["value"] = None
    try:
        return frame(message, new_state(sent=sent), keep)
    except _BaseException:  # the arguments cannot be described either
        message["args"] = message["kwargs"] = None
        return frame(message, new_state(sent=sent), keep)


def _send(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[_write(fd, view) :]


def _receive(fd: int, reader: list) -> bytes | None:
    """The next frame from the grader (its length, then its bytes); None when it hung up."""
    pending = reader[1]
    while True:
        if _len(pending) >= FRAME_LENGTH.size:
            (size,) = _unpack_length(pending)
            if _len(pending) >= FRAME_LENGTH.size + size:
                data = _bytes(pending[FRAME_LENGTH.size : FRAME_LENGTH.size + size])
                del pending[: FRAME_LENGTH.size + size]
                return data
        chunk = _read(fd, 1 << 16)
        if not chunk:
            return None
        pending += chunk


def _park_point(code: types.CodeType) -> int:
    """Where `park`'s frame stands while it waits: the call of its local `wait`."""
    import dis

    instructions = list(dis.get_instructions(code))
    for number, instruction in enumerate(instructions):
        if instruction.opname == "LOAD_FAST" and instruction.argval == "wait":
            return next(i.offset for i in instructions[number:] if i.opname == "CALL")
    raise RuntimeError("park has no call of wait")


def _without_globals(function: Callable[..., Any]) -> Callable[..., Any]:
    """The same function, reading no global name: its frame, seen from the student's thread, leads nowhere."""
    return _FunctionType(
        function.__code__, {"__builtins__": {}}, function.__name__, function.__defaults__, function.__closure__
    )


def _audit_hook(main: int, refused: list, writable: tuple) -> Callable[[str, tuple], None]:
    """The audit hook (run without globals: everything it reads is in its closure). `writable`: where the
    student's code can write, so where no code may be compiled or loaded from."""
    get_ident, getframe, fspath, refuse = _get_ident, _getframe, _fspath, _PermissionError
    events, prefixes, memory_files, code_suffixes = REFUSED_EVENTS, REFUSED_PREFIXES, MEMORY_FILES, CODE_SUFFIXES
    str_type, bytes_type, int_type, kind_of, length, limit = _str, _bytes, _int, _type, _len, MAX_REFUSED
    # str's and bytes' own methods, unbound: a path may be a subclass whose split() says what the student likes
    split, starts, ends, decode, subclass = _str.split, _str.startswith, _str.endswith, _bytes.decode, issubclass
    stat, uid, missing, standard_paths = _stat, _getuid(), _OSError, _STANDARD_PATHS
    unstable = "\0a path object of the student's own class"  # no file's path holds a NUL

    def text(path: Any) -> str | None:
        if kind_of(path) is int_type or path is None:
            return None
        if kind_of(path) is not str_type and kind_of(path) is not bytes_type:
            if kind_of(path) not in standard_paths and not subclass(kind_of(path), (str_type, bytes_type)):
                return unstable
            path = fspath(path)
        if subclass(kind_of(path), bytes_type):
            path = decode(path, "utf-8", "replace")
        return path

    def untrusted(path: str, names: list) -> bool:
        if not starts(path, "/") or ".." in names:
            return True
        if not starts(path, writable):
            return False
        try:
            return stat(path).st_uid == uid  # the student's own file
        except missing:
            # Nothing there to load (and no thread or process of the student's runs beside this one to make
            # it before the open): a traceback's source lookup of a file the private root hides, say a kit
            # checked out under /tmp. A file the student writes there next is theirs, and refused when loaded.
            return False

    # reachable from a refused event's traceback (the hook's frame holds them): no globals either
    text, untrusted = _without_globals(text), _without_globals(untrusted)

    def hook(event: str, args: tuple) -> None:
        if get_ident() == main:
            return
        if event == "open" or event == "compile":
            path = text(args[0] if event == "open" else args[1])
            if path is None or event == "compile" and starts(path, "<"):
                return
            if path is not unstable:  # a path object of the student's own class is refused, whatever it names
                names = [name for name in split(path, "/") if name and name != "."]
                if (
                    event == "open"
                    and (not names or names[-1] not in memory_files)
                    and not (ends(path, code_suffixes) and untrusted(path, names))
                ):
                    return
                if event == "compile" and not untrusted(path, names):
                    return
        elif event not in events and not event.startswith(prefixes):
            return
        cell, line = -1, 0
        frame: types.FrameType | None = getframe(1)
        while frame is not None:
            filename = frame.f_code.co_filename
            if filename.startswith("<cell ") and filename.endswith(">") and filename[6:-1].isdigit():
                cell, line = int_type(filename[6:-1]), frame.f_lineno
                break
            frame = frame.f_back
        if length(refused) < limit:
            refused.append([event, cell, line])
        raise refuse(f"{event} is not allowed while grading / 채점 중에는 {event} 를 쓸 수 없습니다")

    return hook


def park(wait: Callable[[], object], finish: Callable[[], object], inbox: list, namespace: dict, tools: tuple) -> None:
    """The student's thread: a loop that waits for a job, runs it and hands back; it has no globals.

    A call is two jobs: "decode" rebuilds its inputs into `args` and `kw_items` and hands back, so that the
    main thread measures the memory they use before any code of the student's runs (`describe.measure`);
    "run" calls the student's function on them, with arguments it holds in its own locals, so the main
    thread reads back exactly the objects the function was given and what it returned (`value`).
    Everything else it uses is passed in `tools`: the student-side helpers of `child` (the same ones the
    in-process transport uses; a student who patches them changes only their own answers) and a few
    builtins."""
    (
        run_cells,
        read_call,
        begin_call,
        end_call,
        describe_error,
        run_backward,
        gc_enable,
        gc_disable,
        getframe,
        clear,
        tuple_type,
        dict_type,
        items_of,
        callable_of,
        base_exception,
    ) = tools
    # what the student's code leaves in these locals, of any type, is read by the main thread through this frame
    kind: str | None
    cell_errors: Any
    output: Any
    value: Any
    args: Any
    kw_items: Any
    error: Any
    backward_error: Any
    name: Any
    backward: Any
    function: Any
    kind = cell_errors = output = value = args = kw_items = error = backward_error = name = backward = None
    while True:
        wait()
        try:
            clear(getframe().f_locals)  # what the main thread read last time goes, here
            job, inbox[0], inbox[1] = inbox[0], None, None
            gc_enable()
            if job[0] == "run":
                if kind == "decoded":
                    kind, output = "call", ""
                    function = namespace.get(name)
                    if not callable_of(function):
                        error = {"type": "MissingFunction", "message": name, "frames": []}
                    else:
                        token = begin_call()
                        try:
                            value = function(*args, **dict_type(kw_items))
                        except base_exception as raised:  # SystemExit and friends are the student's too
                            error = describe_error(raised)
                            raised = None
                        if backward and error is None:
                            backward_error = run_backward(value)
                        output = end_call(token)
                    function = None
            else:
                kind = cell_errors = output = value = args = kw_items = error = backward_error = name = backward = None  # noqa: F841 - read through this frame
                if job[0] == "cells":
                    kind = "cells"
                    cell_errors, output = run_cells(job[1], namespace)
                else:
                    name, call_args, call_kwargs, backward = read_call(job[1])
                    args = tuple_type(call_args)
                    kw_items = tuple_type(items_of(dict_type(call_kwargs)))
                    call_args = call_kwargs = None
                    kind = "decoded"
        except base_exception as raised:  # whatever happened, hand back
            error = describe_error(raised)  # the kit's side failed in the student's process: their patches?
            error["message"] = (
                "the call could not be run in your process (did your code change torch, numpy "
                "or pandas?): " + error["type"] + ": " + error["message"]
            )[:1000]
            error["type"] = "ProtocolError"
            output = ""  # noqa: F841 - read through this frame
            raised = None
        job = None
        gc_disable()
        finish()
