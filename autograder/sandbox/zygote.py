"""The warm process that forks one sandboxed child per session (started by `sandbox.Sandbox` as `python -I`).

It imports torch, numpy and pandas once, single-threaded (a fork after a parallel op hangs), so each
child starts with copy-on-write memory instead of a two-second import; other first uses (the meta
device) it pays once when the grader asks ("warm"), for the graders that need them. It never imports a grader
and never sees a student's cells (they go from the grader straight to the child), so a child finds
nothing in the memory it inherits. Each child is forked as PID 1 of a fresh PID namespace, confines
itself (`confine`), reports its layers, runs the cells it is sent and answers calls. The zygote
keeps a confined child or two waiting, reaps them, and reports to the grader how each one ended.

Messages with the grader are JSON packets on a SOCK_SEQPACKET socket; a session's descriptors
(call channel, status socket, raw output pipe, pidfd of the child) travel with SCM_RIGHTS.
"""

from __future__ import annotations

import fcntl
import gc
import itertools
import json
import os
import select
import shutil
import signal
import socket
import struct
import sys
import tempfile
import traceback
import types
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO, cast

from autograder.sandbox import confine
from autograder.sandbox.cgroups import Cgroups
from autograder.sandbox.linux import CLONE_NEWPID, PR_SET_PDEATHSIG, batch_scheduling, prctl, setns, unshare
from autograder.sandbox.plan import Plan, probe

FRAME_HEADER = struct.Struct("<Q")  # a frame on the call channel: its length, then its bytes
PACKET_BYTES = 1 << 16
RECEIVE_BYTES = 1 << 16  # either end reads up to this much at once: a small frame, header and all, in one recv
KIT_PACKAGE = "autograder"
# Neither the zygote nor its children ever ask CUDA anything: a fork after CUDA started cannot use it, and a
# child's private root has no GPU device files. Graders test the "cuda" device only where it is offered.
NO_GPU = "the sandbox gives student code no GPU; the meta device stands in for one"


# ---------------------------------------------------------------------------------------------
# frames on the call channel (child side: blocking; the grader reads with deadlines)


def send_frame(channel: socket.socket, frame: bytes) -> None:
    channel.sendall(FRAME_HEADER.pack(len(frame)) + frame)


def recv_frame(reader: BinaryIO) -> bytes | None:
    """The next frame from a buffered reader of the channel (`channel.makefile("rb")`): a small frame
    arrives with one recv instead of one for its header and one for its bytes."""
    header = reader.read(FRAME_HEADER.size)
    if len(header) < FRAME_HEADER.size:
        return None
    (size,) = FRAME_HEADER.unpack(header)
    frame = reader.read(size)
    return frame if len(frame) == size else None


# ---------------------------------------------------------------------------------------------
# the zygote


def preload() -> None:
    """Import what every child needs, without starting a thread pool (fork-safety)."""
    os.environ.update(OMP_NUM_THREADS="1", OMP_THREAD_LIMIT="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    import numpy  # noqa: F401
    import pandas  # noqa: F401
    import torch

    torch.set_num_threads(1)
    from autograder.boundary import child, codec, seal  # noqa: F401 - the child's side of the boundary

    with warnings.catch_warnings():  # the child resets warning filters; keep the zygote's own
        warm_up(child, codec)


def settle_memory() -> None:
    """After a warm-up, before children inherit the memory: the collector then leaves inherited objects
    alone (fewer copy-on-write faults), and the heap is in huge pages (cheaper forks and exits)."""
    gc.freeze()
    use_huge_pages()


MADV_COLLAPSE = 25  # Linux 6.1
HUGE_PAGE = 2 << 20


def use_huge_pages() -> None:
    """Back the zygote's private memory (the imported libraries' heap) with 2 MiB pages, where the kernel can.

    A fork copies, and a child's exit tears down, one page-table entry per 4 KiB page the zygote has:
    with 2 MiB pages, 512 times fewer, and forking plus exiting a child costs half as much CPU. A child
    still copies only the 4 KiB it writes (the kernel splits a shared huge page on the first write).
    Best effort: an older kernel or another layout changes only the speed."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.madvise.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)
    try:
        with open("/proc/self/maps") as maps:
            regions = [line.split() for line in maps]
    except OSError:
        return
    for fields in regions:
        perms, path = fields[1], fields[5] if len(fields) > 5 else ""
        if not perms.startswith("rw") or perms[3] != "p" or path not in ("", "[heap]"):
            continue
        start, end = (int(x, 16) for x in fields[0].split("-"))
        start = -(-start // HUGE_PAGE) * HUGE_PAGE
        end = end // HUGE_PAGE * HUGE_PAGE
        if end > start:
            libc.madvise(start, end - start, MADV_COLLAPSE)


WARM_UP = """
import numpy as np, pandas as pd, torch
def work(t, backward):
    frame = pd.DataFrame(t.numpy(), columns=["a", "b", "c"])
    x = t.clone().requires_grad_()
    if backward:
        (x * x).sum().backward()
    return (t.view(-1), t.t().reshape(-1), frame, frame["a"], t.numpy(), x.grad, t.tolist(), t.max(dim=0))
"""
# Done only when the grader asks (`Exercise.warm_up`): what they load makes every child's fork and exit dearer.
WARM_UPS = {
    "meta": """
import torch
def work(t, backward):  # the meta device's first use imports some 800 modules (sympy...)
    return t.to("meta") + t.long().to(device=torch.device("meta"))
""",
}


def warm_up(child: types.ModuleType, codec: types.ModuleType, source: str = WARM_UP) -> None:
    """Run the boundary once on typical values: lazy imports and first-use set-up happen here, once."""
    program = child.StudentProgram([{"index": 0, "source": source}], no_gpu=NO_GPU)
    import torch

    # With torch's CUDA build, the first backward() asks the CUDA driver how many GPUs there are, and the
    # driver's threads then make every fork hang or fail: there, each child runs its first backward() itself.
    backward = not torch.backends.cuda.is_built()
    frame = codec.encode(
        {
            "op": "call",
            "name": "work",
            "args": [torch.arange(6.0).reshape(2, 3), backward],
            "kwargs": {},
            "backward": False,
        }
    )
    codec.decode(program.handle(frame))


def warm_values() -> tuple:
    """Answers of the kinds the graders' calls return, for the sealed server's warm-up."""
    import numpy as np
    import pandas as pd
    import torch

    t = torch.arange(6.0).reshape(2, 3)
    frame = pd.DataFrame(t.numpy(), columns=["a", "b", "c"])
    x = t.clone().requires_grad_()
    return (t, t.view(-1), t.t(), t.long(), frame, frame["a"], np.arange(3), x, x * 2, [1.5, 2], (True, None), "s")


@dataclass
class Child:
    """A forked child as the zygote tracks it: the grader's ends of its descriptors until handed off."""

    pid: int
    session: str
    uid_lock: int
    status: socket.socket  # the zygote's end: how the child ended is reported here
    handed: list[int]  # call channel, status socket, output pipe, pidfd (the grader's ends)
    group: str  # its control groups (those of its uid slot)
    oom_kills: int  # the OOM kills its memory group had seen before it started


class Zygote:
    def __init__(self, control: socket.socket, config: dict) -> None:
        self.control = control
        self.workdir = tempfile.mkdtemp(prefix="autograder-zygote-")
        os.chmod(self.workdir, 0o711)
        os.mkdir(os.path.join(self.workdir, "root"), 0o755)
        lock_dir = config.get("lock_dir") or "/run/lock"
        if not os.access(lock_dir, os.W_OK):
            lock_dir = tempfile.gettempdir()
        python_paths = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, *sys.path]
        self.plan = probe(
            config["limits"], config["kit_dir"], self.workdir, lock_dir, python_paths, tuple(config.get("skip", ()))
        )
        self.spare_count = int(config.get("spares", 1))
        self.children: dict[int, Child] = {}
        self.spares: list[Child] = []
        self.names = (f"s{os.getpid()}-{n}" for n in itertools.count())
        self.own_pid_namespace = os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC)
        self.student_view = student_view(self.plan.kit_dir)
        # The sealed server every child runs, loaded once here before any student code. Only this object
        # refers to it (not the module: a student's code can reach module globals, not this instance).
        from autograder.boundary import seal

        self.sealed = seal.sealed_server(*warm_values())
        self.warmed: set[str] = set()
        self.wakeup_read, wakeup_write = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        signal.set_wakeup_fd(wakeup_write)
        signal.signal(signal.SIGCHLD, lambda *_: None)

    def serve(self) -> None:
        self.control.send(json.dumps({"op": "hello", "pid": os.getpid(), "machine": self.plan.report()}).encode())
        while True:
            try:
                self.refill()
            except (OSError, RuntimeError):
                traceback.print_exc()  # no spare now; a request forks one, or reports why it cannot
            try:
                waiting: list[socket.socket | int] = [self.control, self.wakeup_read]
                ready, _, _ = select.select(waiting, [], [])
            except InterruptedError:
                ready = []
            if self.wakeup_read in ready:
                while _drain_nonblocking(self.wakeup_read):
                    pass
            self.reap()
            if self.control not in ready:
                continue
            try:
                packet = self.control.recv(PACKET_BYTES)
            except ConnectionError:
                packet = b""
            if not packet:
                return
            message = json.loads(packet)
            if message.get("op") == "spawn":
                try:
                    child = self.spares.pop(0) if self.spares else self.fork_child()
                except (OSError, RuntimeError) as error:
                    self.control.send(json.dumps({"ok": False, "error": str(error)}).encode())
                    continue
                self.hand_off(child)
            elif message.get("op") == "warm":
                self.control.send(json.dumps(self.warm(message.get("features", []))).encode())

    def warm(self, features: list) -> dict:
        """Pay first-use costs once, here, for every later child; the waiting spares lack them, so they go."""
        from autograder.boundary import child, codec

        new = [f for f in features if f in WARM_UPS and f not in self.warmed]
        try:
            for feature in new:
                with warnings.catch_warnings():
                    warm_up(child, codec, WARM_UPS[feature])
                self.warmed.add(feature)
        except Exception as error:  # noqa: BLE001 - a warm-up that fails only costs the children time
            return {"ok": False, "error": f"{type(error).__name__}: {error}"}
        if new:
            settle_memory()
            for spare in self.spares:
                os.kill(spare.pid, signal.SIGKILL)  # reaped and forgotten like any child
            self.spares.clear()
        return {"ok": True, "warmed": sorted(self.warmed)}

    def refill(self) -> None:
        """Keep confined children waiting, so a session starts without waiting for a fork."""
        while len(self.spares) < self.spare_count:
            self.spares.append(self.fork_child())

    def fork_child(self) -> Child:
        session = next(self.names)
        uid, lock = claim_uid(self.plan)
        group = Cgroups.slot_group(uid)
        oom_kills = self.plan.cgroups.oom_kills(group) if self.plan.cgroups is not None else 0
        chan_grader, chan_child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        status_grader, status_zygote = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        out_read, out_write = os.pipe()
        pid_namespace = self.plan.allows("pid-namespace") and _try(unshare, CLONE_NEWPID)
        zygote = os.getpid()
        try:
            pid = os.fork()
        except OSError:
            for fd in (lock, out_read, out_write):
                os.close(fd)
            for end in (chan_grader, chan_child, status_grader, status_zygote):
                end.close()
            raise
        finally:
            if pid_namespace and os.getpid() == zygote:
                setns(self.own_pid_namespace, CLONE_NEWPID)  # the next fork is not in it
        if pid == 0:
            code = 70
            try:
                for fd in (lock, out_read, chan_grader.fileno(), status_grader.fileno(), status_zygote.fileno()):
                    os.close(fd)
                code = run_child(
                    self.plan,
                    zygote,
                    uid,
                    session,
                    group,
                    pid_namespace,
                    chan_child,
                    out_write,
                    *self.student_view,
                    self.sealed,
                )
            except BaseException:  # noqa: BLE001 - report and leave; never return into the zygote's loop
                traceback.print_exc()
            finally:
                os._exit(code)
        chan_child.close()
        os.close(out_write)
        child = Child(
            pid,
            session,
            lock,
            status_zygote,
            [chan_grader.detach(), status_grader.detach(), out_read, os.pidfd_open(pid)],
            group,
            oom_kills,
        )
        self.children[pid] = child
        return child

    def hand_off(self, child: Child) -> None:
        try:
            socket.send_fds(self.control, [json.dumps({"ok": True, "pid": child.pid}).encode()], child.handed)
        finally:
            self._close_handed(child)

    def reap(self) -> None:
        while self.children:
            try:
                pid, status, usage = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            child = self.children.pop(pid, None)
            if child is None:
                continue
            cgroups = self.plan.cgroups
            report = {
                "status": status,
                "cpu_seconds": usage.ru_utime + usage.ru_stime,
                "out_of_memory": bool(cgroups and cgroups.oom_kills(child.group) > child.oom_kills),
            }
            try:
                child.status.send(json.dumps(report).encode())
            except OSError:
                pass  # the grader has hung up already
            self.forget(child)

    def forget(self, child: Child) -> None:
        """After the child (PID 1 of its namespace, so every process it started) is gone."""
        if child in self.spares:
            self.spares.remove(child)
        self._close_handed(child)
        child.status.close()
        if self.plan.cgroups is not None:
            self.plan.cgroups.empty(child.group)
        shutil.rmtree(confine.host_scratch(self.plan, child.session), ignore_errors=True)
        os.close(child.uid_lock)  # only now may another child run as this uid

    @staticmethod
    def _close_handed(child: Child) -> None:
        for fd in child.handed:
            os.close(fd)
        child.handed = []

    def close(self) -> None:
        for pid in self.children:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for pid, child in list(self.children.items()):
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
            self.forget(child)
        self.children.clear()
        if self.plan.cgroups is not None:
            self.plan.cgroups.close()
        shutil.rmtree(self.workdir, ignore_errors=True)


def _try(action: Callable[..., object], *args: object) -> bool:
    try:
        action(*args)
    except OSError:
        return False
    return True


def _drain_nonblocking(fd: int) -> bool:
    try:
        return bool(os.read(fd, 512))
    except BlockingIOError:
        return False


def claim_uid(plan: Plan) -> tuple[int, int]:
    """A uid no other live child on this machine uses, held (flock) until the child is reaped."""
    base, slots = int(plan.limits["uid_base"]), int(plan.limits["uid_slots"])
    for uid in range(base, base + slots):
        fd = os.open(
            os.path.join(plan.lock_dir, f"autograder-uid-{uid}.lock"), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600
        )
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return uid, fd
        except BlockingIOError:
            os.close(fd)
    raise RuntimeError(f"all {slots} sandbox uids from {base} are in use")


def main(control: socket.socket, config: dict) -> None:
    """Entry point, called by the grader's bootstrap (`sandbox.BOOTSTRAP`) with the control socket."""
    os.chdir("/")
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the grader decides when this process ends
    batch_scheduling()  # inherited by every child and its threads
    preload()
    zygote = Zygote(control, config)
    settle_memory()  # after the zygote's own set-up (the sealed server, the plan): children inherit it all
    try:
        zygote.serve()
    except (BrokenPipeError, ConnectionResetError):
        pass  # the grader hung up (a sandbox closed before its zygote was up): nobody is left to answer
    finally:
        zygote.close()
        control.close()


# ---------------------------------------------------------------------------------------------
# the child: confine, report, run the cells, answer calls until the grader hangs up


def student_view(kit_dir: str) -> tuple[list[str], list[str]]:
    """The import path without the kit's folder, and the kit's modules to forget: the same for every
    child, so the zygote works them out once. (A child that walked sys.modules itself would write to
    the reference count of every module name and copy hundreds of shared pages: milliseconds.)"""
    kit_root = os.path.dirname(kit_dir)
    path = [p for p in sys.path if os.path.realpath(p or ".") != kit_root]
    return path, sorted(m for m in sys.modules if m == KIT_PACKAGE or m.startswith(KIT_PACKAGE + "."))


def run_child(
    plan: Plan,
    zygote: int,
    uid: int,
    session: str,
    group: str,
    pid_namespace: bool,
    chan: socket.socket,
    out_write: int,
    student_path: list[str],
    kit_modules: list[str],
    serve: Callable[..., None],
) -> int:

    from autograder.boundary import child, codec

    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the grader decides when this process ends
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() not in (zygote, 0):
        return 1  # the zygote died before PDEATHSIG was armed
    done = confine.Confinement()
    if pid_namespace:
        done.layers.append("pid-namespace")
    if plan.cgroups is not None:
        done.layers += plan.cgroups.enter(group, plan.limits)
    confined = confine.confine(plan, uid, session, [chan.fileno()], out_write, done)
    os.chdir(confined.scratch)
    os.environ.clear()
    os.environ.update(
        HOME=confined.scratch,
        TMPDIR=confined.scratch,
        PATH="/usr/local/bin:/usr/bin:/bin",
        LANG="C.UTF-8",
        OMP_NUM_THREADS="1",
        USER="student",
        LOGNAME="student",
        MPLBACKEND="Agg",
        CUDA_VISIBLE_DEVICES="",
        HIP_VISIBLE_DEVICES="",
    )
    sys.dont_write_bytecode = True
    sys.path[:] = student_path
    for name in kit_modules:
        sys.modules.pop(name, None)  # `import autograder...` in a cell finds nothing to patch
    bootstrap = vars(sys.modules["__main__"])
    for name in ("kit", "main", "control", "config"):
        bootstrap.pop(name, None)  # the bootstrap's names (sandbox.BOOTSTRAP) lead to the zygote's module
    send_frame(
        chan,
        codec.encode(
            {
                "op": "confined",
                "layers": confined.layers,
                "problems": confined.problems,
                "uid": os.getuid(),
                "scratch": confined.scratch,
                "kit_modules": kit_modules,
            }
        ),
    )
    # a BufferedReader: the stubs lose that when `buffering` is given
    reader = cast(BinaryIO, chan.makefile("rb", buffering=RECEIVE_BYTES))
    start = recv_frame(reader)
    if start is None:
        return 0
    header, _ = codec.decode(start)
    key, cells = bytes.fromhex(str(header.pop("key"))), header.pop("cells")
    tools = child.park_tools()
    ready = {"devices": ["cpu", "meta"], "withheld": {"cuda": NO_GPU}}
    namespace = child.student_namespace()
    del header, start, reader
    serve(chan.fileno(), key, cells, ready, namespace, tools)  # never returns
    return 0
