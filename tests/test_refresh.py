"""End to end through the real `capex` command: refresh offline from the embedded snapshot, publish,
readers in other processes, imports refused. Slow (full refreshes), so the tests share one CAPEX_HOME: a copy
of the session's published home (these tests refresh and import into it; other modules only read theirs)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from tests.conftest import capex, snapshot_body

pytestmark = pytest.mark.slow

READER = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
before = con.execute("select published_at from meta.refresh").fetchall()[0][0]
open(sys.argv[2], "w").write("ready")
while not __import__("os").path.exists(sys.argv[3]):
    time.sleep(0.05)
after = con.execute("select published_at from meta.refresh").fetchall()[0][0]
print(before == after, con.execute("select count(*) from core.financials").fetchall()[0][0])
"""


SQLALCHEMY_READER = """
import os, sys, time
from sqlalchemy import create_engine, text
engine = create_engine("duckdb:///" + sys.argv[1], connect_args={"read_only": True})
with engine.connect() as conn:
    before = conn.execute(text("select published_at from meta.refresh")).scalar()
    open(sys.argv[2], "w").write("ready")
    while not os.path.exists(sys.argv[3]):
        time.sleep(0.05)
    held = conn.execute(text("select published_at from meta.refresh")).scalar()
engine.dispose()
with create_engine("duckdb:///" + sys.argv[1], connect_args={"read_only": True}).connect() as conn:
    fresh = conn.execute(text("select published_at from meta.refresh")).scalar()
print(before == held, fresh > before)
"""


@pytest.fixture
def home(published_copy) -> Path:
    return published_copy


def published(home: Path) -> Path:
    return home / "warehouse" / "capex.duckdb"


def test_offline_refresh_publishes_msft_figures_from_companyfacts(home):
    with duckdb.connect(str(published(home)), read_only=True) as con:
        rows = con.execute(
            "select fiscal_year, capex_usd, revenue_usd from core.financials "
            "where ticker = 'MSFT' and fiscal_period = 'FY' and fiscal_year between 2021 and 2025 order by 1"
        ).fetchall()
    # Microsoft 10-K FY2025 (accession 0000950170-25-100235) and the earlier 10-Ks' cash-flow statements.
    assert [(y, c) for y, c, _ in rows] == [
        (2021, 20_622_000_000),
        (2022, 23_886_000_000),
        (2023, 28_107_000_000),
        (2024, 44_477_000_000),
        (2025, 64_551_000_000),
    ]
    assert rows[-1][2] == 281_724_000_000


def test_nothing_new_returns_without_rebuilding(home):
    inode = published(home).stat().st_ino
    result = capex(home, "refresh", "--offline")
    assert result.returncode == 0, result.stderr
    assert "nothing new" in result.stdout
    assert published(home).stat().st_ino == inode


def start_reader(script: str, warehouse: Path, tmp_path: Path, name: str) -> tuple[subprocess.Popen, Path]:
    ready, release = tmp_path / f"{name}.ready", tmp_path / f"{name}.release"
    reader = subprocess.Popen(
        [sys.executable, "-c", script, str(warehouse), str(ready), str(release)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    for _ in range(600):
        if ready.exists() or reader.poll() is not None:
            break
        time.sleep(0.05)
    assert ready.exists(), (
        f"{name} reader could not open the published warehouse: {reader.stderr.read() if reader.poll() is not None else 'timeout'}"
    )
    return reader, release


def test_refresh_succeeds_while_readers_in_other_processes_hold_the_published_file(home, tmp_path):
    """A DuckDB read-only connection and a SQLAlchemy (duckdb_engine, what Superset uses) pool hold the
    published file through a real refresh: the refresh succeeds, the held connections keep their old
    view, and new connections see the new file."""
    duck, duck_release = start_reader(READER, published(home), tmp_path, "duckdb")
    pool, pool_release = start_reader(SQLALCHEMY_READER, published(home), tmp_path, "sqlalchemy")
    inode = published(home).stat().st_ino
    result = capex(home, "refresh", "--offline", "--force")
    duck_release.write_text("go")
    pool_release.write_text("go")
    duck_out, _ = duck.communicate(timeout=60)
    pool_out, pool_err = pool.communicate(timeout=60)
    assert result.returncode == 0, result.stderr[-3000:]
    same_view, count = duck_out.split()
    assert same_view == "True" and int(count) > 0  # the held connection still sees its old snapshot
    assert published(home).stat().st_ino != inode  # the file was replaced whole
    with duckdb.connect(str(published(home)), read_only=True) as con:  # a new connection sees the new one
        assert con.execute("select count(*) from core.financials").fetchall()[0][0] == int(count)
    assert pool_out.split() == ["True", "True"], pool_err


def test_truncated_companyfacts_import_is_refused_and_stores_nothing(home, tmp_path):
    truncated = tmp_path / "CIK0000789019.json"
    truncated.write_bytes(snapshot_body("sec-companyfacts", "CIK0000789019")[:1000])
    manifest = home / "landing" / "manifest.jsonl"
    before = manifest.read_bytes() if manifest.exists() else None
    result = capex(home, "import", "sec-companyfacts", str(truncated))
    assert result.returncode != 0
    assert "CIK0000789019.json" in result.stderr
    assert (manifest.read_bytes() if manifest.exists() else None) == before


def test_query_is_read_only(home):
    result = capex(home, "query", "create table core.evil as select 1")
    assert result.returncode != 0 and "read-only" in result.stderr.lower()


def test_status_names_each_asset_with_rows_and_checks(home):
    result = capex(home, "status")
    assert result.returncode == 0, result.stderr
    financials = next(line for line in result.stdout.splitlines() if line.startswith("core/financials "))
    assert "253 rows" in financials and "financials_valid ok" in financials
    assert "published" in result.stdout.splitlines()[0]
