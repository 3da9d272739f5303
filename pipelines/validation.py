"""Great Expectations suites run as Dagster blocking asset checks.

GX 1.x runs inside the check on the Polars frame converted to pandas (GX's SQL datasource over
DuckDB errors on every expectation; dagster-ge requires GX < 1). GX is imported lazily (it takes
seconds) with its analytics off. A source declares expectations as plain data:

    table_check(["core", "financials"], "financials_valid", [
        ("expect_column_values_to_not_be_null", {"column": "ticker"}),
        ("expect_column_values_to_be_between", {"column": "capex_usd", "min_value": 0}),
    ], description="keys present, capex not negative")

A failed blocking check stops the publish: the refresh exits non-zero naming the check, the table
and the failing rows, and the last good warehouse stays in place.
"""

import io
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl

from pipelines.sources import CapexSettings
from pipelines.warehouse import build_path, open_build, table_name

Expectation = tuple[str, dict]


@dataclass(frozen=True)
class Failure:
    expectation: str
    column: str | None
    unexpected_count: int | None
    examples: list

    def describe(self) -> str:
        where = f" on {self.column}" if self.column else ""
        count = f": {self.unexpected_count} rows" if self.unexpected_count is not None else ""
        examples = f", e.g. {self.examples[:5]}" if self.examples else ""
        return f"{self.expectation}{where}{count}{examples}"


_CONTEXTS: dict[str, tuple] = {}


def _gx_context(data_docs_dir: str):
    """One ephemeral GX context per process and data-docs folder (GX takes seconds to import)."""
    if data_docs_dir in _CONTEXTS:
        return _CONTEXTS[data_docs_dir]
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)  # no tqdm noise in refresh output
    context.add_data_docs_site(
        "capex",
        {
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": data_docs_dir},
        },
    )
    context.data_sources.add_pandas(name="capex")
    _CONTEXTS[data_docs_dir] = (gx, context)
    return gx, context


def _build_data_docs_here() -> list[str]:
    built = []
    for directory, (_, context) in _CONTEXTS.items():
        context.build_data_docs()
        built.append(str(Path(directory) / "index.html"))
    return built


def build_data_docs() -> list[str]:
    """Render GX's data docs for every validation this refresh ran (called once, at publish):
    one site build instead of one per check."""
    if _WORKER is not None:
        return _WORKER.submit(_build_data_docs_here).result()
    return _build_data_docs_here()


# GX takes ~10 s to import on this kind of machine. `capex refresh` starts one worker process at the
# beginning, which imports GX on the second core while the main process imports Dagster and parses
# the sources; checks then send their frame (Arrow IPC bytes) to it. Runs launched from the Dagster UI
# or tests, with no worker, validate in process.
_WORKER = None


def _warm_up() -> None:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations  # noqa: F401 - the import is the slow part


def _exit_with_parent(parent_pid: int) -> None:
    """Worker initializer: a refresh killed with SIGKILL cannot stop its worker, so the worker watches
    for its parent to go and exits too (instead of holding ~400 MB until the machine restarts)."""
    import threading

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def start_validation_worker() -> None:
    global _WORKER
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if _WORKER is None:
        _WORKER = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_exit_with_parent,
            initargs=(os.getpid(),),
        )
        _WORKER.submit(_warm_up)


def stop_validation_worker() -> None:
    global _WORKER
    if _WORKER is not None:
        _WORKER.shutdown(wait=True, cancel_futures=True)
        _WORKER = None


def _validate_ipc(
    ipc: bytes, suite_name: str, expectations: list[Expectation], docs_dir: str
) -> tuple[list[Failure], int]:
    return validate_frame(pl.read_ipc(ipc), suite_name, expectations, Path(docs_dir))


def validate(
    frame: pl.DataFrame, suite_name: str, expectations: list[Expectation], docs_dir: Path
) -> tuple[list[Failure], int]:
    """validate_frame, in the refresh's validation worker when there is one."""
    if _WORKER is None:
        return validate_frame(frame, suite_name, expectations, docs_dir)
    buffer = io.BytesIO()
    frame.write_ipc(buffer)
    return _WORKER.submit(_validate_ipc, buffer.getvalue(), suite_name, expectations, str(docs_dir)).result()


def data_docs_dir(home: Path) -> Path:
    """Where GX writes its data-docs HTML (linked from `capex status`)."""
    return home / "gx" / "data_docs"


def validate_frame(
    frame: pl.DataFrame, suite_name: str, expectations: list[Expectation], docs_dir: Path | None = None
) -> tuple[list[Failure], int]:
    """Run the expectations on a frame with GX (a checkpoint that also updates the data docs);
    returns (failures, expectations evaluated)."""
    gx, context = _gx_context(str(docs_dir or Path(os.environ.get("TMPDIR", "/tmp")) / "capex-gx-docs"))
    source = context.data_sources.get("capex")
    asset = (
        source.get_asset(suite_name)
        if suite_name in source.get_asset_names()
        else source.add_dataframe_asset(name=suite_name)
    )
    batch_definition = (
        asset.get_batch_definition("whole")
        if "whole" in [b.name for b in asset.batch_definitions]
        else asset.add_batch_definition_whole_dataframe("whole")
    )
    suite = gx.ExpectationSuite(name=suite_name)
    for expectation_type, kwargs in expectations:
        class_name = "".join(part.title() for part in expectation_type.removeprefix("expect_").split("_"))
        suite.add_expectation(getattr(gx.expectations, "Expect" + class_name)(**kwargs))
    suite = context.suites.add_or_update(suite)
    definition = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=suite_name, data=batch_definition, suite=suite)
    )
    checkpoint = context.checkpoints.add_or_update(
        gx.Checkpoint(
            name=suite_name,
            validation_definitions=[definition],
            result_format={"result_format": "SUMMARY", "partial_unexpected_count": 5},
        )
    )
    run = checkpoint.run(batch_parameters={"dataframe": frame.to_pandas()})
    result = next(iter(run.run_results.values()))
    if not result.success:
        context.build_data_docs()  # a failure's details are readable at once; passing runs are added at publish
    failures = []
    for r in result.results:
        if not r.success:
            config = r.expectation_config
            details = r.result or {}
            failures.append(
                Failure(
                    expectation=config.type,
                    column=config.kwargs.get("column") or config.kwargs.get("column_list"),
                    unexpected_count=details.get("unexpected_count"),
                    examples=list(details.get("partial_unexpected_list") or [])
                    or ([details["observed_value"]] if "observed_value" in details else []),
                )
            )
    return failures, len(result.results)


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
