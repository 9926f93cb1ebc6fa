"""What a student's process may say back, as schemas checked in the grader before anything reads it.

Every report from the child is data from the student (see the README's threat model): a cell error
of the wrong type, a string of megabytes or a list nested where a string belongs must fail that
submission with reason "protocol", never the grader, the gradebook or nbgrader's feedback. The
values, arguments and keyword arguments of a result are checked by `codec` as it rebuilds them;
these schemas cover the rest of each header. The limits are what the kit's own child ever sends
(`child.describe_error`, `child.OUTPUT_LIMIT`, `seal.MAX_REFUSED`).
"""

from __future__ import annotations

from collections.abc import Callable

import fastjsonschema

from autograder.boundary.codec import BoundaryError

MAX_CELLS = 2_000
TEXT = {"type": "string", "maxLength": 1_000}
FRAME = {
    "type": "object",
    "required": ["cell", "line", "text"],
    "additionalProperties": False,
    "properties": {
        "cell": {"type": "integer", "minimum": 0},
        "line": {"type": "integer", "minimum": 0},
        "text": {"type": "string", "maxLength": 200},
    },
}
ERROR_FIELDS = {
    "type": {"type": "string", "maxLength": 100},
    "message": TEXT,
    "frames": {"type": "array", "maxItems": 6, "items": FRAME},
}
ERROR = {  # no error (null), or one; the object keywords bind objects only. ("oneOf" would build and drop an
    # exception for the branch that does not match, twice a call.)
    "type": ["null", "object"],
    "required": ["type", "message", "frames"],
    "additionalProperties": False,
    "properties": ERROR_FIELDS,
}
CELL_ERROR = {
    "type": "object",
    "required": ["cell", "type", "message", "frames"],
    "additionalProperties": False,
    "properties": {"cell": {"type": "integer", "minimum": 0}, **ERROR_FIELDS},
}
OUTPUT = {"type": "string", "maxLength": 4_100}
REFUSED = {
    "type": "array",
    "maxItems": 20,
    "items": {  # [audit event, cell (-1: none), line]
        "type": "array",
        "minItems": 3,
        "additionalItems": False,
        "items": [
            {"type": "string", "maxLength": 100},
            {"type": "integer", "minimum": -1},
            {"type": "integer", "minimum": 0},
        ],
    },
}

READY = fastjsonschema.compile(
    {
        "type": "object",
        "required": ["op", "cell_errors", "output", "devices", "withheld", "refused"],
        "properties": {
            "op": {"const": "ready"},
            "cell_errors": {"type": "array", "maxItems": MAX_CELLS, "items": CELL_ERROR},
            "output": OUTPUT,
            "devices": {"type": "array", "maxItems": 3, "items": {"enum": ["cpu", "meta", "cuda"]}},
            "withheld": {
                "type": "object",
                "maxProperties": 3,
                "propertyNames": {"maxLength": 20},
                "additionalProperties": {"type": "string", "maxLength": 300},
            },
            "refused": REFUSED,
        },
    }
)
RESULT = fastjsonschema.compile(
    {
        "type": "object",
        "required": ["op", "error", "output", "refused"],
        "properties": {
            "op": {"const": "result"},
            "error": ERROR,
            "backward_error": ERROR,
            "output": OUTPUT,
            "refused": REFUSED,
            "moved": {"type": "boolean"},
        },
    }
)


def ready(header: dict) -> dict:
    """The ready report, checked: cell errors, printed output, devices, refused attempts."""
    return _checked(READY, header)


def result(header: dict) -> dict:
    """A call's report, checked (its value and arguments are the codec's to check)."""
    return _checked(RESULT, header)


def _checked(schema: Callable[[object], object], header: dict) -> dict:
    try:
        schema(header)
    except fastjsonschema.JsonSchemaException as error:
        raise BoundaryError(f"the report breaks its schema: {str(error)[:200]}") from None
    return header
