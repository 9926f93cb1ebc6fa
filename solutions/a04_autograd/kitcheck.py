"""Visible checks for the PyTorch basics notebooks / PyTorch 기초 노트북의 확인 도우미.

Shipped beside every released notebook. The check cells use it to try your function on a fixed,
visible example and explain what went wrong. The real grading uses other, randomized inputs,
so passing here is necessary but not sufficient.

확인 셀은 고정된 예제로 함수를 시험하고, 무엇이 틀렸는지 설명합니다. 실제 채점은 다른
무작위 입력을 쓰므로, 여기서 통과해도 채점에서 틀릴 수 있습니다.

Set the language with the environment variable KIT_LANG=ko|en (default: ko), or
`kitcheck.LANG = "en"`.
"""

from __future__ import annotations

import os
import traceback

import numpy as np
import torch

LANG = os.environ.get("KIT_LANG", "ko")


def _say(ko: str, en: str) -> str:
    return en if LANG == "en" else ko


class CheckFailed(AssertionError):
    """A failed visible check. Jupyter shows only its message, not this file's internals."""

    def _render_traceback_(self):
        return [str(self)]


class Check:
    """Collects the results of one exercise's visible check; used as a `with` block."""

    def __init__(self, exercise: str) -> None:
        self.exercise = exercise
        self.failures: list[str] = []
        self.stopped = False

    def __enter__(self) -> "Check":
        return self

    def __exit__(self, kind, error, tb) -> bool:
        if isinstance(error, _Stop):
            pass
        elif error is not None:
            return False
        if self.failures:
            lines = [f"❌ {self.exercise}:"] + [f"   - {f}" for f in self.failures]
            raise CheckFailed("\n".join(lines)) from None
        print(_say(f"✅ 통과: {self.exercise} (고정 예제)", f"✅ Passed: {self.exercise} (fixed example)"))
        return True

    def fail(self, ko: str, en: str) -> None:
        self.failures.append(_say(ko, en))

    def expect(self, condition: bool, ko: str, en: str) -> bool:
        if not condition:
            self.fail(ko, en)
        return bool(condition)

    def call(self, function, *args, **kwargs):
        """Run the student's function; a stub or an error stops the check with a clear reason."""
        try:
            return function(*args, **kwargs)
        except NotImplementedError:
            self.fail("⏳ 아직 구현하지 않았습니다. `raise NotImplementedError()` 를 지우고 코드를 작성하세요.",
                      "⏳ Not done yet: replace `raise NotImplementedError()` with your code.")
        except Exception as error:  # noqa: BLE001 - the student's own error, shown at their line
            self.fail(f"함수가 오류를 냈습니다: {_where(error)}", f"Your function raised an error: {_where(error)}")
        raise _Stop()

    def raises(self, kind: type[BaseException], function, *args, **kwargs) -> bool:
        try:
            function(*args, **kwargs)
        except NotImplementedError:
            return self.call(function, *args, **kwargs)
        except kind:
            return True
        except Exception as error:  # noqa: BLE001
            return self.expect(False, f"{kind.__name__} 가 나와야 하는데 {_where(error)}",
                               f"Expected {kind.__name__}, got {_where(error)}")
        return self.expect(False, f"{kind.__name__} 오류가 나야 하는데 결과를 돌려주었습니다.",
                           f"This should raise {kind.__name__}, but it returned a result.")

    def type(self, value, kind, what: str = "result") -> bool:
        kinds = kind if isinstance(kind, tuple) else (kind,)
        names = " / ".join(k.__name__ for k in kinds)
        return self.expect(type(value) in kinds,
                           f"{what} 의 타입이 {names} 여야 하는데 {type(value).__name__} 입니다.",
                           f"The {what} should be a {names}, not a {type(value).__name__}.")

    def tensor(self, value, expected: torch.Tensor, what: str = "result", device: str | None = None) -> bool:
        """Tensor type, dtype, shape, device type, then values."""
        if not self.type(value, (torch.Tensor, torch.nn.Parameter), what):
            return False
        ok = self.expect(value.dtype == expected.dtype,
                         f"{what} 의 dtype 이 {expected.dtype} 여야 하는데 {value.dtype} 입니다.",
                         f"The {what} has dtype {value.dtype}; expected {expected.dtype}.")
        ok &= self.expect(value.shape == expected.shape,
                          f"{what} 의 shape 이 {tuple(expected.shape)} 여야 하는데 {tuple(value.shape)} 입니다.",
                          f"The {what} has shape {tuple(value.shape)}; expected {tuple(expected.shape)}.")
        want = device or expected.device.type
        ok &= self.expect(value.device.type == want,
                          f"{what} 의 device 가 {want} 여야 하는데 {value.device.type} 입니다.",
                          f"The {what} is on {value.device.type}; expected {want}.")
        if ok and want != "meta":
            close = torch.allclose(value.detach().cpu().double(), expected.detach().cpu().double(), equal_nan=True)
            ok &= self.expect(close, f"{what} 의 값이 다릅니다: {_short(value)} ≠ 기대값 {_short(expected)}",
                              f"The {what} values differ: {_short(value)} vs expected {_short(expected)}")
        return ok

    def array(self, value, expected: np.ndarray, what: str = "result") -> bool:
        if not self.type(value, np.ndarray, what):
            return False
        ok = self.expect(value.dtype == expected.dtype,
                         f"{what} 의 dtype 이 {expected.dtype} 여야 하는데 {value.dtype} 입니다.",
                         f"The {what} has dtype {value.dtype}; expected {expected.dtype}.")
        ok &= self.expect(value.shape == expected.shape and np.allclose(value, expected),
                          f"{what} 의 값이 다릅니다: {value!r}", f"The {what} values differ: {value!r}")
        return ok

    def equal(self, value, expected, what: str = "result") -> bool:
        same = type(value) is type(expected) and value == expected
        return self.expect(same, f"{what} 가 {expected!r} 여야 하는데 {value!r} 입니다.",
                           f"The {what} is {value!r}; expected {expected!r}.")

    def shares(self, a, b, what: str = "result", other: str = "input") -> bool:
        return self.expect(shares_memory(a, b),
                           f"{what} 가 {other} 와 메모리를 공유해야 하는데 복사본입니다.",
                           f"The {what} should share memory with the {other}, but it is a copy.")

    def copies(self, a, b, what: str = "result", other: str = "input") -> bool:
        return self.expect(not shares_memory(a, b),
                           f"{what} 가 {other} 와 메모리를 공유합니다. 복사본이어야 합니다.",
                           f"The {what} shares memory with the {other}; it should be a copy.")


class _Stop(Exception):
    """Ends a check early once the function cannot be run."""


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


def _short(value) -> str:
    text = repr(value).replace("\n", " ")
    return text if len(text) <= 120 else text[:117] + "..."


def _where(error: BaseException) -> str:
    """The error and the line of the student's own code it came from."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if not f.filename.endswith("kitcheck.py")]
    place = ""
    if frames:
        last = frames[-1]
        place = f" (line {last.lineno}: {(last.line or '').strip()})"
    return f"{type(error).__name__}: {error}{place}"
