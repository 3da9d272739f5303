from __future__ import annotations

import shutil

import dagster as dg
import duckdb
import polars as pl
import pytest

import assets.marts.assets as marts_assets
from pipelines.config import SEEDS_DIR
from pipelines.io_manager import BuildWarehouseIOManager
from pipelines.settings import CapexSettings
from pipelines.warehouse import build_path


@pytest.fixture
def seeds(tmp_path, monkeypatch, companies_with_data):
    """The shipped assumptions and list-price seeds, and a companies seed with the extract's cohorts."""
    folder = tmp_path / "seeds"
    folder.mkdir()
    for name in ("assumptions", "gpu_list_prices", "ai_segments", "ai_revenue_disclosures"):
        shutil.copy(SEEDS_DIR / f"{name}.csv", folder / f"{name}.csv")
    companies_with_data.write_csv(folder / "companies.csv")
    monkeypatch.setattr(marts_assets, "SEEDS_DIR", folder)
    return folder


def upstream(key: list[str], frame: pl.DataFrame) -> dg.AssetsDefinition:
    @dg.asset(key_prefix=key[0], name=key[1])
    def _table() -> pl.DataFrame:
        return frame

    return _table


def test_marts_materialize_into_the_build_warehouse_and_pass_their_checks(
    tmp_path,
    seeds,
    financials,
    layoff_events,
    layoff_coverage,
    gpu_price_index,
    gpu_hardware,
    gpu_prices,
    segment_revenue,
):
    home = tmp_path / "home"
    result = dg.materialize(
        [
            upstream(["core", "financials"], financials),
            upstream(["core", "layoff_events"], layoff_events),
            upstream(["core", "layoff_coverage"], layoff_coverage),
            upstream(["marts", "gpu_price_index"], gpu_price_index),
            upstream(["core", "gpu_hardware"], gpu_hardware),
            upstream(["core", "gpu_prices"], gpu_prices),
            upstream(["core", "segment_revenue"], segment_revenue),
            *dg.load_assets_from_modules([marts_assets]),
            *dg.load_asset_checks_from_modules([marts_assets]),
        ],
        resources={
            "settings": CapexSettings(home=str(home), offline=True),
            "io_manager": BuildWarehouseIOManager(warehouse=str(home / "warehouse" / "capex.duckdb")),
        },
    )
    assert result.success
    evaluations = result.get_asset_check_evaluations()
    assert len(evaluations) == 10 and all(e.passed for e in evaluations), [e.description for e in evaluations]
    with duckdb.connect(
        str(build_path(home / "warehouse" / "capex.duckdb", result.run_id)), read_only=True
    ) as con:
        ratio = con.execute(
            "select capex_to_revenue from marts.spend_ratio where ticker = 'MSFT' and fiscal_year = 2025"
        ).fetchone()[0]
        assert ratio == 64_551 / 281_724
        methods = con.execute("select distinct method from marts.revenue_gap order by 1").fetchall()
        assert methods == [("capex",), ("capex_with_leases",), ("sequoia",), ("sequoia_run_rate",)]
        spend = con.execute(
            "select distinct spend_usd from marts.revenue_gap where method = 'sequoia' and calendar_year = 2024"
        ).fetchall()
        assert spend == [(115_186_000_000.0,)]  # NVIDIA Data Center, FY2025
        claims = con.execute(
            "select count(*) from marts.headline_figures where verdict is not null"
        ).fetchall()[0]
        assert claims == (3,)
        tables = {
            r[0]
            for r in con.sql(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }
        assert {"spend_ratio", "revenue_gap", "revenue_gap_sensitivity", "revenue_gap_depreciation",
                "industry_summary", "gpu_unit_economics", "gpu_provider_prices", "spend_ratio_cohort",
                "headline_figures", "assumptions"} <= tables  # fmt: skip
