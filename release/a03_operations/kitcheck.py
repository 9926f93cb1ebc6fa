"""Visible checks for the PyTorch basics notebooks / PyTorch 기초 노트북의 확인 도우미.

Shipped beside every released notebook. The check cells use it to try your function on a fixed,
visible example and say what passed and what failed and why. The real grading uses other,
randomized inputs, so passing here is necessary but not sufficient.

확인 셀은 고정된 예제로 함수를 시험하고, 무엇이 맞았고 무엇이 왜 틀렸는지 알려 줍니다. 실제 채점은
다른 무작위 입력을 쓰므로, 여기서 통과해도 채점에서 틀릴 수 있습니다.

Language: the environment variable KIT_LANG=ko|en (default: ko), or `kitcheck.LANG = "en"`.

A check cell (the `with` block prints one verdict, or fails the cell with it)::

    with Check("flatten_view") as check:
        x = torch.arange(6).reshape(2, 3)
        out = check.call(flatten_view, x)          # a stub or an error stops the check here, explained
        check.tensor(out, torch.arange(6))         # type, dtype, shape, device, values
        check.shares(out, x)                       # a view, not a copy
        check.raises(RuntimeError, flatten_view, x.t())
"""

from __future__ import annotations

import contextlib
import linecache
import os
import re
import sys
import sysconfig
import textwrap
import traceback
import warnings

import numpy as np
import torch

LANG: str | None = None
""""ko" or "en"; None follows $KIT_LANG, and Korean when that is unset."""

_KOREAN_NAMES = {"result": "결과", "input": "입력", "output": "출력", "value": "값", "gradient": "기울기",
                 "grad": "기울기", "index": "인덱스", "mask": "마스크"}
_LIBRARY_DIRS = tuple(sorted({os.path.realpath(sysconfig.get_paths()[key])
                              for key in ("stdlib", "platstdlib", "purelib", "platlib")}))


class CheckFailed(AssertionError):
    """A failed visible check. Jupyter shows only its message, not this file's internals."""

    def _render_traceback_(self):
        return str(self).split("\n")


class _Stop(Exception):
    """Ends a check early once the student's function cannot be run."""


class Check:
    """Collects the results of one exercise's visible check; used as a `with` block.

    Every method records one line of the verdict (✔ what passed, ✘ what failed and why) and returns
    whether it passed. Leaving the block prints the verdict, or raises `CheckFailed` with it so that the
    cell fails and nbgrader's Validate reports it. Warnings and stderr output inside the block become
    notes on stdout, because nbgrader scores a check cell that wrote to stderr as failed.
    """

    def __init__(self, exercise: str) -> None:
        self.exercise = exercise
        self.items: list[tuple[bool, str | None]] = []
        self.not_done = False
        self.stopped = False
        self._cell: str | None = None
        self._quiet = contextlib.ExitStack()
        self._caught: list[warnings.WarningMessage] = []

    @property
    def failures(self) -> list[str]:
        return [text for ok, text in self.items if not ok]

    def __enter__(self) -> Check:
        self._cell = sys._getframe(1).f_code.co_filename
        self._caught = self._quiet.enter_context(warnings.catch_warnings(record=True))
        self._quiet.enter_context(contextlib.redirect_stderr(sys.stdout))
        return self

    def __exit__(self, kind, error, tb) -> bool:
        self._quiet.close()
        if error is not None and not isinstance(error, _Stop):
            if not isinstance(error, Exception):
                return False  # KeyboardInterrupt (the stop button), SystemExit
            self._stop_on(error, _say("확인 도중 오류가 났습니다", "The check stopped on an error"))
        verdict = _html_safe(_fit(self._verdict() + self._warning_notes()))
        if self.not_done or self.failures:
            raise CheckFailed(verdict) from None
        print(verdict)
        return True

    # -- recording -------------------------------------------------------------------------------

    def fail(self, ko: str, en: str) -> None:
        self.items.append((False, _say(ko, en)))

    def expect(self, condition: bool, ko: str, en: str, passed: tuple[str, str] | None = None) -> bool:
        """Record the failure (ko, en) unless `condition`; `passed` = (ko, en) names the check when it holds."""
        return self._all([] if condition else [(ko, en)], passed)

    def _all(self, problems: list[tuple[str, str]], passed: tuple[str, str] | None = None) -> bool:
        """One ✔ line when nothing is wrong, else one ✘ line per problem."""
        for ko, en in problems:
            self.fail(ko, en)
        if not problems:
            self.items.append((True, _say(*passed) if passed else None))
        return not problems

    def _stop_on(self, error: Exception, what: str) -> None:
        self.stopped = True
        if isinstance(error, NotImplementedError):
            self.not_done = True
        else:
            self.items.append((False, f"{what}: {_explain(error, self._cell)}"))

    # -- running the student's function ----------------------------------------------------------

    def call(self, function, *args, **kwargs):
        """Run the student's function; a stub or an error stops the check with a clear reason."""
        try:
            return function(*args, **kwargs)
        except Exception as error:  # noqa: BLE001 - the student's own error, shown at their line
            self._stop_on(error, _say("함수에서 오류가 났습니다", "Your function raised an error"))
        raise _Stop()

    def raises(self, kind: type[BaseException], function, *args, **kwargs) -> bool:
        """The function must raise `kind` (as `view` does on a non-contiguous tensor)."""
        name = kind.__name__
        try:
            function(*args, **kwargs)
        except NotImplementedError:
            return self.call(function, *args, **kwargs)
        except kind:
            return self._all([], (f"{name} 오류를 냅니다", f"raises {name}"))
        except Exception as error:  # noqa: BLE001
            return self.expect(False, f"{name} 가 나와야 하는데 다른 오류가 났습니다: {_explain(error)}",
                               f"Expected {name}, got {_explain(error)}")
        return self.expect(False, f"{name} 오류가 나야 하는데 결과를 돌려주었습니다.",
                           f"This should raise {name}, but it returned a result.")

    # -- properties of results -------------------------------------------------------------------

    def type(self, value, kind, what="result") -> bool:
        kinds = kind if isinstance(kind, tuple) else (kind,)
        name, names = _name(what), " / ".join(_type_name(k) for k in kinds)
        return self._all(_type_problems(value, kinds, name),
                         (f"{_josa(name, '의')} 타입: {names}", f"the {name} is a {names}"))

    def tensor(self, value, expected: torch.Tensor, what="result", device: str | None = None) -> bool:
        """Tensor type, dtype, shape, device type, then values (compared even when the dtype differs)."""
        name, want = _name(what), device or expected.device.type
        problems = _type_problems(value, (torch.Tensor, torch.nn.Parameter), name, "torch.Tensor")
        if problems:
            return self._all(problems)
        problems = _dtype_and_shape_problems(value, expected, name)
        if value.device.type != want:
            problems.append((f"{_josa(name, '의')} device 가 {want} 여야 하는데 {value.device.type} 입니다.",
                             f"The {name} is on {value.device.type}; expected {want}."))
        elif value.shape == expected.shape and want != "meta" and not _tensors_close(value, expected):
            problems.append(_values_differ(value, expected, name))
        facts = f"{name}: Tensor, {value.dtype}, shape {tuple(value.shape)}, {want}"
        if want == "meta":  # a meta tensor has no values
            return self._all(problems, (facts, facts))
        return self._all(problems, (f"{facts}, 값 일치", f"{facts}, values match"))

    def array(self, value, expected: np.ndarray, what="result") -> bool:
        """ndarray type, dtype, shape, then values."""
        name = _name(what)
        problems = _type_problems(value, (np.ndarray,), name)
        if problems:
            return self._all(problems)
        problems = _dtype_and_shape_problems(value, expected, name)
        if value.shape == expected.shape and not _arrays_close(value, expected):
            problems.append(_values_differ(value, expected, name))
        return self._all(problems, (f"{name}: ndarray, {value.dtype}, shape {value.shape}, 값 일치",
                                    f"{name}: ndarray, {value.dtype}, shape {value.shape}, values match"))

    def equal(self, value, expected, what="result") -> bool:
        """Same type and equal (1 is not 1.0, a tuple is not a list)."""
        name, got, want = _name(what), _short(value), _short(expected)
        if type(value) is not type(expected) and got == want:
            got = f"{got} ({_type_name(type(value))})"
            want = f"{want} ({_type_name(type(expected))})"
        return self.expect(_same(value, expected),
                           f"{_josa(name, '이/가')} {want} 여야 하는데 {got} 입니다.",
                           f"The {name} is {got}; expected {want}.",
                           passed=(f"{name} = {want}", f"{name} = {want}"))

    def shares(self, a, b, what="result", other="input") -> bool:
        name, other = _name(what), _name(other)
        both = f"{_josa(name, '이/가')} {_josa(other, '과/와')}"
        return self.expect(shares_memory(a, b),
                           f"{both} 메모리를 공유해야 하는데 복사본입니다.",
                           f"The {name} should share memory with the {other}, but it is a copy.",
                           passed=(f"{both} 메모리를 공유합니다 (view)",
                                   f"the {name} shares memory with the {other} (a view)"))

    def copies(self, a, b, what="result", other="input") -> bool:
        name, other = _name(what), _name(other)
        return self.expect(not shares_memory(a, b),
                           f"{_josa(name, '이/가')} {_josa(other, '과/와')} 메모리를 공유합니다. 복사본이어야 합니다.",
                           f"The {name} shares memory with the {other}; it should be a copy.",
                           passed=(f"{_josa(name, '은/는')} {_josa(other, '의')} 복사본입니다",
                                   f"the {name} is a copy of the {other}"))

    # -- the verdict -----------------------------------------------------------------------------

    def _verdict(self) -> str:
        exercise = self.exercise
        if self.not_done:
            return _say(f"☐ {exercise}: 아직 구현하지 않았습니다.\n   답 셀의 `raise NotImplementedError()` 를 지우고 "
                        "코드를 작성한 뒤, 답 셀과 이 셀을 다시 실행하세요.",
                        f"☐ {exercise}: not done yet.\n   Replace `raise NotImplementedError()` in the answer cell "
                        "with your code, then run the answer cell and this cell again.")
        failed, total = len(self.failures), len(self.items)
        if self.stopped:
            head = _say(f"☒ {exercise}: 오류 때문에 고정 예제 확인을 끝내지 못했습니다.",
                        f"☒ {exercise}: the check on the fixed example stopped on an error.")
        elif failed:
            head = _say(f"☒ {exercise}: 고정 예제에서 {total}개 중 {failed}개 항목이 틀렸습니다.",
                        f"☒ {exercise}: {failed} of {total} checks failed on the fixed example.")
        else:
            head = _say(f"☑ 통과: {exercise} (고정 예제, {total}개 항목)",
                        f"☑ Passed: {exercise} (fixed example, {total} checks)")
        lines = [head] + [_bullet("✔" if ok else "✘", text) for ok, text in self.items if text]
        unnamed = sum(1 for ok, text in self.items if ok and not text)
        if unnamed:
            lines.append(_bullet("✔", _say(f"그 밖의 확인 {unnamed}개", f"{unnamed} more check(s)")))
        if not failed:
            lines.append(_say("   채점은 다른 무작위 입력으로 합니다.", "   Grading uses other, randomized inputs."))
        return "\n".join(lines)

    def _warning_notes(self) -> str:
        notes = [_bullet("⚠", f"{_say('경고', 'warning')}: {w.category.__name__}: {w.message}\n→"
                         + _at(w.filename, w.lineno, linecache.getline(w.filename, w.lineno)))
                 for w in self._caught]
        return "".join("\n" + note for note in notes)


def shares_memory(a, b) -> bool:
    """Whether two tensors/arrays use the same memory (by storage, not by data_ptr)."""
    def region(x):
        if isinstance(x, torch.Tensor):
            if x.numel() == 0 or x.device.type == "meta":
                return None
            storage = x.untyped_storage()
            return storage.data_ptr(), storage.data_ptr() + storage.nbytes()
        if isinstance(x, np.ndarray) and x.size:
            return np.lib.array_utils.byte_bounds(x)
        return None

    ra, rb = region(a), region(b)
    return ra is not None and rb is not None and ra[0] < rb[1] and rb[0] < ra[1]


# -- comparing --------------------------------------------------------------------------------------

def _type_problems(value, kinds: tuple, name: str, names: str | None = None) -> list[tuple[str, str]]:
    if type(value) in kinds:
        return []
    names, got = names or " / ".join(_type_name(k) for k in kinds), _type_name(type(value))
    if value is None:
        return [(f"{_josa(name, '이/가')} {names} 여야 하는데 None 입니다. 함수가 `return` 으로 값을 돌려주나요?",
                 f"The {name} should be a {names}, but it is None. Does your function `return` its result?")]
    return [(f"{_josa(name, '의')} 타입이 {names} 여야 하는데 {got} 입니다.",
             f"The {name} should be a {names}, not a {got}.")]


def _dtype_and_shape_problems(value, expected, name: str) -> list[tuple[str, str]]:
    problems = []
    if value.dtype != expected.dtype:
        problems.append((f"{_josa(name, '의')} dtype 이 {expected.dtype} 여야 하는데 {value.dtype} 입니다.",
                         f"The {name} has dtype {value.dtype}; expected {expected.dtype}."))
    if value.shape != expected.shape:
        got, want = tuple(value.shape), tuple(expected.shape)
        problems.append((f"{_josa(name, '의')} shape 이 {want} 여야 하는데 {got} 입니다.",
                         f"The {name} has shape {got}; expected {want}."))
    return problems


def _values_differ(value, expected, name: str) -> tuple[str, str]:
    return (f"{_josa(name, '의')} 값이 다릅니다: {_short(value)} ≠ 기대값 {_short(expected)}",
            f"The {name} values differ: {_short(value)} vs expected {_short(expected)}")


def _tensors_close(value: torch.Tensor, expected: torch.Tensor) -> bool:
    a, b = value.detach().cpu(), expected.detach().cpu()
    common = torch.promote_types(a.dtype, b.dtype)
    return bool(torch.allclose(a.to(common), b.to(common), equal_nan=True))


def _arrays_close(value: np.ndarray, expected: np.ndarray) -> bool:
    try:
        return bool(np.allclose(value, expected, equal_nan=True))
    except TypeError:  # strings, objects
        return bool(np.array_equal(value, expected))


def _same(value, expected) -> bool:
    """Equal and of the same type, for plain values; never raises (a tensor inside a tuple would)."""
    try:
        return type(value) is type(expected) and bool(value == expected)
    except Exception:  # noqa: BLE001
        return False


# -- wording ----------------------------------------------------------------------------------------

def _lang() -> str:
    return "en" if (LANG or os.environ.get("KIT_LANG")) == "en" else "ko"


def _say(ko: str, en: str) -> str:
    return en if _lang() == "en" else ko


def _name(what) -> str:
    """How a checked value is called: a ("결과", "result") pair, or an English word (translated if known)."""
    if isinstance(what, tuple):
        return _say(*what)
    return _say(_KOREAN_NAMES.get(what, what), what)


def _josa(word: str, forms: str) -> str:
    """Attach a Korean particle: "이/가" picks by the last syllable's final consonant; other words keep a space."""
    consonant, _, vowel = forms.partition("/")
    last = word[-1:]
    if "가" <= last <= "힣":
        return word + (consonant if (ord(last) - ord("가")) % 28 else vowel or consonant)
    return f"{word} {vowel or consonant}"


def _type_name(kind: type) -> str:
    module = kind.__module__
    return kind.__name__ if module in ("builtins", "__main__") else f"{module.split('.')[0]}.{kind.__name__}"


def _short(value) -> str:
    text = " ".join(repr(value).split())
    return text if len(text) <= 120 else text[:117] + "..."


def _bullet(mark: str, text: str) -> str:
    return f"   {mark} " + text.replace("\n", "\n     ")


def _fit(text: str, width: int = 80) -> str:
    """Short lines: `nbgrader validate` cuts every line of a failure at 87 characters."""
    lines = []
    for line in text.split("\n"):
        indent = " " * (len(line) - len(line.lstrip(" ")) + 2)
        lines += textwrap.wrap(line, width, subsequent_indent=indent, break_long_words=False,
                               break_on_hyphens=False) or [""]
    return "\n".join(lines)


def _html_safe(text: str) -> str:
    """nbgrader's Validate dialog inserts the failure text as HTML: `<class 'int'>` would vanish from it."""
    return re.sub(r"&(?=[A-Za-z#])", "＆", re.sub(r"<(?=[A-Za-z/!?])", "＜", text))


# -- pointing at the student's code -----------------------------------------------------------------

def _explain(error: BaseException, cell: str | None = None) -> str:
    """The error, the lines of the student's own code it came through, and a hint where one helps."""
    text = f"{type(error).__name__}: {error}"
    frames = [f for f in traceback.extract_tb(error.__traceback__) if _is_students(f.filename)][-3:]
    text += "".join("\n→" + _at(f.filename, f.lineno, f.line) for f in frames)
    if isinstance(error, NameError):
        here = frames and frames[-1].filename == cell
        text += "\n" + _say(f"{'이 셀' if here else '함수'}에서 정의되지 않은 이름을 썼습니다. 위쪽 셀(import 셀, "
                            "답 셀)을 먼저 실행했는지 확인하세요.",
                            f"{'This cell' if here else 'Your function'} uses a name that is not defined. Did you "
                            "run the cells above (imports, your answer)?")
        text += "\n(Run ▸ Run All Above Selected Cell)"
    return text


def _is_students(filename: str) -> bool:
    """Student code is anything that is neither this helper nor an installed library (torch, IPython...)."""
    if filename.startswith("<frozen"):
        return False
    path = os.path.realpath(filename)
    return path != os.path.realpath(__file__) and not path.startswith(_LIBRARY_DIRS)


def _at(filename: str, lineno: int | None, line: str | None) -> str:
    """" In[4] 셀 3번째 줄: return t.view(3, 5)" for a notebook cell, the file's name elsewhere."""
    cell = _cell_label(filename)
    where = _say(f"{cell} 셀", cell) if cell else os.path.basename(filename)
    place = _say(f" {where} {lineno}번째 줄", f" {where}, line {lineno}")
    return place + (f": {line.strip()}" if line and line.strip() else "")


def _cell_label(filename: str) -> str | None:
    """IPython's name for the notebook cell a code file stands for ("In[4]"), as in its own tracebacks."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    named = shell.compile.format_code_name(filename) if shell is not None else None
    return named[1] if named else None
