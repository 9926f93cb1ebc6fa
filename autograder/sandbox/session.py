"""Run each submission's code in a confined child process forked from a warm zygote (grader side).

`Sandbox` is the transport for untrusted code. It starts `autograder.sandbox.zygote` as a separate
`python -I` process before it is ever asked for anything, so no grader, expected value or verdict
is in the memory a child inherits. Each `open` forks a child that confines itself (namespaces,
private root, rlimits, another uid, Landlock, seccomp, cgroups: whatever the machine offers, see
`plan` and `confine`), then runs the cells the grader sends it directly. The grader enforces wall-clock
limits, drains the child's raw output, kills the child (and every process it started) with pidfds,
and turns every way a child can end into a `TransportFailure` whose kind says why.

    with Sandbox(Limits(call_seconds=5)) as transport:
        results = grade(submissions, transport=transport)
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import math
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import weakref
from collections import OrderedDict
from dataclasses import asdict, dataclass

from autograder import kit
from autograder.boundary import codec, seal
from autograder.boundary.transport import TransportFailure
from autograder.errors import SandboxError
from autograder.sandbox.plan import LAYERS, remove_leftovers
from autograder.sandbox.zygote import FRAME_HEADER, PACKET_BYTES, RECEIVE_BYTES

log = logging.getLogger(__name__)

KIT_DIR = str(kit.PACKAGE)
# Imports autograder.sandbox.zygote without running autograder/__init__.py (which would load the graders), and
# takes the kit's location from the first packet: a child's /proc/1/cmdline shows the zygote's argv.
BOOTSTRAP = (
    "import json, socket, sys, types; control = socket.socket(fileno=int(sys.argv[1])); "
    "config = json.loads(control.recv(1 << 16)); kit = types.ModuleType('autograder'); "
    "kit.__path__ = [config['kit_dir']]; sys.modules['autograder'] = kit; "
    "from autograder.sandbox.zygote import main; main(control, config)"
)
# No GPU is visible to the zygote: with one, torch's first backward() in the warm-up starts an autograd thread
# per GPU (and asks the CUDA driver), after which no forked child can run backward() or use CUDA at all.
# OMP_THREAD_LIMIT: a child may start no thread once its student's code can run (`seal`), and OpenMP exits the
# process when it cannot start one: with the limit, torch.set_num_threads(4) runs its work on one thread instead.
ZYGOTE_ENV = {
    "OMP_NUM_THREADS": "1",
    "OMP_THREAD_LIMIT": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "MALLOC_ARENA_MAX": "2",
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "CUDA_VISIBLE_DEVICES": "",
    "HIP_VISIBLE_DEVICES": "",
}
REPORT_GRACE_SECONDS = 2.0
SETUP_SECONDS = 20.0
KEPT_SUBMISSIONS = 256
MAX_RECEIVE_BYTES = 1 << 22  # the grader's most at once: a large frame comes in pieces, not one huge buffer


@dataclass(frozen=True)
class Limits:
    """What one submission's child may use; defaults suit a 2-core grading machine.

    Wall-clock limits are enforced by the grader; a child over one is killed with everything it
    started, and the call fails as a "timeout".

    - call_seconds = 10: one call of a student function, including describing its result.
    - cells_seconds = 30: running the notebook's code cells once (imports, top-level code).
    - submission_seconds = 120: everything one submission does, restarts after crashes included;
      once spent, its remaining calls fail at once.
    - cpu_seconds = 60: CPU time of the child process (RLIMIT_CPU: SIGXCPU, then SIGKILL 1 s later).
    - memory_bytes = 2 GiB: resident memory of the child and its processes (memory cgroup, no
      swap); the kernel kills the child beyond it, and the call fails as "memory".
    - address_space_bytes = 4 GiB: virtual memory per process (RLIMIT_AS) beyond what the child
      inherits from the zygote (torch's libraries: 0.6 GiB for the CPU build, over 3 GiB for a CUDA
      build), a backstop where no memory cgroup exists.
    - processes = 64: processes and threads of the child's uid (RLIMIT_NPROC; pids cgroup) while it sets
      up; once the student's code may run it starts none at all (`seal`).
    - file_bytes = 16 MiB: largest file the child may write (RLIMIT_FSIZE).
    - open_files = 256: open descriptors per process (RLIMIT_NOFILE).
    - scratch_bytes = 64 MiB: the private tmpfs that is the child's home and working directory.
    - output_bytes = 64 KiB: raw stdout/stderr kept per child (the rest is read and dropped).
    - cpus = 1.0: CPU share of one child (cpu cgroup quota).
    - uid_base = 61000, uid_slots = 256: the unprivileged uids children run as, one per live child.
    - start_seconds = 120: starting the zygote (it imports torch once).
    """

    call_seconds: float = 10.0
    cells_seconds: float = 30.0
    submission_seconds: float = 120.0
    cpu_seconds: int = 60
    memory_bytes: int = 2 << 30
    address_space_bytes: int = 4 << 30
    processes: int = 64
    file_bytes: int = 16 << 20
    open_files: int = 256
    scratch_bytes: int = 64 << 20
    output_bytes: int = 64 << 10
    cpus: float = 1.0
    uid_base: int = 61000
    uid_slots: int = 256
    start_seconds: float = 120.0


class Sandbox:
    """The transport that runs untrusted code; start it before loading graders, close it when done."""

    name = "sandbox"

    def __init__(self, limits: Limits | None = None, spares: int = 1, skip: tuple[str, ...] = ()) -> None:
        """`spares`: confined children kept waiting (one per session open at the same time is plenty);
        `skip`: layers not to use (from `plan.LAYERS`), for a machine where one misbehaves."""
        self.limits = limits or Limits()
        self.spares = spares
        self.skip = tuple(skip)
        if unknown := set(self.skip) - set(LAYERS):
            raise ValueError(f"unknown sandbox layers {sorted(unknown)}; known: {', '.join(LAYERS)}")
        self.machine: dict = {}  # what the zygote found the machine offers
        self.problems: dict[str, str] = {}  # layer -> why it is not active
        self._layers: list[str] | None = None
        self._lock = threading.Lock()
        self._budgets: OrderedDict[int, tuple[list, float]] = OrderedDict()
        self._warm_up: set[str] = set()  # what the graders asked the zygote to pay ahead (`prepare`)
        self._start()

    # -- the zygote -----------------------------------------------------------------------------

    # the zygote, its control socket and what stops it: set by `_start` (again by `_restart`)
    _process: subprocess.Popen
    _control: socket.socket
    _finalizer: weakref.finalize

    def _start(self) -> None:
        control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-I", "-c", BOOTSTRAP, str(theirs.fileno())],
                pass_fds=[theirs.fileno()],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                env=ZYGOTE_ENV,
                cwd="/",
                start_new_session=True,
            )
        finally:
            theirs.close()
        self._control = control
        self._hello: dict | None = None
        self._warmed: set[str] = set()  # asked of this zygote already
        self._leftovers: dict = {}  # filled from the zygote's hello: what to remove should it be killed
        self._finalizer = weakref.finalize(self, _stop_zygote, self._process, control, self._leftovers)
        control.send(
            json.dumps(
                {"limits": asdict(self.limits), "kit_dir": KIT_DIR, "spares": self.spares, "skip": self.skip}
            ).encode()
        )

    def _await_hello(self) -> None:
        if self._hello is not None:
            return
        ready, _, _ = select.select([self._control], [], [], self.limits.start_seconds)
        packet = self._control.recv(PACKET_BYTES) if ready else b""
        if not packet:
            raise SandboxError("the sandbox's zygote process did not start (see its traceback on stderr)")
        self._hello = json.loads(packet)
        self.machine = self._hello["machine"]
        self._leftovers.update(self.machine)

    def _restart(self) -> None:
        log.warning("sandbox: the zygote process died; starting a new one")
        self._finalizer()
        self._start()

    def _spawn(self) -> tuple[list[int], dict]:
        """A confined child's descriptors from the zygote, restarting the zygote once if it died."""
        with self._lock:
            for attempt in range(2):
                try:
                    return self._ask_zygote()
                except SandboxError as failure:
                    if self._process.poll() is None:
                        raise  # alive, and it said why it cannot
                    reason = str(failure)
                except (OSError, ValueError) as failure:
                    reason = str(failure)
                if attempt:
                    raise SandboxError(f"the sandbox cannot start a child: {reason}")
                self._restart()
        raise AssertionError("unreachable")

    def prepare(self, warm_up: set[str]) -> None:
        """Have the zygote pay first-use costs once, so that its children start with them paid."""
        with self._lock:
            self._warm_up |= set(warm_up)
            try:
                self._warm_zygote()
            except (OSError, ValueError) as failure:  # a dead zygote is restarted, and warmed, by the next spawn
                log.warning("sandbox: the zygote could not warm up: %s", failure)

    def _warm_zygote(self) -> None:
        """(Holding the lock.) A failed warm-up costs only speed; one that hangs costs the zygote."""
        wanted = sorted(self._warm_up - self._warmed)
        if not wanted:
            return
        self._await_hello()
        self._warmed.update(wanted)
        self._control.send(json.dumps({"op": "warm", "features": wanted}).encode())
        ready, _, _ = select.select([self._control], [], [], self.limits.start_seconds)
        if not ready:
            self._process.kill()  # its late answer would be taken for a child's: start afresh
            self._process.wait()
            raise OSError(f"no answer to a warm-up in {self.limits.start_seconds:g} s")
        reply = json.loads(self._control.recv(PACKET_BYTES) or b"{}")
        if not reply.get("ok"):
            log.warning("sandbox: the zygote could not warm up %s: %s", wanted, reply.get("error", "it has gone"))

    def _ask_zygote(self) -> tuple[list[int], dict]:
        self._await_hello()
        self._warm_zygote()  # a restarted zygote is warmed again
        self._control.send(b'{"op": "spawn"}')
        ready, _, _ = select.select([self._control], [], [], SETUP_SECONDS)
        if not ready:
            self._process.kill()
            self._process.wait()
            raise SandboxError("the sandbox's zygote did not answer")
        packet, fds, _, _ = socket.recv_fds(self._control, PACKET_BYTES, 4)
        if packet and len(fds) == 4:
            return fds, json.loads(packet)
        for fd in fds:
            os.close(fd)
        raise SandboxError(str(json.loads(packet).get("error")) if packet else "the sandbox's zygote has gone")

    # -- the transport ----------------------------------------------------------------------------

    def open(self, cells: list[dict]) -> SandboxSession:
        """Take a confined child and send it the cells; it runs them while `ready()` waits."""
        if time.monotonic() >= self._budget(cells):
            raise TransportFailure("timeout", f"({self.limits.submission_seconds:g} s per submission)")
        started = time.monotonic()
        session = self._session()
        session.deadline = self._budget(cells, time.monotonic() - started)  # the sandbox's own time is free
        try:
            session.start(cells)
        except TransportFailure:
            session.close()
            raise
        return session

    def _session(self) -> SandboxSession:
        for attempt in range(2):
            fds, reply = self._spawn()
            session = SandboxSession(self, fds, reply)
            try:
                self._record_layers(session.confine())
                return session
            except (TransportFailure, codec.BoundaryError, ValueError) as failure:
                session.close()  # a waiting child that died before it was used: take another
                session.drain.join(REPORT_GRACE_SECONDS)
                log.error("sandbox: a child failed to set itself up (%s): %s", failure, session.output[-3000:])
                if attempt:
                    raise SandboxError(
                        f"two children in a row failed to set themselves up ({failure}): {session.output[-1000:]}"
                    ) from failure
        raise AssertionError("unreachable")

    def layers(self) -> list[str]:
        """The isolation layers the children actually had (a probe child is started if none was)."""
        if self._layers is None:
            self._session().close()  # its confinement report sets them
        assert self._layers is not None
        return list(self._layers)

    def _record_layers(self, report: dict) -> None:
        layers = [str(x) for x in report.get("layers", [])]
        if self._layers == layers:
            return
        self._layers = layers
        self.problems = {
            layer: str(
                report.get("problems", {}).get(layer)
                or self.machine.get("unavailable", {}).get(layer)
                or "not attempted"
            )
            for layer in LAYERS
            if layer not in layers
        }
        for layer, reason in self.problems.items():
            log.warning("sandbox: isolation layer %s is not active: %s", layer, reason)

    def _budget(self, cells: list[dict], credit: float | None = None) -> float:
        """The deadline of a submission: one wall-clock budget shared by the restarts of its program.

        It starts when its first session is ready; `credit` (time spent waiting for the sandbox itself,
        such as a zygote restart) extends it; without `credit` it is only looked up."""
        with self._lock:
            entry = self._budgets.get(id(cells))
            if entry is not None and entry[0] is not cells:
                entry = None  # another submission's, whose list had the same id
            if credit is None:
                return entry[1] if entry is not None else float("inf")
            deadline = entry[1] + credit if entry is not None else time.monotonic() + self.limits.submission_seconds
            self._budgets[id(cells)] = (cells, deadline)
            self._budgets.move_to_end(id(cells))
            while len(self._budgets) > KEPT_SUBMISSIONS:
                self._budgets.popitem(last=False)
            return deadline

    def close(self) -> None:
        """Stop the zygote; it kills any child still running."""
        if self._finalizer is not None:
            self._finalizer()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _stop_zygote(process: subprocess.Popen, control: socket.socket, leftovers: dict) -> None:
    control.close()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    if process.returncode != 0 and leftovers:  # it could not clean up after itself
        remove_leftovers(leftovers)


class SandboxSession:
    """One submission's confined child: frames in and out under deadlines, then a certain death."""

    def __init__(self, sandbox: Sandbox, fds: list[int], reply: dict) -> None:
        chan, status, out, pidfd = fds
        self.pid = int(reply.get("pid", 0))  # the child's pid as the grader sees it
        self.limits = sandbox.limits
        self.deadline = float("inf")  # the submission's; set when the session is opened for one
        self.channel = socket.socket(fileno=chan)
        self.channel.setblocking(False)  # deadlines come from poll: no timeout syscalls per operation
        self.waiting = select.poll()
        self.pending = bytearray()  # bytes read past the end of the last frame
        self.status = socket.socket(fileno=status)  # the zygote reports here how the child ended
        self.pidfd: int | None = pidfd
        self.report: dict = {}
        self.key = os.urandom(32)  # authenticates the child's frames: only its sealed main thread holds it
        self.sequence = 0  # of the next frame the child sends after set-up
        self.closed = False
        self.drain = _Drain(out, self.limits.output_bytes)

    @property
    def output(self) -> str:
        """The first bytes the child's processes wrote straight to stdout/stderr (not via print)."""
        return self.drain.text()

    def confine(self) -> dict:
        """Wait for the child to confine itself; its first frame lists the layers it entered."""
        header, _ = codec.decode(self._receive(time.monotonic() + SETUP_SECONDS, "set-up"))
        self.report = header
        return header

    def start(self, cells: list[dict]) -> None:
        self._send(codec.encode({"op": "start", "cells": cells, "key": self.key.hex()}), self.deadline)

    def ready(self) -> memoryview:
        return self._verified(self._receive(self._deadline(self.limits.cells_seconds), "cells"))

    def request(self, frame: bytes) -> memoryview:
        deadline = self._deadline(self.limits.call_seconds)
        self._send(frame, deadline)
        return self._verified(self._receive(deadline, "call"))

    def _verified(self, frame: bytes) -> memoryview:
        """The frame without its tag, if the tag proves the child's sealed side wrote it, in this order."""
        data = memoryview(frame)
        payload, tag = data[: -seal.TAG_BYTES], data[-seal.TAG_BYTES :]
        expected = hashlib.blake2b(seal.FRAME_LENGTH.pack(self.sequence), key=self.key, digest_size=seal.TAG_BYTES)
        expected.update(payload)
        if len(data) < seal.TAG_BYTES or not hmac.compare_digest(expected.digest(), tag):
            self.kill()
            raise TransportFailure(
                "protocol",
                "(a frame on the call channel was not written by the kit: the student's code wrote to it)",
                forged=True,
            )
        self.sequence += 1
        return payload

    def _deadline(self, seconds: float) -> float:
        return min(time.monotonic() + seconds, self.deadline)

    def _timeout(self, what: str, deadline: float) -> TransportFailure:
        self.kill()
        if deadline >= self.deadline:
            return TransportFailure("timeout", f"({self.limits.submission_seconds:g} s per submission)")
        seconds = self.limits.cells_seconds if what == "cells" else self.limits.call_seconds
        return TransportFailure("timeout", f"({seconds:g} s per {'notebook run' if what == 'cells' else what})")

    def _send(self, frame: bytes, deadline: float) -> None:
        data = memoryview(FRAME_HEADER.pack(len(frame)) + frame)
        while data:
            try:
                data = data[self.channel.send(data) :]
            except BlockingIOError:
                if not self._wait(select.POLLOUT, deadline):
                    raise self._timeout("call", deadline) from None
            except OSError:
                raise self._ended() from None

    def _receive(self, deadline: float, what: str) -> bytes:
        header = self._receive_exact(FRAME_HEADER.size, deadline, what)
        (size,) = FRAME_HEADER.unpack(header)
        if size > codec.MAX_ANSWER + seal.TAG_BYTES:  # refused before a byte of it is read
            self.kill()
            raise TransportFailure("protocol", f"(a {size}-byte answer is over the {codec.MAX_ANSWER}-byte limit)")
        return self._receive_exact(size, deadline, what)

    def _receive_exact(self, size: int, deadline: float, what: str) -> bytes:
        """`size` bytes, reading as much as has arrived each time: a small frame takes one poll and one recv."""
        pending = self.pending
        while len(pending) < size:
            if not self._wait(select.POLLIN, deadline):
                raise self._timeout(what, deadline)
            try:
                chunk = self.channel.recv(min(max(size - len(pending), RECEIVE_BYTES), MAX_RECEIVE_BYTES))
            except BlockingIOError:
                continue
            except OSError:
                chunk = b""
            if not chunk:
                raise self._ended()
            pending += chunk
        if len(pending) == size:  # the usual case: the whole frame came in one read
            data = bytes(pending)
            pending.clear()
            return data
        data = bytes(pending[:size])
        del pending[:size]
        return data

    def _wait(self, event: int, deadline: float) -> bool:
        """Whether the channel became ready for `event` (or hung up) before the deadline."""
        self.waiting.register(self.channel, event)
        while (remaining := deadline - time.monotonic()) > 0:
            if self.waiting.poll(math.ceil(min(remaining, SETUP_SECONDS) * 1000)):  # bounded: no overflow
                return True
        return False

    def _ended(self) -> TransportFailure:
        """The child hung up: the zygote, its parent, reports how it ended."""
        report = None
        if _wait_readable(self.status, time.monotonic() + REPORT_GRACE_SECONDS):
            try:
                packet = self.status.recv(PACKET_BYTES)
                report = json.loads(packet) if packet else None
            except (OSError, ValueError):
                report = None
        self.kill()
        if not isinstance(report, dict) or not isinstance(report.get("status"), int):
            return TransportFailure("crash", "")
        status = report["status"]
        if report.get("out_of_memory"):
            return TransportFailure("memory", f"({self.limits.memory_bytes / (1 << 30):.1f} GiB)")
        if os.WIFSIGNALED(status):
            number = os.WTERMSIG(status)
            if number == signal.SIGXCPU or float(report.get("cpu_seconds", 0)) >= self.limits.cpu_seconds:
                return TransportFailure("timeout", f"({self.limits.cpu_seconds} s of CPU time)")
            try:
                name = signal.Signals(number).name
            except ValueError:
                name = f"signal {number}"
            return TransportFailure("crash", f"({name})")
        return TransportFailure("exit", f"(exit code {os.waitstatus_to_exitcode(status)})")

    def kill(self) -> None:
        """SIGKILL the child; as PID 1 of its namespace it takes every process it started with it."""
        if self.pidfd is not None:
            try:
                signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
            except OSError:
                pass  # gone already

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.kill()
        self.channel.close()
        self.status.close()
        if self.pidfd is not None:
            os.close(self.pidfd)
            self.pidfd = None


class _Drain(threading.Thread):
    """Reads a child's raw output as fast as it comes, keeping only the first bytes."""

    def __init__(self, fd: int, keep: int) -> None:
        super().__init__(name="sandbox-output", daemon=True)
        self.fd = fd
        self.keep = keep
        self.kept = bytearray()
        self.total = 0
        self.start()

    def run(self) -> None:
        try:
            while chunk := os.read(self.fd, 1 << 16):
                if len(self.kept) < self.keep:
                    self.kept += chunk[: self.keep - len(self.kept)]
                self.total += len(chunk)
        except OSError:
            pass
        finally:
            os.close(self.fd)

    def text(self) -> str:
        return self.kept.decode("utf-8", "replace") + ("\n..." if self.total > len(self.kept) else "")


def _wait_readable(sock: socket.socket, deadline: float) -> bool:
    remaining = max(deadline - time.monotonic(), 0)
    ready, _, _ = select.select([sock], [], [], remaining)
    return bool(ready)
