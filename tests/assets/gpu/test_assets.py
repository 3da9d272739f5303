"""The GPU assets end to end on the embedded snapshot (offline), then with one new Vast day imported."""

from __future__ import annotations

import json
from datetime import date

import dagster as dg
import duckdb
import polars as pl
import pytest

import assets.gpu.assets as gpu_assets
from pipelines.io_manager import BuildWarehouseIOManager
from pipelines.landing import LandingZone
from pipelines.settings import CapexSettings
from pipelines.snapshot import read_snapshot_bytes
from pipelines.warehouse import build_path
from tests.assets.gpu.conftest import VAST_BARE_LIST

ASSETS = [gpu_assets.landing_gpu, gpu_assets.gpu_parsed, gpu_assets.core_gpu_prices, gpu_assets.marts_gpu_price_index,
          gpu_assets.marts_gpu_price_performance]  # fmt: skip
CHECKS = [gpu_assets.gpu_prices_valid, gpu_assets.gpu_prices_rows, gpu_assets.gpu_price_index_valid,
          gpu_assets.gpu_hardware_valid]  # fmt: skip


def refresh(home) -> dict[str, pl.DataFrame]:
    """Materialize the GPU assets and run their blocking checks, as `capex refresh --offline` does."""
    warehouse = home / "warehouse" / "capex.duckdb"
    result = dg.materialize(
        [*ASSETS, *CHECKS],
        resources={
            "settings": CapexSettings(home=str(home), offline=True),
            "io_manager": BuildWarehouseIOManager(warehouse=str(warehouse)),
        },
    )
    assert result.success
    evaluations = result.get_asset_check_evaluations()
    assert len(evaluations) == len(CHECKS)
    assert [e.description for e in evaluations if not e.passed] == []
    with duckdb.connect(str(build_path(warehouse, result.run_id)), read_only=True) as con:
        tables = ("core.gpu_prices", "marts.gpu_price_index", "core.gpu_hardware", "raw.gpu_rejects")
        return {t: con.sql(f"select * from {t}").pl() for t in tables}


def test_snapshot_refresh_then_a_new_vast_day_adds_only_that_day(tmp_path):
    home = tmp_path / "home"
    before = refresh(home)
    prices = before["core.gpu_prices"]
    azure = prices.filter(provider="azure", instance_type="Standard_ND96isr_H100_v5", region="eastus",
                          pricing="on_demand", os="linux", observed_on=date(2026, 8, 3))  # fmt: skip
    assert azure["usd_per_gpu_hour"].item() == pytest.approx(12.29)
    aws = prices.filter(provider="aws", instance_type="p5.48xlarge", region="us-east-1")
    assert aws["usd_per_gpu_hour"].item() == pytest.approx(6.88)
    runpod = prices.filter(provider="runpod", gpu_model="H100 SXM").sort("pricing")
    assert runpod["usd_per_gpu_hour"].to_list() == [2.69, 3.49]
    vast_h100 = (
        prices.filter(provider="vast", gpu_model="H100 SXM").group_by("observed_on").len().sort("observed_on")
    )
    assert vast_h100["len"].to_list() == [31, 24, 27, 23, 30, 29, 26]
    assert before["raw.gpu_rejects"].filter(pl.col("problem").str.contains("scraper artefact")).height == 6
    # `capex import vast-offers FILE --as-of 2026-03-07`: a reply of a day never seen before
    offers = json.loads(read_snapshot_bytes(VAST_BARE_LIST))
    offers[0]["gpu_name"] = "H100 SXM"
    LandingZone(home / "landing").store(
        json.dumps({"offers": offers}).encode(), kind="vast-offers", entity="vast", origin="new-day.json",
        via="import", as_of="2026-03-07",
    )  # fmt: skip
    after = refresh(home)
    new_day = pl.col("observed_on") == date(2026, 3, 7)
    assert (
        after["core.gpu_prices"]
        .filter(~new_day)
        .sort("provider", "observed_on", "offer_id")
        .equals(prices.sort("provider", "observed_on", "offer_id"))
    )
    assert after["core.gpu_prices"].filter(new_day).height == 4
    index = after["marts.gpu_price_index"]
    assert index.filter(~new_day).equals(before["marts.gpu_price_index"])
    assert index.filter(new_day, gpu_family="H100")["offers"].item() == 1
