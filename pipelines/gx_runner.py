"""Great Expectations 1.x on a Polars frame: a suite of plain-data expectations, run as a GX checkpoint.

GX's SQL datasource over DuckDB errors on every expectation, so the frame goes to GX as pandas; GX is
imported lazily (it takes seconds) with its analytics off. No Dagster here: `pipelines/checks.py` wraps
this as blocking asset checks, `pipelines/validation_worker.py` runs it in a second process.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import polars as pl

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


def build_data_docs_here() -> list[str]:
    built = []
    for directory, (_, context) in _CONTEXTS.items():
        context.build_data_docs()
        built.append(str(Path(directory) / "index.html"))
    return built


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
