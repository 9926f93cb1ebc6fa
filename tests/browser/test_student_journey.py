"""A student's whole journey in JupyterLab, in a real browser: fetch from the Assignment List, run a check
cell on the stub ("not done yet"), type the solution, see it pass, Validate, and submit to the exchange."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.classroom import ARTIFACTS, COURSE_ID, ROOT, Lab

pytestmark = pytest.mark.slow

ASSIGNMENT = "a02_shapes"
EXERCISE = "flatten_view"
STUB_LINE = "raise NotImplementedError()"
SOLUTION_LINE = "return t.view(-1)"
NOT_DONE = f"☐ {EXERCISE}: 아직 구현하지 않았습니다."
PASSED = f"☑ 통과: {EXERCISE}"
KERNEL_IDLE = re.compile(r"\| Idle")
SLOW = 120_000  # ms: a kernel start that imports torch, or nbgrader's Validate, on a busy 2-core machine


def shoot(page: Page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def rows(page: Page, section: str) -> Locator:
    """The rows of one section of the Assignment List: released, fetched or submitted."""
    return page.locator(f"#{section}_assignments_list > .list_item")


def cell(page: Page, text: str) -> Locator:
    """The notebook cell whose source contains `text`."""
    return page.locator(".jp-NotebookPanel .jp-Cell").filter(has=page.locator(".cm-content", has_text=text))


def open_assignment_list(page: Page) -> None:
    page.locator('.lm-MenuBar-item:has-text("Nbgrader")').click()
    page.locator('.lm-Menu-item[data-command="nbgrader:open-assignment-list"]').click()
    expect(page.locator("#nbgrader-assignment-list")).to_be_visible()


def fetch_and_open_notebook(page: Page) -> None:
    expect(rows(page, "released")).to_have_count(1)
    expect(rows(page, "released").locator(".item_name")).to_have_text(ASSIGNMENT)
    rows(page, "released").locator(".item_status button").click()
    expect(rows(page, "fetched")).to_have_count(1)
    rows(page, "fetched").locator(".assignment-notebooks-link").click()
    notebooks = page.locator(f"#nbgrader-{COURSE_ID}-{ASSIGNMENT}")
    expect(notebooks).to_have_class(re.compile(r"\bin\b"))
    shoot(page, "01-fetched")
    notebooks.locator(f'a:text-is("{ASSIGNMENT}")').click()
    expect(page.locator(".jp-NotebookPanel .jp-CodeCell .cm-content").first).to_be_visible(timeout=SLOW)
    expect(page.locator(".jp-StatusBar-TextItem", has_text=KERNEL_IDLE)).to_be_visible(timeout=SLOW)


def run(page: Page, code_cell: Locator) -> None:
    """Select a code cell (command mode, via its prompt) and run it with Shift+Enter, as a student does."""
    code_cell.locator(".jp-InputPrompt").click()
    page.keyboard.press("Shift+Enter")


def check_output(page: Page) -> Locator:
    return cell(page, f'with Check("{EXERCISE}")').locator(".jp-OutputArea-output")


def type_solution(page: Page, answer: Locator) -> None:
    """Select the stub's `raise` line in the editor (End, then Shift+Home) and type the solution over it."""
    answer.locator(".cm-line", has_text=STUB_LINE).click()
    page.keyboard.press("End")
    page.keyboard.press("Shift+Home")
    page.keyboard.type(SOLUTION_LINE)
    expect(answer.locator(".cm-content")).to_contain_text(SOLUTION_LINE)
    expect(answer.locator(".cm-content")).not_to_contain_text(STUB_LINE)


def validate(page: Page) -> Locator:
    page.locator(".jp-NotebookPanel-toolbar .validate-button").click()
    dialog = page.locator(".jp-Dialog")
    expect(dialog).to_be_visible(timeout=SLOW)
    return dialog


def submit(page: Page) -> None:
    page.locator("#jp-main-dock-panel .lm-TabBar-tab", has_text="Assignments").click()
    submissions = page.locator(f"#nbgrader-{COURSE_ID}-{ASSIGNMENT}-submissions > .list_item")
    expect(rows(page, "submitted")).to_have_count(0)
    button = rows(page, "fetched").locator(".item_status button").first
    expect(button).to_have_text("Submit")
    button.click()
    expect(rows(page, "submitted")).to_have_count(1, timeout=SLOW)
    expect(rows(page, "submitted").locator(".item_name").first).to_have_text(ASSIGNMENT)
    expect(submissions.filter(has_text="UTC")).to_have_count(1)  # the submission's timestamp
    expect(button).to_have_text("Submit")  # no longer "submitting..."


def other_exercises() -> list[str]:
    """The check cells of the released notebook besides the one the test solves."""
    notebook = json.loads((ROOT / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text(encoding="utf-8"))
    graded = [
        c["metadata"]["nbgrader"]["grade_id"]
        for c in notebook["cells"]
        if c["metadata"].get("nbgrader", {}).get("grade") and not c["metadata"]["nbgrader"].get("solution")
    ]
    return [g for g in graded if g != EXERCISE]


def submitted_notebooks(lab: Lab) -> list[dict]:
    found = sorted(lab.classroom.inbound.glob(f"*+{ASSIGNMENT}+*/{ASSIGNMENT}.ipynb"))
    return [json.loads(path.read_text(encoding="utf-8")) for path in found]


def test_student_fetches_checks_validates_and_submits(lab: Lab, page: Page):
    page.goto(f"{lab.url}/lab")
    open_assignment_list(page)
    fetch_and_open_notebook(page)
    assert (lab.classroom.student / ASSIGNMENT / "kitcheck.py").exists()

    answer = cell(page, f"def {EXERCISE}(")
    run(page, cell(page, "import torch").first)
    run(page, answer)
    page.keyboard.press("Shift+Enter")  # the answer cell moved the selection to its check cell
    expect(check_output(page)).to_contain_text(NOT_DONE, timeout=SLOW)
    check_output(page).scroll_into_view_if_needed()
    shoot(page, "02-stub-not-done-yet")
    assert "kitcheck.py" not in check_output(page).inner_text()

    type_solution(page, answer)
    page.keyboard.press("Shift+Enter")  # runs the answer cell (edit mode), then the check cell below it
    page.keyboard.press("Shift+Enter")
    expect(check_output(page)).to_contain_text(PASSED, timeout=SLOW)
    expect(check_output(page)).not_to_contain_text(NOT_DONE)
    check_output(page).scroll_into_view_if_needed()
    shoot(page, "03-solution-passes")

    dialog, still_to_do = validate(page), other_exercises()
    if still_to_do:  # listed in kitcheck's words; the solved exercise is not among them
        expect(dialog.locator(".validation-failed")).to_be_visible()
        for exercise in still_to_do:
            expect(dialog).to_contain_text(f"☐ {exercise}: 아직 구현하지 않았습니다.")
        expect(dialog).not_to_contain_text(f'Check("{EXERCISE}")')
    else:
        expect(dialog.locator(".validation-success")).to_be_visible()
    shoot(page, "04-validate")
    dialog.locator(".jp-Dialog-button").last.click()
    expect(dialog).to_have_count(0)

    submit(page)
    shoot(page, "05-submitted")
    [submitted] = submitted_notebooks(lab)
    sources = ["".join(c["source"]) for c in submitted["cells"]]
    assert any(f"def {EXERCISE}(" in s and SOLUTION_LINE in s and STUB_LINE not in s for s in sources)
