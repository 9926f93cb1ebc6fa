"""Confine a forked child: namespaces, a private root, limits, another uid, Landlock, seccomp, cgroups.

Runs in the zygote (probing, control groups) and in each child before student code (everything
else). Every layer is tried on its own and reported by name, or skipped with the reason: a machine
that lacks one degrades to the strongest isolation it offers instead of refusing to grade.
The reasons behind each choice, measured on the kit's machines, are in the comments beside it.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import resource
import shutil
import signal
import socket
import stat
import struct
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field

LAYERS = (
    "pid-namespace", "mount-namespace", "net-namespace", "ipc-namespace", "uts-namespace", "private-root",
    "rlimits", "uid-drop", "no-capabilities", "no-new-privs", "landlock-fs", "landlock-net", "landlock-scope",
    "seccomp", "cgroup-memory", "cgroup-pids", "cgroup-cpu",
)

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long
_libc.mount.argtypes = (ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p)

CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS = 0x00020000, 0x02000000, 0x04000000
CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x08000000, 0x10000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT = 1, 2, 4, 8, 32
MS_BIND, MS_REC, MS_PRIVATE = 4096, 16384, 1 << 18
MNT_DETACH = 2
PR_SET_PDEATHSIG, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT = 1, 24, 38, 47
PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 22, 2
BPF_INSTRUCTION_BYTES = 8  # struct sock_filter
PR_CAP_AMBIENT_CLEAR_ALL = 4
LINUX_CAPABILITY_VERSION_3 = 0x20080522
SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}.get(platform.machine())
SYS_LANDLOCK_CREATE_RULESET, SYS_LANDLOCK_ADD_RULE, SYS_LANDLOCK_RESTRICT_SELF = 444, 445, 446

# Landlock access rights (linux/landlock.h); later ABIs add rights, never change old ones.
LL_EXECUTE, LL_WRITE_FILE, LL_READ_FILE, LL_READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
LL_TRUNCATE, LL_IOCTL_DEV = 1 << 14, 1 << 15
LL_FS_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 4: (1 << 15) - 1, 5: (1 << 16) - 1}
LL_FILE_ONLY = LL_EXECUTE | LL_WRITE_FILE | LL_READ_FILE | LL_TRUNCATE | LL_IOCTL_DEV
LL_READ = LL_EXECUTE | LL_READ_FILE | LL_READ_DIR
LL_DEVICES = LL_READ_FILE | LL_WRITE_FILE | LL_READ_DIR | LL_IOCTL_DEV | LL_TRUNCATE
LL_NET_TCP = (1 << 0) | (1 << 1)  # BIND_TCP | CONNECT_TCP, ABI >= 4
LL_SCOPE = (1 << 0) | (1 << 1)  # ABSTRACT_UNIX_SOCKET | SIGNAL, ABI >= 6

# System calls a student's code never needs; each fails with EPERM. Sockets of these families fail
# with EACCES (the netns already has no route); AF_UNIX stays open for multiprocessing and asyncio.
DENIED_SYSCALLS = (
    "ptrace", "process_vm_readv", "process_vm_writev", "mount", "umount2", "pivot_root", "unshare", "setns",
    "bpf", "perf_event_open", "keyctl", "add_key", "request_key", "userfaultfd", "kexec_load",
    "kexec_file_load", "init_module", "finit_module", "delete_module", "io_uring_setup", "open_by_handle_at",
    "name_to_handle_at", "chroot", "swapon", "swapoff", "reboot", "inotify_add_watch", "fanotify_init",
    "fsopen", "fsmount", "move_mount", "open_tree", "acct", "settimeofday", "clock_settime", "sethostname",
)
DENIED_SOCKETS = (socket.AF_INET, socket.AF_INET6, socket.AF_PACKET, socket.AF_NETLINK)
NAMESPACE_FLAGS = (CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID,
                   CLONE_NEWNET)

ETC_ENTRIES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives", "localtime", "nsswitch.conf",
               "passwd", "group", "fonts", "mime.types", "os-release", "debian_version", "hosts", "host.conf")
DEVICES = ("null", "zero", "full", "random", "urandom")
TOP_LEVEL = ("bin", "sbin", "lib", "lib32", "lib64", "libx32", "usr")
SCRATCH = "/tmp"  # the child's home, working and temporary directory inside a private root


def _check(result: int, what: str) -> int:
    if result < 0:
        code = ctypes.get_errno()
        raise OSError(code, f"{what}: {os.strerror(code)}")
    return result


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    def encode(s: str | None) -> bytes | None:
        return s.encode() if s is not None else None

    _check(_libc.mount(encode(source), encode(target), encode(fstype), flags, encode(data)), f"mount {target}")


def unshare(flags: int) -> None:
    _check(_libc.unshare(flags), "unshare")


def setns(fd: int, nstype: int) -> None:
    _check(_libc.setns(fd, nstype), "setns")


def prctl(option: int, value: int) -> None:
    _check(_libc.prctl(option, ctypes.c_ulong(value), 0, 0, 0), "prctl")


def landlock_abi() -> int:
    """The Landlock ABI version the kernel offers, 0 when it has none (or it is not an active LSM)."""
    version = _libc.syscall(SYS_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    return max(int(version), 0)


# ---------------------------------------------------------------------------------------------
# control groups (created and cleaned by the zygote, joined by each child before it confines itself)


@dataclass
class Cgroups:
    """Per-session control groups for memory, processes and CPU, nested under a kit directory.

    cgroup v1 (one hierarchy per controller): the kit directory goes under this process's own group,
    so a limit the machine already puts on the grader still holds. cgroup v2: under this process's
    own group when it delegates the controllers, else under the root (as root).
    """

    version: int
    bases: dict[str, str]  # controller -> kit directory

    @classmethod
    def create(cls, name: str) -> tuple[Cgroups | None, str]:
        try:
            found = cls._v1(name) or cls._v2(name)
        except OSError as error:
            return None, f"cannot create control groups: {error}"
        return (found, "") if found else (None, "no memory/pids/cpu cgroup controllers are mounted")

    @staticmethod
    def _mounts() -> list[tuple[str, str, set[str]]]:
        found = []
        with open("/proc/self/mountinfo") as lines:
            for line in lines:
                fields = line.split()
                sep = fields.index("-")
                fstype, options = fields[sep + 1], set(fields[sep + 3].split(","))
                if fstype in ("cgroup", "cgroup2"):
                    found.append((fstype, fields[4], options))
        return found

    @staticmethod
    def _own_groups() -> dict[str, str]:
        groups = {}
        with open("/proc/self/cgroup") as lines:
            for line in lines:
                _, controllers, path = line.rstrip("\n").split(":", 2)
                for controller in controllers.split(",") if controllers else [""]:
                    groups[controller] = path
        return groups

    @classmethod
    def _v1(cls, name: str) -> Cgroups | None:
        own = cls._own_groups()
        bases: dict[str, str] = {}
        for fstype, mountpoint, options in cls._mounts():
            for controller in ("memory", "pids", "cpu"):
                if fstype == "cgroup" and controller in options and controller not in bases and controller in own:
                    base = os.path.join(mountpoint, own[controller].lstrip("/"), name)
                    os.makedirs(base, exist_ok=True)
                    bases[controller] = base
        return cls(1, bases) if bases else None

    @classmethod
    def _v2(cls, name: str) -> Cgroups | None:
        mount = next((m for t, m, _ in cls._mounts() if t == "cgroup2"), None)
        if mount is None:
            return None
        available = set(_read(os.path.join(mount, "cgroup.controllers")).split()) & {"memory", "pids", "cpu"}
        if not available:
            return None
        own = os.path.join(mount, cls._own_groups().get("", "/").lstrip("/"))
        parent = own if available <= set(_read(os.path.join(own, "cgroup.subtree_control")).split()) else mount
        if parent == mount:
            _write(os.path.join(mount, "cgroup.subtree_control"), " ".join(f"+{c}" for c in sorted(available)))
        base = os.path.join(parent, name)
        os.makedirs(base, exist_ok=True)
        _write(os.path.join(base, "cgroup.subtree_control"), " ".join(f"+{c}" for c in sorted(available)))
        return cls(2, {c: base for c in available})

    @staticmethod
    def slot_group(uid: int) -> str:
        """The groups of a uid slot: one child at a time holds a slot, and its groups outlive it. Making and
        removing groups for every child cost more than the rest of its set-up (a memory group's removal
        goes on in a kernel worker); an emptied group serves the next child of the slot as well."""
        return f"uid-{uid}"

    def enter(self, group: str, limits: dict) -> list[str]:
        """Move the calling process into the groups (made with their limits on first use)."""
        joined = []
        for controller, base in sorted(self.bases.items()):
            path = os.path.join(base, group)
            try:
                try:
                    os.mkdir(path)
                except FileExistsError:
                    pass
                else:
                    try:
                        for key, value in self._settings(controller, limits):
                            if os.path.exists(os.path.join(path, key)):
                                _write(os.path.join(path, key), value)
                    except OSError:
                        os.rmdir(path)  # never leave a group without its limits for the next child to join
                        raise
                _write(os.path.join(path, "cgroup.procs"), "0")
            except OSError:
                continue
            joined.append(f"cgroup-{controller}")
            if self.version == 2:
                return [f"cgroup-{c}" for c in sorted(self.bases)]
        return joined

    def _settings(self, controller: str, limits: dict) -> list[tuple[str, str]]:
        memory, processes = str(limits["memory_bytes"]), str(limits["processes"])
        quota = str(max(int(limits["cpus"] * 100_000), 1000))
        if self.version == 1:
            return {"memory": [("memory.limit_in_bytes", memory), ("memory.memsw.limit_in_bytes", memory)],
                    "pids": [("pids.max", processes)],
                    "cpu": [("cpu.cfs_period_us", "100000"), ("cpu.cfs_quota_us", quota)]}[controller]
        return [("memory.max", memory), ("memory.swap.max", "0"), ("pids.max", processes),
                ("cpu.max", f"{quota} 100000")]

    def oom_kills(self, group: str) -> int:
        """How many processes the kernel's OOM killer has killed in the memory group so far (the count
        only grows: a child ran out of memory when it grew while the child ran)."""
        base = self.bases.get("memory")
        if base is None:
            return 0
        name = "memory.oom_control" if self.version == 1 else "memory.events"
        try:
            text = _read(os.path.join(base, group, name))
        except OSError:
            return 0
        counts = dict(line.split()[:2] for line in text.splitlines() if len(line.split()) >= 2)
        return int(counts.get("oom_kill", "0"))

    def empty(self, group: str) -> None:
        """Kill whatever a child left in its groups and wait until they are empty, for the next child."""
        for base in set(self.bases.values()):
            path = os.path.join(base, group)
            if self.version == 2 and _read_or_empty(os.path.join(path, "cgroup.procs")):
                try:
                    _write(os.path.join(path, "cgroup.kill"), "1")
                except OSError:
                    pass
            _kill_all(path)

    def close(self) -> None:
        for base in set(self.bases.values()):
            for entry in os.listdir(base) if os.path.isdir(base) else ():
                if os.path.isdir(os.path.join(base, entry)):
                    _kill_and_rmdir(os.path.join(base, entry))
            _kill_and_rmdir(base)


def _kill_all(path: str, attempts: int = 50) -> None:
    """SIGKILL every process in a group until it is empty (or gone, or the attempts run out)."""
    for _ in range(attempts):
        pids = _read_or_empty(os.path.join(path, "cgroup.procs")).split()
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(int(pid), signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.02)


def _kill_and_rmdir(path: str, attempts: int = 50) -> None:
    for _ in range(attempts):
        _kill_all(path, 1)
        try:
            os.rmdir(path)
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.02)


def _read(path: str) -> str:
    with open(path) as f:
        return f.read()


def _read_or_empty(path: str) -> str:
    try:
        return _read(path)
    except OSError:
        return ""


def _write(path: str, text: str) -> None:
    with open(path, "w") as f:
        f.write(text)


# ---------------------------------------------------------------------------------------------
# the plan: what every child of one zygote gets, decided once from what the machine offers


@dataclass
class Plan:
    limits: dict
    kit_dir: str  # the autograder package: never visible to a child
    binds: list[str]  # host directories the child may read (Python, its packages), besides the system's
    hide: list[str]  # directories inside those that stay empty (the kit itself, if installed there)
    workdir: str  # the zygote's private directory: the mount point of each child's root, fallback scratch
    lock_dir: str  # where slot uids are claimed with flock, shared by every zygote on the machine
    is_root: bool
    landlock: int  # ABI version, 0 for none
    seccomp: bytes  # the compiled filter (BPF) every child loads, b"" for none
    cgroups: Cgroups | None = None
    unavailable: dict[str, str] = field(default_factory=dict)  # layer -> why the machine cannot offer it
    inherited_bytes: int = 0  # the zygote's virtual memory, which every child starts with
    shared_net: int | None = None  # an empty network namespace every child enters, instead of making one

    def allows(self, layer: str) -> bool:
        return layer not in self.unavailable

    def report(self) -> dict:
        return {"is_root": self.is_root, "landlock_abi": self.landlock, "seccomp": bool(self.seccomp),
                "cgroups": self.cgroups.version if self.cgroups else 0,
                "cgroup_dirs": self.cgroups.bases if self.cgroups else {}, "workdir": self.workdir,
                "net_namespace": "shared, empty" if self.shared_net is not None else "one per child",
                "binds": self.binds, "unavailable": self.unavailable}


def remove_leftovers(report: dict) -> None:
    """What a zygote that was killed could not clean up: its control groups and its directory."""
    if report.get("cgroup_dirs"):
        Cgroups(int(report["cgroups"]), dict(report["cgroup_dirs"])).close()
    workdir = report.get("workdir")
    if workdir and os.path.basename(workdir).startswith("autograder-zygote-"):
        shutil.rmtree(workdir, ignore_errors=True)


def plan(limits: dict, kit_dir: str, workdir: str, lock_dir: str, python_paths: list[str],
         skip: tuple[str, ...] = ()) -> Plan:
    """Probe the machine (as the zygote) and decide which layers every child will try."""
    is_root = os.geteuid() == 0
    unavailable = {layer: "skipped by the sandbox's configuration" for layer in skip}
    if not is_root:
        for layer in ("pid-namespace", "mount-namespace", "net-namespace", "ipc-namespace", "uts-namespace",
                      "private-root", "uid-drop", "cgroup-memory", "cgroup-pids", "cgroup-cpu"):
            unavailable.setdefault(layer, "the grader does not run as root")
    abi = landlock_abi() if "landlock-fs" not in unavailable else 0
    if abi < 1:
        unavailable.setdefault("landlock-fs", "the kernel offers no Landlock (too old, or not an active LSM)")
    if abi < 4:
        unavailable.setdefault("landlock-net", f"Landlock ABI {abi} < 4 has no network rules")
    if abi < 6:
        unavailable.setdefault("landlock-scope", f"Landlock ABI {abi} < 6 cannot scope signals")
    seccomp_program = b""
    if "seccomp" not in unavailable:
        try:
            seccomp_program = _seccomp_program()
        except (ImportError, OSError, AttributeError, TypeError, RuntimeError) as error:  # RuntimeError: no libseccomp
            unavailable["seccomp"] = f"pyseccomp/libseccomp unavailable: {error}"
    cgroups = None
    wanted = [c for c in ("memory", "pids", "cpu") if f"cgroup-{c}" not in unavailable]
    if wanted:
        cgroups, reason = Cgroups.create(f"autograder-{os.getpid()}")
        for controller in wanted:
            if cgroups is None or controller not in cgroups.bases:
                unavailable[f"cgroup-{controller}"] = reason or f"no {controller} controller"
        if cgroups is not None:
            cgroups.bases = {c: b for c, b in cgroups.bases.items() if c in wanted}
    binds = [p for p in _python_dirs(python_paths, kit_dir) if not workdir.startswith(p + os.sep)]
    hide = [kit_dir] if any(kit_dir.startswith(b + os.sep) for b in binds) else []
    shared_net = None
    if "net-namespace" not in unavailable and "landlock-scope" not in unavailable:
        shared_net = _empty_net_namespace()
    return Plan(limits, kit_dir, binds, hide, workdir, lock_dir, is_root, abi, seccomp_program, cgroups, unavailable,
                _mapped_bytes(), shared_net)


def _empty_net_namespace() -> int | None:
    """A network namespace with no interface up, made once for every child of this zygote to enter:
    making and tearing down one per child costs about a millisecond of CPU. Only where Landlock keeps
    each child's abstract UNIX sockets to itself, the one way children could reach each other there."""
    own = os.open("/proc/self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
    try:
        unshare(CLONE_NEWNET)
        try:
            return os.open("/proc/self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
        finally:
            setns(own, CLONE_NEWNET)  # the zygote itself stays where it was
    except OSError:
        return None  # each child makes its own
    finally:
        os.close(own)


def _python_dirs(paths: list[str], kit_dir: str) -> list[str]:
    """The directories holding the interpreter and its packages, minus any that holds the kit."""
    kit_root = os.path.dirname(kit_dir)
    found = []
    for path in paths:
        real = os.path.realpath(path)
        if not os.path.isdir(real) or real == "/" or kit_root == real or kit_root.startswith(real + os.sep):
            continue
        if any(real.startswith(f"/{top}/") or real == f"/{top}" for top in TOP_LEVEL if os.path.isdir(f"/{top}")
               and not os.path.islink(f"/{top}")):
            continue  # already visible as part of the system directories
        found.append(real)
        alias = os.path.abspath(path)
        if alias != real:  # reached through a link (a virtual environment linked into place): the child's
            found.append(alias)  # Python looks there, so the real folder is bound there too
    found = sorted(set(found))
    return [p for p in found if not any(p.startswith(q + os.sep) for q in found)]


# ---------------------------------------------------------------------------------------------
# the child: confine the calling process, one layer at a time


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


def confine(plan: Plan, uid: int, session: str, keep_fds: list[int], output_fd: int,
            done: Confinement) -> Confinement:
    """Confine this (just forked, still root) process; `done` holds the layers entered at the fork."""
    os.setsid()  # a new process group: kill(0, ...) reaches only the child's own processes
    in_pid_namespace = os.getpid() == 1
    for flag, layer in ((CLONE_NEWNS, "mount-namespace"), (CLONE_NEWNET, "net-namespace"),
                        (CLONE_NEWIPC, "ipc-namespace"), (CLONE_NEWUTS, "uts-namespace")):
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
        done.problems["uid-drop"] = ("the Python installation is not readable by other users "
                                     "(it would be inside a private root)")
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
        done.attempt("seccomp", _load_seccomp, plan.seccomp)
    return done


def _private_root(plan: Plan, uid: int) -> None:
    """A fresh root holding only the system, Python, /proc, a few devices and a private scratch tmpfs."""
    if SYS_PIVOT_ROOT is None:
        raise OSError(errno.ENOSYS, f"pivot_root number unknown on {platform.machine()}")
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    root = os.path.join(plan.workdir, "root")
    _mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
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
    _mount("tmpfs", root + SCRATCH, "tmpfs", MS_NOSUID | MS_NODEV, f"size={scratch},mode=0700,uid={uid},gid={uid}")
    for path in plan.binds:
        _bind(os.path.realpath(path), root + path)
    for path in plan.hide:
        if os.path.isdir(root + path):
            _mount("tmpfs", root + path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "size=4k,mode=0555")
    os.mkdir(root + "/dev", 0o755)
    _mount("tmpfs", root + "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "size=64k,mode=0755")
    for device in DEVICES:
        open(f"{root}/dev/{device}", "w").close()
        _mount(f"/dev/{device}", f"{root}/dev/{device}", None, MS_BIND)
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
                         ("stderr", "/proc/self/fd/2")):
        os.symlink(target, f"{root}/dev/{name}")
    os.mkdir(root + "/dev/shm")
    _mount("tmpfs", root + "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV,
           f"size={scratch},mode=0700,uid={uid},gid={uid}")
    os.mkdir(root + "/proc", 0o555)
    _mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    os.chdir(root)
    _check(_libc.syscall(SYS_PIVOT_ROOT, b".", b"."), "pivot_root")
    _check(_libc.umount2(b".", MNT_DETACH), "umount old root")
    os.chdir("/")
    _mount(None, "/", None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)


def _bind(source: str, target: str) -> None:
    if os.path.isdir(source):
        os.makedirs(target, mode=0o755, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), mode=0o755, exist_ok=True)
        open(target, "w").close()
    _mount(source, target, None, MS_BIND | MS_REC)
    _mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)


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


def _mapped_bytes() -> int:
    """The virtual memory this process maps already: what a child inherits from the zygote, mostly torch's
    libraries (about 0.6 GiB for torch's CPU build, over 3 GiB for a CUDA build, the default on PyPI)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) << 10
    return 0


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
        last = int(_read("/proc/sys/kernel/cap_last_cap"))
    except (OSError, ValueError):
        last = 40
    try:
        for capability in range(last + 1):
            _check(_libc.prctl(PR_CAPBSET_DROP, ctypes.c_ulong(capability), 0, 0, 0), "drop capability")
    except OSError:
        return False
    return True


def _drop_capabilities() -> None:
    """No capability left: what a uid-0 child (no uid drop possible) may do is what root's files allow."""
    _libc.prctl(PR_CAP_AMBIENT, ctypes.c_ulong(PR_CAP_AMBIENT_CLEAR_ALL), 0, 0, 0)
    header = (ctypes.c_uint32 * 2)(LINUX_CAPABILITY_VERSION_3, 0)
    data = (ctypes.c_uint32 * 6)()
    _check(_libc.capset(header, data), "capset")
    with open("/proc/self/status") as status:
        effective = next(line for line in status if line.startswith("CapEff:")).split()[1]
    if int(effective, 16):
        raise OSError(errno.EPERM, "capabilities remain")


def _landlock(plan: Plan, scratch: str, private: bool, problems: dict) -> list[str]:
    """Allow reading the system and Python, writing only the scratch; no TCP; no signals outward."""
    abi = plan.landlock
    handled_fs = LL_FS_BY_ABI[min(abi, 5)]
    handled_net = LL_NET_TCP if abi >= 4 and plan.allows("landlock-net") else 0
    scoped = LL_SCOPE if abi >= 6 and plan.allows("landlock-scope") else 0
    attr = struct.pack("=QQQ", handled_fs, handled_net, scoped)[: 8 if abi < 4 else 16 if abi < 6 else 24]
    buffer = ctypes.create_string_buffer(attr, len(attr))
    try:
        ruleset = _check(_libc.syscall(SYS_LANDLOCK_CREATE_RULESET, buffer, ctypes.c_size_t(len(attr)),
                                       ctypes.c_uint32(0)), "landlock_create_ruleset")
    except OSError as error:
        for layer in ("landlock-fs", "landlock-net", "landlock-scope"):
            problems[layer] = str(error)
        return []
    try:
        rules = [(f"/{top}", LL_READ) for top in TOP_LEVEL] + [(p, LL_READ) for p in plan.binds]
        rules += [(f"/etc/{entry}", LL_READ) for entry in ETC_ENTRIES]
        rules += [("/proc", LL_READ | LL_WRITE_FILE), ("/dev", LL_DEVICES), (scratch, handled_fs)]
        if private:
            rules.append(("/dev/shm", handled_fs))
        for path, access in rules:
            _landlock_rule(ruleset, path, access & handled_fs)
        _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, ctypes.c_ulong(1), 0, 0, 0), "no_new_privs")
        _check(_libc.syscall(SYS_LANDLOCK_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0)),
               "landlock_restrict_self")
    except OSError as error:
        for layer in ("landlock-fs", "landlock-net", "landlock-scope"):
            problems[layer] = str(error)
        return []
    finally:
        os.close(ruleset)
    return ["landlock-fs"] + (["landlock-net"] if handled_net else []) + (["landlock-scope"] if scoped else [])


def _landlock_rule(ruleset: int, path: str, access: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except FileNotFoundError:
        return
    try:
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            access &= LL_FILE_ONLY
        rule = ctypes.create_string_buffer(struct.pack("=Qi", access, fd), 12)
        _check(_libc.syscall(SYS_LANDLOCK_ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(1), rule,
                             ctypes.c_uint32(0)), f"landlock rule for {path}")
    finally:
        os.close(fd)


def _seccomp_program() -> bytes:
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
        program = compiled.read()
    if not program or len(program) % BPF_INSTRUCTION_BYTES:
        raise RuntimeError("libseccomp exported no filter")
    return program


class _SockFprog(ctypes.Structure):
    _fields_ = (("len", ctypes.c_ushort), ("filter", ctypes.c_void_p))


def _load_seccomp(program: bytes) -> None:
    """Install the compiled filter (no-new-privs is set already, as the kernel requires)."""
    instructions = ctypes.create_string_buffer(program, len(program))
    fprog = _SockFprog(len(program) // BPF_INSTRUCTION_BYTES, ctypes.addressof(instructions))
    _check(_libc.prctl(PR_SET_SECCOMP, ctypes.c_ulong(SECCOMP_MODE_FILTER), ctypes.byref(fprog), 0, 0),
           "seccomp filter")
