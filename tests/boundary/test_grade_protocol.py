"""The grading engine calls plain checks itself instead of through pytest's per-test protocol (for speed);
the verdicts must be exactly those pytest's own protocol gives."""

from __future__ import annotations

import dataclasses

import pytest

from autograder.engine import grade as engine
from autograder.messages import Msg
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


def _stream(submissions, size):
    """Batches of `size`, recording when each is taken and how many results were emitted by then."""
    taken = []

    def batches(emitted):
        for start in range(0, len(submissions), size):
            taken.append(len(emitted))
            yield submissions[start : start + size]

    return batches, taken


def _with_a_broken_notebook(submissions):
    broken = dataclasses.replace(submissions[1], student="broken", cells=[], problem=Msg(ko="손상됨", en="damaged"))
    return [submissions[0], broken, *submissions[1:]]


@pytest.mark.parametrize("plain", ["all plain", "one needs pytest"])
def test_a_stream_of_batches_gets_the_verdicts_of_one_list_taking_each_batch_after_the_last(monkeypatch, plain):
    submissions = _with_a_broken_notebook(list(variants("a02_shapes").values())[:9])
    expected = engine.grade(submissions)
    if plain == "one needs pytest":  # the stream then falls back to a session per batch
        real = engine._plain_check
        monkeypatch.setattr(
            engine, "_plain_check", lambda metafunc: real(metafunc) and metafunc.function.__name__ != "test_values"
        )
    emitted = []
    batches, taken = _stream(submissions, 4)
    engine.grade_stream("a02_shapes", batches(emitted), on_result=emitted.append)
    assert [r.to_dict() for r in emitted] == [r.to_dict() for r in expected]
    assert taken == [0, 4, 8]  # a batch is asked for only when every result of the one before is out
