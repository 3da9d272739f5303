"""End to end through the real `capex` command: refresh offline from the embedded snapshot, publish,
readers in other processes, imports refused. Slow (full refreshes), so one shared CAPEX_HOME."""

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


@pytest.fixture
def home(refreshed_home) -> Path:
    return refreshed_home


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
        (2021, 20_622_000_000), (2022, 23_886_000_000), (2023, 28_107_000_000), (2024, 44_477_000_000), (2025, 64_551_000_000)]
    assert rows[-1][2] == 281_724_000_000


def test_nothing_new_returns_without_rebuilding(home):
    inode = published(home).stat().st_ino
    result = capex(home, "refresh", "--offline")
    assert result.returncode == 0, result.stderr
    assert "nothing new" in result.stdout
    assert published(home).stat().st_ino == inode


def test_refresh_succeeds_while_another_process_reads_the_published_file(home, tmp_path):
    ready, release = tmp_path / "ready", tmp_path / "release"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(published(home)), str(ready), str(release)],
                              stdout=subprocess.PIPE, text=True)
    for _ in range(200):
        if ready.exists():
            break
        time.sleep(0.05)
    assert ready.exists(), "the reader could not open the published warehouse"
    inode = published(home).stat().st_ino
    result = capex(home, "refresh", "--offline", "--force")
    release.write_text("go")
    out, _ = reader.communicate(timeout=60)
    assert result.returncode == 0, result.stderr[-3000:]
    same_view, count = out.split()
    assert same_view == "True" and int(count) > 0  # the held connection still sees its old snapshot
    assert published(home).stat().st_ino != inode  # the file was replaced whole
    with duckdb.connect(str(published(home)), read_only=True) as con:  # a new connection sees the new one
        assert con.execute("select count(*) from core.financials").fetchall()[0][0] == int(count)


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


def test_sqlalchemy_pool_keeps_working_through_a_refresh_and_sees_new_data_after_reconnecting(home, tmp_path):
    ready, release = tmp_path / "ready", tmp_path / "release"
    reader = subprocess.Popen([sys.executable, "-c", SQLALCHEMY_READER, str(published(home)), str(ready), str(release)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for _ in range(400):
        if ready.exists() or reader.poll() is not None:
            break
        time.sleep(0.05)
    assert ready.exists(), reader.stderr.read() if reader.poll() is not None else "reader not ready"
    result = capex(home, "refresh", "--offline", "--force")
    release.write_text("go")
    out, err = reader.communicate(timeout=60)
    assert result.returncode == 0, result.stderr[-3000:]
    assert out.split() == ["True", "True"], err
