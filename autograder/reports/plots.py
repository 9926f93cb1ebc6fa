"""Matplotlib figures as the kit's pages embed them: Korean labels in a CJK font, PNG data URLs.

Figures are made without pyplot (no global state, no GUI backend): `figure()`, draw, `png()`.
"""

from __future__ import annotations

import base64
import contextlib
import io
from collections.abc import Iterator

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure

# Debian's fonts-noto-cjk (scripts/setup.sh); matplotlib falls back along the list glyph by glyph, so Latin
# text may use DejaVu while Hangul never lacks a glyph (a missing glyph warns, and the tests fail on it).
CJK_FONTS = ["Noto Sans CJK KR", "Noto Sans CJK JP", "DejaVu Sans"]


@contextlib.contextmanager
def cjk_fonts() -> Iterator[None]:
    """Text drawn inside uses a CJK font, and a minus sign every font has."""
    with matplotlib.rc_context({"font.family": CJK_FONTS, "axes.unicode_minus": False}):
        yield


def figure(width: float, height: float) -> tuple[Figure, Axes]:
    """A new figure and its one axis, sized in inches."""
    made = Figure(figsize=(width, height))
    return made, made.subplots()


def png(made: Figure) -> str:
    """The figure as a `data:` URL, so that a page stays one self-contained file."""
    buffer = io.BytesIO()
    made.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
