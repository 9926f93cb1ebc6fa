"""The child's confinement: confine the calling (just forked, still root) process, one layer at a time.

Namespaces, a private root, limits, another uid, no capabilities, Landlock and seccomp, in the order the kernel
allows them, each tried on its own and reported by name, or skipped with the reason. The zygote's plan (`plan`)
says which layers the machine offers; `linux`, `landlock` and `seccomp` make the calls. The reasons behind each
choice, measured on the kit's machines, are in the comments beside it.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import resource
import signal
import socket
import stat
from collections.abc import Callable
from dataclasses import dataclass, field

from autograder.sandbox import landlock, seccomp
from autograder.sandbox.linux import (
    CLONE_NEWIPC,
    CLONE_NEWNET,
    CLONE_NEWNS,
    CLONE_NEWUTS,
    LINUX_CAPABILITY_VERSION_3,
    MNT_DETACH,
    MS_BIND,
    MS_NODEV,
    MS_NOEXEC,
    MS_NOSUID,
    MS_PRIVATE,
    MS_RDONLY,
    MS_REC,
    MS_REMOUNT,
    PR_CAP_AMBIENT,
    PR_CAP_AMBIENT_CLEAR_ALL,
    PR_CAPBSET_DROP,
    PR_SET_NO_NEW_PRIVS,
    PR_SET_PDEATHSIG,
    SYS_PIVOT_ROOT,
    check,
    libc,
    mount,
    prctl,
    setns,
    unshare,
)
from autograder.sandbox.plan import TOP_LEVEL, Plan

ETC_ENTRIES = (
    "ld.so.cache",
    "ld.so.conf",
    "ld.so.conf.d",
    "alternatives",
    "localtime",
    "nsswitch.conf",
    "passwd",
    "group",
    "fonts",
    "mime.types",
    "os-release",
    "debian_version",
    "hosts",
    "host.conf",
)
DEVICES = ("null", "zero", "full", "random", "urandom")
SCRATCH = "/tmp"  # the child's home, working and temporary directory inside a private root


@dataclass
class Confinement:
    layers: list[str] = field(default_factory=list)
    problems: dict[str, str] = field(default_factory=dict)
    scratch: str = SCRATCH

    def attempt(self, layer: str, action: Callable[..., object], *args: object) -> bool:
        try:
            action(*args)
        except (OSError, ValueError, RuntimeError, AttributeError) as error:
            self.problems[layer] = str(error) or type(error).__name__
            return False
        self.layers.append(layer)
        return True


def confine(plan: Plan, uid: int, session: str, keep_fds: list[int], output_fd: int, done: Confinement) -> Confinement:
    """Confine this (just forked, still root) process; `done` holds the layers entered at the fork."""
    os.setsid()  # a new process group: kill(0, ...) reaches only the child's own processes
    in_pid_namespace = os.getpid() == 1
    for flag, layer in (
        (CLONE_NEWNS, "mount-namespace"),
        (CLONE_NEWNET, "net-namespace"),
        (CLONE_NEWIPC, "ipc-namespace"),
        (CLONE_NEWUTS, "uts-namespace"),
    ):
        if not plan.allows(layer):
            continue
        if flag == CLONE_NEWNET and plan.shared_net is not None:
            done.attempt(layer, setns, plan.shared_net, flag)
        else:
            done.attempt(layer, unshare, flag)
    if "uts-namespace" in done.layers:
        socket.sethostname("sandbox")
    can_private = "mount-namespace" in done.layers and in_pid_namespace and plan.allows("private-root")
    drop_uid = plan.allows("uid-drop") and (can_private or _world_readable(plan.binds))
    owner = uid if drop_uid else os.getuid()  # who will own the scratch
    private = can_private and done.attempt("private-root", _private_root, plan, owner)
    if drop_uid and not (private or _world_readable(plan.binds)):
        drop_uid = False  # the private root failed after all: stay with the uid that can read Python
        done.problems["uid-drop"] = "the Python installation is not readable by other users"
    if not private:
        done.scratch = host_scratch(plan, session)
        os.makedirs(done.scratch, mode=0o700, exist_ok=True)
        os.chown(done.scratch, *((uid, uid) if drop_uid else (os.getuid(), os.getgid())))
    _stdio(output_fd, keep_fds)
    done.attempt("rlimits", _rlimits, plan)
    bounded = plan.is_root and _try_drop_bounding_set()  # needs the capability that the uid drop takes away
    if drop_uid:
        done.attempt("uid-drop", _drop_uid, uid)
    elif plan.allows("uid-drop") and "uid-drop" not in done.problems:
        done.problems["uid-drop"] = (
            "the Python installation is not readable by other users (it would be inside a private root)"
        )
    if bounded or not plan.is_root:
        done.attempt("no-capabilities", _drop_capabilities)
    else:
        done.problems["no-capabilities"] = "the capability bounding set could not be dropped"
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # setresuid clears it
    done.attempt("no-new-privs", prctl, PR_SET_NO_NEW_PRIVS, 1)
    if plan.landlock and plan.allows("landlock-fs"):
        for layer in _landlock(plan, done.scratch, private, done.problems):
            done.layers.append(layer)
    if plan.shared_net is not None and "net-namespace" in done.layers and "landlock-scope" not in done.layers:
        done.layers.remove("net-namespace")  # still no network, but not apart from the other children
        done.problems["net-namespace"] = "shared with the other children, and Landlock could not scope its sockets"
    if plan.seccomp and plan.allows("seccomp"):
        done.attempt("seccomp", seccomp.load, plan.seccomp)
    return done


def _private_root(plan: Plan, uid: int) -> None:
    """A fresh root holding only the system, Python, /proc, a few devices and a private scratch tmpfs."""
    if SYS_PIVOT_ROOT is None:
        raise OSError(errno.ENOSYS, f"pivot_root number unknown on {platform.machine()}")
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    root = os.path.join(plan.workdir, "root")
    mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
    for top in TOP_LEVEL:
        host = f"/{top}"
        if os.path.islink(host):
            os.symlink(os.readlink(host), root + host)
        elif os.path.isdir(host):
            _bind(host, root + host)
    os.mkdir(root + "/etc", 0o755)
    for entry in ETC_ENTRIES:
        if os.path.exists(f"/etc/{entry}"):
            _bind(os.path.realpath(f"/etc/{entry}"), f"{root}/etc/{entry}")
    scratch = plan.limits["scratch_bytes"]
    os.mkdir(root + SCRATCH, 0o700)  # before the binds: a Python under /tmp stays visible inside it
    # noexec: no library the student's code writes there can be loaded (a native module would reach anything)
    mount(
        "tmpfs",
        root + SCRATCH,
        "tmpfs",
        MS_NOSUID | MS_NODEV | MS_NOEXEC,
        f"size={scratch},mode=0700,uid={uid},gid={uid}",
    )
    for path in plan.binds:
        _bind(os.path.realpath(path), root + path)
    for path in plan.hide:
        if os.path.isdir(root + path):
            mount("tmpfs", root + path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "size=4k,mode=0555")
    os.mkdir(root + "/dev", 0o755)
    mount("tmpfs", root + "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "size=64k,mode=0755")
    for device in DEVICES:
        open(f"{root}/dev/{device}", "w").close()
        mount(f"/dev/{device}", f"{root}/dev/{device}", None, MS_BIND)
    for name, target in (
        ("fd", "/proc/self/fd"),
        ("stdin", "/proc/self/fd/0"),
        ("stdout", "/proc/self/fd/1"),
        ("stderr", "/proc/self/fd/2"),
    ):
        os.symlink(target, f"{root}/dev/{name}")
    os.mkdir(root + "/dev/shm")
    mount(
        "tmpfs",
        root + "/dev/shm",
        "tmpfs",
        MS_NOSUID | MS_NODEV | MS_NOEXEC,
        f"size={scratch},mode=0700,uid={uid},gid={uid}",
    )
    os.mkdir(root + "/proc", 0o555)
    mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    os.chdir(root)
    check(libc.syscall(SYS_PIVOT_ROOT, b".", b"."), "pivot_root")
    check(libc.umount2(b".", MNT_DETACH), "umount old root")
    os.chdir("/")
    mount(None, "/", None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)


def _bind(source: str, target: str) -> None:
    if os.path.isdir(source):
        os.makedirs(target, mode=0o755, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), mode=0o755, exist_ok=True)
        open(target, "w").close()
    mount(source, target, None, MS_BIND | MS_REC)
    mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)


def host_scratch(plan: Plan, session: str) -> str:
    """Without a private root, the session's scratch is a directory of the zygote's, removed afterwards."""
    return os.path.join(plan.workdir, f"scratch-{session}")


def _stdio(output_fd: int, keep_fds: list[int]) -> None:
    """stdin from /dev/null, stdout and stderr to the drained pipe, every other descriptor closed."""
    null = os.open("/dev/null", os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(output_fd, 1)
    os.dup2(output_fd, 2)
    for name in os.listdir("/proc/self/fd"):
        if int(name) > 2 and int(name) not in keep_fds:
            try:
                os.close(int(name))
            except OSError:
                pass  # the descriptor of the listing itself, already closed


def _rlimits(plan: Plan) -> None:
    limits = plan.limits
    cpu = int(limits["cpu_seconds"])
    address_space = plan.inherited_bytes + int(limits["address_space_bytes"])  # beyond what the fork inherited
    settings = {
        resource.RLIMIT_CPU: (cpu, cpu + 1),
        resource.RLIMIT_AS: (address_space,) * 2,
        resource.RLIMIT_NPROC: (limits["processes"],) * 2,
        resource.RLIMIT_FSIZE: (limits["file_bytes"],) * 2,
        resource.RLIMIT_NOFILE: (limits["open_files"],) * 2,
        resource.RLIMIT_CORE: (0, 0),
        resource.RLIMIT_MEMLOCK: (0, 0),
    }
    for which, (soft, hard) in settings.items():
        resource.setrlimit(which, (int(soft), int(hard)))


def _world_readable(paths: list[str]) -> bool:
    for path in paths:
        parts = os.path.realpath(path).split(os.sep)
        for depth in range(1, len(parts) + 1):
            if not os.stat(os.sep.join(parts[:depth]) or os.sep).st_mode & stat.S_IXOTH:
                return False
    return True


def _drop_uid(uid: int) -> None:
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    if os.getuid() != uid or os.geteuid() != uid:
        raise OSError(errno.EPERM, "uid did not change")


def _try_drop_bounding_set() -> bool:
    try:
        with open("/proc/sys/kernel/cap_last_cap") as f:
            last = int(f.read())
    except (OSError, ValueError):
        last = 40
    try:
        for capability in range(last + 1):
            check(libc.prctl(PR_CAPBSET_DROP, ctypes.c_ulong(capability), 0, 0, 0), "drop capability")
    except OSError:
        return False
    return True


def _drop_capabilities() -> None:
    """No capability left: what a uid-0 child (no uid drop possible) may do is what root's files allow."""
    libc.prctl(PR_CAP_AMBIENT, ctypes.c_ulong(PR_CAP_AMBIENT_CLEAR_ALL), 0, 0, 0)
    header = (ctypes.c_uint32 * 2)(LINUX_CAPABILITY_VERSION_3, 0)
    data = (ctypes.c_uint32 * 6)()
    check(libc.capset(header, data), "capset")
    with open("/proc/self/status") as status:
        effective = next(line for line in status if line.startswith("CapEff:")).split()[1]
    if int(effective, 16):
        raise OSError(errno.EPERM, "capabilities remain")


def _landlock(plan: Plan, scratch: str, private: bool, problems: dict) -> list[str]:
    """Allow reading the system and Python, writing only the scratch; no TCP; no signals outward."""
    rules = [(f"/{top}", landlock.LL_READ) for top in TOP_LEVEL] + [(p, landlock.LL_READ) for p in plan.binds]
    rules += [(f"/etc/{entry}", landlock.LL_READ) for entry in ETC_ENTRIES]
    rules += [
        ("/proc", landlock.LL_READ | landlock.LL_WRITE_FILE),
        ("/dev", landlock.LL_DEVICES),
        (scratch, landlock.LL_FS_ALL),
    ]
    if private:
        rules.append(("/dev/shm", landlock.LL_FS_ALL))
    return landlock.restrict(plan.landlock, rules, plan.allows("landlock-net"), plan.allows("landlock-scope"), problems)
