"""The warehouse: assets write to a per-run build file; publishing swaps it whole onto the published one.

    $CAPEX_HOME/warehouse/capex.duckdb            published: what analysts and BI tools open
    $CAPEX_HOME/warehouse/build/<run_id>.duckdb   being built by a refresh

A reader holding the published file never blocks a refresh (nobody writes to it) and never sees a
half-built file: the build is CHECKPOINTed, closed and `os.replace`d onto the published path, an
atomic rename. A reader that had the old file open keeps reading the old inode; a new connection
opens the new file. A crash at any point leaves the published file as it was.

This module imports no Dagster: the warm path of `capex refresh` reads the published fingerprint
through it. The IO manager that writes assets' frames into the build is `pipelines/io_manager.py`,
the fingerprints `pipelines/fingerprint.py`, the locks `pipelines/locks.py`.

The file is written in an older storage format than the DuckDB the project runs (STORAGE_VERSION
below), so that every DuckDB client from 1.1 on opens it: see docs/bi.md.
"""

from __future__ import annotations

import os
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from pipelines.errors import CapexError
from pipelines.landing import _fsync_dir
from pipelines.locks import build_lock_is_free

if TYPE_CHECKING:
    import dagster as dg

# The storage format of the build file, hence of the published one (ATTACH ... STORAGE_VERSION; a file keeps the
# format it was created with, whoever reopens it: dbt-duckdb, Great Expectations, a later step). DuckDB's
# storage number 64 is the one every release from 0.10 to 1.1 reads, and what 1.2 to 1.5 still write by default
# (they can write 65 to 68 when asked); DuckDB 2.0 writes its own newer number by default, which no 1.x client
# opens (the contract: DuckDB 1.1+ clients; Metabase's driver, JDBC and ODBC lag the engine). v1.0.0 is the
# oldest target DuckDB 2.0 still writes (asking for v0.10.0 gives the same file, tagged v1.0.0+) and keeps all
# the warehouse needs: its types (DATE, TIMESTAMPTZ, DOUBLE, BIGINT, VARCHAR) and views date from 0.10. What
# newer formats add is compression, worth little at this size (docs/bi.md has the figures).
STORAGE_VERSION = "v1.0.0"
# The header's storage number readers up to 1.1 accept, checked before a build is published.
READABLE_STORAGE_NUMBER = 64


def build_dir(warehouse: Path) -> Path:
    return warehouse.parent / "build"


def build_path(warehouse: Path, run_id: str) -> Path:
    return build_dir(warehouse) / f"{run_id}.duckdb"


def open_build(path: Path, wait_s: float = 60.0) -> duckdb.DuckDBPyConnection:
    """A read-write connection to a run's build file. Only this run writes it, one step at a time, but a
    subprocess that just finished a step (dbt) can hold DuckDB's file lock for a moment after its last
    event: wait for it (bounded) rather than fail the refresh."""
    deadline = time.monotonic() + wait_s
    delay = 0.05
    while True:
        try:
            # The setting applies only when the file is created: the first writer of a run fixes its format.
            return duckdb.connect(str(path), config={"storage_compatibility_version": STORAGE_VERSION})
        except duckdb.IOException as e:
            if "lock" not in str(e).lower() or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


def table_name(key: dg.AssetKey) -> str:
    """Asset key ["core", "financials"] is table core.financials."""
    if len(key.path) != 2:
        raise CapexError(f"asset key {key.to_user_string()} is not schema/table")
    return f'"{key.path[0]}"."{key.path[1]}"'


def read_published(warehouse: Path, sql: str, params: list | None = None) -> list[tuple] | None:
    """Run a query on the published warehouse read-only; None when there is none yet."""
    if not warehouse.exists():
        return None
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def storage_number(path: Path) -> int:
    """The storage version number in a DuckDB file's header (what an older client compares to what it reads):
    bytes 8-11 are "DUCK", the little-endian u64 after them the number."""
    with open(path, "rb") as f:
        header = f.read(20)
    if header[8:12] != b"DUCK":
        raise CapexError(f"{path}: not a DuckDB database file (no DUCK magic in its header)")
    return int.from_bytes(header[12:20], "little")


def readable_copy(build: Path) -> Path:
    """A copy at STORAGE_VERSION of a build file that some writer created in a newer storage format (a plain
    duckdb.connect, a dbt run that came first): the published file must open in DuckDB 1.1."""
    readable = build.with_name(build.name + ".readable")
    readable.unlink(missing_ok=True)
    with duckdb.connect() as con:
        con.execute(f"attach '{build.as_posix()}' as newer (read_only)")
        con.execute(f"attach '{readable.as_posix()}' as readable (storage_version '{STORAGE_VERSION}')")
        con.execute("copy from database newer to readable")
        con.execute("detach readable")
    return readable


def publish(build: Path, warehouse: Path, meta: dict) -> None:
    """Record what was built, checkpoint, close, and atomically swap the build onto the published path."""
    with open_build(build) as con:
        con.execute("create schema if not exists meta")
        con.execute(
            "create or replace table meta.refresh as select ?::varchar as fingerprint, ?::timestamptz as published_at, "
            "?::varchar as run_id, ?::varchar as code_fingerprint",
            [meta["fingerprint"], datetime.now(UTC), meta["run_id"], meta["code_fingerprint"]],
        )
        con.execute("checkpoint")
    if storage_number(build) > READABLE_STORAGE_NUMBER:
        readable = readable_copy(build)
        build.unlink()  # a crash from here on leaves the published file as it was, and a stale build to clean
        build = readable
    fd = os.open(build, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    os.replace(build, warehouse)
    _fsync_dir(warehouse.parent)


def remove_stale_builds(warehouse: Path) -> None:
    """Build files (and dbt target dirs) of runs that are over without publishing: a killed refresh's.
    A build whose run still holds its lock (`pipelines.locks.claim_build`: a scheduled or UI run still
    building while a manual refresh starts) is left alone."""
    for path in build_dir(warehouse).glob("*"):
        run_id = path.name.removeprefix("dbt-").split(".")[0]
        if path.suffix == ".lock" or not build_lock_is_free(build_dir(warehouse), run_id):
            continue
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)  # dbt-<run_id>/: the run's dbt target dir
        elif path.suffix in (".duckdb", ".wal") or ".duckdb" in path.name:
            path.unlink(missing_ok=True)
    for lock in build_dir(warehouse).glob("*.lock"):
        if build_lock_is_free(build_dir(warehouse), lock.stem):
            lock.unlink(missing_ok=True)
