"""How calls reach a student's program: the seam between the graders and where student code runs.

A transport opens one `Session` per submission. `InProcess` runs the program in this interpreter and
is for trusted code only (the kit's own tests of solutions, stubs and mutants); `sandbox.Sandbox`
runs it in an isolated child process. Both move the same frames, so graders cannot tell them apart.
"""

from __future__ import annotations

from typing import Protocol

from autograder.boundary import child


class TransportFailure(RuntimeError):
    """The student's program stopped answering: it crashed, hung, exited or sent garbage."""

    def __init__(self, kind: str, detail: str = "", forged: bool = False) -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind  # "timeout", "crash", "exit", "memory", "protocol"
        self.detail = detail
        self.forged = forged  # a frame on the channel that the kit's side of the child did not write


class Session(Protocol):
    # a frame may be a view of the bytes received (the sandbox's drops its tag without a copy)
    def ready(self) -> bytes | memoryview:
        """The frame the program sent once its cells ran (cell errors, printed output)."""

    def request(self, frame: bytes) -> bytes | memoryview:
        """Send one call frame and return the answer frame, or raise `TransportFailure`."""

    def close(self) -> None:
        """End the program and everything it started."""


class Transport(Protocol):
    name: str

    def prepare(self, warm_up: set[str]) -> None:
        """Pay ahead, once, the first-use costs the coming checks would make every program pay
        (`Exercise.warm_up`); a transport may ignore what it does not know."""

    def open(self, cells: list[dict]) -> Session:
        """Start the student's program from its code cells."""

    def layers(self) -> list[str]:
        """The isolation layers active for its programs, recorded beside every result."""


class InProcessSession:
    def __init__(self, cells: list[dict]) -> None:
        self.program: child.StudentProgram | None = child.StudentProgram(cells)

    def _open(self) -> child.StudentProgram:
        if self.program is None:
            raise TransportFailure("exit", "the session is closed")
        return self.program

    def ready(self) -> bytes:
        return self._open().ready()

    def request(self, frame: bytes) -> bytes:
        return self._open().handle(frame)

    def close(self) -> None:
        self.program = None


class InProcess:
    """Runs trusted code in this interpreter: same frames, no isolation."""

    name = "in-process"

    def prepare(self, warm_up: set[str]) -> None:
        pass  # one interpreter: a first use is paid once anyway

    def open(self, cells: list[dict]) -> InProcessSession:
        return InProcessSession(cells)

    def layers(self) -> list[str]:
        return []
