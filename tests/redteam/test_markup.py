"""`markup.inert` on its own: what a student writes in a notebook reaches the formgrader as text.

Rendered with the markdown filter of nbgrader's `formgrade` template (nbconvert's mistune renderer, which
lets raw HTML and `javascript:` links through), a student's text cell must come out escaped, whatever
fences, backticks or math it holds; the instructor's cells must come out as they were released.
(tests/browser/test_no_live_markup.py opens the real formgrader page.)
"""

from __future__ import annotations

import re

import nbformat
import pytest
from nbconvert.filters.markdown_mistune import markdown2html_mistune

from autograder.classroom import markup
from tests.hostile_class import ASSIGNMENT, MARKDOWN, RAW, ROOT

RELEASED = ROOT / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
CODE_BLOCK_TAGS = {"div", "pre", "span", "code"}  # a highlighted code block is made of these alone
ESCAPING = [  # text that tries to end the code block the kit puts it in
    "```\n<script>window.pwned=1</script>\n```",
    "````\n```\n<script>window.pwned=1</script>",
    "~~~\n<script>window.pwned=1</script>",
    "    <script>window.pwned=1</script>",
    "$$\n</code></pre><script>window.pwned=1</script>\n$$",
    "\r```\r<script>window.pwned=1</script>",
]


def tags(html: str) -> list[str]:
    return [name.lower() for name in re.findall(r"<\s*([a-zA-Z][\w-]*)", html)]


def submitted(*cells) -> nbformat.NotebookNode:
    nb = nbformat.read(RELEASED, as_version=4)
    nb.cells += list(cells)
    return nb


@pytest.mark.parametrize("text", [*MARKDOWN, RAW, *ESCAPING])
@pytest.mark.parametrize("cell_type", ["markdown", "raw"])
def test_a_students_text_cell_renders_as_escaped_text(text, cell_type):
    nb = submitted(nbformat.from_dict({"cell_type": cell_type, "metadata": {}, "source": text}))
    markup.inert(nb, nbformat.read(RELEASED, as_version=4))
    shown = nb.cells[-1]
    assert shown.cell_type == "markdown"
    rendered = markdown2html_mistune(shown.source)
    assert set(tags(rendered)) <= CODE_BLOCK_TAGS, rendered


def test_the_instructors_cells_stay_as_released():
    released = nbformat.read(RELEASED, as_version=4)
    nb = submitted()
    markup.inert(nb, released)
    assert [(c.cell_type, c.source) for c in nb.cells if c.cell_type != "code"] == [
        (c.cell_type, c.source) for c in released.cells if c.cell_type != "code"
    ]


def test_an_edited_instruction_cell_is_the_students_text():
    nb = submitted()
    first = next(c for c in nb.cells if c.cell_type == "markdown")
    first.source += "\n<script>window.pwned=1</script>"
    markup.inert(nb, nbformat.read(RELEASED, as_version=4))
    assert first.source.startswith("```text\n") and set(tags(markdown2html_mistune(first.source))) <= CODE_BLOCK_TAGS


def test_outputs_and_the_students_metadata_do_not_reach_the_page():
    shown = nbformat.v4.new_code_cell(
        "1", outputs=[nbformat.v4.new_output("display_data", data={"text/html": "<script>window.pwned=1</script>"})]
    )
    shown.metadata.update({"tags": ["x"], "jupyter": {"source_hidden": True}})
    nb = submitted(shown)
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    markup.inert(nb, nbformat.read(RELEASED, as_version=4))
    assert shown.outputs == [] and shown.metadata == {}
    assert set(nb.metadata) <= {"kernelspec", "language_info"}


def test_without_the_release_every_text_cell_is_shown_as_text():
    nb = submitted()
    markup.inert(nb, None)
    assert all(c.source.startswith("```text\n") for c in nb.cells if c.cell_type == "markdown")
