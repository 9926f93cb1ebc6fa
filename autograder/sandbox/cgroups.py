"""Control groups for the children: memory, process and CPU limits that hold for everything a child starts.

Created and cleaned up by the zygote, joined by each child (its uid slot's groups) before it confines itself;
cgroup v1 and v2 alike.
"""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass


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
            return {
                "memory": [("memory.limit_in_bytes", memory), ("memory.memsw.limit_in_bytes", memory)],
                "pids": [("pids.max", processes)],
                "cpu": [("cpu.cfs_period_us", "100000"), ("cpu.cfs_quota_us", quota)],
            }[controller]
        return [
            ("memory.max", memory),
            ("memory.swap.max", "0"),
            ("pids.max", processes),
            ("cpu.max", f"{quota} 100000"),
        ]

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
