"""CSV that a spreadsheet program opens as data: no text a student chose can become a formula.

Excel, LibreOffice and Google Sheets read a cell that starts with `=`, `+`, `-` or `@` (and, in some,
a leading tab, carriage return or line feed before one) as a formula, so a student id or message such
as `=HYPERLINK("http://...", "click")` or `=cmd|' /C calc'!A0` would run in the TA's spreadsheet.
OWASP's remedy for CSV injection: every field in double quotes (with inner quotes doubled) and a single
quote before text that starts with one of those characters, which the programs then show as text.
Numbers the kit writes are passed as numbers and stay numbers.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def cell(value: object) -> str:
    """One field: a number as a number, anything else as text that cannot start a formula."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:.12g}"  # a score of 0.1 + 0.2 points reads 0.3
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write(path: str | Path, header: Iterable[object], rows: Iterable[Iterable[object]]) -> Path:
    """A UTF-8 CSV file with every field quoted and every text field neutralised."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
        writer.writerow([cell(value) for value in header])
        writer.writerows([cell(value) for value in row] for row in rows)
    return Path(path)
