"""The sandboxed transport: its layers are real, its limits hold, and a dying child costs only its own checks.

Every test runs real children of a real zygote on this machine. Checks of a layer the machine does not
offer are skipped (the sandbox reports such layers in `problems`); on the kit's CI machine all are active.
"""

from __future__ import annotations

import dataclasses
import fcntl
import logging
import os
import resource
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from autograder.boundary.parent import Program
from autograder.engine import catalog, extract, grade
from autograder.sandbox.plan import LAYERS
from autograder.sandbox.session import Limits, Sandbox

ROOT = Path(__file__).resolve().parents[2]
LIMITS = Limits(
    call_seconds=5,
    cells_seconds=5,
    submission_seconds=60,
    cpu_seconds=1,
    memory_bytes=768 << 20,
    address_space_bytes=3 << 30,
    processes=32,
    file_bytes=1 << 20,
    open_files=64,
    scratch_bytes=4 << 20,
    output_bytes=4096,
)
SHORT = dataclasses.replace(LIMITS, call_seconds=1, submission_seconds=2.5)
DEGRADED = ("private-root", "pid-namespace", "uid-drop")


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(LIMITS) as transport:
        yield transport


@pytest.fixture(scope="module")
def degraded():
    """A sandbox told to skip layers, and the warnings it logged about them."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = records.append
    logger = logging.getLogger("autograder.sandbox.session")
    logger.addHandler(handler)
    try:
        with Sandbox(SHORT, skip=DEGRADED) as transport:
            transport.layers()
            yield transport, records
    finally:
        logger.removeHandler(handler)


def on_the_way_to_python(directory: str) -> set[str]:
    """Names a private root must show in `directory`: the path down to the interpreter and the venv.

    Where the kit itself lies under the scratch's mount point or the course folder (a clone in /tmp, a
    venv inside the course), those directories exist only as mount points on the way to Python.
    """
    names = set()
    for path in {sys.prefix, sys.base_prefix, os.path.realpath(sys.executable)}:
        relative = os.path.relpath(path, directory)
        if not relative.startswith(".."):
            names.add(relative.split(os.sep)[0])
    return names


def program(transport, source: str) -> Program:
    return Program(transport, [{"index": 1, "source": textwrap.dedent(source)}])


def call(transport, source: str, *args, name: str = "probe"):
    student = program(transport, source)
    try:
        return student.call(name, args, {})
    finally:
        student.close()


def value(transport, source: str, *args, name: str = "probe"):
    result = call(transport, source, *args, name=name)
    assert result.error is None, result.error
    return result.value


def needs(transport, *layers: str) -> None:
    missing = [layer for layer in layers if layer not in transport.layers()]
    if missing:
        pytest.skip(f"layers not active here: {', '.join(f'{m} ({transport.problems[m]})' for m in missing)}")


# --- layers ----------------------------------------------------------------------------------------


def test_every_layer_is_active_or_explained(sandbox):
    active = sandbox.layers()
    assert sandbox.name == "sandbox"
    assert set(active) <= set(LAYERS) and len(active) == len(set(active))
    assert set(active) | set(sandbox.problems) == set(LAYERS)
    assert not set(active) & set(sandbox.problems)
    assert all(reason.strip() for reason in sandbox.problems.values())


@pytest.mark.skipif(os.geteuid() != 0, reason="namespaces and the uid drop need a grader running as root")
def test_a_root_grader_gets_namespaces_a_private_root_and_another_uid(sandbox):
    assert {
        "pid-namespace",
        "mount-namespace",
        "net-namespace",
        "private-root",
        "uid-drop",
        "no-capabilities",
        "rlimits",
        "no-new-privs",
    } <= set(sandbox.layers()), sandbox.problems


def test_child_is_pid_1_of_its_namespace_without_uid_0_or_capabilities(sandbox):
    needs(sandbox, "pid-namespace", "uid-drop")
    status = value(
        sandbox,
        """
        import os
        def probe():
            fields = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines())
            return [os.getpid(), os.getppid(), os.getuid(),
                    [fields[k].strip() for k in ("CapEff", "CapBnd", "NoNewPrivs", "Seccomp")],
                    sorted(p for p in os.listdir("/proc") if p.isdigit())]
    """,
    )
    pid, parent, uid, (effective, bounding, no_new_privs, seccomp), visible = status
    assert (pid, parent) == (1, 0) and visible == ["1"]
    assert LIMITS.uid_base <= uid < LIMITS.uid_base + LIMITS.uid_slots
    assert int(effective, 16) == 0 and int(bounding, 16) == 0 and no_new_privs == "1"
    assert seccomp == ("2" if "seccomp" in sandbox.layers() else "0")


def test_rlimits_are_applied(sandbox):
    limits = value(
        sandbox,
        """
        import resource
        def probe(names):
            return [list(resource.getrlimit(getattr(resource, n))) for n in names]
    """,
        ["RLIMIT_CPU", "RLIMIT_AS", "RLIMIT_NPROC", "RLIMIT_FSIZE", "RLIMIT_NOFILE", "RLIMIT_CORE"],
    )
    (soft, hard), zygote = limits.pop(1), sandbox_mapped_bytes(sandbox)
    assert soft == hard and abs(soft - LIMITS.address_space_bytes - zygote) < 256 << 20  # beyond what it inherits
    # processes: LIMITS.processes while the child sets up, none at all once the student's code can run (seal)
    assert limits == [
        [LIMITS.cpu_seconds, LIMITS.cpu_seconds + 1],
        [0, 0],
        [LIMITS.file_bytes] * 2,
        [LIMITS.open_files] * 2,
        [0, 0],
    ]
    assert resource.getrlimit(resource.RLIMIT_NPROC) not in ((LIMITS.processes,) * 2, (0, 0))  # the grader's own


def test_a_sandboxed_child_offers_no_gpu_and_says_why(sandbox):
    student = program(sandbox, "x = 1\n")
    try:
        student._session()
        assert student.devices == ["cpu", "meta"]
        assert "no GPU" in student.withheld["cuda"]
    finally:
        student.close()


def test_student_code_asking_for_cuda_gets_an_error_not_a_crash(sandbox):
    result = call(sandbox, "import torch\ndef probe():\n    return torch.ones(2, device='cuda')\n")
    assert result.error is not None and result.error.type not in ("crash", "timeout", "exit", "protocol")


META_PROBE = """
    import sys, torch
    def probe():
        before = set(sys.modules)
        torch.ones(2).to("meta") + torch.ones(2, dtype=torch.int64).to("meta")
        return "sympy" in before, len(set(sys.modules) - before)
"""


def test_the_meta_device_is_warmed_only_when_the_graders_ask_and_then_a_child_imports_nothing():
    """Its first use imports some 800 modules (sympy...): half a second a child here, past the call limit on a
    slower machine. Warmed in the zygote only for graders that use it (`Exercise.warm_up`): the modules would
    make every other child's fork and exit dearer."""
    with Sandbox(LIMITS) as fresh:
        had_sympy, imported = value(fresh, META_PROBE)
        assert not had_sympy and imported > 100
        fresh.prepare({"meta"})
        assert value(fresh, META_PROBE) == (True, 0)


def test_grading_an_assignment_warms_what_its_graders_ask_for(sandbox):
    solution = extract.read_notebook(ROOT / "source" / "a01_tensors" / "a01_tensors.ipynb", "honest", "a01_tensors")
    assert {"meta"} <= {f for e in catalog.for_assignment("a01_tensors") for f in e.warm_up}
    grade.grade([solution], transport=sandbox)
    assert value(sandbox, META_PROBE) == (True, 0)


# --- network, files, signals ------------------------------------------------------------------------


def sandbox_mapped_bytes(sandbox) -> int:
    status = Path(f"/proc/{sandbox._process.pid}/status").read_text()
    return int(status.split("VmSize:")[1].split()[0]) << 10


def test_network_is_blocked(sandbox):
    needs(sandbox, "net-namespace")
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.setblocking(False)
        outcomes = value(
            sandbox,
            """
            import socket
            def probe(port):
                tries = {
                    "tcp_grader": lambda: socket.create_connection(("127.0.0.1", port), timeout=1),
                    "tcp_internet": lambda: socket.create_connection(("1.1.1.1", 80), timeout=1),
                    "udp_dns": lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("8.8.8.8", 53)),
                    "resolve": lambda: socket.getaddrinfo("pypi.org", 443),
                    "ipv6": lambda: socket.create_connection(("::1", port), timeout=1),
                }
                outcomes = {}
                for name, attempt in tries.items():
                    try:
                        attempt()
                        outcomes[name] = "connected"
                    except OSError as error:
                        outcomes[name] = type(error).__name__
                return outcomes
        """,
            server.getsockname()[1],
        )
        with pytest.raises(BlockingIOError):
            server.accept()
    assert "connected" not in outcomes.values(), outcomes


def test_children_running_at_once_cannot_reach_each_others_sockets(sandbox):
    """Children may share one empty network namespace (where Landlock scopes abstract sockets): a socket
    one child listens on must still be out of another's reach, and neither is in the grader's network."""
    needs(sandbox, "net-namespace")
    listener = program(
        sandbox,
        """
        import os, socket
        server = socket.socket(socket.AF_UNIX)
        server.bind("\\0kit-test-listener")
        server.listen()
        def probe():
            return os.readlink("/proc/self/ns/net")
    """,
    )
    try:
        listening = listener.call("probe", (), {})
        assert listening.error is None, listening.error
        network, reached = value(
            sandbox,
            """
            import os, socket
            def probe():
                try:
                    socket.socket(socket.AF_UNIX).connect("\\0kit-test-listener")
                    reached = "connected"
                except OSError as error:
                    reached = type(error).__name__
                return os.readlink("/proc/self/ns/net"), reached
        """,
        )
    finally:
        listener.close()
    assert reached != "connected"
    assert os.readlink("/proc/self/ns/net") not in (network, listening.value)


# The kit's package is hidden whole (`session.KIT_DIR`), every subpackage with it: the graders, the expected values'
# code, the engine, the boundary's parent side, the report templates.
HIDDEN = [
    "autograder/graders/flatten_view.py",
    "autograder/engine/grade.py",
    "autograder/authoring/expect.py",
    "autograder/boundary/parent.py",
    "autograder/reports/templates/feedback.html.j2",
    "autograder/kit.py",
    "source/a02_shapes/a02_shapes.ipynb",
    "tests/conftest.py",
    ".",
    "autograder",
    "/etc/shadow",
    "/root",
]


@pytest.mark.parametrize("transport", ["sandbox", "degraded"])
def test_grader_course_and_system_secrets_are_unreadable(request, transport):
    transport = request.getfixturevalue(transport)
    transport = transport[0] if isinstance(transport, tuple) else transport
    needs(transport, "landlock-fs") if "private-root" not in transport.layers() else None
    paths = [p if p.startswith("/") else str(ROOT / p) for p in HIDDEN]
    outcomes = value(
        transport,
        """
        import os
        def probe(paths):
            outcomes = {}
            for path in paths:
                try:
                    outcomes[path] = os.listdir(path) if os.path.isdir(path) else open(path, "rb").read(20).decode()
                except OSError as error:
                    outcomes[path] = type(error).__name__
            return outcomes
    """,
        paths,
    )
    leaked = {
        path: found
        for path, found in outcomes.items()
        if not (isinstance(found, str) and "Error" in found)
        and not (isinstance(found, list) and set(found) <= on_the_way_to_python(path))
    }
    assert not leaked


def test_scratch_is_private_fresh_and_limited(sandbox, tmp_path):
    needs(sandbox, "private-root")
    marker = tmp_path / "grader-secret.txt"
    marker.write_text("secret")
    source = """
        import os
        def probe(host_file):
            seen = sorted(os.listdir("."))
            with open("mine.txt", "w") as f:
                f.write("hello")
            outcomes = {"cwd": os.getcwd(), "home": os.environ["HOME"], "seen": seen}
            for name, attempt in {
                "host_file": lambda: open(host_file).read(),
                "write_root": lambda: open("/evil", "w"),
                "write_usr": lambda: open("/usr/evil", "w"),
                "big_file": lambda: open("big", "wb").write(b"x" * (2 << 20)),
                "fill_scratch": lambda: [open(f"part{i}", "wb").write(b"x" * ((1 << 20) - 1)) for i in range(8)],
            }.items():
                try:
                    attempt()
                    outcomes[name] = "done"
                except (OSError, TypeError) as error:
                    outcomes[name] = type(error).__name__ + str(getattr(error, "errno", ""))
            return outcomes
    """
    first = value(sandbox, source, str(marker))
    second = value(sandbox, source, str(marker))
    python_mounts = on_the_way_to_python(first["cwd"])
    assert first["cwd"] == first["home"] and set(first["seen"]) <= python_mounts  # fresh each time
    assert set(second["seen"]) <= python_mounts
    assert first["host_file"].startswith("FileNotFoundError")
    assert first["write_root"].startswith(("OSError", "PermissionError")) and first["write_usr"] != "done"
    assert first["big_file"] == "OSError27"  # EFBIG: RLIMIT_FSIZE
    assert first["fill_scratch"] == "OSError28"  # ENOSPC: the tmpfs is full
    assert marker.read_text() == "secret"


def test_the_grader_cannot_be_signalled(sandbox):
    outcomes = value(
        sandbox,
        """
        import os, signal
        def probe(grader, zygote):
            outcomes = {}
            for name, pid in (("grader", grader), ("zygote", zygote), ("group", 0), ("everyone", -1)):
                try:
                    os.kill(pid, signal.SIGKILL if pid <= 0 else 0)
                    outcomes[name] = "sent"
                except OSError as error:
                    outcomes[name] = type(error).__name__
            return outcomes
    """,
        os.getpid(),
        sandbox._process.pid,
    )
    assert outcomes["grader"] != "sent" and outcomes["zygote"] != "sent"
    assert sandbox._process.poll() is None


def test_zygote_holds_no_grader_code(sandbox):
    student = program(
        sandbox,
        """
        import sys
        def probe():
            return sorted(m for m in sys.modules if "pytest" in m and "numpy" not in m or m.startswith("autograder"))
    """,
    )
    try:
        found = student.call("probe", (), {}).value
        kit_modules = student.session.report["kit_modules"]
    finally:
        student.close()
    assert found == []
    # the child's side of the boundary and the sandbox, with their packages (whose __init__ is a docstring only)
    assert set(kit_modules) <= {
        "autograder",
        "autograder.boundary",
        "autograder.boundary.child",
        "autograder.boundary.codec",
        "autograder.boundary.describe",
        "autograder.boundary.seal",
        "autograder.sandbox",
        "autograder.sandbox.cgroups",
        "autograder.sandbox.confine",
        "autograder.sandbox.landlock",
        "autograder.sandbox.linux",
        "autograder.sandbox.plan",
        "autograder.sandbox.seccomp",
        "autograder.sandbox.zygote",
    }


def test_answers_larger_than_one_read_arrive_whole_and_in_order(sandbox):
    student = program(
        sandbox,
        """
        import torch
        def probe(n):
            return torch.arange(n, dtype=torch.int64)
    """,
    )
    try:
        answers = [student.call("probe", (n,), {}).value for n in (300_000, 3, 200_000)]
    finally:
        student.close()
    assert [a.tolist() for a in answers] == [list(range(n)) for n in (300_000, 3, 200_000)]


def _huge_pages_possible() -> bool:
    try:
        enabled = Path("/sys/kernel/mm/transparent_hugepage/enabled").read_text()
    except OSError:
        return False
    return "[never]" not in enabled and tuple(map(int, os.uname().release.split(".")[:2])) >= (6, 1)


@pytest.mark.skipif(not _huge_pages_possible(), reason="no transparent huge pages or MADV_COLLAPSE here")
def test_the_zygote_memory_children_inherit_is_in_huge_pages(sandbox):
    sandbox.layers()  # the zygote is up
    rollup = Path(f"/proc/{sandbox._process.pid}/smaps_rollup").read_text()
    fields = {line.split(":")[0]: int(line.split()[1]) for line in rollup.splitlines()[1:]}
    assert fields["AnonHugePages"] >= fields["Anonymous"] // 4


def test_the_zygote_and_both_threads_of_a_child_run_as_a_batch_job(sandbox):
    """SCHED_BATCH: a hand-over between grader and child, or between the child's two threads, wakes the
    other side without preempting the one handing over (half the context switches)."""
    allowed = subprocess.run(
        [sys.executable, "-c", "import os; os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))"],
        capture_output=True,
    )
    if allowed.returncode != 0:
        pytest.skip("this machine does not let a process choose SCHED_BATCH (the kit then runs as it is)")
    assert os.sched_getscheduler(sandbox._process.pid) == os.SCHED_BATCH
    policies = value(
        sandbox,
        """
        import os, threading
        def probe():
            return [os.sched_getscheduler(0), threading.get_native_id() != os.getpid()]
    """,
    )
    assert policies == [os.SCHED_BATCH, True]  # asked from the student's own thread, not the main one


# --- limits and failures ----------------------------------------------------------------------------


def test_a_hanging_call_times_out_and_the_next_call_gets_a_fresh_child(sandbox):
    student = program(
        sandbox,
        """
        import time
        def hang():
            time.sleep(60)
        def answer():
            return 42
    """,
    )
    try:
        hung = student.call("hang", (), {})
        assert hung.error.type == "timeout" and hung.error.message == f"({LIMITS.call_seconds:g} s per call)"
        assert student.call("answer", (), {}).value == 42
        assert student.failures == 1
    finally:
        student.close()


@pytest.mark.parametrize(
    ("body", "kind", "says"),
    [
        ("os._exit(3)", "exit", "exit code 3"),
        ("faulthandler._read_null()", "crash", "SIGSEGV"),
        ("os.abort()", "crash", "SIG"),  # PID 1 ignores its own SIGABRT; abort() then faults
        ("while True: pass", "timeout", "CPU"),  # signal handlers cannot be changed from the student's thread
        ("x = [bytearray(64 << 20) for _ in range(20)]\n    return len(x)", "memory", "GiB"),
    ],
)
def test_a_dying_child_becomes_a_failure_kind(sandbox, body, kind, says):
    if kind == "memory":
        needs(sandbox, "cgroup-memory")
    result = call(sandbox, f"import faulthandler, os\ndef probe():\n    {body}\n")
    assert (result.error.type, says in result.error.message) == (kind, True), result.error


def test_a_child_after_one_that_ran_out_of_memory_is_not_blamed_for_it(sandbox):
    """Children of a uid slot share its control groups, one at a time: only an OOM kill during a child's
    own life counts against it."""
    needs(sandbox, "cgroup-memory")
    bomb = "def probe():\n    x = [bytearray(64 << 20) for _ in range(20)]\n    return len(x)\n"
    exits = "import os\ndef probe():\n    os._exit(3)\n"
    kinds = [call(sandbox, source).error.type for source in (bomb, exits, exits, exits, bomb)]
    assert kinds == ["memory", "exit", "exit", "exit", "memory"]


def test_the_system_call_filter_refuses_internet_sockets_with_its_own_errno(sandbox):
    needs(sandbox, "seccomp")
    result = call(
        sandbox,
        "import errno, socket\ndef probe():\n    try:\n"
        "        socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n"
        "    except OSError as error:\n        return errno.errorcode[error.errno]\n",
    )
    assert result.value == "EACCES"


def test_memory_beyond_the_address_space_limit_is_a_memory_error(sandbox):
    result = call(
        sandbox, "import resource\ndef probe():\n    return bytearray(resource.getrlimit(resource.RLIMIT_AS)[0])\n"
    )
    assert result.error.type == "MemoryError"


def test_a_fork_bomb_is_contained_and_leaves_no_process(sandbox):
    student = program(
        sandbox,
        """
        import os
        def probe():
            while True:
                try:
                    os.fork()
                except OSError:
                    pass
    """,
    )
    try:
        student._session()
        namespace = os.readlink(f"/proc/{student.session.pid}/ns/pid")
        result = student.call("probe", (), {})
    finally:
        student.close()
    assert result.error.type == "timeout"
    deadline = time.monotonic() + 5
    while (left := _processes_in(namespace)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not left


def _processes_in(namespace: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        try:
            if entry.isdigit() and os.readlink(f"/proc/{entry}/ns/pid") == namespace:
                found.append(int(entry))
        except OSError:
            continue
    return found


def test_an_output_flood_is_drained_keeping_a_prefix(sandbox):
    student = program(
        sandbox,
        """
        import os
        def probe():
            for _ in range(500):
                os.write(1, b"spam" * 50_000)
            print("captured by the child, not the pipe")
            return "done"
    """,
    )
    try:
        result = student.call("probe", (), {})
        session = student.session
        session.close()
        session.drain.join(5)
        assert result.value == "done" and "captured by the child" in result.output
        assert session.drain.total == 500 * 200_000
        assert session.output.startswith("spam") and len(session.output) <= LIMITS.output_bytes + 4
    finally:
        student.close()


def test_a_dead_child_fails_its_checks_and_the_next_submission_still_grades(sandbox):
    solution = extract.read_notebook(ROOT / "source" / "a02_shapes" / "a02_shapes.ipynb", "honest", "a02_shapes")
    killer = extract.Submission(
        "killer",
        "a02_shapes",
        solution.cells + [{"index": 999, "source": "import os\ndef flatten_view(t):\n    os._exit(0)\n"}],
    )
    hostile, honest = grade.grade([killer, solution], transport=sandbox)
    assert honest.score == honest.points > 0
    flatten = hostile.exercise("flatten_view")
    assert flatten.score == 0 and any("exited" in c.detail.en for c in flatten.checks if c.detail)
    assert "exit" in hostile.flags
    others = [e for e in hostile.exercises if e.id != "flatten_view"]
    assert sum(e.score for e in others) == sum(e.points for e in others)  # restarted for the other exercises
    assert hostile.transport == "sandbox" and hostile.layers == sandbox.layers()


def test_a_sandbox_that_cannot_start_children_stops_grading_and_fails_no_one(tmp_path):
    """Every uid slot held by someone else (another grader on the machine, say): the batch stops with
    that reason, and no student is given a crash the sandbox caused."""
    limits = dataclasses.replace(LIMITS, uid_base=3_900_000_000 + os.getpid() % 10_000 * 4, uid_slots=2)
    lock_dir = "/run/lock" if os.access("/run/lock", os.W_OK) else tempfile.gettempdir()
    held = [
        os.open(os.path.join(lock_dir, f"autograder-uid-{uid}.lock"), os.O_RDWR | os.O_CREAT, 0o600)
        for uid in range(limits.uid_base, limits.uid_base + limits.uid_slots)
    ]
    solution = extract.read_notebook(ROOT / "source" / "a02_shapes" / "a02_shapes.ipynb", "honest", "a02_shapes")
    emitted = []
    try:
        for fd in held:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with Sandbox(limits) as blocked, pytest.raises(grade.GraderError, match="uids .* are in use"):
            grade.grade([solution], transport=blocked, on_result=emitted.append)
    finally:
        for fd in held:
            os.close(fd)
    assert emitted == []


# --- budgets, degradation, recovery ----------------------------------------------------------------


def test_a_submission_has_one_time_budget_across_restarts(degraded):
    transport, _ = degraded
    student = program(transport, "import time\ndef probe():\n    time.sleep(60)\n")
    try:
        outcomes = [student.call("probe", (), {}).error.message for _ in range(4)]
    finally:
        student.close()
    assert outcomes[:2] == ["(1 s per call)"] * 2 and outcomes[2:] == ["(2.5 s per submission)"] * 2


def test_skipped_layers_are_reported_with_a_warning_and_files_stay_hidden(degraded, tmp_path):
    transport, records = degraded
    assert not set(DEGRADED) & set(transport.layers())
    assert all("skipped" in transport.problems[layer] for layer in DEGRADED)
    warned = " ".join(r.getMessage() for r in records)
    assert all(layer in warned for layer in DEGRADED)
    student = program(transport, "import os\ndef probe():\n    open('x', 'w').write('x')\n    return os.getcwd()\n")
    try:
        scratch = student.call("probe", (), {}).value
        assert Path(scratch).is_dir() and not str(scratch).startswith(str(ROOT))
    finally:
        student.close()
    deadline = time.monotonic() + 5
    while Path(scratch).exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not Path(scratch).exists()  # the zygote removes a session's scratch with it


def test_a_dead_zygote_is_replaced_warmed_again_and_its_leftovers_removed(degraded):
    transport, _ = degraded
    transport.prepare({"meta"})
    killed = dict(transport.machine)
    transport._process.kill()
    transport._process.wait()
    assert value(transport, "def probe():\n    return 7\n") == 7
    assert transport.machine["workdir"] != killed["workdir"]
    assert not Path(killed["workdir"]).exists()
    assert not [path for path in killed["cgroup_dirs"].values() if Path(path).exists()]
    assert value(transport, META_PROBE) == (True, 0)


def test_a_sandbox_closed_before_its_zygote_is_up_ends_it_quietly():
    """The zygote's first message finds the grader gone: it cleans up and exits, with no traceback on stderr."""
    closed = subprocess.run(
        [sys.executable, "-c", "from autograder.sandbox.session import Sandbox\nSandbox().close()"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert closed.returncode == 0 and "Traceback" not in closed.stderr, closed.stderr


def test_limits_document_every_field():
    documented = Limits.__doc__
    assert all(f"{field.name} = " in documented for field in dataclasses.fields(Limits))


def test_python_reached_through_a_link_is_visible_at_both_paths_and_the_kit_at_neither(tmp_path):
    """A virtual environment linked into place (`/srv/venv -> /opt/venvs/3`) is where the child's Python
    looks for modules it has not imported yet: the real folder is bound at the link's path too."""
    from autograder.sandbox import plan

    real = tmp_path / "opt" / "venv" / "site-packages"
    real.mkdir(parents=True)
    (tmp_path / "kit" / "autograder").mkdir(parents=True)
    (tmp_path / "kit" / ".venv").symlink_to(tmp_path / "opt" / "venv")
    linked = tmp_path / "kit" / ".venv" / "site-packages"
    binds = plan._python_dirs([str(linked), str(tmp_path / "kit")], str(tmp_path / "kit" / "autograder"))
    assert sorted(binds) == sorted([str(real), str(linked)])
