"""Shared fixtures: real captured bodies from the embedded snapshot, and a throwaway CAPEX_HOME."""

from __future__ import annotations

import os

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
