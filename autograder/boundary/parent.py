"""The one narrow call boundary between graders and a student's program (parent side).

Graders call `student(*args)` and get a `Call`: the rebuilt plain return value, the arguments as
they were after the call, the student's error if any, and the facts measured in the child
(storage sharing, identity, autograd state). Verdicts are decided by the grader from these alone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import torch

from autograder.boundary import codec, protocol, scan, seal
from autograder.boundary.transport import Session, Transport, TransportFailure
from autograder.messages import Msg

MAX_RESTARTS = 3  # per function: after more failures its calls fail at once, with the same reason
MAX_PROGRAM_RESTARTS = 30  # per submission, whatever failed
MAX_SUBMISSION_BYTES = 256 << 20  # answers read per submission, in all; each is at most codec.MAX_ANSWER
UNREADABLE = (codec.BoundaryError, ValueError, KeyError, TypeError)  # what decoding a hostile child's frame raises
# A value rebuilt from the student's process: whatever their function returned or was given, of any type; the
# grader checks its type at run time (expect_type, expect_tensor, ...).
Rebuilt = Any


@dataclass(frozen=True)
class StudentError:
    """An exception raised by the student's code, or the way their process failed."""

    type: str
    message: str = ""
    frames: tuple = ()  # ({"cell", "line", "text"}, ...) in the student's own cells

    @classmethod
    def from_child(cls, desc: dict) -> StudentError:
        return cls(
            str(desc.get("type", "Error"))[:100],
            str(desc.get("message", ""))[:1000],
            tuple(f for f in desc.get("frames", ()) if isinstance(f, dict)),
        )

    def explain(self) -> Msg:
        where = ""
        if self.frames:
            frame = self.frames[-1]
            where = f" [cell {frame.get('cell')}, line {frame.get('line')}: {str(frame.get('text', ''))[:120]}]"
        if self.type == "NotImplementedError":
            return Msg(
                ko="아직 구현하지 않았습니다 (NotImplementedError).",
                en="Not done yet: the function still raises NotImplementedError.",
            )
        if self.type == "MissingFunction":
            return Msg(
                ko=f"함수 `{self.message}` 를 찾을 수 없습니다. 셀을 지우거나 이름을 바꾸었거나, "
                "그 셀에 오류가 있습니다.",
                en=f"Function `{self.message}` was not found: its cell was deleted or renamed, or it failed to run.",
            )
        if self.type == "introspection":
            return Msg(
                ko="이 검사는 여러분의 프로세스에서 측정한 사실(메모리 공유, autograd 상태, "
                "호출 뒤의 인자)에 의존하는데, 코드가 채점하는 프로세스를 들여다보거나 바꾸므로 "
                f"인정하지 않습니다 ({self.message}). 조교가 확인합니다.",
                en="This check relies on facts measured in your process (memory sharing, autograd state, the "
                "arguments after the call), and your code inspects or alters the process that grades it, so "
                f"they are not credited ({self.message}). A TA will look at it.",
            )
        if self.type == "moved":
            return Msg(
                ko="함수가 입력이 쓰던 메모리를 바꾸었습니다 "
                "(set_, .data =, resize_, 리스트 안의 입력 교체). "
                "그래서 결과가 입력과 메모리를 공유하는지 판단할 수 없어 "
                "인정하지 않습니다. 입력은 그대로 두세요.",
                en="Your function changed the memory its input uses (set_, .data =, resize_, or an input "
                "swapped out of a list), so whether the result shares the input's memory cannot be told and "
                "is not credited. Leave the input as it is.",
            )
        if self.type in FAILURE_TEXT:
            ko, en = FAILURE_TEXT[self.type]
            return Msg(ko=f"{ko} {self.message}".strip(), en=f"{en} {self.message}".strip())
        text = f"{self.type}: {self.message}"[:400] + where
        return Msg(ko=f"함수가 오류를 냈습니다 — {text}", en=f"Your function raised {text}")


FAILURE_TEXT = {
    "timeout": ("시간 제한을 넘었습니다 (무한 루프?).", "Timed out (an endless loop?)."),
    "crash": ("코드가 프로세스를 중단시켰습니다.", "Your code crashed its process."),
    "exit": ("코드가 프로세스를 종료했습니다 (exit).", "Your code exited its process."),
    "memory": ("메모리 제한을 넘었습니다.", "Your code ran out of memory."),
    "protocol": ("결과를 읽을 수 없습니다.", "The result could not be read."),
    "UndescribableResult": ("반환값을 전달할 수 없습니다.", "The returned value cannot be graded:"),
}


class StudentRaised(Exception):
    """Raised into a check when it reads the value of a call that failed."""

    def __init__(self, error: StudentError) -> None:
        super().__init__(error.explain().en)
        self.error = error
        self.feedback = error.explain()


@dataclass
class Call:
    """What one call of a student function produced, rebuilt as plain objects."""

    error: StudentError | None
    _value: Rebuilt = None
    backward_error: StudentError | None = None
    output: str = ""
    decoded: codec.Decoded | None = None
    void: StudentError | None = None  # why the facts measured in the child are not credited, if they are not
    moved: bool = False  # the function changed the memory of an input: its memory sharing cannot be told

    @property
    def value(self) -> Rebuilt:
        """The return value; reading it after a failed call fails the check with the reason."""
        if self.error is not None:
            raise StudentRaised(self.error)
        return self._value

    @property
    def args(self) -> tuple:
        """The arguments as they were after the call (rebuilt when a check first reads them)."""
        return tuple(self._after_call("args") or ())

    @property
    def kwargs(self) -> dict:
        return self._after_call("kwargs") or {}

    def _after_call(self, key: str) -> Rebuilt:
        self._credited()
        if self.decoded is None:
            return None
        try:
            return self.decoded.get(key)
        except UNREADABLE as failure:
            raise StudentRaised(StudentError("protocol", f"({failure})"[:200])) from None

    @property
    def raised(self) -> bool:
        return self.error is not None

    def _credited(self) -> None:
        """Facts of a process whose code reaches into it are not credited (see `scan`)."""
        if self.void is not None:
            raise StudentRaised(self.void)

    def _measured(self) -> codec.Decoded:
        """What the child measured; a call that failed before answering measured nothing, and says why."""
        if self.decoded is None:
            raise StudentRaised(self.error or StudentError("protocol", "(no answer)"))
        return self.decoded

    def device(self, tensor: object) -> str:
        """The device type a tensor of this call was on: part of the value (the student can put any tensor on
        any device), so it is read even where the facts are not credited."""
        return self._measured().facts[id(tensor)].device

    def facts(self, tensor: object) -> codec.TensorFacts:
        """Autograd state, device, strides of a tensor found in this call's value or arguments."""
        self._credited()
        return self._measured().facts[id(tensor)]

    def shares_memory(self, a: object, b: object) -> bool:
        """Whether two tensors/arrays of this call used overlapping storage in the student's process.

        Only where every input still uses the memory it was given (the sandbox measures it before the call):
        a function that points its input at its result's memory, or away from it, would otherwise turn a
        copy into a view or a view into a copy."""
        self._credited()
        if self.moved:
            raise StudentRaised(StudentError("moved"))
        return self._measured().shares(a, b)

    def same_object(self, a: object, b: object) -> bool:
        """Whether two values of this call were one object in the student's process."""
        self._credited()
        ident = self._measured().identity
        return id(a) in ident and id(b) in ident and ident[id(a)] == ident[id(b)]


class Program:
    """A submission's running program; restarted after a crash so later exercises still get graded."""

    def __init__(self, transport: Transport, cells: list[dict]) -> None:
        self.transport = transport
        self.cells = cells
        self.session: Session | None = None
        self.failures = 0
        self.last_failure: dict[str, StudentError] = {}
        self.failures_of: Counter[str] = Counter()
        self.startup_failure: TransportFailure | None = None
        self.cell_errors: list[dict] = []
        self.output = ""
        self.devices: list[str] = ["cpu", "meta"]
        self.withheld: dict[str, str] = {}  # device type -> why the student's process does not offer it
        self.findings: list[scan.Finding] = scan.code(cells)  # what in the code reaches into its process
        self.received = 0  # bytes of answers read so far

    def _note(self, findings: Iterable[scan.Finding]) -> None:
        for finding in findings:
            if finding not in self.findings:
                self.findings.append(finding)

    def _note_refusals(self, header: dict) -> None:
        """Attempts the child's audit hook refused: [event, cell, line] each."""
        refused = header.get("refused") or []
        self._note(
            scan.Finding(
                cell,
                line,
                event,
                "results read while they ran" if event == seal.THREADS_LEFT else "what the audit hook guards",
                "runtime",
            )
            for event, cell, line in refused
        )

    def _failed(self, failure: BaseException) -> None:
        if getattr(failure, "forged", False):
            self._note([scan.Finding(-1, 0, "a frame written to the call channel", "the call channel", "channel")])

    def void(self) -> StudentError | None:
        """Why facts measured in this program's process are not credited, or None."""
        voiding = [f for f in self.findings if f.voids]
        if not voiding:
            return None
        shown = "; ".join((f"cell {f.cell}, " if f.cell >= 0 else "") + f.describe() for f in voiding[:3])
        return StudentError("introspection", shown[:400])

    def _session(self) -> Session:
        if self.startup_failure is not None:
            raise self.startup_failure
        if self.session is None:
            if self.failures > MAX_PROGRAM_RESTARTS:
                raise TransportFailure("crash", "too many crashes; stopped restarting")
            try:
                self.session = self.transport.open(self.cells)
                header = protocol.ready(codec.decode(self.session.ready())[0])
            except (TransportFailure, *UNREADABLE) as failure:
                self._failed(failure)
                self.startup_failure = (
                    failure
                    if isinstance(failure, TransportFailure)
                    else TransportFailure("protocol", f"({str(failure)[:200]})")
                )
                if self.session is not None:
                    self.session.close()
                    self.session = None
                raise self.startup_failure from None
            self._note_refusals(header)
            self.cell_errors = header["cell_errors"]
            self.output = header["output"]
            self.devices = header["devices"]
            self.withheld = header["withheld"]
        return self.session

    def call(self, name: str, args: tuple, kwargs: dict, backward: bool = False) -> Call:
        if self.failures_of[name] > MAX_RESTARTS:  # this function keeps killing its process: stop paying for it
            return Call(error=self.last_failure[name])
        if self.received > MAX_SUBMISSION_BYTES:
            return Call(
                error=StudentError(
                    "protocol", f"(the answers passed {MAX_SUBMISSION_BYTES >> 20} MiB in all; no more are read)"
                )
            )
        request = codec.encode(
            {"op": "call", "name": name, "args": list(args), "kwargs": kwargs, "backward": backward}, storages=True
        )
        try:
            answer = self._session().request(request)
            self.received += len(answer)
            header, decoded = codec.decode(answer, defer=("args", "kwargs"))
            protocol.result(header)
        except (TransportFailure, *UNREADABLE) as failure:
            self._drop()
            self._failed(failure)
            kind = failure.kind if isinstance(failure, TransportFailure) else "protocol"
            detail = failure.detail if isinstance(failure, TransportFailure) else f"({str(failure)[:200]})"
            self.failures_of[name] += 1
            self.last_failure[name] = StudentError(kind, detail)
            return Call(error=self.last_failure[name])
        error = header.get("error")
        backward_error = header.get("backward_error")
        self._note_refusals(header)
        return Call(
            void=self.void(),
            error=StudentError.from_child(error) if error else None,
            _value=decoded.value.get("value"),
            backward_error=StudentError.from_child(backward_error) if backward_error else None,
            output=str(header.get("output", ""))[:4000],
            decoded=decoded,
            moved=header.get("moved") is True or not _as_sent(args, header.get("args")),
        )

    def _drop(self) -> None:
        self.failures += 1
        if self.session is not None:
            self.session.close()
        self.session = None

    def close(self) -> None:
        if self.session is not None:
            self.session.close()
            self.session = None


def _as_sent(args: tuple, echoed: object) -> bool:
    """Whether each tensor argument the function got, directly or inside a list, tuple or dict argument, has a
    storage of the size it was sent with.

    Memory is shared storage by storage (`codec`), so an input decoded into a larger storage than the one
    sent (by a student who reached and changed the kit's decoding in their own process) would have room for
    a copy that seems to share it. The rebuilt argument's storage is measured by the sealed side."""
    if not isinstance(echoed, dict) or echoed.get("t") != "list":
        return True  # the call failed before its arguments were described
    return _arrived_as_sent(list(args), echoed)


def _arrived_as_sent(sent: object, desc: object) -> bool:
    """`sent` against the description of what the function was given; a container whose items do not line up
    (one the function changed, say) is not as sent."""
    if isinstance(sent, torch.Tensor):
        if sent.device.type != "cpu" or not sent.numel():
            return True
        return (
            isinstance(desc, dict)
            and desc.get("t") == "tensor"
            and ("nbytes" not in desc or desc["nbytes"] == sent.untyped_storage().nbytes())
        )
    if isinstance(sent, (list, tuple, dict)):
        if not isinstance(desc, dict) or desc.get("t") != type(sent).__name__:
            return False
        items = desc.get("items")
        if isinstance(sent, dict):
            return (
                isinstance(items, dict)
                and items.keys() == sent.keys()
                and all(_arrived_as_sent(sent[key], items[key]) for key in sent)
            )
        return (
            isinstance(items, list)
            and len(items) == len(sent)
            and all(_arrived_as_sent(one, its) for one, its in zip(sent, items, strict=True))
        )
    return True


class Student:
    """The grader's handle on one exercise's function in one submission."""

    def __init__(self, program: Program, function: str) -> None:
        self.program = program
        self.function = function

    @property
    def devices(self) -> list[str]:
        """Device types the student's process can use: cpu and meta always, cuda where it sees a GPU."""
        try:
            self.program._session()
        except TransportFailure:
            pass
        return self.program.devices

    def __call__(self, *args: object, backward: bool = False, **kwargs: object) -> Call:
        """Call the student's function; with backward=True also run `.backward()` on its result."""
        return self.program.call(self.function, args, kwargs, backward=backward)
