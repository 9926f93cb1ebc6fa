"""A class whose ids, names, answers and messages carry payloads for what people open: a terminal, a
spreadsheet, a browser. Built, graded, recorded, given feedback and exported with the real commands.

- `=1+2` (a formula as an id, with formula names) answers with functions and cells that raise messages
  full of terminal control sequences, a fake score line and Korean, and shares one answer (with markup in
  it) with the markup student, so that the pair is reported as similar;
- `<img src=x onerror=...>` (markup as an id) writes markdown, raw cells and outputs that carry scripts,
  event handlers and `javascript:` links, and its function raises a message that is markup; it is late,
  so the class report lists it;
- an id made of control sequences hands in a file that is not a notebook, so the batch summary names it;
  its names are markup.
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import nbformat

from autograder.classroom import sample

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "a02_shapes"
BIN = Path(sys.executable).parent

# Set the clipboard (OSC 52), retitle the window, reset the terminal (RIS), clear it with a C1 CSI,
# reverse the text that follows (bidi override) and isolate it.
TERMINAL = "\x1b]52;c;cHduZWQ=\x07\x1b]0;pwned\x07\x1bc\x9b2J\u202e\u2066"
KOREAN = "한국어 메시지"
FAKE_SCORE = "mallory · a02_shapes · 54/54"

FORMULA_ID = "=1+2"
FORMULA_NAMES = {
    "first_name": "@SUM(1+1)",
    "last_name": '=HYPERLINK("http://evil.example","click")',
    "email": "+1-555-0100",
}
MARKUP_ID = "<img src=x onerror=window.pwned_id=1>"
CONTROL_ID = f"{TERMINAL}mallory"
CONTROL_NAMES = {
    "first_name": "<img src=x onerror=window.pwned_first=1>",
    "last_name": "<script>window.pwned_last=1</script>",
}
STUDENTS = (FORMULA_ID, MARKUP_ID, CONTROL_ID)

# What the markup student writes in markdown and raw cells; every element carries an id starting
# with "pwned", every script sets a global starting with "pwned".
MARKDOWN = (
    "<script>window.pwned_script = 1</script>",
    '<img id="pwned-img" src="x" onerror="window.pwned_img = 1">',
    "[click me](javascript:window.pwned_link=1)",
    '<a id="pwned-anchor" href="javascript:window.pwned_href=1">anchor</a>',
    '<iframe id="pwned-iframe" srcdoc="<script>parent.pwned_iframe=1</script>"></iframe>',
    '<details id="pwned-details" open ontoggle="window.pwned_toggle=1">details</details>',
    '<svg id="pwned-svg" onload="window.pwned_svg=1"></svg>',
    "$\\href{javascript:window.pwned_math=1}{math link}$",
)
# One answer both the formula and the markup student hand in, unlike any other: the pair heads similarity.csv
# and the class report shows it side by side, markup and all.
SHARED_ANSWER = (
    "def reshape_copy(t, shape):\n"
    '    note = "<script>window.pwned_code=1</script>"\n'
    "    staged = [t.detach().clone() for _ in range(1)][0]\n"
    "    staged = staged.reshape(*shape).clone().contiguous()\n"
    "    return staged if note else None\n"
)
RAW = '<script>window.pwned_raw = 1</script><b id="pwned-raw">raw</b>'
OUTPUT_HTML = '<img id="pwned-output" src="x" onerror="window.pwned_output=1">'
MESSAGE_MARKUP = "<img src=x onerror=window.pwned_message=1>"
CELL_ERROR_MARKUP = "<img src=x onerror=window.pwned_cell=1>"


def nbgrader(course: Path, *args: str) -> str:
    done = subprocess.run(
        [str(BIN / "nbgrader"), *args], cwd=course, env=_env(course), capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"nbgrader {' '.join(args)}:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    return done.stdout + done.stderr


def kit(course: Path, *args: str) -> subprocess.CompletedProcess:
    """`python -m autograder ...` as a TA runs it, its output as a terminal would receive it."""
    return subprocess.run(
        [sys.executable, "-m", "autograder", *args],
        cwd=ROOT,
        env=_env(course),
        capture_output=True,
        text=True,
        timeout=600,
    )


def _env(course: Path) -> dict[str, str]:
    return {
        "HOME": str(course.parent / "home"),
        "PATH": f"{BIN}{os.pathsep}/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "KIT_LANG": "en",
    }


def _answer(name: str, source: str, nb) -> None:
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == f"{name}_answer")
    cell.source = source


def formula_notebook():
    """Answers whose messages would drive a terminal: in an exception's message (with a line break
    and a fake score line), in its type's name, in a cell that fails as the notebook runs, and in the
    source line the feedback quotes (the control characters are in the source itself)."""
    nb = nbformat.read(ROOT / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    _answer("describe", f'def describe(t):\n    raise ValueError("{TERMINAL}{KOREAN}" + "\\n{FAKE_SCORE}\\r")\n', nb)
    _answer("flatten_view", f'def flatten_view(t):\n    raise type("Evil{TERMINAL}", (Exception,), {{}})("x")\n', nb)
    _answer("reshape_copy", SHARED_ANSWER, nb)
    nb.cells.append(nbformat.v4.new_code_cell(f'raise RuntimeError("cell {TERMINAL}" + "\\n{FAKE_SCORE}")'))
    return nb


def markup_notebook():
    """Markdown, a raw cell, an output and messages that would be live markup in a TA's browser."""
    nb = nbformat.read(ROOT / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    _answer("describe", f'def describe(t):\n    raise ValueError("{MESSAGE_MARKUP}")\n', nb)
    _answer("reshape_copy", SHARED_ANSWER, nb)
    nb.cells += [nbformat.v4.new_markdown_cell(text) for text in MARKDOWN]
    nb.cells.append(nbformat.v4.new_raw_cell(RAW))
    shown = nbformat.v4.new_code_cell(
        "1 + 1", outputs=[nbformat.v4.new_output("display_data", data={"text/html": OUTPUT_HTML, "text/plain": "2"})]
    )
    shown.metadata["tags"] = ['x" onmouseover="window.pwned_tag=1']
    nb.cells.append(shown)
    nb.cells.append(nbformat.v4.new_code_cell(f'raise RuntimeError("{CELL_ERROR_MARKUP}")'))
    nb.metadata["widgets"] = {
        "application/vnd.jupyter.widget-state+json": {
            "state": {},
            "version_major": 2,
            "version_minor": 0,
            "pwned": "</script><script>window.pwned_widget=1</script>",
        }
    }
    return nb


def build(base: Path) -> SimpleNamespace:
    """The course, after the TA ran the batch, recorded the gradebook, generated feedback and exported."""
    course = base / "course"
    sample.build_course(course, [ASSIGNMENT])
    nbgrader(course, "generate_assignment", ASSIGNMENT)
    due = datetime.datetime(2026, 3, 13, 14, 59)
    nbgrader(course, "db", "assignment", "add", ASSIGNMENT, f"--duedate={due.isoformat()}")
    for student, names in ((FORMULA_ID, FORMULA_NAMES), (CONTROL_ID, CONTROL_NAMES)):
        nbgrader(course, "db", "student", "add", student, *(f"--{k.replace('_', '-')}={v}" for k, v in names.items()))
    folders = {student: course / "submitted" / student / ASSIGNMENT for student in STUDENTS}
    for student, folder in folders.items():
        folder.mkdir(parents=True)
        late = student == MARKUP_ID
        (folder / "timestamp.txt").write_text(str(due + datetime.timedelta(hours=30 if late else -1)))
    nbformat.write(formula_notebook(), folders[FORMULA_ID] / f"{ASSIGNMENT}.ipynb")
    nbformat.write(markup_notebook(), folders[MARKUP_ID] / f"{ASSIGNMENT}.ipynb")
    (folders[CONTROL_ID] / f"{ASSIGNMENT}.ipynb").write_text("{ this is not a notebook")

    batch = kit(course, "grade", "--assignment", ASSIGNMENT, "--course", str(course), "--workers", "1")
    assert batch.returncode == 0, batch.stdout[-3000:] + batch.stderr[-5000:]
    recorded = kit(course, "gradebook", ASSIGNMENT, "--course", str(course))
    assert recorded.returncode == 0, recorded.stdout[-3000:] + recorded.stderr[-5000:]
    termly = kit(course, "term-report", "--course", str(course))
    assert termly.returncode == 0, termly.stdout[-3000:] + termly.stderr[-5000:]
    nbgrader(course, "generate_feedback", ASSIGNMENT)
    nbgrader(course, "export", "--to=grades.csv")
    reports = course / "reports" / ASSIGNMENT
    return SimpleNamespace(
        root=course,
        batch=batch,
        gradebook=recorded,
        term_report=termly,
        grades_csv=course / "grades.csv",
        scores_csv=reports / "scores.csv",
        similarity_csv=reports / "similarity.csv",
        mastery_csv=course / "reports" / "term" / "mastery.csv",
        report=reports / "report.html",
        term_page=course / "reports" / "term" / "report.html",
        feedback={s: course / "feedback" / s / ASSIGNMENT / f"{ASSIGNMENT}.html" for s in STUDENTS},
        autograded={s: course / "autograded" / s / ASSIGNMENT / f"{ASSIGNMENT}.ipynb" for s in STUDENTS},
        results=json.loads((reports / "results.json").read_text(encoding="utf-8")),
    )
