"""What runs beside the student's code: execute the notebook's cells, then answer calls.

This module is the only part of the kit that shares an interpreter with student code. It holds no
grader, no expected value and no verdict: it runs a function on the inputs it is sent and describes
what came back (see `codec`). Whatever a student does here can only change their own answers.
"""

from __future__ import annotations

import builtins
import contextlib
import io
import linecache
import random
import sys
import traceback
import warnings

import numpy as np
import torch

from autograder import codec

OUTPUT_LIMIT = 4_000
CELL_PREFIX = "<cell "

_set_default_dtype = torch.set_default_dtype
_set_grad_enabled = torch.set_grad_enabled
_manual_seed = torch.default_generator.manual_seed
_np_seed = np.random.seed
_py_random, _py_seed = random._inst, random.Random.__mro__[1].seed  # random.seed(0), less its Python wrapper
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

    def write(self, text) -> int:
        text = str(text)
        if self.size < OUTPUT_LIMIT:
            self.parts.append(text[: OUTPUT_LIMIT - self.size])
        self.size += len(text)
        return len(text)

    def text(self) -> str:
        return "".join(self.parts) + ("\n..." if self.size > OUTPUT_LIMIT else "")


def describe_error(error: BaseException) -> dict:
    """The student's exception, with only the frames of their own cells."""
    frames = [
        {"cell": int(f.filename[len(CELL_PREFIX):-1]), "line": f.lineno, "text": (f.line or "")[:200]}
        for f in traceback.extract_tb(error.__traceback__)
        if f.filename.startswith(CELL_PREFIX)
    ]
    if isinstance(error, SyntaxError) and (error.filename or "").startswith(CELL_PREFIX):
        frames.append({"cell": int(error.filename[len(CELL_PREFIX):-1]), "line": error.lineno or 0,
                       "text": (error.text or "").strip()[:200]})
    try:
        message = str(error)[:1000]
    except BaseException:  # noqa: BLE001 - a hostile __str__ must not stop the report
        message = ""
    return {"type": type(error).__name__, "message": message, "frames": frames[-5:]}


def reset_global_state() -> None:
    """Undo what a student may have changed so every call starts from the same defaults."""
    _set_default_dtype(_float32)
    _set_default_device(None)
    _set_grad_enabled(True)
    _manual_seed(0)
    _np_seed(0)
    _py_seed(_py_random, 0)
    _py_random.gauss_next = None
    sys.stdout, sys.stderr = _real_stdout, _real_stderr


@contextlib.contextmanager
def _student_warnings():
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
        return ["cpu", "meta"], {"cuda": "CUDA had started in the process this one was forked from, so it "
                                         "cannot start here; meta stands in"}
    return ["cpu", "meta", "cuda"], {}


class StudentProgram:
    """The student's notebook, executed cell by cell, each broken cell costing only itself."""

    def __init__(self, cells: list[dict], no_gpu: str | None = None) -> None:
        """`no_gpu`: why this process must not offer a GPU (it is never asked then, so CUDA stays unstarted)."""
        self.namespace: dict = {"__name__": "__student__", "__builtins__": builtins}
        self.cell_errors: list[dict] = []
        if no_gpu:
            self.devices, self.withheld = ["cpu", "meta"], {"cuda": no_gpu}
        else:
            self.devices, self.withheld = usable_devices()  # before student code
        output = _BoundedText()
        reset_global_state()  # and again after every cell
        for cell in cells:
            self._run_cell(cell["index"], cell["source"], output)
        self.output = output.text()

    def _run_cell(self, index: int, source: str, output: _BoundedText) -> None:
        sys.stdout = sys.stderr = output
        filename = f"{CELL_PREFIX}{index}>"
        linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
        try:
            with _student_warnings():
                exec(compile(source, filename, "exec"), self.namespace)
        except BaseException as error:  # noqa: BLE001 - SystemExit and friends are student errors too
            self.cell_errors.append({"cell": index, **describe_error(error)})
        finally:
            reset_global_state()

    def ready(self) -> bytes:
        return codec.encode({"op": "ready", "cell_errors": self.cell_errors, "output": self.output,
                             "devices": self.devices, "withheld": self.withheld})

    def handle(self, frame: bytes) -> bytes:
        header, decoded = codec.decode(frame, live=True)
        if header.get("op") != "call":
            return codec.encode({"op": "error", "error": {"type": "ProtocolError", "message": "unknown op"}})
        return self.call(str(header["name"]), decoded.value["args"], decoded.value["kwargs"],
                         backward=bool(header.get("backward")))

    def call(self, name: str, args: list, kwargs: dict, backward: bool = False) -> bytes:
        function = self.namespace.get(name)
        if not callable(function):
            missing = {"type": "MissingFunction", "message": name, "frames": []}
            return codec.encode({"op": "result", "error": missing, "value": None, "args": args,
                                 "kwargs": kwargs, "output": ""})
        output = _BoundedText()
        sys.stdout = sys.stderr = output  # global state was reset after the cells and after every call
        error = backward_error = value = None
        with _student_warnings():
            try:
                value = function(*args, **kwargs)
            except BaseException as raised:  # noqa: BLE001
                error = describe_error(raised)
            if backward and error is None:
                try:
                    if not isinstance(value, _TensorBase):
                        raise TypeError("the result is not a tensor, so backward() cannot run")
                    _backward(value)
                except BaseException as raised:  # noqa: BLE001
                    backward_error = describe_error(raised)
        reset_global_state()
        message = {"op": "result", "error": error, "backward_error": backward_error,
                   "value": value, "args": args, "kwargs": kwargs, "output": output.text()}
        try:
            return codec.encode(message)
        except BaseException as raised:  # noqa: BLE001 - an answer that cannot be described
            message.update(value=None, error={"type": "UndescribableResult",
                                              "message": describe_error(raised)["message"], "frames": []})
            return codec.encode(message)
