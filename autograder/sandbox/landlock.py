"""Landlock: the kernel's file-system, TCP and scope rules that an unprivileged process puts on itself.

It needs no privilege, so it confines a child's files and TCP even where the grader is not root (no namespaces,
no private root, no uid drop). Which rights exist depends on the kernel's ABI version, asked once by the zygote
(`abi`); each child restricts itself to the paths its confinement names (`restrict`).
"""

from __future__ import annotations

import ctypes
import os
import stat
import struct

from autograder.sandbox.linux import PR_SET_NO_NEW_PRIVS, check, libc

SYS_LANDLOCK_CREATE_RULESET, SYS_LANDLOCK_ADD_RULE, SYS_LANDLOCK_RESTRICT_SELF = 444, 445, 446

# Landlock access rights (linux/landlock.h); later ABIs add rights, never change old ones.
LL_EXECUTE, LL_WRITE_FILE, LL_READ_FILE, LL_READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
LL_TRUNCATE, LL_IOCTL_DEV = 1 << 14, 1 << 15
LL_FS_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 4: (1 << 15) - 1, 5: (1 << 16) - 1}
LL_FS_ALL = LL_FS_BY_ABI[5]  # in a rule: every file-system right the kernel handles
LL_FILE_ONLY = LL_EXECUTE | LL_WRITE_FILE | LL_READ_FILE | LL_TRUNCATE | LL_IOCTL_DEV
LL_READ = LL_EXECUTE | LL_READ_FILE | LL_READ_DIR
LL_DEVICES = LL_READ_FILE | LL_WRITE_FILE | LL_READ_DIR | LL_IOCTL_DEV | LL_TRUNCATE
LL_NET_TCP = (1 << 0) | (1 << 1)  # BIND_TCP | CONNECT_TCP, ABI >= 4
LL_SCOPE = (1 << 0) | (1 << 1)  # ABSTRACT_UNIX_SOCKET | SIGNAL, ABI >= 6


def abi() -> int:
    """The Landlock ABI version the kernel offers, 0 when it has none (or it is not an active LSM)."""
    version = libc.syscall(SYS_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    return max(int(version), 0)


def restrict(version: int, rules: list[tuple[str, int]], network: bool, scope: bool, problems: dict) -> list[str]:
    """Under ABI `version`, allow the file-system rights of `rules` (path, rights) and no others; with `network`
    (ABI >= 4) no TCP; with `scope` (ABI >= 6) no signals or abstract UNIX sockets outward. The layers entered,
    or none (with the reason in `problems`)."""
    handled_fs = LL_FS_BY_ABI[min(version, 5)]
    handled_net = LL_NET_TCP if version >= 4 and network else 0
    scoped = LL_SCOPE if version >= 6 and scope else 0
    attr = struct.pack("=QQQ", handled_fs, handled_net, scoped)[: 8 if version < 4 else 16 if version < 6 else 24]
    buffer = ctypes.create_string_buffer(attr, len(attr))
    try:
        ruleset = check(
            libc.syscall(SYS_LANDLOCK_CREATE_RULESET, buffer, ctypes.c_size_t(len(attr)), ctypes.c_uint32(0)),
            "landlock_create_ruleset",
        )
    except OSError as error:
        for layer in ("landlock-fs", "landlock-net", "landlock-scope"):
            problems[layer] = str(error)
        return []
    try:
        for path, access in rules:
            _add_rule(ruleset, path, access & handled_fs)
        check(libc.prctl(PR_SET_NO_NEW_PRIVS, ctypes.c_ulong(1), 0, 0, 0), "no_new_privs")
        check(
            libc.syscall(SYS_LANDLOCK_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0)),
            "landlock_restrict_self",
        )
    except OSError as error:
        for layer in ("landlock-fs", "landlock-net", "landlock-scope"):
            problems[layer] = str(error)
        return []
    finally:
        os.close(ruleset)
    return ["landlock-fs"] + (["landlock-net"] if handled_net else []) + (["landlock-scope"] if scoped else [])


def _add_rule(ruleset: int, path: str, access: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except FileNotFoundError:
        return
    try:
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            access &= LL_FILE_ONLY
        rule = ctypes.create_string_buffer(struct.pack("=Qi", access, fd), 12)
        check(
            libc.syscall(SYS_LANDLOCK_ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(1), rule, ctypes.c_uint32(0)),
            f"landlock rule for {path}",
        )
    finally:
        os.close(fd)
