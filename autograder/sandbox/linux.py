"""The Linux calls the sandbox needs and Python's `os` lacks (unshare, setns, prctl, mount, capset, raw system
calls), made through ctypes on the C library, with the kernel's constants.

One place for the raw interface: the other sandbox modules read as policy, and an errno becomes an `OSError`
that names the call the same way everywhere.
"""

from __future__ import annotations

import ctypes
import os
import platform

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
libc.mount.argtypes = (ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p)

CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS = 0x00020000, 0x02000000, 0x04000000
CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x08000000, 0x10000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT = 1, 2, 4, 8, 32
MS_BIND, MS_REC, MS_PRIVATE = 4096, 16384, 1 << 18
MNT_DETACH = 2
PR_SET_PDEATHSIG, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT = 1, 24, 38, 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
LINUX_CAPABILITY_VERSION_3 = 0x20080522
SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}.get(platform.machine())


def check(result: int, what: str) -> int:
    if result < 0:
        code = ctypes.get_errno()
        raise OSError(code, f"{what}: {os.strerror(code)}")
    return result


def mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    def encode(s: str | None) -> bytes | None:
        return s.encode() if s is not None else None

    check(libc.mount(encode(source), encode(target), encode(fstype), flags, encode(data)), f"mount {target}")


def unshare(flags: int) -> None:
    check(libc.unshare(flags), "unshare")


def setns(fd: int, nstype: int) -> None:
    check(libc.setns(fd, nstype), "setns")


def prctl(option: int, value: int) -> None:
    check(libc.prctl(option, ctypes.c_ulong(value), 0, 0, 0), "prctl")


def batch_scheduling() -> bool:
    """Run this thread, and what it starts or forks from now on, as a batch job (SCHED_BATCH, same priority).

    Grading hands work back and forth: grader and child, then the child's two threads, several times a call.
    Under the default policy the woken side preempts the waker in the middle of its hand-over, and each wants
    the GIL or the core back at once: twice the context switches. A batch job's wake-up waits for the running
    one to block. Best effort: elsewhere only the speed differs."""
    try:
        os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))
    except (AttributeError, OSError):
        return False
    return True
