"""The grading engine calls plain checks itself instead of through pytest's per-test protocol (for speed);
the verdicts must be exactly those pytest's own protocol gives."""

from __future__ import annotations

from autograder import grade as engine
from tests.conftest import variants


def test_checks_called_directly_get_the_verdicts_pytest_gives(monkeypatch):
    submissions = list(variants("a02_shapes").values())  # solution, stub, nonsense, every mistake
    chosen = []
    real = engine._plain_check
    monkeypatch.setattr(engine, "_plain_check", lambda item: chosen.append(real(item)) or chosen[-1])
    direct = engine.grade(submissions)
    assert chosen and all(chosen), "no check took the direct path"

    monkeypatch.setattr(engine, "_plain_check", lambda metafunc: False)
    through_pytest = engine.grade(submissions)
    assert [r.to_dict() for r in direct] == [r.to_dict() for r in through_pytest]

    # Per submission, some checks called directly and the others through pytest, interleaved.
    monkeypatch.setattr(engine, "_plain_check", lambda metafunc: "values" not in metafunc.function.__name__)
    mixed = engine.grade(submissions)
    assert [r.to_dict() for r in direct] == [r.to_dict() for r in mixed]
