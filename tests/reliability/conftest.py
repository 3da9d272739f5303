"""Shared by the reliability suite: the per-source record of faults tried and survived, printed at the end
of the run so CI shows it (and docs/reliability.md carries its figures)."""

from __future__ import annotations

import pytest

FAULT_RESULTS = pytest.StashKey[dict]()


@pytest.fixture
def fault_results(request) -> dict:
    """{source: {fault: (survived, what happened, rows lost)}}, filled by test_faults."""
    return request.config.stash.setdefault(FAULT_RESULTS, {})


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    results = config.stash.get(FAULT_RESULTS, None)
    if not results:
        return
    write = terminalreporter.write_line
    terminalreporter.section("fault injection: faults tried and survived per source")
    faults = sorted({fault for by_fault in results.values() for fault in by_fault})
    sources = sorted(results)
    width = max(len(f) for f in faults)
    write(f"{'fault':<{width}}  " + "  ".join(f"{s:<8}" for s in sources))
    for fault in faults:
        cells = []
        for source in sources:
            outcome = results[source].get(fault)
            cells.append(
                "-"
                if outcome is None
                else "ok"
                if outcome[0]
                else "GAP"
                if "known gap" in outcome[1]
                else "FAILED"
            )
        write(f"{fault:<{width}}  " + "  ".join(f"{c:<8}" for c in cells))
    for source in sources:
        tried = len(results[source])
        survived = sum(1 for ok, _, _ in results[source].values() if ok)
        lost = sum(rows for _, _, rows in results[source].values())
        write(f"{source}: {tried} faults tried, {survived} survived, rows lost: {lost}")
    for source in sources:
        for fault, (ok, what, _) in sorted(results[source].items()):
            if not ok:
                write(f"  not survived: {source} / {fault}: {what}")
