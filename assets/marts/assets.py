"""The marts as Dagster assets (`marts.*` tables) and their blocking checks.

Each asset is a call to the pure function of the same name over the upstream tables and the seeds, which
are read here from dbt/seeds/ (a seed edit changes the code fingerprint, so the next refresh rebuilds).
"""

from __future__ import annotations

import dagster as dg
import polars as pl

from assets.gpu.index import gpu_provider_prices
from assets.marts.assumptions import assumptions_table
from assets.marts.headline_figures import headline_figures
from assets.marts.industry_summary import industry_summary
from assets.marts.revenue_gap import (
    COMPARATORS,
    METHODS,
    revenue_gap,
    revenue_gap_depreciation,
    revenue_gap_sensitivity,
)
from assets.marts.spend_ratio import spend_ratio
from assets.marts.spend_ratio_cohort import spend_ratio_cohort
from assets.marts.unit_economics import gpu_unit_economics
from pipelines.checks import row_count_check, table_check
from pipelines.config import SEEDS_DIR

FINANCIALS = dg.AssetIn(key=["core", "financials"])
LAYOFF_EVENTS = dg.AssetIn(key=["core", "layoff_events"])
LAYOFF_COVERAGE = dg.AssetIn(key=["core", "layoff_coverage"])
SEGMENT_REVENUE = dg.AssetIn(key=["core", "segment_revenue"])
REVENUE_GAP = dg.AssetIn(key=["marts", "revenue_gap"])
GPU_PRICE_INDEX = dg.AssetIn(key=["marts", "gpu_price_index"])
GPU_HARDWARE = dg.AssetIn(key=["core", "gpu_hardware"])
GPU_PRICES = dg.AssetIn(key=["core", "gpu_prices"])


def read_seed(name: str) -> pl.DataFrame:
    """A seed as text columns (the pure functions cast what they use)."""
    return pl.read_csv(SEEDS_DIR / f"{name}.csv", infer_schema_length=0)


def _mart(name: str, description: str, ins: dict[str, dg.AssetIn]):
    return dg.asset(
        key=["marts", name], group_name="marts", kinds={"polars"}, ins=ins,
        description=description,
    )  # fmt: skip


@_mart("spend_ratio", "Capex against revenue, cash flow, headcount and stock pay per company and fiscal year, "
       "with the layoffs inside the fiscal year: layoffs.fyi and WARN apart, NULL outside each one's coverage.",
       {"financials": FINANCIALS, "layoff_events": LAYOFF_EVENTS, "layoff_coverage": LAYOFF_COVERAGE})  # fmt: skip
def marts_spend_ratio(
    financials: pl.DataFrame, layoff_events: pl.DataFrame, layoff_coverage: pl.DataFrame
) -> pl.DataFrame:
    return spend_ratio(financials, layoff_events, layoff_coverage)


@_mart("spend_ratio_cohort", "Per cohort and calendar year: capex, revenue, SBC, R&D and headcount with their "
       "growth, and the cohort's layoffs (layoffs.fyi and WARN apart); complete only with every member.",
       {"financials": FINANCIALS, "layoff_events": LAYOFF_EVENTS, "layoff_coverage": LAYOFF_COVERAGE})  # fmt: skip
def marts_spend_ratio_cohort(
    financials: pl.DataFrame, layoff_events: pl.DataFrame, layoff_coverage: pl.DataFrame
) -> pl.DataFrame:
    return spend_ratio_cohort(financials, read_seed("companies"), layoff_events, layoff_coverage)


def _gap_seeds() -> dict[str, pl.DataFrame]:
    return {
        "companies": read_seed("companies"),
        "assumptions": read_seed("assumptions"),
        "ai_segments": read_seed("ai_segments"),
        "disclosures": read_seed("ai_revenue_disclosures"),
    }


@_mart("revenue_gap", "Revenue the AI spend needs (capex, capex with leases, Sequoia on NVIDIA Data Center revenue "
       "and its run rate) against AI segment revenue, disclosed AI revenue and revenue growth, per calendar year.",
       {"financials": FINANCIALS, "segment_revenue": SEGMENT_REVENUE})  # fmt: skip
def marts_revenue_gap(financials: pl.DataFrame, segment_revenue: pl.DataFrame) -> pl.DataFrame:
    return revenue_gap(financials, segment_revenue=segment_revenue, **_gap_seeds())


@_mart("revenue_gap_sensitivity", "The revenue gap for every target gross margin × useful life of the "
       "assumptions seed.", {"financials": FINANCIALS, "segment_revenue": SEGMENT_REVENUE})  # fmt: skip
def marts_revenue_gap_sensitivity(financials: pl.DataFrame, segment_revenue: pl.DataFrame) -> pl.DataFrame:
    return revenue_gap_sensitivity(financials, segment_revenue=segment_revenue, **_gap_seeds())


@_mart("headline_figures", "The figures people quote (cohort capex, layoffs, Meta capex, NVIDIA Data Center run "
       "rate, required vs disclosed AI revenue) and the claims users bring, each with a verdict and its reason.",
       {"financials": FINANCIALS, "layoff_events": LAYOFF_EVENTS, "layoff_coverage": LAYOFF_COVERAGE,
        "segment_revenue": SEGMENT_REVENUE, "revenue_gap": REVENUE_GAP})  # fmt: skip
def marts_headline_figures(
    financials: pl.DataFrame,
    layoff_events: pl.DataFrame,
    layoff_coverage: pl.DataFrame,
    segment_revenue: pl.DataFrame,
    revenue_gap: pl.DataFrame,
) -> pl.DataFrame:
    return headline_figures(
        financials, read_seed("companies"), layoff_events, revenue_gap, layoff_coverage, segment_revenue
    )


@_mart("revenue_gap_depreciation", "The hyperscalers' capex spread over a useful life against their operating "
       "income, per calendar year and life.", {"financials": FINANCIALS})  # fmt: skip
def marts_revenue_gap_depreciation(financials: pl.DataFrame) -> pl.DataFrame:
    return revenue_gap_depreciation(financials, read_seed("companies"), read_seed("assumptions"))


@_mart("industry_summary", "Per calendar year: hyperscaler capex, revenue and headcount, layoffs.fyi events, "
       "WARN notices, median H100 price.",
       {"financials": FINANCIALS, "layoff_events": LAYOFF_EVENTS, "gpu_price_index": GPU_PRICE_INDEX})  # fmt: skip
def marts_industry_summary(
    financials: pl.DataFrame, layoff_events: pl.DataFrame, gpu_price_index: pl.DataFrame
) -> pl.DataFrame:
    return industry_summary(financials, read_seed("companies"), layoff_events, gpu_price_index)


@_mart("gpu_provider_prices", "Per day, provider, GPU family, pricing type and region: offers and "
       "p10/median/p90 $/GPU-hour, placeholder prices held out (one provider per series).",
       {"gpu_prices": GPU_PRICES})  # fmt: skip
def marts_gpu_provider_prices(gpu_prices: pl.DataFrame) -> pl.DataFrame:
    return gpu_provider_prices(gpu_prices)


@_mart("gpu_unit_economics", "Owner's cost of a GPU-hour (list price with the host, cost of capital, useful "
       "life, power) against the same model's rentals per provider: break-even utilization, payback, pays_back.",
       {"gpu_prices": GPU_PRICES, "gpu_hardware": GPU_HARDWARE})  # fmt: skip
def marts_gpu_unit_economics(gpu_prices: pl.DataFrame, gpu_hardware: pl.DataFrame) -> pl.DataFrame:
    return gpu_unit_economics(
        gpu_prices, gpu_hardware, read_seed("gpu_list_prices"), read_seed("assumptions")
    )


@_mart("assumptions", "Every assumption the marts use, with its source (dbt/seeds/assumptions.csv).", {})
def marts_assumptions() -> pl.DataFrame:
    return assumptions_table(read_seed("assumptions"))


# One GX suite per mart (blocking: a failure stops the publish).
EXPECTATIONS = {
    "spend_ratio": [
        ("expect_column_values_to_not_be_null", {"column": "ticker"}),
        ("expect_column_values_to_not_be_null", {"column": "fiscal_year"}),
        ("expect_compound_columns_to_be_unique", {"column_list": ["ticker", "fiscal_year"]}),
        ("expect_column_values_to_be_between", {"column": "capex_usd", "min_value": 0}),
        # a young neocloud spends many times its revenue (CoreWeave FY2023: capex 2,943 M on revenue 229 M,
        # 12.9; SEC PROVENANCE §6); above 50 is a units slip (thousands read as units), not a strategy
        ("expect_column_values_to_be_between", {"column": "capex_to_revenue", "min_value": 0, "max_value": 50}),
        ("expect_column_values_to_be_between", {"column": "layoff_events", "min_value": 0}),
        ("expect_column_values_to_be_between", {"column": "warn_notices", "min_value": 0}),
    ],
    "revenue_gap": [
        ("expect_column_values_to_not_be_null", {"column": "calendar_year"}),
        ("expect_compound_columns_to_be_unique", {"column_list": ["calendar_year", "method", "comparator"]}),
        ("expect_column_values_to_be_in_set", {"column": "method", "value_set": METHODS}),
        ("expect_column_values_to_be_in_set", {"column": "comparator", "value_set": COMPARATORS}),
        ("expect_column_values_to_be_in_set", {"column": "coverage", "value_set": ["complete", "incomplete"]}),
        ("expect_column_values_to_be_between",
         {"column": "target_gross_margin", "min_value": 0, "max_value": 1, "strict_max": True}),
        ("expect_column_values_to_be_between", {"column": "spend_usd", "min_value": 0}),
    ],
    "gpu_provider_prices": [
        ("expect_column_values_to_not_be_null", {"column": "provider"}),
        ("expect_compound_columns_to_be_unique",
         {"column_list": ["observed_on", "provider", "gpu_family", "pricing", "region"]}),
        ("expect_column_values_to_be_between", {"column": "offers", "min_value": 1}),
        ("expect_column_pair_values_a_to_be_greater_than_b",
         {"column_A": "median_usd_per_gpu_hour", "column_B": "p10_usd_per_gpu_hour", "or_equal": True}),
        ("expect_column_pair_values_a_to_be_greater_than_b",
         {"column_A": "p90_usd_per_gpu_hour", "column_B": "median_usd_per_gpu_hour", "or_equal": True}),
    ],
    "gpu_unit_economics": [
        ("expect_column_values_to_not_be_null", {"column": "gpu_family"}),
        ("expect_compound_columns_to_be_unique",
         {"column_list": ["observed_on", "provider", "gpu_family", "pricing", "useful_life_years"]}),
        ("expect_column_values_to_be_between", {"column": "list_price_usd", "min_value": 0, "strict_min": True}),
        ("expect_column_values_to_be_between",
         {"column": "break_even_utilization", "min_value": 0, "strict_min": True}),
    ],
    "headline_figures": [
        ("expect_column_values_to_be_unique", {"column": "figure"}),
        ("expect_column_values_to_be_in_set",
         {"column": "verdict", "value_set": ["consistent", "inconsistent", "not measurable yet"]}),
    ],
    "industry_summary": [
        ("expect_column_values_to_be_unique", {"column": "calendar_year"}),
        ("expect_column_values_to_be_between", {"column": "hyperscaler_capex_usd", "min_value": 0}),
    ],
}  # fmt: skip
spend_ratio_valid = table_check(
    ["marts", "spend_ratio"], "spend_ratio_valid", EXPECTATIONS["spend_ratio"],
    description="one row per company and fiscal year; capex not negative; capex/revenue between 0 and 50",
)  # fmt: skip
revenue_gap_valid = table_check(
    ["marts", "revenue_gap"], "revenue_gap_valid", EXPECTATIONS["revenue_gap"],
    description="one row per calendar year, method and comparator; target margin in [0, 1); spend not negative",
)  # fmt: skip
gpu_unit_economics_valid = table_check(
    ["marts", "gpu_unit_economics"], "gpu_unit_economics_valid", EXPECTATIONS["gpu_unit_economics"],
    description="one row per day, provider, family, pricing and useful life; list price and break-even above 0",
)  # fmt: skip
gpu_provider_prices_valid = table_check(
    ["marts", "gpu_provider_prices"], "gpu_provider_prices_valid", EXPECTATIONS["gpu_provider_prices"],
    description="one row per day, provider, family, pricing and region; at least one offer; p10 <= median <= p90",
)  # fmt: skip
industry_summary_valid = table_check(
    ["marts", "industry_summary"], "industry_summary_valid", EXPECTATIONS["industry_summary"],
    description="one row per calendar year; cohort capex not negative",
)  # fmt: skip
headline_figures_valid = table_check(
    ["marts", "headline_figures"], "headline_figures_valid", EXPECTATIONS["headline_figures"],
    description="one row per figure; every verdict is consistent, inconsistent or not measurable yet",
)  # fmt: skip
spend_ratio_rows = row_count_check(["marts", "spend_ratio"])
revenue_gap_rows = row_count_check(["marts", "revenue_gap"])
gpu_unit_economics_rows = row_count_check(["marts", "gpu_unit_economics"])
gpu_provider_prices_rows = row_count_check(["marts", "gpu_provider_prices"])
