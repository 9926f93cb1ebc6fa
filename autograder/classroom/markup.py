"""Student markup made inert in the notebooks nbgrader renders for a TA (`autograded/`).

The formgrader shows `autograded/<student>/<assignment>/<notebook>.ipynb` inside the TA's logged-in
Jupyter session with nbgrader's `formgrade` template, which renders markdown with its raw HTML and
`javascript:` links as written (nbconvert's `sanitize_html` never reaches that template) and copies raw
cells into the page unchanged: a student's `<script>` would run as the TA. `inert` keeps what the
instructor released as it is and turns whatever else a student could have written into text:

- a markdown or raw cell that is not, word for word, a cell of the released notebook is shown as its
  source in a fenced code block, which the template escapes (and MathJax leaves alone);
- attachments and cell metadata come from the released cell; a student's cell keeps only nbgrader's
  metadata (nbgrader has checked its grade ids against the gradebook), so no tag, hidden-source flag or
  widget state of theirs reaches the page; the notebook keeps only its kernel and the release's language;
- code cells lose every output (the kit writes its own, as text); their source is highlighted, escaped.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import nbformat

if TYPE_CHECKING:
    from autograder.engine.instructor import Notebook


def inert(nb: nbformat.NotebookNode, released: nbformat.NotebookNode | Notebook | None = None) -> None:
    """Make `nb` (a submitted notebook as nbgrader read it) safe to render; `released` is the notebook
    the students were given (an nbformat notebook or `instructor.Notebook`; None when it cannot be found:
    then no text cell is trusted)."""
    trusted = (
        {}
        if released is None
        else {(c["cell_type"], _text(c.get("source", ""))): c for c in released.cells if c["cell_type"] != "code"}
    )
    for cell in nb.cells:
        grading = cell.get("metadata", {}).get("nbgrader")
        if cell.cell_type == "code":
            cell.metadata = nbformat.NotebookNode()
            cell.outputs, cell.execution_count = [], None
        else:
            original = trusted.get((cell.cell_type, _text(cell.source)))
            if original is None:
                shown_as_text(cell)
            else:
                cell.metadata = nbformat.from_dict(
                    {k: v for k, v in original.get("metadata", {}).items() if k != "nbgrader"}
                )
                _set_attachments(cell, original.get("attachments"))
        if grading is not None:
            if grading.get("cell_type", cell.cell_type) != cell.cell_type:
                grading["cell_type"] = cell.cell_type  # a raw cell shown as markdown
            cell.metadata["nbgrader"] = grading
    language = (released.metadata if released is not None else {}).get("language_info")
    nb.metadata = nbformat.NotebookNode({k: nb.metadata[k] for k in ("kernelspec",) if k in nb.metadata})
    if language is not None:
        nb.metadata["language_info"] = nbformat.from_dict(language)


def shown_as_text(cell: nbformat.NotebookNode) -> None:
    """Turn a markdown or raw cell into a markdown cell that shows its source verbatim, as code."""
    source = _text(cell.source)
    longest = max((len(run) for run in re.findall("`+", source)), default=0)
    fence = "`" * max(3, longest + 1)  # no line of the source can close it
    cell.cell_type, cell.source, cell.metadata = "markdown", f"{fence}text\n{source}\n{fence}", nbformat.NotebookNode()
    _set_attachments(cell, None)


def _set_attachments(cell: nbformat.NotebookNode, attachments: dict | None) -> None:
    if attachments:
        cell.attachments = attachments
    else:
        cell.pop("attachments", None)


def _text(source: str | list[str]) -> str:
    return "".join(source) if isinstance(source, list) else str(source)
