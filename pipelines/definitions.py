"""The Dagster code location: `dagster dev -w workspace.yaml`, `dg check defs`, and `capex refresh`.

Thin on purpose: it collects each source's assets and checks, adds dbt and the publish step, and
applies the cross-cutting policy once (one job, serial in-process execution so two steps never hold
the DuckDB write lock at once, the nightly schedule).
"""

from __future__ import annotations

import os

import dagster as dg

from pipelines.dbt_assets import dbt_build, dbt_resource
from pipelines.publishing import published_asset
from pipelines.registry import source_modules
from pipelines.sources import CapexSettings
from pipelines.warehouse import BuildWarehouseIOManager


def _settings() -> CapexSettings:
    return CapexSettings(
        home=os.environ.get("CAPEX_HOME", ""),
        offline=os.environ.get("CAPEX_OFFLINE", "") == "1",
        live_sources=os.environ.get("CAPEX_LIVE_SOURCES", "sec,layoffs,gpu"),
        warehouse=os.environ.get("CAPEX_WAREHOUSE", ""),
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
    settings = _settings()
    return dg.Definitions(
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
        resources={
            "settings": settings,
            "io_manager": BuildWarehouseIOManager(warehouse=str(settings.warehouse_path)),
            "dbt": dbt_resource,
        },
    )


defs = build_definitions()
