"""Find, in a submission's code, what reaches into the grading process instead of answering (grader side).

The facts a check relies on (storage sharing, autograd state, the arguments after a call) are measured in
the student's own process. `seal` keeps the measuring code out of the student's reach and its audit
hook refuses what Python lets it see; what no runtime check can see (raw memory through numpy's array
interface, a name built at run time, code compiled at run time) is found here, in the grader, from the
notebook's code before any of it runs. A submission with a finding is flagged for a human and the
facts measured in its process are not credited (`boundary.Call`): code that inspects or alters the
process that grades it cannot earn points that depend on that process telling the truth.

The rules look for constructs an answer to these exercises never needs; each finding names its cell,
line and construct, so that a TA sees at once what the code did.
"""

from __future__ import annotations

import ast
import re
from dataclasses import asdict, dataclass

# Attributes and names that reach frames, the heap, other threads, code objects, the interpreter's
# memory or the call channel.
REACHING = {
    # frames and tracebacks
    "_getframe": "a frame",
    "_getframemodulename": "a frame",
    "_current_frames": "other threads' frames",
    "_current_exceptions": "other threads' exceptions",
    "currentframe": "a frame",
    "getouterframes": "frames",
    "getinnerframes": "frames",
    "getframeinfo": "frames",
    "f_back": "a frame",
    "f_globals": "a frame",
    "f_locals": "a frame",
    "f_code": "a frame",
    "f_builtins": "a frame",
    "f_trace": "a frame",
    "f_lasti": "a frame",
    "tb_frame": "a traceback's frame",
    "gi_frame": "a generator's frame",
    "cr_frame": "a coroutine's frame",
    "ag_frame": "a generator's frame",
    "walk_stack": "frames",
    "extract_stack": "frames",
    "walk_tb": "a traceback's frames",
    "__traceback__": "a traceback's frames",
    "settrace": "a trace function",
    "setprofile": "a profile function",
    "addaudithook": "an audit hook",
    "monitoring": "a trace function",
    # the heap
    "get_objects": "the garbage collector's objects",
    "get_referrers": "the garbage collector's objects",
    "get_referents": "the garbage collector's objects",
    "unfreeze": "the garbage collector's objects",
    # objects' insides
    "__subclasses__": "every class",
    "__globals__": "a function's globals",
    "__closure__": "a closure",
    "__code__": "a code object",
    "__builtins__": "the builtins",
    "__dict__": "an object's namespace",
    "__getattribute__": "attribute lookup",
    "__setattr__": "attribute assignment",
    "__delattr__": "attribute deletion",
    "__bases__": "a class's bases",
    "__base__": "a class's bases",
    "__mro__": "a class's bases",
    "__self__": "a bound method's object",
    "__wrapped__": "a wrapped function",
    "co_consts": "a code object",
    "CodeType": "a code object",
    "FunctionType": "a function built from code",
    # raw memory
    "__array_interface__": "raw memory",
    "__array_struct__": "raw memory",
    "__cuda_array_interface__": "raw memory",
    "stride_tricks": "raw memory",
    "_stride_tricks_impl": "raw memory",
    "ctypeslib": "raw memory",
    "_C": "torch's internals",
    "__torch_function__": "torch's calls into Python (a tensor subclass's dispatch)",
    "__torch_dispatch__": "torch's calls into Python (a tensor subclass's dispatch)",
    "from_dlpack": "raw memory",
    "__dlpack__": "raw memory",
    # the call channel and other processes
    "fileno": "a file descriptor",
    "fromfd": "a file descriptor",
    "fdopen": "a file descriptor",
    "dup": "a file descriptor",
    "dup2": "a file descriptor",
    "sendfile": "a file descriptor",
    "fork": "a new process or task",
    "forkpty": "a new process",
    "posix_spawn": "a new process",
    # names built at run time
    "attrgetter": "a name built at run time",
    "methodcaller": "a name built at run time",
    "import_module": "a module by a name built at run time",
    "SimpleNamespace": "attributes named at run time",
    "Namespace": "attributes named at run time",
    "new_class": "a class built at run time",
    "make_dataclass": "a class built at run time",
    "__reduce__": "an object rebuilt from data",
    "__reduce_ex__": "an object rebuilt from data",
    "__setstate__": "an object rebuilt from data",
    "__getstate__": "an object rebuilt from data",
    "__prepare__": "a class built at run time",
    "get_field": "any attribute (a format field)",
    # loaders that run code rebuilt from data (a pickle can call exec)
    "weights_only": "code rebuilt from data (a pickle)",
    "allow_pickle": "code rebuilt from data (a pickle)",
    "pickle_module": "code rebuilt from data (a pickle)",
    "read_pickle": "code rebuilt from data (a pickle)",
}
MODULES = {  # importing these is reaching in (or running code built at run time) already
    "ctypes": "raw memory",
    "_ctypes": "raw memory",
    "mmap": "raw memory",
    "gc": "the garbage collector",
    "inspect": "frames",
    "_thread": "threads",
    "importlib": "modules by name",
    "pickle": "code built at run time",
    "marshal": "code built at run time",
    "copyreg": "code built at run time",
    "dill": "code built at run time",
    "cloudpickle": "code built at run time",
    "shelve": "code built at run time",
    "code": "code built at run time",
    "codeop": "code built at run time",
    "tracemalloc": "the heap",
    "_testcapi": "raw memory",
    "socket": "the call channel",
    "multiprocessing": "a new process",
    "subprocess": "a new process",
}
DYNAMIC_CALLS = {
    "eval": "code built at run time",
    "exec": "code built at run time",
    "compile": "code built at run time",
    "__import__": "a module by a name built at run time",
    "vars": "an object's namespace",
    "locals": "a frame's namespace",
    "globals": "a frame's namespace",
    "breakpoint": "a debugger",
}
NAMED_ACCESS = ("getattr", "setattr", "delattr")  # fine with a literal name that is not itself reaching
FD_WRITES = ("write", "read", "writev", "readv", "pwrite", "pread", "close", "fstat", "ftruncate", "lseek")
MEMORY_PATHS = re.compile(r"^/proc/.*/(mem|maps|smaps|pagemap|environ|fd|task)(/|$)|^/dev/k?mem$|^/proc/kcore$")


FLAG = "introspection"  # the flag of a submission with a finding
SEEN = {"code": "in the code", "runtime": "refused while it ran", "channel": "on the call channel"}


@dataclass(frozen=True)
class Finding:
    """One construct that reaches into the grading process, where it is and how it was seen."""

    cell: int
    line: int
    what: str  # the construct, as written or as refused
    reaches: str  # what it reaches
    seen: str = "code"  # "code" (this scan), "runtime" (refused in the child), "channel" (a forged frame)
    voids: bool = True  # whether facts measured in the process stop being credited (see the module docstring)

    def to_dict(self) -> dict:
        """As a result's finding ({"flag", "cell", "detail"}, see `results.SubmissionResult`), fields kept."""
        return {"flag": FLAG, "detail": self.describe(), **asdict(self), "cell": self.cell if self.cell >= 0 else "-"}

    def describe(self) -> str:
        where = f"line {self.line}: " if self.cell >= 0 else ""
        return f"{where}{self.what} ({self.reaches}; {SEEN[self.seen]})"


def code(cells: list[dict]) -> list[Finding]:
    """Every reaching construct in a submission's code cells, in cell and line order."""
    trees = []
    for cell in cells:
        try:
            trees.append((cell["index"], ast.parse(cell["source"])))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue  # a cell that does not parse does not run either
    imports = [node for _, tree in trees for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))]
    sys_names = {"sys"} | {
        alias.asname or alias.name
        for node in imports
        if isinstance(node, ast.Import)
        for alias in node.names
        if alias.name == "sys"
    }
    libraries = {(alias.asname or alias.name).split(".")[0] for node in imports for alias in node.names}
    found: list[Finding] = []
    for index, tree in trees:
        _Visitor(index, found, sys_names, libraries).visit(tree)
    return sorted(set(found), key=lambda f: (f.cell, f.line, f.what))


class _Visitor(ast.NodeVisitor):
    def __init__(self, cell: int, found: list[Finding], sys_names: set[str], libraries: set[str]) -> None:
        self.cell = cell
        self.found = found
        self.sys_names = sys_names  # what the code calls the sys module: sys.modules reaches any module
        self.libraries = libraries  # names imports bound: torch, np, pd, builtins, what came from them
        self.called: set[int] = set()  # ids of the nodes called directly (getattr(x, "name") is read as written)
        self.bases: set[int] = set()  # ids of the names an attribute is read from (sys.path is sys used as written)

    def add(self, node: ast.AST, what: str, reaches: str, voids: bool = True) -> None:
        self.found.append(Finding(self.cell, getattr(node, "lineno", 0), what, reaches, voids=voids))

    def _patches(self, node: ast.AST, target: ast.AST) -> None:
        """An assignment to an attribute of something imported: a patched library. The sealed side of the
        child runs no library code, so this changes only the student's own answers: flagged, not voiding."""
        chain = []
        while isinstance(target, ast.Attribute):
            chain.append(target.attr)
            target = target.value
        if chain and isinstance(target, ast.Name) and target.id in self.libraries:
            dotted = ".".join([target.id, *reversed(chain)])
            self.add(node, f"{dotted} = ...", "a library the grading process uses", voids=False)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            for part in target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]:
                self._patches(node, part)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._patches(node, node.target)
        self.generic_visit(node)

    def visit_Delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            self._patches(node, target)
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        self.bases.add(id(node.value))
        if node.attr in NAMED_ACCESS and id(node) not in self.called:
            self.add(node, f".{node.attr} passed on", "any attribute, by a name given later")
        elif node.attr in NAMED_ACCESS:
            self.add(node, f".{node.attr}()", "any attribute")
        elif node.attr in REACHING:
            self.add(node, f".{node.attr}", REACHING[node.attr])
        elif node.attr == "__class__" and isinstance(node.ctx, ast.Store):
            self.add(node, ".__class__ =", "an object's class")
        elif node.attr == "modules" and isinstance(node.value, ast.Name) and node.value.id in self.sys_names:
            self.add(node, "sys.modules", "any module by a name built at run time")
        self.generic_visit(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        if any(k.arg == "metaclass" for k in node.keywords) or any(
            isinstance(b, ast.Name) and b.id == "type" or isinstance(b, ast.Attribute) and b.attr == "type"
            for b in node.bases
        ):
            self.add(node, f"class {node.name} with a metaclass", "a class built at run time")
        self.generic_visit(node)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        if node.name in REACHING:
            self.add(node, f"def {node.name}", REACHING[node.name])
        self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Name(self, node: ast.Name) -> None:
        if node.id in REACHING:
            self.add(node, node.id, REACHING[node.id])
        elif node.id in NAMED_ACCESS and id(node) not in self.called:
            self.add(node, f"{node.id} passed on", "any attribute, by a name given later")
        elif node.id in self.sys_names and isinstance(node.ctx, ast.Load) and id(node) not in self.bases:
            self.add(node, f"{node.id} passed on", "any module by a name built at run time (sys.modules)")
        self.generic_visit(node)

    def visit_keyword(self, node: ast.keyword) -> None:
        """`torch.load(f, weights_only=False)` names what it reaches in a keyword."""
        if node.arg in REACHING:
            self.add(node.value, f"{node.arg}=...", REACHING[node.arg])
        self.generic_visit(node)

    def visit_MatchClass(self, node: ast.MatchClass) -> None:
        """`case object(f_back=frame)` reads attributes named in the pattern."""
        for name in node.kwd_attrs:
            if name in REACHING:
                self.add(node, f"case ...({name}=...)", REACHING[name])
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        text = node.value.decode("latin-1") if isinstance(node.value, bytes) else node.value
        if isinstance(text, str):
            if text in REACHING:
                self.add(node, repr(text), REACHING[text])
            elif MEMORY_PATHS.search(text):
                self.add(node, repr(text[:60]), "the process's memory or descriptors")

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._module(node, alias.name)
        self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        self._module(node, node.module or "")
        for alias in node.names:
            if alias.name in REACHING:
                self.add(node, f"import {alias.name}", REACHING[alias.name])
            elif alias.name in NAMED_ACCESS:
                self.add(node, f"import {alias.name}", "any attribute, by a name given later")
            elif node.module == "sys" and alias.name in ("modules", "*"):
                self.add(node, f"from sys import {alias.name}", "any module by a name built at run time")
        self.generic_visit(node)

    def _module(self, node: ast.AST, name: str) -> None:
        parts = name.split(".")
        for depth in range(1, len(parts) + 1):
            prefix = ".".join(parts[:depth])
            if prefix in MODULES or parts[depth - 1] in REACHING:
                self.add(node, f"import {name}", MODULES.get(prefix) or REACHING[parts[depth - 1]])
                return

    def visit_Call(self, node: ast.Call) -> None:
        function = node.func
        self.called.add(id(function))
        name = function.id if isinstance(function, ast.Name) else None
        if name == "__import__" or isinstance(function, ast.Attribute) and function.attr == "__import__":
            self.add(node, "__import__()", DYNAMIC_CALLS["__import__"])
        elif name in DYNAMIC_CALLS:
            self.add(node, f"{name}()", DYNAMIC_CALLS[name])
        elif name in NAMED_ACCESS and (len(node.args) < 2 or not _literal_text(node.args[1])):
            self.add(node, f"{name}() with a name built at run time", "any attribute")
        elif name in ("setattr", "delattr") and node.args:
            attribute = node.args[1]
            assert isinstance(attribute, ast.Constant)  # a literal name: any other was reported above
            self._patches(node, ast.Attribute(value=node.args[0], attr=str(attribute.value)))
        elif name == "type" and len(node.args) == 3:
            self.add(node, "type() with three arguments", "a class built at run time")
        elif (name == "Enum" or isinstance(function, ast.Attribute) and function.attr == "Enum") and len(node.args) > 1:
            self.add(node, "Enum() with members named at run time", "a class built at run time")
        elif (
            isinstance(function, ast.Attribute)
            and function.attr in FD_WRITES
            and isinstance(function.value, ast.Name)
            and function.value.id == "os"
            and not (node.args and isinstance(node.args[0], ast.Constant) and node.args[0].value in (0, 1, 2))
        ):
            self.add(node, f"os.{function.attr}() on a descriptor", "a file descriptor (the call channel?)")
        self.generic_visit(node)


def _literal_text(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)
