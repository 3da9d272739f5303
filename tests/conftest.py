"""Shared fixtures: real captured bodies from the embedded snapshot, and a throwaway CAPEX_HOME."""

from __future__ import annotations

import os
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
    """A CAPEX_HOME with a warehouse published by a real offline refresh (shared: refreshes take a while)."""
    home = tmp_path_factory.mktemp("capex_home")
    result = capex(home, "refresh", "--offline")
    assert result.returncode == 0, result.stderr[-3000:]
    return home
