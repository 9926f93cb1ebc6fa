"""The notebook that is graded: a submission with every locked cell the instructor's, in the release's order.

nbgrader's autograde restores locked cells (`OverwriteCells`) in the copy it writes to `autograded/`; code
that ran from the submitted file but is not in that copy would earn points nobody can see. So the kit
builds one notebook, here, and both runs it and writes it to `autograded/` (`nbgrader_plugin`):

- a cell is the release's cell X when its nbgrader metadata names grade id X (nbgrader's own rule);
- X locked, a check cell or a task (nbgrader's `is_locked`): the release's cell, whatever the submission
  has in its place or in copies of it; present even where deleted (nbgrader restores deleted check cells);
  a copy that differs from the release in type, source or nbgrader metadata is a finding, with a short diff;
- X an answer cell: the student's source in the release's cell (of several copies, the last, as
  nbgrader's `DeduplicateIds` keeps); a deleted answer cell stays deleted, as in nbgrader;
- any other cell (added by the student, or stripped of its metadata): a plain cell without metadata,
  kept after the cell it followed in the submission;
- the order is the release's.
Check cells never run: the graders take their place.
"""

from __future__ import annotations

import copy
import difflib
from collections import defaultdict

from autograder.engine.instructor import Notebook

LOCKED = "locked"  # the finding's flag: a locked cell was edited in the submission
MAX_DIFF_LINES = 8
MAX_LINE = 120
_FLAGS = ("grade", "solution", "locked", "task")
_KINDS = ("code", "markdown", "raw")


def nbgrader(cell: dict) -> dict:
    metadata = cell.get("metadata")
    found = metadata.get("nbgrader") if isinstance(metadata, dict) else None
    return found if isinstance(found, dict) else {}


def grade_id(cell: dict) -> str | None:
    found = nbgrader(cell).get("grade_id")
    return found if isinstance(found, str) and found else None


def is_locked(cell: dict) -> bool:
    """Read-only for the student (nbgrader's `utils.is_locked`, and task cells): its source is the release's."""
    flags = nbgrader(cell)
    return not flags.get("solution") and bool(flags.get("grade") or flags.get("locked") or flags.get("task"))


def is_check(cell: dict) -> bool:
    """A check cell (nbgrader's grade cell that is no answer): graded by the hidden graders, never run."""
    flags = nbgrader(cell)
    return bool(flags.get("grade")) and not flags.get("solution")


def runs(cell: dict) -> bool:
    return cell["cell_type"] == "code" and not is_check(cell)


def submitted_cell(cell: object) -> dict | None:
    """A submitted cell as plain data (cell_type, source, metadata), or None for one that is no cell."""
    if not isinstance(cell, dict) or cell.get("cell_type") not in _KINDS:
        return None
    source = cell.get("source", "")
    if isinstance(source, list):
        source = "".join(s for s in source if isinstance(s, str))
    if not isinstance(source, str):
        return None
    metadata = cell.get("metadata")
    return {
        "cell_type": cell["cell_type"],
        "source": source,
        "metadata": metadata if isinstance(metadata, dict) else {},
    }


def restore(submitted: list[dict], released: Notebook) -> tuple[list[dict], list[dict]]:
    """The graded notebook's cells and the findings (locked cells edited); `submitted` as `submitted_cell` gives.

    Cells taken from the release are the release's own objects: copy before changing one."""
    by_id = {grade_id(c): c for c in released.cells if grade_id(c)}
    claims: dict[str, list[dict]] = defaultdict(list)
    after: dict[str | None, list[dict]] = defaultdict(list)  # added cells, by the release cell they follow
    anchor = None
    last_answer = {grade_id(c): c for c in submitted if grade_id(c) in by_id and not is_locked(by_id[grade_id(c)])}
    for cell in submitted:
        key = grade_id(cell)
        if key is not None and key in by_id and (is_locked(by_id[key]) or last_answer.get(key) is cell):
            claims[key].append(cell)
            anchor = key
        else:
            after[anchor].append(_plain(cell))
    cells = list(after[None])
    findings = []
    for original in released.cells:
        key = grade_id(original)
        if key is None:
            continue  # a release cell without an id: the student's copy of it, if any, is a plain cell
        if is_locked(original):
            cells.append(original)
            findings += [
                {"flag": LOCKED, "cell": key, "detail": difference}
                for difference in dict.fromkeys(_difference(original, c) for c in claims[key])
                if difference
            ]
        elif claims[key]:
            answer = dict(original, source=claims[key][-1]["source"])
            cells.append(answer)
        cells += after[key]
    return cells, findings


def _plain(cell: dict) -> dict:
    """A cell the student added: its type and source, none of its metadata (nothing may hide or mark it)."""
    return {"cell_type": cell["cell_type"], "source": cell["source"], "metadata": {}}


def _difference(original: dict, submitted: dict) -> str:
    """What a submitted copy of a locked cell changed, for a human: type, nbgrader flags, a short diff."""
    lines = []
    if submitted["cell_type"] != original["cell_type"]:
        lines.append(f"cell type: {original['cell_type']} -> {submitted['cell_type']}")
    theirs, ours = nbgrader(submitted), nbgrader(original)
    for flag in _FLAGS:
        if bool(theirs.get(flag)) != bool(ours.get(flag)):
            lines.append(f"nbgrader {flag}: {bool(ours.get(flag))} -> {bool(theirs.get(flag))}".lower())
    if ours.get("grade") and theirs.get("points") != ours.get("points"):
        lines.append(f"nbgrader points: {ours.get('points')!r} -> {theirs.get('points')!r}")
    before, now = comparable(original["source"]), comparable(submitted["source"])
    if before != now:
        changed = [
            line
            for line in difflib.unified_diff(before.split("\n"), now.split("\n"), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))
        ]
        changed.sort(key=lambda line: line[0] != "+")  # what the student put there first, then what they took out
        lines += [_short(line) for line in changed[:MAX_DIFF_LINES]]
        if len(changed) > MAX_DIFF_LINES:
            lines.append(f"... {len(changed) - MAX_DIFF_LINES} more changed lines")
    return "\n".join(lines)


def comparable(source: str) -> str:
    """A cell's source as compared: line endings and trailing blank space do not count as an edit."""
    return source.replace("\r\n", "\n").rstrip()


def _short(line: str) -> str:
    return line if len(line) <= MAX_LINE else line[: MAX_LINE - 3] + "..."


def as_notebook(cells: list[dict], released: Notebook) -> dict:
    """The graded notebook as nbformat 4 JSON, with the release's notebook metadata and fresh outputs."""
    written = []
    for number, cell in enumerate(cells, start=1):
        cell = copy.deepcopy(cell)
        cell.setdefault("id", f"kit-added-{number}")
        if cell["cell_type"] == "code":
            cell.update(outputs=[], execution_count=None)
        written.append(cell)
    return {"cells": written, "metadata": copy.deepcopy(released.metadata), "nbformat": 4, "nbformat_minor": 5}
