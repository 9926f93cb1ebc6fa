"""The `slow` marker's rule, checked when the tests are collected: a test that uses a slow fixture is marked slow.

A fixture is slow when it runs real nbgrader commands, JupyterLab, a browser, LibreOffice, the sample class, a Dask
cluster, the red-team corpus or a class's batch in subprocesses. `python -m pytest -m "not slow"` is the fast set a
developer runs between edits; a test that reached such a fixture without the marker would make it slow again, so the
collection stops and names it. Tests that do the slow work themselves, not through a fixture, carry the marker by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

import pytest

F = TypeVar("F", bound=Callable)


def fixture(function: F) -> F:
    """Tag a fixture as slow; put it under `@pytest.fixture(...)`."""
    function.slow = True  # type: ignore[attr-defined]
    return function


def unmarked(items: Iterable[pytest.Item]) -> list[str]:
    """The ids of the tests that use a slow fixture, directly or through another fixture, without the marker."""
    found = []
    for item in items:
        info = getattr(item, "_fixtureinfo", None)  # pytest's resolved fixture closure of a test function
        if info is None or item.get_closest_marker("slow") is not None:
            continue
        slow = sorted(
            name
            for name, definitions in info.name2fixturedefs.items()
            if any(getattr(d.func, "slow", False) for d in definitions)
        )
        if slow:
            found.append(f"{item.nodeid} (uses {', '.join(slow)})")
    return found


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The rule as a pytest hook (tests/conftest.py imports it): a test that breaks it stops the collection."""
    found = unmarked(items)
    if found:
        raise pytest.UsageError(
            "a test that uses a slow fixture must be marked @pytest.mark.slow:\n  " + "\n  ".join(found)
        )
