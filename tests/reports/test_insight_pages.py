"""The instructor's insight pages in Chromium: the term report, and the class report's item analysis and
similarity sections, in Korean and English, drawn with a CJK font, with no student's text live.

`pytest --update-goldens` also refreshes the screenshots in docs/."""

from __future__ import annotations

import json
import shutil

import pytest
from PIL import Image, ImageStat

from autograder.classroom import sample
from autograder.reports import report, similarity, term
from tests import slow
from tests.pages import ARTIFACTS, ROOT, assert_looks_like_a_page, chromium, fonts_drawing
from tests.sample_notebooks import copied, graded, hand_in, released, set_answer

pytestmark = pytest.mark.slow

ASSIGNMENTS = sample.present_assignments()
SHOWN = "a02_shapes"  # the assignment whose class report the docs show
LANGS = ("ko", "en")


@pytest.fixture(scope="module")
@slow.fixture
def course(tmp_path_factory):
    """A term of the 30-student sample class, answered as `sample-class` answers and graded in this process,
    its reports written where a course keeps them: one page per language."""
    root = tmp_path_factory.mktemp("course")
    roster = sample.roster(30)
    for assignment in ASSIGNMENTS:
        notebooks = hand_in(root / "notebooks" / assignment, roster, assignment)
        results = graded(notebooks, roster, assignment)
        similar = similarity.compare(notebooks, released(assignment), assignment)
        folder = root / "reports" / assignment
        folder.mkdir(parents=True)
        (folder / "results.json").write_text(json.dumps([r.to_dict() for r in results]), encoding="utf-8")
        if assignment == SHOWN:
            for lang in LANGS:
                (folder / f"report.{lang}.html").write_text(
                    report.class_report(results, assignment, lang, similar), encoding="utf-8"
                )
    summary = term.term(term.load(root))
    for lang in LANGS:
        (root / "reports" / f"term.{lang}.html").write_text(term.term_report(summary, lang), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
@slow.fixture
def browser():
    with chromium() as launched:
        yield launched


def open_page(browser, path):
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, dialogs


def keep(shown, name: str, update_goldens: bool, docs_name: str | None = None) -> None:
    """A screenshot of a page or a section in test-artifacts/report/, and in docs/ when goldens are refreshed."""
    png = ARTIFACTS / f"{name}.png"
    png.parent.mkdir(parents=True, exist_ok=True)
    whole_page = hasattr(shown, "goto")
    shown.screenshot(path=str(png), **({"full_page": True} if whole_page else {}))
    with Image.open(png) as image:
        if whole_page:
            assert_looks_like_a_page(image)
        assert ImageStat.Stat(image.convert("L")).stddev[0] > 10, f"{png} rendered blank"
        if update_goldens and docs_name:  # a 256-colour copy: a third of the size, the same to a reader
            image.convert("RGB").quantize(256).save(ROOT / "docs" / docs_name, optimize=True)


def drawn_with_cjk(page, selector: str) -> bool:
    return any("CJK" in family and glyphs for family, glyphs in fonts_drawing(page, selector).items())


@pytest.mark.parametrize("lang", LANGS)
def test_the_term_report_renders_with_korean_in_a_cjk_font(course, browser, lang, update_goldens):
    page, dialogs = open_page(browser, course / "reports" / f"term.{lang}.html")
    heading = "학기 보고서" if lang == "ko" else "Term report"
    assert page.locator("h1").inner_text().startswith(heading)
    assert page.locator("#heatmap img").evaluate("i => i.complete && i.naturalWidth > 800")
    rows = page.locator("table").first.locator("tr")
    assert rows.count() == 28  # a header, then the 27 sections of the notes
    assert drawn_with_cjk(page, "table tr:nth-child(3) td:nth-child(2)")  # "torch.tensor 함수"
    if lang == "ko":
        assert drawn_with_cjk(page, "h1")
    keep(page, f"term_report_{lang}", update_goldens, "term_report.png" if lang == "ko" else None)
    assert dialogs == []
    page.close()


@pytest.mark.parametrize("lang", LANGS)
def test_item_analysis_and_similarity_render_in_the_class_report(course, browser, lang, update_goldens):
    page, dialogs = open_page(browser, course / "reports" / SHOWN / f"report.{lang}.html")
    items = page.locator("#items")
    assert items.locator("tr.exercise-row").count() == len(sample.catalog.for_assignment(SHOWN))
    assert "r" in items.locator(".formula").inner_text() and "27 %" in items.locator(".formula").inner_text()
    pairs = page.locator("#similarity .pair")
    assert pairs.count() == similarity.SHOWN_EXERCISES + len(sample.BORROWED)  # the planted pairs, side by side
    assert pairs.first.locator("mark").count() > 0 and pairs.first.locator("mark").first.is_visible()
    if lang == "ko":
        assert drawn_with_cjk(page, "#items h2") and drawn_with_cjk(page, "#similarity h2")
    keep(items, f"item_analysis_{lang}", update_goldens, "item_analysis.png" if lang == "ko" else None)
    keep(page.locator("#similarity"), f"similarity_{lang}", update_goldens, "similarity.png" if lang == "ko" else None)
    keep(page, f"class_report_insight_{lang}", update_goldens)
    assert dialogs == []
    page.close()


def test_student_text_is_shown_as_text_never_run(course, browser, tmp_path):
    hostile = "<img src=x onerror=alert(document.domain)>"
    notebooks = copied({p.stem: p for p in (course / "notebooks" / SHOWN).glob("*.ipynb")}, tmp_path)
    original = next(s.id for s in sample.roster(30) if s.role == "original")
    notebooks[hostile] = tmp_path / "hostile.ipynb"
    shutil.copyfile(notebooks[original], notebooks[hostile])
    for student in (original, hostile):
        for exercise in sample.catalog.for_assignment(SHOWN):
            set_answer(
                notebooks[student],
                SHOWN,
                exercise.id,
                '    note = "</pre><script>alert(1)</script>"\n'
                "    return t.dim() + 0, tuple(t.shape) + (), t.numel() + 0",
            )
    similar = similarity.compare(notebooks, released(SHOWN), SHOWN)
    page_path = tmp_path / "report.html"
    page_path.write_text(report.class_report([], SHOWN, "en", similar), encoding="utf-8")
    page, dialogs = open_page(browser, page_path)
    section = page.locator("#similarity")
    assert hostile in section.inner_text() and "<script>alert(1)</script>" in section.inner_text()
    assert section.locator("img, script").count() == 0
    page.wait_for_timeout(300)
    assert dialogs == []
    page.close()
