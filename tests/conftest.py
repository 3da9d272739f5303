"""Shared fixtures: real captured bodies from the embedded snapshot, and a throwaway CAPEX_HOME."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.snapshot import read_snapshot_bytes, snapshot_manifest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")


def snapshot_body(kind: str, entity: str | None = None) -> bytes:
    """The first embedded body of a kind (optionally of one entity)."""
    for entry in snapshot_manifest():
        if entry.kind == kind and (entity is None or entry.entity == entity):
            return read_snapshot_bytes(entry.path)
    raise LookupError(f"no embedded {kind} body{' for ' + entity if entity else ''}")


@pytest.fixture
def msft_companyfacts() -> bytes:
    return snapshot_body("sec-companyfacts", "CIK0000789019")


@pytest.fixture
def capex_home(tmp_path, monkeypatch):
    home = tmp_path / "capex_home"
    home.mkdir()
    monkeypatch.setenv("CAPEX_HOME", str(home))
    return home


def capex(home: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run the real `capex` command (as `python -m pipelines.cli`) with CAPEX_HOME=home."""
    env = {**os.environ, "CAPEX_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="session")
def refreshed_home(tmp_path_factory) -> Path:
    """A CAPEX_HOME with a warehouse published by a real offline refresh, made once per test run and only
    read by the tests that use it (a test that refreshes or imports works on `published_copy`). Under
    pytest-xdist the workers share it: the first to need it refreshes, under a file lock, the others wait."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's folder, above each worker's own
    home, done = root / "refreshed_home", root / "refreshed_home.ok"
    with open(root / "refreshed_home.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(home, ignore_errors=True)
            home.mkdir()
            result = capex(home, "refresh", "--offline")
            assert result.returncode == 0, result.stderr[-3000:]
            done.write_text("published\n")
    return home


def copy_home(home: Path, to: Path) -> Path:
    """A copy of a CAPEX_HOME (landing zone and published warehouse) with a fresh Dagster instance: what a
    test may refresh, import into or replace without touching the shared one."""
    shutil.copytree(home, to, ignore=shutil.ignore_patterns("dagster"))
    return to


@pytest.fixture(scope="module")
def published_copy(refreshed_home, tmp_path_factory) -> Path:
    """The published home, copied once per test module: refreshing it again costs no cold refresh."""
    return copy_home(refreshed_home, tmp_path_factory.mktemp("published_copy") / "home")


# ------------------------------------------------------------------------------------ test order

# The modules that take longest start first (`make test` passes --no-loadscope-reorder, so pytest-xdist hands
# out modules in this order): on two workers the crash-safety module, a few minutes of whole refreshes killed
# and restarted, then runs beside everything else instead of after it. Tests keep their order within a module.
SLOW_MODULES_FIRST = ("tests/reliability/test_crash.py", "tests/test_refresh.py")


def pytest_collection_modifyitems(config, items):
    def rank(item) -> int:
        module = item.nodeid.split("::", 1)[0]
        return SLOW_MODULES_FIRST.index(module) if module in SLOW_MODULES_FIRST else len(SLOW_MODULES_FIRST)

    items.sort(key=rank)  # stable: every other module and test stays in collection order


# ------------------------------------------------------- the fault-injection record (tests/reliability)

FAULT_RESULTS = pytest.StashKey[dict]()


def pytest_sessionfinish(session):
    """Under pytest-xdist a worker hands its record of faults to the controller, which prints the summary."""
    worker_output = getattr(session.config, "workeroutput", None)
    if worker_output is not None:
        worker_output["fault_results"] = session.config.stash.get(FAULT_RESULTS, {})


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    merged = node.config.stash.setdefault(FAULT_RESULTS, {})
    for source, by_fault in getattr(node, "workeroutput", {}).get("fault_results", {}).items():
        merged.setdefault(source, {}).update(by_fault)


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
