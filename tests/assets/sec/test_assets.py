"""The SEC assets end to end on the embedded snapshot (offline), then with a bad companyfacts file imported."""

from __future__ import annotations

import json

import dagster as dg
import duckdb
import polars as pl

import assets.sec.assets as sec_assets
from pipelines.io_manager import BuildWarehouseIOManager
from pipelines.landing import LandingZone
from pipelines.settings import CapexSettings
from pipelines.warehouse import build_path
from tests.assets.sec.conftest import companyfacts_body

ASSETS = [
    sec_assets.landing_sec,
    sec_assets.sec_parsed,
    sec_assets.sec_financials,
    sec_assets.core_financial_facts_history,
    sec_assets.core_segment_revenue,
    sec_assets.core_financials_calendar,
    sec_assets.core_coverage,
]
CHECKS = [sec_assets.financials_valid, sec_assets.financials_rows, sec_assets.companyfacts_and_ixbrl_agree,
          sec_assets.quarters_add_up_to_the_year, sec_assets.segment_revenue_valid,
          sec_assets.financials_calendar_valid]  # fmt: skip


def refresh(home) -> tuple[dg.ExecuteInProcessResult, dict[str, pl.DataFrame]]:
    warehouse = home / "warehouse" / "capex.duckdb"
    result = dg.materialize(
        [*ASSETS, *CHECKS],
        resources={
            "settings": CapexSettings(home=str(home), offline=True),
            "io_manager": BuildWarehouseIOManager(warehouse=str(warehouse)),
        },
        raise_on_error=False,
    )
    with duckdb.connect(str(build_path(warehouse, result.run_id)), read_only=True) as con:
        tables = (
            "core.financials",
            "core.financial_facts_history",
            "raw.sec_10k_documents",
            "raw.sec_rejects",
            "core.segment_revenue",
            "core.financials_calendar",
            "core.coverage",
        )
        built = {
            f"{schema}.{name}"
            for schema, name in con.sql("select schema_name, table_name from duckdb_tables()").fetchall()
        }
        # downstream of a failed blocking check, a table is not built
        return result, {t: con.sql(f"select * from {t}").pl() for t in tables if t in built}


def test_offline_refresh_then_a_negative_capex_file_fails_the_blocking_check(tmp_path):
    home = tmp_path / "home"
    result, tables = refresh(home)
    assert result.success
    assert {e.check_name: e.passed for e in result.get_asset_check_evaluations()} == {
        "financials_valid": True,
        "row_count_not_collapsing": True,
        "companyfacts_and_ixbrl_agree": True,
        "quarters_add_up_to_the_year": True,
        "segment_revenue_valid": True,
        "financials_calendar_valid": True,
    }
    fin = tables["core.financials"]
    fy = lambda t, y: fin.filter(ticker=t, fiscal_year=y, fiscal_period="FY").row(0, named=True)
    assert (fy("MSFT", 2025)["capex_usd"], fy("MSFT", 2025)["revenue_usd"]) == (64_551e6, 281_724e6)
    assert (fy("AMZN", 2024)["capex_usd"], fy("AMZN", 2024)["source"], fy("AMZN", 2024)["employees"]) == (
        82_999e6,
        "ixbrl",
        1_556_000,
    )
    assert (fy("GOOGL", 2024)["source"], fy("GOOGL", 2024)["employees"]) == ("companyfacts", 183_323)
    assert fy("IBM", 2024)["employees"] is None
    assert fy("AMZN", 2024)["employees_source_text"] == (
        "As of December 31, 2024, we employed approximately 1,556,000 full-time and part-time employees."
    )
    assert fy("AMZN", 2024)["filed"].isoformat() == "2025-02-07"  # the snapshot 10-K's filing date
    assert tables["raw.sec_10k_documents"].height == 6 and tables["raw.sec_rejects"].height == 0
    assert (
        tables["core.financial_facts_history"].filter(pl.col("ticker") == "NVDA", pl.col("restated")).height
        > 0
    )
    segments = tables["core.segment_revenue"]
    assert segments.filter(ticker="NVDA", member="nvda:DataCenterMember", fiscal_year=2025)[
        "revenue_usd"
    ].to_list() == [115_186e6]
    calendar = tables["core.financials_calendar"].filter(ticker="MSFT", calendar_year=2025)
    assert (calendar.height, calendar["capex_usd"].sum()) == (4, 83_094e6)
    assert fy("MSFT", 2025)["capex_incl_finance_leases_usd"] > fy("MSFT", 2025)["capex_usd"]
    assert {"ORCL", "AMD", "AVGO", "CRWV"} <= set(tables["core.coverage"].filter("missing")["ticker"])

    # `capex import sec-companyfacts` of Microsoft's file with every capex value made negative (a broken file)
    doc = json.loads(companyfacts_body("MSFT"))
    for fact in doc["facts"]["us-gaap"]["PaymentsToAcquirePropertyPlantAndEquipment"]["units"]["USD"]:
        fact["val"] = -abs(fact["val"])
    LandingZone(home / "landing").store(
        json.dumps(doc).encode(),
        kind="sec-companyfacts",
        entity="CIK0000789019",
        origin="msft-negated.json",
        via="import",
    )
    result, tables = refresh(home)
    failed = [e for e in result.get_asset_check_evaluations() if not e.passed]
    assert [e.check_name for e in failed] == ["financials_valid"]
    assert "capex_usd" in failed[0].description
    assert (
        tables["core.financials"]
        .filter(ticker="MSFT", fiscal_year=2025, fiscal_period="FY")["capex_usd"]
        .item()
        == -64_551e6
    )
