"""What a student sees in a check cell (kitcheck, the public helper shipped beside every notebook): a
friendly "not done yet" for a stub, their own line for an error in their code, what passed and what
failed for a wrong answer, and a pass for a correct one; in a real kernel, under nbgrader validate, and
in-process for the wording rules and to prove that a check cell tests nothing the hidden checks do not."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.classroom.publish import present_assignments
from autograder.engine import catalog

ROOT = Path(__file__).resolve().parents[2]
KITCHECK = ROOT / "source" / "kitcheck.py"
BIN = Path(sys.executable).parent


def load_kitcheck():
    spec = importlib.util.spec_from_file_location("kitcheck_under_test", KITCHECK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def notebook_cells(kind: str, assignment: str) -> list[nbformat.NotebookNode]:
    return nbformat.read(ROOT / kind / assignment / f"{assignment}.ipynb", as_version=4).cells


def by_grade_id(cells, grade_id: str) -> str:
    return next(c.source for c in cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def grade_ids(cells) -> list[str]:
    return [
        c.metadata.nbgrader.grade_id
        for c in cells
        if c.metadata.get("nbgrader", {}).get("grade") and not c.metadata.nbgrader.get("solution")
    ]


def execute(sources: list[str], folder: Path) -> list[nbformat.NotebookNode]:
    """Run code cells in one real kernel (the one JupyterLab starts) beside kitcheck.py; errors do not stop it."""
    shutil.copy(KITCHECK, folder / "kitcheck.py")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(
        notebook, timeout=300, allow_errors=True, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    ).execute()
    return notebook.cells


def shown(cell) -> str:
    """Everything a student sees under a cell (printed text, an error's rendered traceback), lines joined:
    kitcheck wraps long lines."""
    text = "\n".join(
        o.get("text", "") if o.output_type == "stream" else "\n".join(o.get("traceback", [])) for o in cell.outputs
    )
    return " ".join(text.split())


def streams(cell, name: str) -> list[str]:
    return [o.text for o in cell.outputs if o.output_type == "stream" and o.name == name]


def errors(cell) -> list[nbformat.NotebookNode]:
    return [o for o in cell.outputs if o.output_type == "error"]


# -- one exercise, every kind of answer, in a real kernel ---------------------------------------------

ASSIGNMENT, EXERCISE = "a02_shapes", "flatten_view"
ANSWERS = {
    "error": "def flatten_view(t):\n    y = t + 0\n    return y.view(3, 5)\n",
    "copy": "def flatten_view(t):\n    return t.reshape(-1).clone()\n",
    "noisy": (
        "import sys, warnings\ndef flatten_view(t):\n    warnings.warn('flattening <now>')\n"
        "    print('debug', file=sys.stderr)\n    return t.view(-1)\n"
    ),
}
SAYS = {  # (ko, en) fragments of each verdict
    "undefined": ("이 셀에서 정의되지 않은 이름을 썼습니다", "This cell uses a name that is not defined"),
    "not_done": (f"☐ {EXERCISE}: 아직 구현하지 않았습니다.", f"☐ {EXERCISE}: not done yet."),
    "stopped": ("오류 때문에 고정 예제 확인을 끝내지 못했습니다", "the check on the fixed example stopped on an error"),
    "copy": (
        "결과가 입력과 메모리를 공유해야 하는데 복사본입니다",
        "should share memory with the input, but it is a copy",
    ),
    "values_ok": (
        "결과: Tensor, torch.int64, shape (6,), cpu, 값 일치",
        "result: Tensor, torch.int64, shape (6,), cpu, values match",
    ),
    "passed": (f"☑ 통과: {EXERCISE}", f"☑ Passed: {EXERCISE}"),
    "warning": ("경고: UserWarning: flattening ＜now>", "warning: UserWarning: flattening ＜now>"),
}


@pytest.fixture(scope="module")
def journeys(tmp_path_factory) -> dict:
    """One student's attempts at flatten_view, each followed by the released check cell, in one kernel:
    first in Korean (the default), then again after `kitcheck.LANG = "en"`."""
    release, source = notebook_cells("release", ASSIGNMENT), notebook_cells("source", ASSIGNMENT)
    check = by_grade_id(release, EXERCISE)
    attempts = {
        "undefined": None,
        "not_done": by_grade_id(release, f"{EXERCISE}_answer"),
        **ANSWERS,
        "solution": by_grade_id(source, f"{EXERCISE}_answer"),
    }
    plan = [("imports", by_grade_id(release, "imports"))]
    for lang in ("ko", "en"):
        if lang == "en":
            plan.append(("switch", "import kitcheck\nkitcheck.LANG = 'en'\ndel flatten_view"))
        for attempt, answer in attempts.items():
            plan += [((lang, "answer", attempt), answer)] if answer else []
            plan.append(((lang, "check", attempt), check))
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("KIT_LANG", raising=False)  # the kernel inherits the environment
        ran = execute([source for _, source in plan], tmp_path_factory.mktemp("journey"))
    cells = dict(zip((tag for tag, _ in plan), ran, strict=True))
    return {
        lang: (
            lang,
            {a: cells[lang, "check", a] for a in attempts},
            {a: cells[lang, "answer", a] for a in attempts if attempts[a]},
        )
        for lang in ("ko", "en")
    }


@pytest.fixture(params=["ko", "en"])
def journey(request, journeys):
    return journeys[request.param]


def say(lang: str, key: str) -> str:
    return SAYS[key][0 if lang == "ko" else 1]


def test_check_before_the_answer_cell_ran_says_to_run_the_cells_above(journey):
    lang, checks, _ = journey
    text = shown(checks["undefined"])
    assert say(lang, "undefined") in text and "Run All Above Selected Cell" in text


def test_stub_says_not_done_yet_without_a_traceback(journey):
    lang, checks, _ = journey
    [error] = errors(checks["not_done"])
    assert error.ename == "CheckFailed"
    assert error.traceback[0] == say(lang, "not_done")  # the first line, unwrapped
    assert "raise NotImplementedError()" in shown(checks["not_done"])
    assert not any(word in shown(checks["not_done"]) for word in ("Traceback", "kitcheck", 'File "'))


def test_error_in_students_code_points_at_their_line_not_at_kitcheck(journey):
    lang, checks, answers = journey
    text = shown(checks["error"])
    assert say(lang, "stopped") in text
    assert "RuntimeError: shape '[3, 5]' is invalid for input of size 6" in text
    cell = f"In[{answers['error'].execution_count}]"
    assert (f"{cell} 셀 3번째 줄" if lang == "ko" else f"{cell}, line 3") + ": return y.view(3, 5)" in text
    assert "kitcheck" not in text and "Traceback" not in text


def test_wrong_answer_lists_what_passed_and_what_failed(journey):
    lang, checks, _ = journey
    text = shown(checks["copy"])
    assert errors(checks["copy"]) and say(lang, "copy") in text
    assert "✔ " + say(lang, "values_ok") in text and "✘ " in text


@pytest.mark.parametrize("attempt", ["solution", "noisy"])
def test_correct_answer_passes_on_stdout_only(journey, attempt):
    lang, checks, _ = journey
    check = checks[attempt]
    assert not errors(check) and not streams(check, "stderr"), check.outputs
    assert say(lang, "passed") in "".join(streams(check, "stdout"))


def test_warnings_and_stderr_become_notes_on_stdout(journey):
    lang, checks, _ = journey
    printed = " ".join("".join(streams(checks["noisy"], "stdout")).split())
    assert say(lang, "warning") in printed and "debug" in printed


# -- every check cell of every assignment -------------------------------------------------------------


@pytest.mark.parametrize("assignment", present_assignments())
def test_every_check_cell_says_not_done_on_the_stub_and_passes_on_the_solution(assignment, tmp_path):
    release, source = notebook_cells("release", assignment), notebook_cells("source", assignment)
    code = [c.source for c in release + source if c.cell_type == "code"]
    cells = execute(code, tmp_path)
    ids = grade_ids(release)
    checks = [c for c in cells if any(f'Check("{i}")' in c.source for i in ids)]
    assert len(checks) == 2 * len(ids)
    for exercise, on_stub, on_solution in zip(ids, checks[: len(ids)], checks[len(ids) :], strict=True):
        assert shown(on_stub).startswith(f"☐ {exercise}: 아직 구현하지 않았습니다."), shown(on_stub)
        assert not errors(on_solution) and not streams(on_solution, "stderr"), shown(on_solution)
        assert shown(on_solution).startswith(f"☑ 통과: {exercise}"), shown(on_solution)


# -- nbgrader validate, as a student runs it in a terminal ---------------------------------------------


def validate(folder: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "KIT_LANG": "ko"}
    return subprocess.run(
        [str(BIN / "nbgrader"), "validate", f"{ASSIGNMENT}.ipynb"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def assert_only_log_lines(stderr: str) -> None:
    """nbgrader's and the kernel's log records, nothing else: no traceback, no kitcheck internals."""
    assert "Traceback" not in stderr and "kitcheck" not in stderr and "CheckFailed" not in stderr, stderr
    assert all(line.startswith("[") for line in stderr.splitlines() if line.strip()), stderr


@pytest.mark.slow
def test_nbgrader_validate_reports_each_stub_in_full_and_keeps_stderr_clean(tmp_path):
    shutil.copytree(ROOT / "release" / ASSIGNMENT, tmp_path, dirs_exist_ok=True)
    shutil.copy(KITCHECK, tmp_path / "kitcheck.py")
    done = validate(tmp_path)
    ids = grade_ids(notebook_cells("release", ASSIGNMENT))
    assert f"VALIDATION FAILED ON {len(ids)} CELL(S)!" in done.stdout
    for exercise in ids:
        assert f"☐ {exercise}: 아직 구현하지 않았습니다." in done.stdout
    assert done.stdout.count("다시 실행하세요.") == len(ids)  # no line cut at nbgrader's 87 characters
    assert_only_log_lines(done.stderr)


@pytest.mark.slow
def test_nbgrader_validate_passes_a_solution_that_warns_and_writes_to_stderr(tmp_path):
    notebook = nbformat.read(ROOT / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    answer = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == f"{EXERCISE}_answer")
    answer.source = ANSWERS["noisy"]
    nbformat.write(notebook, tmp_path / f"{ASSIGNMENT}.ipynb")
    shutil.copy(KITCHECK, tmp_path / "kitcheck.py")
    done = validate(tmp_path)
    assert "Success! Your notebook passes all the tests." in done.stdout, done.stdout
    assert_only_log_lines(done.stderr)


# -- wording rules, in-process ---------------------------------------------------------------------


@pytest.fixture
def kitcheck(monkeypatch):
    monkeypatch.setenv("KIT_LANG", "ko")
    return load_kitcheck()


@pytest.mark.parametrize(
    ("word", "forms", "joined"),
    [
        ("결과", "이/가", "결과가"),
        ("입력", "이/가", "입력이"),
        ("입력", "과/와", "입력과"),
        ("결과", "과/와", "결과와"),
        ("결과", "은/는", "결과는"),
        ("값", "의", "값의"),
        ("arr", "과/와", "arr 와"),
    ],
)
def test_korean_particles_follow_the_last_syllable(kitcheck, word, forms, joined):
    assert kitcheck._josa(word, forms) == joined


def test_language_follows_kit_lang_and_the_module_switch(kitcheck, monkeypatch):
    assert kitcheck._say("한", "en") == "한"
    monkeypatch.setenv("KIT_LANG", "en")
    assert kitcheck._say("한", "en") == "en"
    monkeypatch.setattr(kitcheck, "LANG", "ko")
    assert kitcheck._say("한", "en") == "한"


def test_failure_text_survives_the_validate_dialogs_html(kitcheck):
    """nbgrader's Validate dialog sets the failure text as innerHTML; a repr like <object ...> must stay visible."""
    with pytest.raises(kitcheck.CheckFailed) as failed:
        with kitcheck.Check("demo") as check:
            check.equal(object(), 3)
    text = str(failed.value)
    assert "＜object object at" in text and "<object" not in text
    assert kitcheck._html_safe("x < 0 and y > 1") == "x < 0 and y > 1"


def test_equal_never_raises_on_values_that_refuse_comparison(kitcheck):
    import torch

    check = kitcheck.Check("demo")
    assert not check.equal((torch.ones(2), 1), (torch.zeros(2), 1))
    assert check.equal(3, 3) and not check.equal(3.0, 3)


def test_in_process_error_points_at_the_students_file_and_line(kitcheck, tmp_path):
    student = tmp_path / "student.py"
    student.write_text(ANSWERS["error"])
    namespace: dict = {}
    exec(compile(student.read_text(), str(student), "exec"), namespace)
    import torch

    with pytest.raises(kitcheck.CheckFailed) as failed:
        with kitcheck.Check(EXERCISE) as check:
            check.call(namespace[EXERCISE], torch.arange(6))
    text = str(failed.value)
    assert "student.py 3번째 줄: return y.view(3, 5)" in text
    assert "kitcheck" not in text and failed.value._render_traceback_() == text.split("\n")


def test_keyboard_interrupt_is_not_turned_into_a_verdict(kitcheck):
    with pytest.raises(KeyboardInterrupt):
        with kitcheck.Check("demo"):
            raise KeyboardInterrupt


# -- the visible check tests nothing that no hidden check tests ---------------------------------------

CHECK_CELL = "<check cell>"
IMPORTS = "import numpy as np\nimport pandas as pd\nimport torch\n"
EXERCISES = catalog.exercises()


def run_visible(kitcheck, answer: str, check_cell: str) -> tuple[bool, dict[tuple[int, int], bool]]:
    """Run an answer, then the exercise's check cell, in-process; whether the cell passed, and each item of
    its verdict by the line of the cell that made it (and its turn on that line) -> whether it held."""
    namespace = {"__name__": "__main__"}
    exec(compile(IMPORTS + answer, "<answer cell>", "exec"), namespace)  # the kit's own answers
    items, turns = {}, Counter()
    record = kitcheck.Check._all

    def recorded(check, problems, passed=None):
        frame = sys._getframe(1)
        while frame is not None and frame.f_code.co_filename != CHECK_CELL:
            frame = frame.f_back
        line = frame.f_lineno if frame is not None else 0
        turns[line] += 1
        items[line, turns[line]] = held = record(check, problems, passed)
        return held

    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(sys.modules, "kitcheck", kitcheck)
        patch.setattr(kitcheck.Check, "_all", recorded)
        with contextlib.redirect_stdout(io.StringIO()):
            try:
                exec(compile(check_cell, CHECK_CELL, "exec"), namespace)
            except kitcheck.CheckFailed:
                return False, items
    return True, items


@pytest.mark.parametrize("exercise", EXERCISES, ids=[e.id for e in EXERCISES])
def test_visible_check_tests_nothing_that_no_hidden_check_tests(results, kitcheck, exercise):
    """Every answer the hidden checks give full marks (the solution, each alternative) passes the check cell,
    and every answer that fails the check cell loses hidden points. Each item of the check cell is failed
    by some known wrong answer (a mutant, or nonsense), so none of them tests what nothing hidden tests."""
    cells = {
        c.metadata.get("nbgrader", {}).get("grade_id"): c.source for c in notebook_cells("source", exercise.assignment)
    }
    hidden = results(exercise.assignment)
    passed, items = run_visible(kitcheck, cells[f"{exercise.id}_answer"], cells[exercise.id])
    assert passed and items and all(items.values()), items
    for alternative in exercise.alternatives:
        assert run_visible(kitcheck, alternative.source, cells[exercise.id])[0], alternative.name
    wrong = {f"mutant:{m.name}": m.source for m in exercise.mutants}
    wrong |= {
        variant: f"def {exercise.id}(*args, **kwargs):\n    return {value}\n"
        for variant, value in (("none", "None"), ("wrong_type", "object()"), ("empty_tuple", "()"))
    }
    witnessed = set()
    for variant, source in wrong.items():
        visible, seen = run_visible(kitcheck, source, cells[exercise.id])
        graded = hidden[f"{exercise.id}:{variant}"].exercise(exercise.id)
        assert visible or graded.score < graded.points, f"{variant} fails the check cell but not the hidden checks"
        witnessed |= {item for item, held in seen.items() if not held}
    unwitnessed = sorted(set(items) - witnessed)
    assert not unwitnessed, f"no known wrong answer fails the check cell's items at (line, turn) {unwitnessed}"
