"""Student-facing text in Korean and English; one switch picks the language shown."""

from __future__ import annotations

import os
from dataclasses import dataclass

LANGUAGES = ("ko", "en")
DEFAULT_LANGUAGE = "ko"


def language(explicit: str | None = None) -> str:
    """The language to show: an explicit choice, else $KIT_LANG, else Korean (this course's)."""
    chosen = explicit or os.environ.get("KIT_LANG") or DEFAULT_LANGUAGE
    if chosen not in LANGUAGES:
        raise ValueError(f"unknown language {chosen!r}; choose one of {', '.join(LANGUAGES)}")
    return chosen


@dataclass(frozen=True)
class Msg:
    """One message in both languages."""

    ko: str
    en: str

    def __str__(self) -> str:
        return self.text()

    def text(self, lang: str | None = None) -> str:
        return getattr(self, language(lang))

    def __add__(self, other: Msg) -> Msg:
        return Msg(ko=f"{self.ko} {other.ko}".strip(), en=f"{self.en} {other.en}".strip())

    def to_dict(self) -> dict:
        return {"ko": self.ko, "en": self.en}
