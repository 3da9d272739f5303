"""Great Expectations suites run as Dagster blocking asset checks (dagster-ge requires GX < 1, so the
check runs GX 1.x itself: `pipelines/gx_runner.py`). A source declares expectations as plain data:

    table_check(["core", "financials"], "financials_valid", [
        ("expect_column_values_to_not_be_null", {"column": "ticker"}),
        ("expect_column_values_to_be_between", {"column": "capex_usd", "min_value": 0}),
    ], description="keys present, capex not negative")

A failed blocking check stops the publish: the refresh exits non-zero naming the check, the table
and the failing rows, and the last good warehouse stays in place.
"""

from collections.abc import Callable
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl

from pipelines.gx_runner import Expectation, data_docs_dir
from pipelines.settings import CapexSettings
from pipelines.validation_worker import validate
from pipelines.warehouse import build_path, open_build, table_name


def load_build_table(
    context: dg.AssetCheckExecutionContext, settings: CapexSettings, key: dg.AssetKey
) -> pl.DataFrame:
    with open_build(build_path(settings.warehouse_path, context.run.run_id)) as con:
        return con.sql(f"select * from {table_name(key)}").pl()


def table_check(
    asset: list[str],
    name: str,
    expectations: list[Expectation] | Callable[[pl.DataFrame], list[Expectation]],
    description: str,
    blocking: bool = True,
) -> dg.AssetChecksDefinition:
    """A blocking asset check running a GX suite on the asset's table."""
    key = dg.AssetKey(asset)

    @dg.asset_check(asset=key, name=name, blocking=blocking, description=description)
    def _check(context: dg.AssetCheckExecutionContext, settings: CapexSettings) -> dg.AssetCheckResult:
        frame = load_build_table(context, settings, key)
        suite = expectations(frame) if callable(expectations) else expectations
        failures, evaluated = validate(
            frame, f"{key.path[0]}_{key.path[1]}_{name}", suite, data_docs_dir(settings.home_path)
        )
        table = ".".join(key.path)
        return dg.AssetCheckResult(
            passed=not failures,
            severity=dg.AssetCheckSeverity.ERROR,
            description=(f"{table}: " + "; ".join(f.describe() for f in failures))
            if failures
            else f"{table}: {evaluated} expectations met",
            metadata={"rows": frame.height, "expectations": evaluated, "failed": len(failures)},
        )

    return _check


def row_count_check(asset: list[str], max_drop: float = 0.2) -> dg.AssetChecksDefinition:
    """Blocking: a table must not shrink by more than max_drop versus the last published warehouse
    (a source that silently lost most of its rows should not replace good data)."""
    key = dg.AssetKey(asset)

    @dg.asset_check(
        asset=key,
        name="row_count_not_collapsing",
        blocking=True,
        description=f"rows do not drop by more than {max_drop:.0%} versus the published warehouse",
    )
    def _check(context: dg.AssetCheckExecutionContext, settings: CapexSettings) -> dg.AssetCheckResult:
        with open_build(build_path(settings.warehouse_path, context.run.run_id)) as con:
            rows = con.execute(f"select count(*) from {table_name(key)}").fetchall()[0][0]
        published = _published_count(settings.warehouse_path, key)
        passed = published is None or rows >= (1 - max_drop) * published
        table = ".".join(key.path)
        return dg.AssetCheckResult(
            passed=passed,
            description=f"{table}: {rows} rows, published {published if published is not None else 'none'}",
            metadata={"rows": rows, "published_rows": published if published is not None else -1},
        )

    return _check


def _published_count(warehouse: Path, key: dg.AssetKey) -> int | None:
    if not warehouse.exists():
        return None
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            return con.execute(f"select count(*) from {table_name(key)}").fetchall()[0][0]
    except duckdb.Error:
        return None  # the table is new in this refresh
