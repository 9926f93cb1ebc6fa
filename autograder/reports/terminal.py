"""Plain-text views of results and of the exercise inventory, for the command line.

Student text (ids, exception names and messages, source lines) reaches a TA's terminal here, and a
terminal obeys control characters: escape sequences can clear the screen, move the cursor over a
score, set the clipboard (OSC 52) or retitle the window, and bidi overrides reorder what is shown.
Every command prints through `emit` (and logs through `LogFormatter`), which let no control character
through; a field that carries student text is put through `clean` as well, so that a line break in it
cannot start a line of its own.
"""

from __future__ import annotations

import logging
import sys
import unicodedata
from collections.abc import Sequence
from typing import TextIO

from autograder.authoring.spec import Exercise
from autograder.engine.results import ExerciseResult, SubmissionResult
from autograder.messages import Msg

FINDINGS = {  # what a finding's flag means, for the TA who reads it
    "locked": Msg(ko="잠긴 셀이 수정됨 (배포본의 셀로 채점)", en="locked cell edited (graded with the release's cell)"),
    "instructor": Msg(
        ko="강사만 가진 자료가 들어 있음 (점수 없음)", en="instructor's material in the submission (no credit)"
    ),
    "introspection": Msg(
        ko="채점하는 프로세스를 들여다보거나 바꾸는 코드 (그 프로세스에서 잰 사실은 인정하지 않음), 셀",
        en="code that inspects or alters the process grading it (facts measured there not credited), cell",
    ),
}

# Control (Cc), format (Cf: bidi overrides, zero-width joiners, tag characters), surrogate (Cs),
# private-use (Co) and unassigned (Cn) characters, and the Unicode line and paragraph separators.
_UNSAFE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def clean(text: object) -> str:
    """The text with every control or format character written out as its escape (`\\x1b`, `\\n`,
    `\\u202e`), so that a terminal shows it instead of obeying it; printable text, Korean included, stays."""
    text = str(text)
    if text.isprintable():
        return text
    return "".join(
        ch.encode("unicode_escape").decode("ascii") if unicodedata.category(ch) in _UNSAFE else ch for ch in text
    )


def emit(text: object = "", stream: TextIO | None = None) -> None:
    """Print for a person at a terminal, line by line, each line through `clean`; every command's
    output goes through here."""
    print("\n".join(clean(line) for line in str(text).split("\n")), file=stream or sys.stdout)


class LogFormatter(logging.Formatter):
    """Log records (the sandbox's warnings may quote a child's output) cleaned line by line, as `emit` prints."""

    def format(self, record: logging.LogRecord) -> str:
        return "\n".join(clean(line) for line in super().format(record).split("\n"))


def log_to_terminal() -> None:
    """Send the kit's log records and Python's warnings (a font missing a glyph quotes the character) to
    stderr through `LogFormatter`; Python's own fallbacks print them raw."""
    handler = logging.StreamHandler()
    handler.setFormatter(LogFormatter("%(message)s"))
    logging.basicConfig(level=logging.WARNING, handlers=[handler])
    logging.captureWarnings(True)


def exercise_table(exercises: list[Exercise]) -> str:
    rows = [("id", "assignment", "heading", "points", "checks", "mutants")]
    rows += [
        (e.id, e.assignment, e.heading, f"{e.points:g}", str(len(e.checks)), str(len(e.mutants))) for e in exercises
    ]
    return table(rows)


def table(rows: Sequence[tuple[str, ...]]) -> str:
    """Rows of text as aligned columns; the first row is the header."""
    cleaned = [tuple(clean(cell) for cell in row) for row in rows]
    widths = [max(_width(r[i]) for r in cleaned) for i in range(len(cleaned[0]))]
    return "\n".join(
        "  ".join(cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in cleaned
    )


def submission_report(result: SubmissionResult, lang: str | None = None) -> str:
    head = f"{clean(result.student)} · {clean(result.assignment)} · {result.score:g}/{result.points:g}"
    lines = [head, "=" * min(80, _width(head))]
    if result.problem:
        lines.append(f"!! {clean(result.problem.text(lang))}")
    for error in result.cell_errors:
        lines.append(
            f"!! cell {clean(error.get('cell'))}: "
            + clean(f"{error.get('type')}: {str(error.get('message', ''))[:160]}")
        )
    for finding in result.findings:
        lines += ["!! " + line for line in finding_lines(finding, lang)]
    for exercise in result.exercises:
        lines.append(f"{exercise.id}  {exercise.score:g}/{exercise.points:g}  ({clean(exercise.title.text(lang))})")
        lines += check_lines(exercise, lang)
    return "\n".join(lines)


def finding_lines(finding: dict, lang: str | None = None) -> list[str]:
    """A finding for a human: what it is and in which cell, then its detail (a short diff), indented."""
    label = FINDINGS.get(str(finding.get("flag")))
    head = f"{label.text(lang) if label else clean(finding.get('flag'))}: {clean(finding.get('cell'))}"
    return [head, *(f"    {clean(line)}" for line in str(finding.get("detail", "")).split("\n") if line)]


def check_lines(exercise: ExerciseResult, lang: str | None = None) -> list[str]:
    """One line per check, and for a failed one what the student should know."""
    lines = []
    for check in exercise.checks:
        mark = "PASS" if check.passed else "FAIL"
        lines.append(f"  [{mark}] {check.name}  {check.score:g}/{check.points:g}")
        if not check.passed:
            for message in (check.message, check.detail):
                if message is not None:
                    lines.append(f"         {clean(message.text(lang))}")
    return lines


def _width(text: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    return sum(2 if "\u1100" <= ch <= "\uffdc" else 1 for ch in text)
