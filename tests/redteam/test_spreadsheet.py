"""The CSV files a TA opens in a spreadsheet: no id, name or message a student chose becomes a formula.

The reader is LibreOffice Calc itself (Debian's `libreoffice-calc-nogui`), converting each CSV headless to
a flat OpenDocument spreadsheet, whose XML says for every cell whether it holds a formula, a number or
text. Opened that way Calc evaluates a leading `=` as Excel does when it opens a .csv, so the test sees
what a spreadsheet program makes of the file rather than what a CSV parser does. (Excel also evaluates
`+`, `-` and `@`; Calc keeps those as text, so for them the test checks that the text survives.)
"""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests import slow
from tests.hostile_class import CONTROL_NAMES, FORMULA_ID, FORMULA_NAMES, MARKUP_ID

pytestmark = pytest.mark.slow

SOFFICE = shutil.which("soffice") or "/usr/bin/soffice"
NS = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
}
# Text that a spreadsheet would take for a formula, or that tries to start a new cell before one.
FORMULAS = [
    "=1+2",
    "+1+1",
    "-1+1",
    "@SUM(1+1)",
    "\t=1+2",
    "\r=1+2",
    "\n=1+2",
    '=HYPERLINK("http://evil.example","x")',
    "=cmd|' /C calc'!A0",
    'x",=1+2',
    "a,=1+2",
    "-",
    "=",
    "  =1+2",
]


@dataclass(frozen=True)
class Cell:
    formula: str | None
    kind: str | None  # "string", "float", ...
    text: str


def opened(csv_path: Path, scratch: Path) -> list[list[Cell]]:
    """The sheet LibreOffice makes of a CSV file, row by row."""
    assert Path(SOFFICE).exists(), "the spreadsheet tests need LibreOffice: apt-get install -y libreoffice-calc-nogui"
    done = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={(scratch / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "fods",
            "--outdir",
            str(scratch),
            str(csv_path),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    converted = scratch / f"{csv_path.stem}.fods"
    assert done.returncode == 0 and converted.is_file(), done.stdout + done.stderr
    rows = []
    for row in ElementTree.parse(converted).getroot().iter(f"{{{NS['table']}}}table-row"):
        cells = []
        for cell in row.findall("table:table-cell", NS):
            repeat = int(cell.get(f"{{{NS['table']}}}number-columns-repeated", "1"))
            cells += [
                Cell(
                    cell.get(f"{{{NS['table']}}}formula"),
                    cell.get(f"{{{NS['office']}}}value-type"),
                    "\n".join("".join(p.itertext()) for p in cell.findall("text:p", NS)),
                )
            ] * min(repeat, 64)
        rows.append(cells)
    return rows


def as_written(cell: Cell) -> str:
    """The text the student wrote, as shown once the neutralising quote is set aside."""
    return cell.text[1:] if cell.text.startswith("'") else cell.text


@pytest.fixture(scope="module")
@slow.fixture
def formulas_sheet(tmp_path_factory) -> dict[str, list[Cell]]:
    from autograder.reports import spreadsheet

    scratch = tmp_path_factory.mktemp("formulas")
    spreadsheet.write(scratch / "formulas.csv", ["text", "number"], [[text, -1.5] for text in FORMULAS])
    return {text: row for text, row in zip(FORMULAS, opened(scratch / "formulas.csv", scratch)[1:], strict=True)}


@pytest.mark.parametrize("text", FORMULAS)
def test_text_that_looks_like_a_formula_opens_as_that_text(formulas_sheet, text):
    cell, number = formulas_sheet[text][:2]
    assert cell.formula is None and cell.kind == "string", cell
    assert as_written(cell).strip() == text.strip(), cell  # Calc drops leading blanks; nothing else changes
    assert number == Cell(None, "float", "-1.5")  # a number the kit writes stays a number


@pytest.mark.slow
@pytest.mark.parametrize(
    ("csv_file", "columns", "number"),
    [
        pytest.param("scores_csv", {"student": [FORMULA_ID, MARKUP_ID]}, "max_score", id="kit scores.csv"),
        pytest.param(
            "similarity_csv",
            {"student_a": [MARKUP_ID], "student_b": [FORMULA_ID]},
            "similarity",
            id="kit similarity.csv",
        ),
        pytest.param("mastery_csv", {"name": [FORMULA_ID, MARKUP_ID]}, "reshape", id="kit mastery.csv"),
        pytest.param(
            "grades_csv",
            {
                "student_id": [FORMULA_ID, MARKUP_ID],
                "email": [FORMULA_NAMES["email"]],
                "first_name": [FORMULA_NAMES["first_name"], CONTROL_NAMES["first_name"]],
                "last_name": [FORMULA_NAMES["last_name"], CONTROL_NAMES["last_name"]],
            },
            "max_score",
            id="nbgrader export grades.csv",
        ),
    ],
)
def test_every_csv_of_a_class_opens_with_no_formula_and_every_student_value_as_text(
    hostile_class, tmp_path, csv_file, columns, number
):
    header, *rows = opened(getattr(hostile_class, csv_file), tmp_path)
    assert not [cell for row in rows for cell in row if cell.formula], "a cell became a formula"
    names = [cell.text for cell in header]
    for column, values in columns.items():
        shown = {as_written(row[names.index(column)]) for row in rows}
        kinds = {row[names.index(column)].kind for row in rows if as_written(row[names.index(column)]) in values}
        assert set(values) <= shown and kinds == {"string"}, (column, shown, kinds)
    numbers = [row[names.index(number)] for row in rows if row[names.index(number)].text]
    assert numbers and {cell.kind for cell in numbers} == {"float"}, numbers  # the kit's numbers stay numbers
