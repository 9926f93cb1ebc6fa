"""What a TA's terminal receives from the kit's commands when students' ids, exceptions and cells carry
control sequences: every byte is shown, none is obeyed.

The payloads (tests/hostile_class.py) set the clipboard through OSC 52, retitle the window, reset and
clear the screen, reverse the text with a bidi override and break a message's line to print a fake
score. They reach the commands as a student id (a file name, a folder in `submitted/`), an exception's
message and type name, a cell that fails as the notebook runs, and the source line the feedback quotes.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import unicodedata

import nbformat
import pytest

from autograder.reports import terminal
from tests import hostile_class
from tests.hostile_class import ASSIGNMENT, CONTROL_ID, FAKE_SCORE, KOREAN, ROOT, TERMINAL

UNSAFE = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
SHOWN = TERMINAL.encode("unicode_escape").decode("ascii")  # how the payload reads when shown: \x1b]52;c;...


def obeyed(text: str) -> list[str]:
    """The characters of `text` a terminal would act on (line feeds between lines excepted)."""
    return sorted({repr(ch) for ch in text if ch != "\n" and unicodedata.category(ch) in UNSAFE})


@pytest.fixture(scope="module")
def graded_by_path(tmp_path_factory):
    """`python -m autograder grade NOTEBOOK`: the student's id is the file's name."""
    notebook = tmp_path_factory.mktemp("terminal") / f"{CONTROL_ID}.ipynb"
    nbformat.write(hostile_class.formula_notebook(), notebook)
    done = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", str(notebook), "--assignment", ASSIGNMENT, "--lang", "en"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done


@pytest.mark.parametrize(
    "shown",
    [
        pytest.param(f"{SHOWN}mallory · {ASSIGNMENT} · ", id="student id"),
        pytest.param(f"ValueError: {SHOWN}{KOREAN}\\n{FAKE_SCORE}\\r", id="exception message"),
        pytest.param(f"Evil{SHOWN}: x", id="exception type name"),
        pytest.param(f"RuntimeError: cell {SHOWN}\\n{FAKE_SCORE}", id="cell that fails"),
        pytest.param(f'raise ValueError("{SHOWN}{KOREAN}"', id="quoted source line"),
    ],
)
def test_grading_a_notebook_shows_each_payload_escaped(graded_by_path, shown):
    assert shown in graded_by_path.stdout, graded_by_path.stdout[:3000]


def test_grading_a_notebook_prints_no_character_a_terminal_obeys(graded_by_path):
    assert obeyed(graded_by_path.stdout + graded_by_path.stderr) == []


def test_a_line_break_in_a_message_cannot_print_a_score_line(graded_by_path):
    lines = graded_by_path.stdout.splitlines()
    assert lines[0].startswith(f"{SHOWN}mallory · {ASSIGNMENT} · ")
    assert not [line for line in lines if line.lstrip().startswith(FAKE_SCORE)]


@pytest.mark.slow
@pytest.mark.parametrize("command", ["batch", "gradebook", "term_report"])
def test_course_commands_print_no_character_a_terminal_obeys(hostile_class, command):
    done = getattr(hostile_class, command)
    assert obeyed(done.stdout + done.stderr) == []
    assert f"{SHOWN}mallory" in done.stdout  # the id is named, escaped


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(TERMINAL, id="osc-reset-c1-bidi"),
        pytest.param("\x00\x07\x08\x7f", id="c0-and-delete"),
        pytest.param("\r\n\t\x0b\x0c", id="line-breaks-and-tabs"),
        pytest.param("\u200b\u200d\ufeff", id="zero-width"),
        pytest.param("\u2028\u2029", id="unicode-separators"),
        pytest.param("\U000e0041", id="tag-character"),
        pytest.param("\ue000", id="private-use"),
    ],
)
def test_clean_writes_out_control_and_format_characters(text):
    shown = terminal.clean(f"a{text}b")
    assert obeyed(shown) == [] and "\n" not in shown
    assert shown == "a" + text.encode("unicode_escape").decode("ascii") + "b"


@pytest.mark.parametrize(
    "text",
    [
        "한국어 피드백: 두 번째 값은 shape",
        "torch.Size([2, 3]) · 54/54",
        "emoji 🙂 and\u3000ideographic space",
        "Ünïcödé — ‘quotes’ …",
    ],
)
def test_clean_keeps_printable_text_as_it_is(text):
    assert terminal.clean(text) == text


def test_no_module_of_the_kit_prints_but_the_terminal_layer():
    """Output that skips `terminal.emit` would reach the terminal raw."""
    printing = []
    for path in sorted((ROOT / "autograder").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and path.name != "terminal.py":
                called = ast.unparse(node.func)
                if called == "print" or called.endswith(("stdout.write", "stderr.write")):
                    printing.append(f"{path.relative_to(ROOT)}:{node.lineno} {called}")
    assert printing == []


@pytest.mark.parametrize(
    "raised",
    [
        pytest.param(
            "logging.getLogger('autograder.sandbox.session').warning('child said %s', PAYLOAD)", id="log record"
        ),
        pytest.param("warnings.warn('Glyph ' + PAYLOAD + ' missing from font')", id="python warning"),
    ],
)
def test_warnings_and_log_records_are_cleaned_like_printed_text(raised):
    program = (
        f"import logging, warnings\nfrom autograder.reports import terminal\nPAYLOAD = {TERMINAL!r}\n"
        f"terminal.log_to_terminal()\n{raised}\n"
    )
    done = subprocess.run([sys.executable, "-c", program], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and SHOWN in done.stderr, done.stderr
    assert obeyed(done.stderr) == []
