"""How a grader file declares its exercise: the contract, the checks that enforce it, the edges its
inputs reach, and the mistakes it is proven to catch.

A grader file in `autograder/graders/` is a pytest module::

    EXERCISE = Exercise(
        id="flatten_view", assignment="a02_shapes", heading="reshape", title=Msg(ko="...", en="..."),
        contract=(Promise("view", en="shares storage with `t` (a view, never a copy)", ko="..."), ...),
        edges=(Edge("a 0-d tensor", lambda t: t.dim() == 0), ...),
        mutants=(Mutant("clone_then_view", violates="view", says="copy", source="..."), ...))

    @check(points=2, enforces="view", ko="...", en="...")
    def test_shares_storage(student, rng):
        x = inputs.tensor(rng, (3, 4))
        call = student(x)
        expect_shares(call, call.value, call.args[0], ...)

The contract's promises are the bullets of the stub's docstring: `publish` writes them into the
notebook, so their text lives here only. Every promise is enforced by checks, every check enforces a
promise, and for every promise a mutant breaks it alone and loses exactly its checks (the kit's
tests prove all three). Edges are the inputs the contract implies; every student's draws reach them.

`student` calls the student's function through the call boundary; `rng` is a `torch.Generator`
seeded per student, exercise and check. A check passes when its test passes; its message is what
the student reads when it fails.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from autograder.messages import Msg

_Test = TypeVar("_Test", bound=Callable[..., Any])  # a grader's test function


def _names(value: tuple[str, ...] | str) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


@dataclass(frozen=True)
class Promise:
    """One bullet of the stub's docstring contract, in English and Korean; `key` names it for checks."""

    key: str
    en: str
    ko: str


@dataclass(frozen=True)
class Edge:
    """An input the contract implies: `holds(*args, **kwargs)` says whether a call's arguments, as the
    grader sends them, are that case. Every student's draws must include it."""

    name: str
    holds: Callable[..., object]  # truthy when the arguments are this case


@dataclass(frozen=True)
class Mutant:
    """A realistic wrong answer that breaks the promises it `violates`: it loses a check of each, and no other."""

    name: str
    source: str
    violates: tuple[str, ...] | str  # keys of the promises it breaks
    says: str  # a phrase the (English) message of one of the checks it fails must contain
    kills: tuple[str, ...] = field(default=(), init=False)  # the checks enforcing them, which it may lose (catalog)

    def __post_init__(self) -> None:
        object.__setattr__(self, "violates", _names(self.violates))


@dataclass(frozen=True)
class Alternative:
    """Another correct way the notes allow; it must score full marks."""

    name: str
    source: str


@dataclass(frozen=True)
class CheckSpec:
    name: str
    points: float
    msg: Msg
    requires: tuple[str, ...] = ()
    enforces: tuple[str, ...] = ()  # keys of the promises this check observes


@dataclass
class Exercise:
    """One exercise: its id is the student's function name, the grade cell id and the report row."""

    id: str
    assignment: str
    heading: str  # the heading of the course notes it belongs to, exactly as written there
    title: Msg
    contract: tuple[Promise, ...] = ()
    edges: tuple[Edge, ...] = ()
    mutants: tuple[Mutant, ...] = ()
    alternatives: tuple[Alternative, ...] = ()
    checks: list[CheckSpec] = field(default_factory=list)
    module: str = ""
    order: int = 0  # its position in its assignment's notebook: the catalog reads it from the notebook's grade cells
    # First-use costs its checks make a student's process pay, which a transport can pay once ahead (see
    # `Transport.prepare`): "meta", the meta device, whose first use imports some 800 modules (sympy...).
    warm_up: tuple[str, ...] = ()

    @property
    def points(self) -> float:
        return sum(c.points for c in self.checks)

    def enforcing(self, promises: tuple[str, ...] | str) -> tuple[str, ...]:
        """The checks that observe any of these promises, in the file's order."""
        return tuple(c.name for c in self.checks if set(c.enforces) & set(_names(promises)))


def check(
    *, points: float, enforces: tuple[str, ...] | str, ko: str, en: str, requires: tuple[str, ...] | str = ()
) -> Callable[[_Test], _Test]:
    """Mark a pytest test function as a named, partial-credit check of its file's exercise.

    `enforces` names the promises of the contract that the check observes. `requires` names checks
    that must pass for this one to earn its points, so that a property such as "does not modify its
    input" is not rewarded beside a wrong or missing result.
    """

    def mark(function: _Test) -> _Test:
        name = function.__name__.removeprefix("test_")
        spec = CheckSpec(name, float(points), Msg(ko=ko, en=en), _names(requires), _names(enforces))
        function.kit_check = spec  # type: ignore[attr-defined]  # rides on the test function, as pytest's marks do
        return function

    return mark
