"""The plan: what every child of one zygote gets, decided once from what the machine offers.

The zygote probes the machine (root or not, the Landlock ABI, libseccomp, control groups, where Python lives)
and decides which layers every child will try; a layer the machine lacks is recorded with the reason, so the
sandbox degrades to the strongest isolation the machine offers instead of refusing to grade.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field

from autograder.sandbox import landlock, seccomp
from autograder.sandbox.cgroups import Cgroups
from autograder.sandbox.linux import CLONE_NEWNET, setns, unshare

LAYERS = (
    "pid-namespace",
    "mount-namespace",
    "net-namespace",
    "ipc-namespace",
    "uts-namespace",
    "private-root",
    "rlimits",
    "uid-drop",
    "no-capabilities",
    "no-new-privs",
    "landlock-fs",
    "landlock-net",
    "landlock-scope",
    "seccomp",
    "cgroup-memory",
    "cgroup-pids",
    "cgroup-cpu",
)
TOP_LEVEL = ("bin", "sbin", "lib", "lib32", "lib64", "libx32", "usr")  # the system: visible to every child


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
        return {
            "is_root": self.is_root,
            "landlock_abi": self.landlock,
            "seccomp": bool(self.seccomp),
            "cgroups": self.cgroups.version if self.cgroups else 0,
            "cgroup_dirs": self.cgroups.bases if self.cgroups else {},
            "workdir": self.workdir,
            "net_namespace": "shared, empty" if self.shared_net is not None else "one per child",
            "binds": self.binds,
            "unavailable": self.unavailable,
        }


def remove_leftovers(report: dict) -> None:
    """What a zygote that was killed could not clean up: its control groups and its directory."""
    if report.get("cgroup_dirs"):
        Cgroups(int(report["cgroups"]), dict(report["cgroup_dirs"])).close()
    workdir = report.get("workdir")
    if workdir and os.path.basename(workdir).startswith("autograder-zygote-"):
        shutil.rmtree(workdir, ignore_errors=True)


def probe(
    limits: dict, kit_dir: str, workdir: str, lock_dir: str, python_paths: list[str], skip: tuple[str, ...] = ()
) -> Plan:
    """Probe the machine (as the zygote) and decide which layers every child will try."""
    is_root = os.geteuid() == 0
    unavailable = {layer: "skipped by the sandbox's configuration" for layer in skip}
    if not is_root:
        for layer in (
            "pid-namespace",
            "mount-namespace",
            "net-namespace",
            "ipc-namespace",
            "uts-namespace",
            "private-root",
            "uid-drop",
            "cgroup-memory",
            "cgroup-pids",
            "cgroup-cpu",
        ):
            unavailable.setdefault(layer, "the grader does not run as root")
    abi = landlock.abi() if "landlock-fs" not in unavailable else 0
    if abi < 1:
        unavailable.setdefault("landlock-fs", "the kernel offers no Landlock (too old, or not an active LSM)")
    if abi < 4:
        unavailable.setdefault("landlock-net", f"Landlock ABI {abi} < 4 has no network rules")
    if abi < 6:
        unavailable.setdefault("landlock-scope", f"Landlock ABI {abi} < 6 cannot scope signals")
    seccomp_program = b""
    if "seccomp" not in unavailable:
        try:
            seccomp_program = seccomp.program()
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
    return Plan(
        limits,
        kit_dir,
        binds,
        hide,
        workdir,
        lock_dir,
        is_root,
        abi,
        seccomp_program,
        cgroups,
        unavailable,
        _mapped_bytes(),
        shared_net,
    )


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
        if any(
            real.startswith(f"/{top}/") or real == f"/{top}"
            for top in TOP_LEVEL
            if os.path.isdir(f"/{top}") and not os.path.islink(f"/{top}")
        ):
            continue  # already visible as part of the system directories
        found.append(real)
        alias = os.path.abspath(path)
        if alias != real:  # reached through a link (a virtual environment linked into place): the child's
            found.append(alias)  # Python looks there, so the real folder is bound there too
    found = sorted(set(found))
    return [p for p in found if not any(p.startswith(q + os.sep) for q in found)]


def _mapped_bytes() -> int:
    """The virtual memory this process maps already: what a child inherits from the zygote, mostly torch's
    libraries (about 0.6 GiB for torch's CPU build, over 3 GiB for a CUDA build, the default on PyPI)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) << 10
    return 0
