"""HTML from the kit's Jinja templates, in the language the reader chose."""

from __future__ import annotations

from pathlib import Path

import jinja2

from autograder.messages import Msg, language

TEMPLATES = Path(__file__).parent / "templates"
_environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=jinja2.select_autoescape(["html", "j2"]),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render(template: str, lang: str | None = None, **context: object) -> str:
    lang = language(lang)

    def text(message: Msg | None) -> str:
        return message.text(lang) if message is not None else ""

    def t(ko: str, en: str) -> str:
        return en if lang == "en" else ko

    return _environment.get_template(template).render(lang=lang, text=text, t=t, fmt=number, **context)


def number(value: float) -> str:
    return f"{value:g}"
