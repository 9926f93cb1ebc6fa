"""seccomp: the system calls a student's code never needs, refused by a kernel filter every child loads.

The zygote compiles the filter once with libseccomp (`program`); each child only installs the compiled bytes
(`load`) instead of compiling it again.
"""

from __future__ import annotations

import ctypes
import errno
import socket
import tempfile

from autograder.sandbox.linux import (
    CLONE_NEWCGROUP,
    CLONE_NEWIPC,
    CLONE_NEWNET,
    CLONE_NEWNS,
    CLONE_NEWPID,
    CLONE_NEWUSER,
    CLONE_NEWUTS,
    check,
    libc,
)

PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 22, 2
BPF_INSTRUCTION_BYTES = 8  # struct sock_filter

# System calls a student's code never needs; each fails with EPERM. Sockets of these families fail
# with EACCES (the netns already has no route); AF_UNIX stays open for multiprocessing and asyncio.
DENIED_SYSCALLS = (
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "mount",
    "umount2",
    "pivot_root",
    "unshare",
    "setns",
    "bpf",
    "perf_event_open",
    "keyctl",
    "add_key",
    "request_key",
    "userfaultfd",
    "kexec_load",
    "kexec_file_load",
    "init_module",
    "finit_module",
    "delete_module",
    "io_uring_setup",
    "open_by_handle_at",
    "name_to_handle_at",
    "chroot",
    "swapon",
    "swapoff",
    "reboot",
    "inotify_add_watch",
    "fanotify_init",
    "fsopen",
    "fsmount",
    "move_mount",
    "open_tree",
    "acct",
    "settimeofday",
    "clock_settime",
    "sethostname",
)
DENIED_SOCKETS = (socket.AF_INET, socket.AF_INET6, socket.AF_PACKET, socket.AF_NETLINK)
NAMESPACE_FLAGS = (CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET)


def program() -> bytes:
    """The system-call filter, compiled once by the zygote: libseccomp would compile it in every child."""
    import pyseccomp as seccomp

    rules = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
    for name in DENIED_SYSCALLS:
        try:
            rules.add_rule(seccomp.ERRNO(errno.EPERM), name)
        except (OSError, ValueError):
            continue  # not a system call on this architecture
    for family in DENIED_SOCKETS:
        rules.add_rule(seccomp.ERRNO(errno.EACCES), "socket", seccomp.Arg(0, seccomp.EQ, family))
    for flag in NAMESPACE_FLAGS:
        rules.add_rule(seccomp.ERRNO(errno.EPERM), "clone", seccomp.Arg(0, seccomp.MASKED_EQ, flag, flag))
    try:  # clone3 passes its flags in memory a filter cannot read: glibc falls back to clone on ENOSYS
        rules.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
    except (OSError, ValueError):
        pass
    with tempfile.TemporaryFile() as compiled:
        rules.export_bpf(compiled)
        compiled.seek(0)
        filter_bytes = compiled.read()
    if not filter_bytes or len(filter_bytes) % BPF_INSTRUCTION_BYTES:
        raise RuntimeError("libseccomp exported no filter")
    return filter_bytes


class _SockFprog(ctypes.Structure):
    _fields_ = (("len", ctypes.c_ushort), ("filter", ctypes.c_void_p))


def load(compiled: bytes) -> None:
    """Install the compiled filter (no-new-privs is set already, as the kernel requires)."""
    instructions = ctypes.create_string_buffer(compiled, len(compiled))
    fprog = _SockFprog(len(compiled) // BPF_INSTRUCTION_BYTES, ctypes.addressof(instructions))
    check(libc.prctl(PR_SET_SECCOMP, ctypes.c_ulong(SECCOMP_MODE_FILTER), ctypes.byref(fprog), 0, 0), "seccomp filter")
