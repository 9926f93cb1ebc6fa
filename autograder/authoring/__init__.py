"""What a grader author imports, in one line: `from autograder.authoring import Exercise, check, expect_tensor, ...`.

An exercise is declared with `spec` (its contract, edges, mutants and checks), checks assert with `expect`, inputs
are drawn with `inputs`, and every message a student reads is a bilingual `Msg`."""

from autograder.authoring import inputs
from autograder.authoring.expect import (
    CheckFailed,
    close,
    expect,
    expect_array,
    expect_grad,
    expect_not_shares,
    expect_number,
    expect_scalar,
    expect_shares,
    expect_tensor,
    expect_tuple,
    expect_type,
    expect_unchanged,
    fail,
    show,
    tolerance,
    type_name,
)
from autograder.authoring.spec import Alternative, CheckSpec, Edge, Exercise, Mutant, Promise, check
from autograder.messages import Msg

__all__ = [
    "Alternative",
    "CheckFailed",
    "CheckSpec",
    "Edge",
    "Exercise",
    "Msg",
    "Mutant",
    "Promise",
    "check",
    "close",
    "expect",
    "expect_array",
    "expect_grad",
    "expect_not_shares",
    "expect_number",
    "expect_scalar",
    "expect_shares",
    "expect_tensor",
    "expect_tuple",
    "expect_type",
    "expect_unchanged",
    "fail",
    "inputs",
    "show",
    "tolerance",
    "type_name",
]
