"""The sandboxed child's trusted side is out of the student's reach, and what it refuses is recorded.

The red-team corpus (tests/redteam) shows that each known route to forge a report fails and is flagged;
these tests pin the properties those results rest on.
"""

from __future__ import annotations

import ast
import dis
import textwrap
import types
from pathlib import Path

import pytest
import torch

from autograder.boundary import seal
from autograder.boundary.parent import Program, StudentRaised
from autograder.boundary.transport import InProcess
from autograder.engine import extract
from autograder.sandbox.session import Limits, Sandbox

ROOT = Path(__file__).resolve().parents[2]
SEALED = ("boundary.describe", "boundary.seal")
LIMITS = Limits(call_seconds=10, cells_seconds=10, submission_seconds=60, uid_base=63000, uid_slots=8)
# Classes a student can change that the sealed code holds, each only ever compared by identity.
IDENTITY_ONLY = {
    "_Tensor",
    "_Parameter",
    "_TensorBase",
    "_Dtype",
    "_Device",
    "_Size",
    "_DataFrame",
    "_Series",
    "_Index",
    "_RangeIndex",
    "_BlockManager",
    "_SingleBlockManager",
    "_NumpyBlock",
    "_StringArray",
}


@pytest.mark.parametrize("name", SEALED)
def test_the_sealed_modules_define_no_class(name):
    """Every class is reachable from object.__subclasses__(), and through its methods, its module's globals."""
    tree = ast.parse((ROOT / "autograder" / f"{name.replace('.', '/')}.py").read_text(encoding="utf-8"))
    assert not [node.name for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]


def _functions(namespace: dict):
    """The functions the private copy defines, nested ones included (by their code objects)."""
    for value in namespace.values():
        if isinstance(value, types.FunctionType) and value.__globals__ is namespace:
            yield value.__name__, value.__code__


def _codes(code):
    yield code
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            yield from _codes(constant)


def _unchangeable(kind: type) -> bool:
    """A type nobody can add or replace attributes of: static (C) or immutable."""
    return not kind.__flags__ & (1 << 9) or bool(kind.__flags__ & (1 << 8))


def _harmless(value, namespace: dict) -> bool:
    if isinstance(value, (dict, list)) and not isinstance(value, type):
        return True  # the private copy's own containers: nothing else refers to them
    if isinstance(value, types.ModuleType):
        return False  # a student can replace any module attribute
    if isinstance(value, types.FunctionType):
        return value.__globals__ is namespace  # its own private functions
    if isinstance(value, type):
        return _unchangeable(value)
    return _unchangeable(type(value))  # numbers, text, descriptors, builtins, C objects


@pytest.mark.parametrize("name", SEALED)
def test_sealed_code_reads_at_run_time_only_what_it_captured_at_load(name):
    """No global a function reads is a module (whose attributes a student can replace), a class of the
    student's reach that is not compared by identity only, or a function of another module."""
    namespace = seal.load_private(name)
    bad = {}
    for function, code in _functions(namespace):
        if function in ("load_private", "sealed_server"):
            continue  # run by the zygote to make the private copies, before any student code
        for inner in _codes(code):
            for instruction in dis.get_instructions(inner):
                if instruction.opname not in ("LOAD_GLOBAL", "LOAD_NAME"):
                    continue
                global_name = instruction.argval
                if global_name in IDENTITY_ONLY:
                    continue
                value = namespace[global_name] if global_name in namespace else namespace["__builtins__"][global_name]
                if not _harmless(value, namespace):
                    bad.setdefault(function, set()).add(global_name)
    assert not bad


def test_a_private_copy_is_registered_nowhere_and_has_its_own_builtins():
    import builtins
    import sys

    namespace = seal.load_private("boundary.describe")
    assert namespace["__builtins__"] is not vars(builtins) and namespace["__builtins__"]["len"] is len
    assert all(getattr(module, "__dict__", None) is not namespace for module in list(sys.modules.values()))


def test_park_and_the_audit_hook_run_without_globals():
    private = seal.load_private("boundary.seal")
    park = private["_without_globals"](private["park"])
    hook = private["_without_globals"](private["_audit_hook"](0, [], ("/tmp/",)))
    helpers = [cell.cell_contents for cell in hook.__closure__ if isinstance(cell.cell_contents, types.FunctionType)]
    assert helpers  # what the hook calls is in its closure, where a traceback through the hook reaches it
    for function in (park, hook, *helpers):
        assert function.__globals__ == {"__builtins__": {}}
        names = {
            i.argval
            for c in _codes(function.__code__)
            for i in dis.get_instructions(c)
            if i.opname in ("LOAD_GLOBAL", "LOAD_NAME")
        }
        assert not names, names


def test_the_audit_hook_refuses_loading_the_students_own_code_files_and_nothing_that_is_not_there(tmp_path):
    """Code a notebook writes and then loads is refused; a path the child cannot see (a traceback's source lookup
    of a kit checked out under the scratch's path, hidden by the private root) is no reason to void a submission."""
    import threading

    private = seal.load_private("boundary.seal")
    refused: list = []
    hook = private["_audit_hook"](threading.get_ident() + 1, refused, (f"{tmp_path}/",))  # not the main thread
    written = tmp_path / "helper.py"
    written.write_text("x = 1\n")
    with pytest.raises(PermissionError):
        hook("open", (str(written), "r", 0))
    with pytest.raises(PermissionError):
        hook("compile", (b"x = 1", str(written)))
    hook("open", (str(tmp_path / "kit" / "autograder" / "boundary" / "child.py"), "r", 0))
    hook("compile", (b"x = 1", "<cell 3>"))
    hook("open", (str(tmp_path / "notes.txt"), "w", 0))
    assert [event for event, _, _ in refused] == ["open", "compile"]


def test_the_park_point_is_the_call_of_wait():
    point = seal._park_point(seal.park.__code__)
    instructions = {i.offset: i for i in dis.get_instructions(seal.park)}
    assert instructions[point].opname == "CALL"


def test_a_failure_of_the_sealed_side_ends_the_process_at_once():
    """An exception leaving the sealed side would be printed by library code the student may have replaced
    (`traceback`, in the zygote's handler), in the sealed thread, with the session key on the stack."""
    import builtins
    import os

    from autograder.boundary import child

    tools = child.park_tools()
    pid = os.fork()
    if pid == 0:  # the channel's descriptor is not open: sending the ready frame raises in the sealed side
        try:
            seal.sealed_server()(
                -1,
                bytes(32),
                [],
                {"devices": ["cpu"], "withheld": {}},
                {"__name__": "__student__", "__builtins__": builtins},
                tools,
            )
        finally:
            os._exit(99)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == seal.SEALED_SIDE_FAILED


# -- in a sandboxed child ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(LIMITS) as transport:
        yield transport


def run(sandbox, source: str, name: str = "probe", *args):
    program = Program(sandbox, extract.from_source(textwrap.dedent(source)).cells)
    try:
        return program, program.call(name, args, {})
    finally:
        program.close()


def test_frames_in_the_students_thread_lead_to_nothing_of_the_kit(sandbox):
    program, call = run(
        sandbox,
        """
        import sys
        def probe():
            frames, frame = [], sys._getframe()
            while frame is not None:
                frames.append((frame.f_code.co_name, sorted(frame.f_globals)))
                frame = frame.f_back
            return frames
    """,
    )
    module = ["__builtins__", "__doc__", "__loader__", "__name__", "__package__", "__spec__"]  # the student's own
    assert call.value == [["probe", [*module, "probe", "sys"]], ["park", ["__builtins__"]]] or call.value == [
        ("probe", [*module, "probe", "sys"]),
        ("park", ["__builtins__"]),
    ]


@pytest.mark.parametrize(
    ("code", "event"),
    [
        ("import gc\n    return len(gc.get_objects())", "gc.get_objects"),
        ("import sys\n    return len(sys._current_frames())", "sys._current_frames"),
        ("import sys\n    sys.settrace(lambda *a: None)", "sys.settrace"),
        ("import ctypes\n    return ctypes.string_at(id(1), 8)", "ctypes.string_at"),
        ("import os\n    os.fork()", "os.fork"),
        ("return open('/proc/self/mem', 'rb').read(1)", "open"),
        (
            "class Path(str):\n        def split(self, *a): return ['harmless']\n"
            "    return open(Path('/proc/self/maps'), 'rb').read(1)",
            "open",
        ),  # str's own split, not the subclass's
        # code the notebook writes to a file and then loads is code the scan never read
        ("open('helper.py', 'w').write('X = 1')", "open"),
        (
            "open('helper.txt', 'w').write('X = 1')\n    import runpy\n    return runpy.run_path('helper.txt')",
            "compile",
        ),
        ("import os\n    os.symlink('/proc/self/mem', 'x')", "os.symlink"),
        (  # io.FileIO converts a path object, then raises "open" with the object itself: one of the student's
            # own class could name /proc/self/mem to the first and a harmless file to the hook
            "import io\n    class Flip:\n        asked = []\n        def __fspath__(self):\n"
            "            self.asked.append(1)\n"
            "            return '/proc/self/mem' if len(self.asked) == 1 else '/usr/lib/os-release'\n"
            "    return io.FileIO(Flip()).read(1)",
            "open",
        ),
    ],
)
def test_what_reaches_the_kit_is_refused_in_the_students_thread_and_recorded(sandbox, code, event):
    program, call = run(sandbox, f"def probe():\n    {code}\n")
    assert call.error.type == "PermissionError" and event in call.error.message
    refused = [f for f in program.findings if f.seen == "runtime"]
    assert refused and refused[0].what == event and refused[0].cell == 1 and refused[0].line >= 2


def test_an_audit_hook_of_the_students_is_not_added_and_the_attempt_is_recorded(sandbox):
    """Python drops a hook that an existing hook objects to, silently: a hook of the student's would run
    inside the kit's own code at its next audited event."""
    program, call = run(
        sandbox,
        """
        import sys
        seen = []
        def probe():
            sys.addaudithook(lambda event, args: seen.append(event))
            open("/dev/null").close()
            return len(seen)
    """,
    )
    assert call.value == 0
    assert [(f.what, f.seen) for f in program.findings if f.seen == "runtime"] == [("sys.addaudithook", "runtime")]


def test_honest_introspection_works_in_the_students_thread(sandbox):
    """Tracebacks, warnings and pandas' stack levels need frames: they only ever see the student's own."""
    program, call = run(
        sandbox,
        """
        import sys, traceback, warnings
        import pandas as pd
        def probe():
            try:
                1 / 0
            except ZeroDivisionError:
                text = traceback.format_exc()
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                frame = pd.DataFrame({"a": [1, 2]})
                frame[pd.Series([True, False], index=[1, 0])]  # pandas warns at a stack level found by frames
                warnings.warn("careful")
            return "ZeroDivisionError" in text and "line 6, in probe" in text, [str(w.filename) for w in caught]
    """,
    )
    assert call.value == (True, ["<cell 1>", "<cell 1>"]) and not program.findings


def test_standard_paths_and_text_still_open_files_in_the_students_thread(sandbox):
    program, call = run(
        sandbox,
        """
        import os, pathlib
        class Name(str):
            pass
        def probe():
            pathlib.Path("notes.txt").write_text("a")
            with open(pathlib.PurePosixPath("notes.txt")) as one, open(Name("notes.txt")) as two:
                with open(os.open(b"notes.txt", os.O_RDONLY)) as three:
                    return one.read() + two.read() + three.read()
    """,
    )
    assert call.value == "aaa" and not program.findings


def test_code_from_the_python_installation_and_from_cells_still_compiles(sandbox):
    """Classes that libraries build from source text at run time, and modules imported for the first time."""
    program, call = run(
        sandbox,
        """
        import collections
        Pair = collections.namedtuple("Pair", "a b")
        def probe():
            import fractions, wave  # not imported by the kit
            return Pair(2, 3).b + int(fractions.Fraction(1, 1))
    """,
    )
    assert call.value == 4 and not program.findings


@pytest.mark.parametrize("where", ["sandbox", "in-process"])
def test_classes_a_cell_defines_work_as_in_a_notebook(request, where):
    """dataclasses and typing find a class's module by its name in sys.modules: the cells' own is there."""
    transport = request.getfixturevalue("sandbox") if where == "sandbox" else InProcess()
    program, call = run(transport, STUDENT_CLASSES, "probe", 3)
    assert not program.cell_errors and not program.findings
    assert call.value == (4.5, ["x", "y"], True, "GREEN", "b", 3)


STUDENT_CLASSES = """
from __future__ import annotations
import dataclasses, enum, typing

@dataclasses.dataclass
class Point:
    x: int
    y: float = 0.5
    tags: typing.ClassVar[list] = []

class Color(enum.Enum):
    RED = 1
    GREEN = 2

class Pair(typing.NamedTuple):
    first: int
    second: str = "b"

def probe(n):
    point = dataclasses.replace(Point(n), y=1.5)
    return (point.x + point.y, [f.name for f in dataclasses.fields(Point)], typing.get_type_hints(Point)["x"] is int,
            Color(2).name, Pair(n).second, Pair(n)._asdict()["first"])
"""


def test_a_native_module_written_to_the_scratch_cannot_be_loaded(sandbox):
    """Written under another name and renamed (the audit hook refuses opening a code file there), it still
    cannot be mapped: the scratch is mounted noexec. Native code would reach the whole process."""
    if "private-root" not in sandbox.layers():
        pytest.skip("no private root on this machine: the scratch is a directory of the host")
    program, call = run(
        sandbox,
        """
        import glob, importlib.machinery, importlib.util, os, shutil
        def probe():
            library = glob.glob(os.path.dirname(os.__file__) + "/lib-dynload/_json*.so")[0]
            shutil.copy(library, "module.bin")
            name = os.path.abspath("_json" + importlib.machinery.EXTENSION_SUFFIXES[0])
            os.rename("module.bin", name)
            spec = importlib.util.spec_from_file_location("_json", name)
            try:
                importlib.util.module_from_spec(spec)
            except ImportError as error:
                return str(error)
            return "loaded"
    """,
    )
    assert "failed to map segment" in call.value


def test_the_students_code_cannot_start_a_thread(sandbox):
    """A thread beside the student's would run while the sealed side describes an answer: a collection of the
    garbage collector started there would run the student's finalizers and gc.callbacks in the sealed thread."""
    program, call = run(
        sandbox,
        """
        import threading, time
        def probe():
            try:
                threading.Thread(target=time.sleep, args=(60,), daemon=True).start()
            except RuntimeError as error:
                return str(error)
            return "started"
    """,
    )
    assert call.value == "can't start new thread" and not program.findings


def test_code_that_asks_torch_for_more_threads_still_runs(sandbox):
    """OpenMP exits the process when it cannot start a thread: its thread limit keeps it from trying."""
    program, call = run(
        sandbox,
        """
        import torch
        def probe():
            torch.set_num_threads(4)
            x = torch.ones(256, 256)
            return float((x @ x).sum())
    """,
    )
    assert call.error is None and call.value == 256.0**3


@pytest.mark.parametrize(
    ("body", "moved"),
    [
        ("return t.view(-1)", False),
        ("t.add_(1)\n    return t.view(-1)", False),  # its values changed, not its memory
        ("t.requires_grad_(False)\n    return t.clone()", False),
        (
            "copy = t.clone().view(-1)\n    t.set_(copy.untyped_storage(), 0, t.shape, t.stride())\n    return copy",
            True,
        ),
        ("view = t.view(-1)\n    t.data = t.clone()\n    return view", True),
        ("t.untyped_storage().resize_(t.untyped_storage().nbytes() * 2)\n    return t.clone().view(-1)", True),
        ("ts[0] = ts[0].clone()\n    return ts[1]", True),  # an input swapped out of the list it came in
    ],
)
def test_a_function_that_changes_the_memory_of_its_input_gets_no_memory_facts(sandbox, body, moved):
    """The memory the inputs use is measured before the function runs; pointing an input at other memory
    would otherwise turn a copy into a view of the input (or a view into a copy)."""
    list_input = "ts" in body
    source = f"def probe({'ts' if list_input else 't'}):\n    {body}\n"
    x = torch.arange(6.0).reshape(2, 3)
    program = Program(sandbox, extract.from_source(source).cells)
    try:
        call = program.call("probe", ([x, x + 1],) if list_input else (x,), {})
    finally:
        program.close()
    assert call.error is None and call.moved is moved
    if moved:
        with pytest.raises(StudentRaised, match="changed the memory its input uses"):
            call.shares_memory(call.value, call.args[0])
    else:
        call.shares_memory(call.value, call.args[0])


@pytest.mark.parametrize("nested", [False, True], ids=["argument", "tensor-in-a-list"])
def test_an_input_decoded_into_a_larger_storage_gets_no_memory_facts(sandbox, nested):
    """A student who reaches the kit's decoding in their own process (flagged by the scan) and rebuilds their
    input inside a larger storage would have room there for a copy that seems to share it: a tensor passed
    directly or inside a list."""
    where = "[0][0]" if nested else "[0]"
    t = torch.arange(6.0).reshape(2, 3)
    program, call = run(
        sandbox,
        f"""
        import sys
        frame = sys._getframe(0)
        while frame.f_code.co_name != "park":
            frame = frame.f_back
        codec = frame.f_locals["tools"][1].__globals__["codec"]
        decode = codec.decode
        def roomy(frame, live=False, defer=()):
            header, out = decode(frame, live, defer)
            t = out.value["args"]{where}
            storage = torch.empty(2 * t.numel(), dtype=t.dtype)
            storage[:t.numel()] = t.reshape(-1)
            out.value["args"]{where} = storage[:t.numel()].view(t.shape)
            return header, out
        codec.decode = roomy
        import torch
        def probe(t):
            return t{where[3:]}.view(-1)
    """,
        "probe",
        [t] if nested else t,
    )
    assert call.error is None and call.moved and program.findings


def test_no_frame_of_the_sealed_side_is_left_for_the_students_garbage_collector(sandbox):
    """An answer the sealed side cannot describe raises there; the exception's traceback must not outlive it
    in a cycle, which gc.DEBUG_SAVEALL would hand to the student's code, private globals and all."""
    program = Program(
        sandbox,
        extract.from_source(
            textwrap.dedent("""
        import gc
        import torch
        def undescribable():
            return torch.zeros(2, dtype=torch.float8_e4m3fn)
        def garbage():
            gc.set_debug(gc.DEBUG_SAVEALL)
            gc.collect()
            return [obj.f_code.co_name for obj in gc.garbage if type(obj).__name__ == "frame"]
    """)
        ).cells,
    )
    try:
        assert program.call("undescribable", (), {}).error.type == "UndescribableResult"
        call = program.call("garbage", (), {})
    finally:
        program.close()
    assert call.error is None and call.value == []


@pytest.mark.parametrize("where", ["t.trap = _Trap()", "return_value = _Trap()"])
def test_no_finalizer_of_the_students_runs_in_the_sealed_thread(sandbox, where):
    """The sealed side keeps every object it reached while describing an answer or measuring inputs, and
    the student's thread drops them: a last reference dropped in the sealed thread would run a finalizer
    there, where the audit hook lets everything through."""
    program = Program(
        sandbox,
        extract.from_source(
            textwrap.dedent(f"""
        import threading
        _sealed, _threads = threading.main_thread().ident, []
        class _Trap:
            def __del__(self):
                _threads.append(threading.get_ident() == _sealed)
        def probe(t):
            return_value = None
            {where}
            return return_value
        def finalized():
            return list(_threads)
    """)
        ).cells,
    )
    try:
        for _ in range(3):
            assert program.call("probe", (torch.ones(2),), {}).error is None
        call = program.call("finalized", (), {})
    finally:
        program.close()
    assert call.value and not any(call.value), call.value


def test_a_hand_over_signalled_early_is_not_taken_for_a_finished_job(sandbox):
    """The student's thread can reach the lock it signals with (park's frame, flagged by the scan); an extra
    signal must not let the sealed side read a job's outcome before the job has run, or run beside it."""
    program = Program(
        sandbox,
        extract.from_source(
            textwrap.dedent("""
        import sys, time
        def first():
            frame = sys._getframe(1)
            frame.f_locals["finish"]()  # one signal more than the hand-overs
            time.sleep(0.1)  # the sealed thread takes the signal now; the hand-over's own comes after
            return "first"
        def second():
            time.sleep(0.2)
            return "second"
    """)
        ).cells,
    )
    try:
        assert program.call("first", (), {}).value == "first"
        call = program.call("second", (), {})
    finally:
        program.close()
    assert call.error is None and call.value == "second"


def test_every_frame_after_set_up_carries_the_sessions_tag(sandbox):
    """A frame whose tag does not verify is refused as a protocol failure and noted as a forgery."""
    program = Program(sandbox, extract.from_source("def f(x):\n    return x\n").cells)
    try:
        session = program._session()
        session.key = bytes(32)  # as if the child held another key: its frames no longer verify
        call = program.call("f", (torch.ones(2),), {})
    finally:
        program.close()
    assert call.error.type == "protocol" and "not written by the kit" in call.error.message
    assert [f.seen for f in program.findings] == ["channel"]
