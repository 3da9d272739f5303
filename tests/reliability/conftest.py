"""Shared by the reliability suite: the per-source record of faults tried and survived, printed at the end
of the run so CI shows it (and docs/reliability.md carries its figures). The printing is in tests/conftest.py:
under pytest-xdist only the top conftest is loaded by the controller that prints the summary."""

from __future__ import annotations

import pytest

from tests.conftest import FAULT_RESULTS


@pytest.fixture
def fault_results(request) -> dict:
    """{source: {fault: (survived, what happened, rows lost)}}, filled by test_faults."""
    return request.config.stash.setdefault(FAULT_RESULTS, {})
