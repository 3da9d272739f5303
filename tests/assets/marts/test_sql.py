from __future__ import annotations

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from assets.gpu.index import gpu_price_index, gpu_provider_prices
from assets.gpu.names import read_gpu_models
from assets.gpu.runpod import parse_runpod_gpu_types
from assets.gpu.vast import parse_vast_offers
from assets.marts.revenue_gap import revenue_gap
from assets.marts.spend_ratio import spend_ratio
from assets.marts.sql import (
    gpu_price_index_duckdb,
    gpu_provider_prices_duckdb,
    revenue_gap_duckdb,
    spend_ratio_duckdb,
)
from pipelines.snapshot import read_snapshot_bytes


@pytest.fixture
def con():
    with duckdb.connect() as connection:
        yield connection


def same_rows(polars_frame: pl.DataFrame, duckdb_frame: pl.DataFrame) -> None:
    # floats to 1e-12: a sum of more than two terms depends on the summation order, nothing else may differ
    assert_frame_equal(polars_frame, duckdb_frame, check_exact=False, rel_tol=1e-12, abs_tol=0)


def test_spend_ratio_in_duckdb_gives_the_same_rows(con, financials, layoff_events, layoff_coverage):
    con.register("financials", financials)
    con.register("layoff_events", layoff_events)
    con.register("layoff_coverage", layoff_coverage)
    in_sql = spend_ratio_duckdb(con, "financials", "layoff_events", "layoff_coverage")
    same_rows(spend_ratio(financials, layoff_events, layoff_coverage), in_sql)
    msft = in_sql.filter((pl.col("ticker") == "MSFT") & (pl.col("fiscal_year") == 2025))
    assert msft["capex_to_revenue"].item() == 64_551_000_000 / 281_724_000_000
    assert (msft["layoff_events"].item(), msft["warn_notices"].item()) == (7, 2)  # layoffs.fyi and WA apart
    # coverage derived from the events when there is no coverage table: the same in both engines
    same_rows(
        spend_ratio(financials, layoff_events), spend_ratio_duckdb(con, "financials", "layoff_events", None)
    )


def test_spend_ratio_in_duckdb_without_the_optional_columns(con, financials, layoff_events):
    bare = financials.drop("stock_based_compensation_usd", "research_development_usd")
    con.register("financials", bare)
    con.register("layoff_events", layoff_events)
    same_rows(spend_ratio(bare, layoff_events), spend_ratio_duckdb(con, "financials", "layoff_events", None))


@pytest.mark.parametrize("cohorts", ["companies", "companies_with_data"])
def test_revenue_gap_in_duckdb_gives_the_same_rows(
    con, request, cohorts, financials_with_quarters, assumptions, segment_revenue, ai_segments, disclosures
):
    companies = request.getfixturevalue(cohorts)
    inputs = {"financials": financials_with_quarters, "companies": companies, "assumptions": assumptions,
              "segment_revenue": segment_revenue, "ai_segments": ai_segments, "disclosures": disclosures}  # fmt: skip
    for name, frame in inputs.items():
        con.register(name, frame)
    in_sql = revenue_gap_duckdb(con, *inputs)
    same_rows(revenue_gap(*inputs.values()), in_sql)
    sequoia = in_sql.filter(calendar_year=2024, method="sequoia")
    assert set(sequoia["spend_usd"]) == {115_186_000_000}  # NVIDIA Data Center, FY2025
    for r in in_sql.drop_nulls("spend_usd").to_dicts():  # the contract's identity holds in the SQL rows too
        assert r["required_revenue_usd"] == r["spend_usd"] * r["cost_multiplier"] / (
            1 - r["target_gross_margin"]
        )
    # without the segment and disclosure inputs both engines agree too (the comparators are NULL)
    same_rows(
        revenue_gap(financials_with_quarters, companies, assumptions),
        revenue_gap_duckdb(con, "financials", "companies", "assumptions"),
    )


def test_gpu_price_index_in_duckdb_gives_the_same_rows(con):
    models = read_gpu_models()
    vast = parse_vast_offers(
        read_snapshot_bytes("gpu/vast_ccir_archive_2026-03-02.json.gz"),
        "vast_ccir_archive_2026-03-02.json",
        gpu_models=models,
    ).rows
    runpod = parse_runpod_gpu_types(
        read_snapshot_bytes("gpu/ewyluda__runpod_graphql_gpuTypes_2026-09-29.json.gz"),
        "runpod_gpuTypes.json",
        observed_on="2026-09-29",
        gpu_models=models,
    ).rows
    prices = pl.concat([vast, runpod], how="diagonal_relaxed")
    con.register("gpu_prices", prices)
    in_polars = gpu_price_index(prices)
    same_rows(in_polars, gpu_price_index_duckdb(con, "gpu_prices"))
    providers = gpu_provider_prices(prices)
    same_rows(providers, gpu_provider_prices_duckdb(con, "gpu_prices"))
    assert providers["placeholder_offers"].sum() > 0  # RunPod's 0.50 placeholders, held out in both engines
    # RunPod H100 SXM secure is one offer at 3.49 $/GPU-h: its index row is that price
    runpod_h100 = in_polars.filter((pl.col("gpu_family") == "H100") & (pl.col("pricing") == "secure"))
    assert runpod_h100["offers"].min() >= 1 and in_polars.height > 5
