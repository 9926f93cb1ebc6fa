"""What runs beside the student's code: execute the notebook's cells, then answer calls.

This module is the only part of the kit that shares an interpreter with student code. It holds no
grader, no expected value and no verdict: it runs a function on the inputs it is sent and describes
what came back (see `codec`). Whatever a student does here can only change their own answers.
"""

from __future__ import annotations

import builtins
import contextlib
import gc
import io
import linecache
import random
import sys
import traceback
import types
import warnings
from collections.abc import Iterator
from typing import TypeAlias

import numpy as np
import torch

from autograder.boundary import codec

OUTPUT_LIMIT = 4_000
CELL_PREFIX = "<cell "
STUDENT_MODULE = "__student__"  # the name the notebook's cells run under

_set_default_dtype = torch.set_default_dtype
_set_grad_enabled = torch.set_grad_enabled
_manual_seed = torch.default_generator.manual_seed
_np_seed = np.random.seed
# random.seed(0), less its Python wrapper: the seed of _random.Random, the C base the stubs do not describe
_py_random, _py_seed = random._inst, random.Random.__mro__[1].seed  # type: ignore[attr-defined]
_float32 = torch.float32
_TensorBase = torch._C.TensorBase
_backward = torch.Tensor.backward
_set_default_device = torch.set_default_device
_cuda_available = torch.cuda.is_available
_cuda_in_bad_fork = torch.cuda._is_in_bad_fork
_real_stdout, _real_stderr = sys.stdout, sys.stderr
_catch_warnings, _reset_warnings = warnings.catch_warnings, warnings.resetwarnings


class _BoundedText(io.TextIOBase):
    """Keeps the first few thousand characters a student prints; drops the rest."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0

    def write(self, text: object) -> int:
        text = str(text)
        if self.size < OUTPUT_LIMIT:
            self.parts.append(text[: OUTPUT_LIMIT - self.size])
        self.size += len(text)
        return len(text)

    def text(self) -> str:
        return "".join(self.parts) + ("\n..." if self.size > OUTPUT_LIMIT else "")


# what `begin_call` hands `end_call`: the call's captured output and its warnings context
CallToken: TypeAlias = "tuple[_BoundedText, contextlib.AbstractContextManager[None]]"


def describe_error(error: BaseException) -> dict:
    """The student's exception, with only the frames of their own cells."""
    frames = [
        {"cell": cell, "line": f.lineno or 0, "text": (f.line or "")[:200]}
        for f in traceback.extract_tb(error.__traceback__)
        if (cell := _cell_number(f.filename)) is not None
    ]
    if isinstance(error, SyntaxError) and (cell := _cell_number(error.filename)) is not None:
        frames.append({"cell": cell, "line": error.lineno or 0, "text": (error.text or "").strip()[:200]})
    try:
        message = str(error)[:1000]
    except BaseException:  # noqa: BLE001 - a hostile __str__ must not stop the report
        message = ""
    return {"type": type(error).__name__[:100], "message": message, "frames": frames[-5:]}


def _cell_number(filename: object) -> int | None:
    """N for code compiled as the notebook's cell N (a student may compile code under any name)."""
    if isinstance(filename, str) and filename.startswith(CELL_PREFIX) and filename.endswith(">"):
        number = filename[len(CELL_PREFIX) : -1]
        if number.isdigit() and len(number) < 9:
            return int(number)
    return None


def reset_global_state() -> None:
    """Undo what a student may have changed so every call starts from the same defaults."""
    _set_default_dtype(_float32)
    _set_default_device(None)
    _set_grad_enabled(True)
    _manual_seed(0)
    _np_seed(0)
    _py_seed(_py_random, 0)
    _py_random.gauss_next = None  # type: ignore[attr-defined]  # CPython's Random keeps it; the stubs do not say
    sys.stdout, sys.stderr = _real_stdout, _real_stderr


@contextlib.contextmanager
def _student_warnings() -> Iterator[None]:
    """Student code runs under Python's default warning filters, whatever the host process set (pytest's
    "error", say); the host's filters are back afterwards, which matters where the program runs in-process."""
    with _catch_warnings():
        _reset_warnings()
        yield


def usable_devices() -> tuple[list[str], dict[str, str]]:
    """The device types code here can compute on, and why a GPU the machine has is withheld.

    A process forked after its parent asked CUDA anything cannot start CUDA, yet
    `torch.cuda.is_available()` still says True in it: offering "cuda" there would fail correct code."""
    if not _cuda_available():
        return ["cpu", "meta"], {}
    if _cuda_in_bad_fork():
        return ["cpu", "meta"], {
            "cuda": "CUDA had started in the process this one was forked from, so it cannot start here; meta stands in"
        }
    return ["cpu", "meta", "cuda"], {}


def student_namespace() -> dict:
    """The globals the notebook's cells run in: a module's, registered in `sys.modules` as a notebook's
    `__main__` is. Library code finds a class's module by its name there (dataclasses reading string
    annotations, typing.get_type_hints, pickle), so a student's classes work as they do in a notebook."""
    module = types.ModuleType(STUDENT_MODULE)
    namespace = vars(module)
    namespace["__builtins__"] = builtins
    sys.modules[STUDENT_MODULE] = module
    return namespace


def park_tools() -> tuple:
    """What the student's thread (`seal.park`) calls: taken before any student code runs, so they are genuine."""
    return (
        run_cells,
        read_call,
        begin_call,
        end_call,
        describe_error,
        run_backward,
        gc.enable,
        gc.disable,
        sys._getframe,
        dict.clear,
        tuple,
        dict,
        dict.items,
        callable,
        BaseException,
    )


def run_cells(cells: list[dict], namespace: dict) -> tuple[list[dict], str]:
    """Execute the notebook's cells in `namespace`, each broken cell costing only itself: the errors, and
    what the cells printed."""
    output = _BoundedText()
    cell_errors: list[dict] = []
    reset_global_state()  # and again after every cell
    for cell in cells:
        _run_cell(cell["index"], cell["source"], namespace, output, cell_errors)
    return cell_errors, output.text()


def _run_cell(index: int, source: str, namespace: dict, output: _BoundedText, cell_errors: list) -> None:
    sys.stdout = sys.stderr = output
    filename = f"{CELL_PREFIX}{index}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    try:
        with _student_warnings():
            exec(compile(source, filename, "exec"), namespace)
    except BaseException as error:  # noqa: BLE001 - SystemExit and friends are student errors too
        cell_errors.append({"cell": index, **describe_error(error)})
    finally:
        reset_global_state()


def read_call(frame: bytes) -> tuple[str, list, dict, bool]:
    """A call request: the function's name, its rebuilt arguments, and whether to run backward()."""
    header, decoded = codec.decode(frame, live=True)
    if header.get("op") != "call":
        raise codec.BoundaryError("unknown op")
    return str(header["name"]), decoded.value["args"], decoded.value["kwargs"], bool(header.get("backward"))


def begin_call() -> CallToken:
    """Before a call: the student's output is captured, warnings filters are the defaults."""
    output = _BoundedText()
    sys.stdout = sys.stderr = output  # global state was reset after the cells and after every call
    warnings_context = _student_warnings()
    warnings_context.__enter__()
    return output, warnings_context


def end_call(token: CallToken) -> str:
    """After a call: defaults back, and what the call printed."""
    output, warnings_context = token
    warnings_context.__exit__(None, None, None)
    reset_global_state()
    return output.text()


def run_backward(value: object) -> dict | None:
    """`value.backward()`, as a grader asked: None, or the error it raised."""
    try:
        if not isinstance(value, _TensorBase):
            raise TypeError("the result is not a tensor, so backward() cannot run")
        _backward(value)  # type: ignore[arg-type]  # any TensorBase: what Tensor.backward reads
    except BaseException as raised:  # noqa: BLE001
        return describe_error(raised)
    return None


def missing_function(name: str) -> dict:
    return {"type": "MissingFunction", "message": name, "frames": []}


class StudentProgram:
    """The student's notebook run in this interpreter (the in-process transport, for trusted code).

    The sandbox runs the same helpers in a sealed child instead (`seal`)."""

    def __init__(self, cells: list[dict], no_gpu: str | None = None) -> None:
        """`no_gpu`: why this process must not offer a GPU (it is never asked then, so CUDA stays unstarted)."""
        self.namespace = student_namespace()
        if no_gpu:
            self.devices, self.withheld = ["cpu", "meta"], {"cuda": no_gpu}
        else:
            self.devices, self.withheld = usable_devices()  # before student code
        self.cell_errors, self.output = run_cells(cells, self.namespace)

    def ready(self) -> bytes:
        return codec.encode(
            {
                "op": "ready",
                "cell_errors": self.cell_errors,
                "output": self.output,
                "devices": self.devices,
                "withheld": self.withheld,
                "refused": [],
            }
        )

    def handle(self, frame: bytes) -> bytes:
        try:
            name, args, kwargs, backward = read_call(frame)
        except codec.BoundaryError:
            return codec.encode({"op": "error", "error": {"type": "ProtocolError", "message": "unknown op"}})
        return self.call(name, args, kwargs, backward=backward)

    def call(self, name: str, args: list, kwargs: dict, backward: bool = False) -> bytes:
        function = self.namespace.get(name)
        error = backward_error = value = None
        output = ""
        if not callable(function):
            error = missing_function(name)
        else:
            token = begin_call()
            try:
                value = function(*args, **kwargs)
            except BaseException as raised:  # noqa: BLE001
                error = describe_error(raised)
            if backward and error is None:
                backward_error = run_backward(value)
            output = end_call(token)
        message = {
            "op": "result",
            "error": error,
            "backward_error": backward_error,
            "value": value,
            "args": args,
            "kwargs": kwargs,
            "output": output,
            "refused": [],
        }
        try:
            return codec.encode(message, limit=codec.MAX_ANSWER)
        except BaseException as raised:  # noqa: BLE001 - an answer that cannot be described
            message.update(
                value=None,
                error={"type": "UndescribableResult", "message": describe_error(raised)["message"], "frames": []},
            )
            return codec.encode(message, limit=codec.MAX_ANSWER)
