"""How a grader file declares its exercise, its checks and the mistakes it is proven to catch.

A grader file in `autograder/graders/` is a pytest module::

    EXERCISE = Exercise(id="flatten_view", assignment="a02_shapes", heading="reshape",
                        title=Msg(ko="...", en="..."), mutants=(Mutant(...), ...))

    @check(points=2, ko="...", en="...")
    def test_shares_storage(student, rng):
        x = inputs.tensor(rng, (3, 4))
        call = student(x)
        expect_shares(call, call.value, call.args[0], ...)

`student` calls the student's function through the call boundary; `rng` is a `torch.Generator`
seeded per student, exercise and check. A check passes when its test passes; its message is what
the student reads when it fails.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from autograder.messages import Msg


@dataclass(frozen=True)
class Mutant:
    """A realistic wrong answer that the graders must catch, and where."""

    name: str
    source: str
    kills: tuple[str, ...]  # checks that must fail
    says: str  # a phrase the (English) message of a killing check must contain


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


@dataclass
class Exercise:
    """One exercise: its id is the student's function name, the grade cell id and the report row."""

    id: str
    assignment: str
    heading: str  # the heading of the course notes it belongs to, exactly as written there
    title: Msg
    order: int  # position within its assignment's notebook
    mutants: tuple[Mutant, ...] = ()
    alternatives: tuple[Alternative, ...] = ()
    checks: list[CheckSpec] = field(default_factory=list)
    module: str = ""
    # First-use costs its checks make a student's process pay, which a transport can pay once ahead (see
    # `Transport.prepare`): "meta", the meta device, whose first use imports some 800 modules (sympy...).
    warm_up: tuple[str, ...] = ()

    @property
    def points(self) -> float:
        return sum(c.points for c in self.checks)


def check(*, points: float, ko: str, en: str, requires: tuple[str, ...] | str = ()):
    """Mark a pytest test function as a named, partial-credit check of its file's exercise.

    `requires` names checks that must pass for this one to earn its points, so that a property
    such as "does not modify its input" is not rewarded beside a wrong or missing result.
    """
    if isinstance(requires, str):
        requires = (requires,)

    def mark(function):
        name = function.__name__.removeprefix("test_")
        function.kit_check = CheckSpec(name, float(points), Msg(ko=ko, en=en), tuple(requires))
        return function

    return mark
