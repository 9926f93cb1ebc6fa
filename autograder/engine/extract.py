"""Turn a submitted notebook into the code cells a student's program is made of (trusted side).

The notebook is parsed as JSON here, in the grader's process; stored outputs, kernelspecs and
attachments are ignored and IPython magics are neutralised. Read against the instructor's version
(`instructor`: the course's for a class, else the kit's release), the cells that run are those of the
graded notebook (`sanitize`): locked cells from the release, answers and added cells from the
submission, in the release's order, check cells left out (graders replace them); a class's submission
carrying the instructor's material is refused (`provenance`). A file that cannot be read, or that
`intake` refuses to read (a link, a FIFO, a file over 20 MiB), becomes a `Submission` with a
`problem`, never an exception.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from autograder.engine import instructor, intake, provenance, sanitize
from autograder.engine.instructor import Instructor
from autograder.errors import InstructorError
from autograder.messages import Msg

MAX_NOTEBOOK_BYTES = 20 << 20
NOTEBOOK = Msg(ko="노트북 파일", en="The notebook")
_MAGIC = re.compile(r"^(\s*)[%!]")


@dataclass
class Submission:
    student: str
    assignment: str
    cells: list[dict] = field(default_factory=list)  # [{"index": i, "source": str}]
    problem: Msg | None = None  # why nothing in it can be graded
    path: str = ""
    fingerprint: str = ""
    timestamp: str | None = None
    grade_ids: list[str] = field(default_factory=list)
    notebook: list[dict] = field(default_factory=list)  # the graded notebook's cells (`sanitize.restore`)
    findings: list[dict] = field(default_factory=list)  # {"flag", "cell", "detail"} for a human to look at


def neutralise_magics(source: str) -> str:
    """IPython-only lines (`%time`, `!pip`, `%%writefile`) become `pass`, keeping line numbers."""
    return "\n".join(_MAGIC.sub(r"\1pass  # ", line) if _MAGIC.match(line) else line for line in source.split("\n"))


def from_source(source: str, student: str = "student", assignment: str = "") -> Submission:
    """A submission made of one code cell, for code that never was a notebook (tests, mutants)."""
    return Submission(
        student, assignment, [{"index": 1, "source": source}], fingerprint=hashlib.sha256(source.encode()).hexdigest()
    )


def read_notebook(
    path: str | Path, student: str = "", assignment: str = "", reference: Instructor | None = None
) -> Submission:
    """A submitted notebook, read against the instructor's version: `reference`, else the kit's release of
    the assignment. A notebook of no known assignment runs every code cell that is not a check cell by its
    own metadata."""
    path = Path(path)
    if reference is None and assignment:
        with contextlib.suppress(InstructorError):
            reference = instructor.of_kit(assignment)
    submission = Submission(student or "student", assignment, path=str(path))
    try:
        raw = intake.read_bytes(path, MAX_NOTEBOOK_BYTES, NOTEBOOK)
    except intake.Refused as refused:  # a link, a FIFO, too large...: never read, never followed
        submission.problem = refused.reason
        submission.fingerprint = hashlib.sha256(f"refused\0{refused.reason.en}".encode()).hexdigest()
        return submission
    submission.fingerprint = hashlib.sha256(raw).hexdigest()
    submission.problem = _parse(raw, submission, reference)
    return submission


def _parse(raw: bytes, submission: Submission, reference: Instructor | None) -> Msg | None:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return Msg(
            ko="노트북 파일이 UTF-8 텍스트가 아닙니다. 파일이 손상되었습니다.",
            en="The notebook is not UTF-8 text: the file is damaged.",
        )
    try:
        notebook = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as error:
        return Msg(
            ko=f"노트북이 올바른 JSON이 아닙니다 ({getattr(error, 'lineno', '?')}번째 줄). 파일이 손상되었습니다.",
            en=f"The notebook is not valid JSON (line {getattr(error, 'lineno', '?')}): the file is damaged.",
        )
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        return Msg(
            ko="Jupyter 노트북 형식이 아닙니다 (cells 가 없습니다).",
            en="This is not a Jupyter notebook: it has no list of cells.",
        )
    cells = [c for c in map(sanitize.submitted_cell, cells) if c is not None]
    submission.grade_ids = [
        key for c in cells if c["cell_type"] == "code" and sanitize.is_check(c) and (key := sanitize.grade_id(c))
    ]
    if reference is None:
        submission.notebook = cells
    else:
        submission.notebook, submission.findings = sanitize.restore(cells, reference.released)
        if reference.guards and (material := provenance.findings(cells, reference)):
            submission.findings += material
            return provenance.REFUSED
    submission.cells = [
        {"index": index, "source": neutralise_magics(cell["source"])}
        for index, cell in enumerate(submission.notebook, start=1)
        if sanitize.runs(cell)
    ]
    return None
