"""The Dagster code location: `dagster dev -w workspace.yaml`, `dg check defs`, and `capex refresh`.

Thin on purpose: it collects each source's assets and checks, adds dbt and the publish step, and
applies the cross-cutting policy once (one job, serial in-process execution so two steps never hold
the DuckDB write lock at once, the nightly schedule).
"""

from __future__ import annotations

import warnings
from datetime import timedelta

import dagster as dg

from pipelines.dbt_assets import dbt_build, dbt_resource
from pipelines.io_manager import BuildWarehouseIOManager
from pipelines.publishing import published_asset
from pipelines.registry import source_modules, source_specs
from pipelines.settings import CapexSettings

# Refreshed nightly at 02:00 UTC: a table older than a day and a bit missed a refresh.
NIGHTLY_FRESHNESS = dg.FreshnessPolicy.time_window(
    fail_window=timedelta(hours=30), warn_window=timedelta(hours=26)
)


def with_policy(spec: dg.AssetSpec) -> dg.AssetSpec:
    """Cross-cutting policy applied once: an owner, a freshness window, and the source's home page."""
    # Where the group's figures come from (the source package's home page), shown on every asset in the UI.
    source = next((s.home_url for s in source_specs() if s.name == spec.group_name), None)
    return spec.replace_attributes(
        owners=spec.owners or ["team:data"],
        freshness_policy=spec.freshness_policy or NIGHTLY_FRESHNESS,
        metadata={**(spec.metadata or {}), **({"source": dg.MetadataValue.url(source)} if source else {})},
    )


def build_definitions() -> dg.Definitions:
    modules = source_modules("assets")
    source_assets = dg.load_assets_from_modules(modules)
    checks = dg.load_asset_checks_from_modules(modules)
    upstream = [key for a in [*source_assets, dbt_build] for key in a.keys]
    assets = [*source_assets, dbt_build, published_asset(upstream)]
    refresh_job = dg.define_asset_job(
        "refresh",
        selection=dg.AssetSelection.all(),
        executor_def=dg.in_process_executor,  # one writer at a time on the build file
        description="Fetch (unless offline), parse, build marts, validate, publish the warehouse.",
    )
    definitions = dg.Definitions(
        assets=assets,
        asset_checks=checks,
        jobs=[refresh_job],
        schedules=[
            dg.ScheduleDefinition(
                name="nightly_refresh",
                job=refresh_job,
                cron_schedule="0 2 * * *",
                execution_timezone="UTC",
                description="Full live refresh every night at 02:00 UTC; sources that fail fall back to their last good copy.",
            )
        ],
        # Defaults are the nightly schedule's (live, CAPEX_HOME's warehouse); `capex refresh` sets both per
        # run through run config (pipelines/runner.py).
        resources={"settings": CapexSettings(), "io_manager": BuildWarehouseIOManager(), "dbt": dbt_resource},
    )
    with warnings.catch_warnings():
        warnings.simplefilter(
            "ignore"
        )  # map_asset_specs is marked preview in Dagster 1.13; its behaviour is tested
        return definitions.map_asset_specs(func=with_policy)


defs = build_definitions()
