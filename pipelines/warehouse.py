"""The warehouse: assets write to a per-run build file; publishing swaps it whole onto the published one.

    $CAPEX_HOME/warehouse/capex.duckdb            published: what analysts and BI tools open
    $CAPEX_HOME/warehouse/build/<run_id>.duckdb   being built by a refresh

A reader holding the published file never blocks a refresh (nobody writes to it) and never sees a
half-built file: the build is CHECKPOINTed, closed and `os.replace`d onto the published path, an
atomic rename. A reader that had the old file open keeps reading the old inode; a new connection
opens the new file. A crash at any point leaves the published file as it was.

The file is written in an older storage format than the DuckDB the project runs (STORAGE_VERSION
below), so that every DuckDB client from 1.1 on opens it: see docs/bi.md.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl

from pipelines.config import PROJECT_ROOT
from pipelines.errors import CapexError
from pipelines.landing import _fsync_dir

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


def write_frame(con: duckdb.DuckDBPyConnection, key: dg.AssetKey, frame: pl.DataFrame) -> None:
    con.execute(f'create schema if not exists "{key.path[0]}"')
    con.register("_frame", frame.to_arrow())
    try:
        con.execute(f"create or replace table {table_name(key)} as select * from _frame")
    finally:
        con.unregister("_frame")


def column_schema(frame: pl.DataFrame) -> dg.TableSchema:
    return dg.TableSchema(columns=[dg.TableColumn(name, str(dtype)) for name, dtype in frame.schema.items()])


class BuildWarehouseIOManager(dg.ConfigurableIOManager):
    """Stores each asset's Polars frame as a table of the run's build file and loads it back.

    Connections are opened per step and closed at once, so dbt (a subprocess) can take the file's
    write lock between steps; all writers share one pool so two never run at the same time.
    """

    warehouse: str

    def _path(self, run_id: str) -> Path:
        path = build_path(Path(self.warehouse), run_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def handle_output(self, context: dg.OutputContext, obj: pl.DataFrame) -> None:
        if obj is None:
            return
        if not isinstance(obj, pl.DataFrame):
            raise CapexError(
                f"{context.asset_key.to_user_string()} returned {type(obj).__name__}, not a Polars frame"
            )
        with open_build(self._path(context.run_id)) as con:
            write_frame(con, context.asset_key, obj)
        context.add_output_metadata(
            {
                "dagster/row_count": obj.height,
                "dagster/column_schema": column_schema(obj),
                "table": table_name(context.asset_key).replace('"', ""),
            }
        )

    def load_input(self, context: dg.InputContext) -> pl.DataFrame:
        # InputContext has no run_id of its own in Dagster 1.13: the step's run is the one being built.
        with open_build(self._path(context.step_context.run_id)) as con:
            return con.sql(f"select * from {table_name(context.asset_key)}").pl()


def read_published(warehouse: Path, sql: str, params: list | None = None) -> list[tuple] | None:
    """Run a query on the published warehouse read-only; None when there is none yet."""
    if not warehouse.exists():
        return None
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def published_fingerprint(warehouse: Path) -> str | None:
    try:
        rows = read_published(warehouse, "select fingerprint from meta.refresh")
    except duckdb.Error:
        return None
    return rows[0][0] if rows else None


def code_fingerprint() -> str:
    """Hash of everything that shapes the warehouse besides the data: code, seeds, dbt models."""
    digest = hashlib.sha256()
    for folder in ("pipelines", "assets", "dbt/seeds", "dbt/models", "dbt/macros"):
        root = PROJECT_ROOT / folder
        for path in sorted(root.rglob("*")) if root.exists() else []:
            if path.is_file() and path.suffix in {".py", ".csv", ".sql", ".yml", ".yaml"}:
                digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def data_fingerprint(body_records: list[dict], code: str) -> str:
    """What a published warehouse was built from: the landed bodies in force and the code."""
    bodies = sorted(f"{r['kind']}|{r['entity']}|{r['as_of']}|{r['sha256']}" for r in body_records)
    return hashlib.sha256(json.dumps([code, bodies]).encode()).hexdigest()


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


def remove_stale_builds(warehouse: Path, keep: str | None = None) -> None:
    """Build files of runs that were killed: never published, safe to delete under the refresh lock."""
    for path in build_dir(warehouse).glob("*"):
        if keep is not None and path.name.startswith((keep, f"dbt-{keep}")):
            continue
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)  # dbt-<run_id>/: the run's dbt target dir
        elif path.suffix in (".duckdb", ".wal") or ".duckdb" in path.name:
            path.unlink(missing_ok=True)


@contextmanager
def refresh_lock(warehouse: Path) -> Iterator[None]:
    """One refresh at a time per warehouse. The lock dies with its process, so a kill -9 never leaves
    a stale lock behind."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    path = warehouse.parent / ".refresh.lock"
    with open(path, "a+") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.seek(0)
            holder = f.read().strip() or "another process"
            raise CapexError(
                f"another refresh is running on {warehouse} ({holder}); try again when it has finished"
            ) from None
        f.seek(0)
        f.truncate()
        f.write(f"pid {os.getpid()} since {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC")
        f.flush()
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)
