"""marts.revenue_gap, revenue_gap_sensitivity and revenue_gap_depreciation: how far is the revenue from
paying for the spend?

Per calendar year and method, with the contract's identities computed in this order (so anyone
recomputing them from the stored columns gets the same floats):
    required_revenue_usd = spend_usd * cost_multiplier / (1 - target_gross_margin)
    revenue_gap_usd      = required_revenue_usd - incremental_revenue_usd
Methods:
- `capex`: spend = the hyperscaler cohort's capex (calendarized), multiplier 1 (capex already pays for the
  buildings and power gear around the chips).
- `sequoia`: spend = NVIDIA's revenue (calendarized), multiplier 2: "GPUs are half of the total cost of
  ownership—the other half includes energy, buildings, backup generators", then a 50 % gross margin for
  the buyer of the compute (David Cahn, "AI's $600B Question", Sequoia Capital, 2024-06-20).
Both compare with the same incremental revenue: the hyperscaler cohort's calendarized revenue in the year
minus in the base year (2022, the last year before ChatGPT). It credits all their revenue growth to AI,
so the gap is a lower bound. A calendar year only gets a spend (or an incremental revenue) when every
company involved reported fiscal years covering all of it (and of the base year); `missing_tickers`
names the others and `spend_reported_usd` sums what the companies that did report spent. A cohort
member with no filings in the warehouse at all (a seed row whose data has not landed yet) is left out
of the cohort rather than blanking every year; `companies_in_cohort` counts the members used.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from assets.marts.assumptions import assumption, assumption_grid
from assets.marts.calendarize import calendar_years, cohort_totals, companies_reported, missing_union
from assets.marts.inputs import FINANCIALS, FINANCIALS_EXTRAS, Frame, cohort_tickers, divide, input_table

COHORT = "hyperscaler"
SEQUOIA_SPEND_TICKER = "NVDA"  # Sequoia's spend is NVIDIA's (data-center) revenue; we have its total revenue

CONTRACT_COLUMNS = [
    "calendar_year",
    "method",
    "cohort",
    "spend_usd",
    "cost_multiplier",
    "target_gross_margin",
    "required_revenue_usd",
    "base_year",
    "incremental_revenue_usd",
    "revenue_gap_usd",
]
TRACE_COLUMNS = [
    "spend_tickers",
    "companies_in_cohort",
    "companies_reported",
    "missing_tickers",
    "coverage",
    "spend_reported_usd",
    "cohort_revenue_usd",
    "base_year_revenue_usd",
]


def revenue_gap(financials: Frame, companies: Frame, assumptions: Frame) -> pl.DataFrame:
    """= marts.revenue_gap: one row per (calendar_year, method), base year to the last year in the data."""
    margin = assumption(assumptions, "target_gross_margin")
    return (
        _spend_and_revenue(financials, companies, assumptions)
        .with_columns(target_gross_margin=pl.lit(margin, pl.Float64))
        .collect()
        .pipe(_with_identities, "spend_usd", "")
        .select(*CONTRACT_COLUMNS, *TRACE_COLUMNS)
        .sort("calendar_year", "method")
    )


def revenue_gap_sensitivity(financials: Frame, companies: Frame, assumptions: Frame) -> pl.DataFrame:
    """= marts.revenue_gap_sensitivity: the gap for every sensitivity margin × useful life.

    required_revenue_usd / revenue_gap_usd are marts.revenue_gap's formulas at that margin (the year's
    whole spend must be earned back that year: useful life does not enter). The `_depreciated_` columns
    spread the spend over the useful life first: annual_depreciation_usd = spend_usd / useful_life_years,
    then the same two formulas. The band a report shows is the min..max over the grid.
    """
    margins = pl.LazyFrame(
        {"target_gross_margin": assumption_grid(assumptions, "sensitivity_target_gross_margin")}
    )
    lives = pl.LazyFrame({"useful_life_years": assumption_grid(assumptions, "useful_life_years")})
    frame = (
        _spend_and_revenue(financials, companies, assumptions)
        .join(margins, how="cross")
        .join(lives, how="cross")
        .collect()
    )
    annual = _array(frame, "spend_usd") / _array(frame, "useful_life_years")
    return (
        frame.with_columns(annual_depreciation_usd=pl.Series(annual, nan_to_null=True))
        .pipe(_with_identities, "spend_usd", "")
        .pipe(_with_identities, "annual_depreciation_usd", "_depreciated")
        .select(
            *CONTRACT_COLUMNS,
            "useful_life_years",
            "annual_depreciation_usd",
            "required_revenue_depreciated_usd",
            "revenue_gap_depreciated_usd",
            "missing_tickers",
            "coverage",
        )
        .sort("calendar_year", "method", "target_gross_margin", "useful_life_years")
    )


def revenue_gap_depreciation(financials: Frame, companies: Frame, assumptions: Frame) -> pl.DataFrame:
    """The depreciation view: the year's cohort capex spread over a useful life, against operating income.

    One row per (calendar_year, useful_life_years): annual_depreciation_usd = capex_usd / useful_life_years
    (straight line, this year's capex only: earlier vintages still depreciating are not added, so in a
    growing build-out this understates the charge), depreciation_to_operating_income =
    annual_depreciation_usd / operating_income_usd, and reported_depreciation_usd (all assets, as filed) for
    comparison. NULL when a cohort member did not report the whole year.
    """
    fiscal_years = _fiscal_years(financials)
    tickers = cohort_tickers(companies, COHORT, fiscal_years)
    columns = ["capex_usd", "operating_income_usd", "depreciation_usd"]
    totals = cohort_totals(fiscal_years, tickers, columns, _years(fiscal_years, assumptions))
    lives = pl.LazyFrame({"useful_life_years": assumption_grid(assumptions, "useful_life_years")})
    return (
        totals.join(lives, how="cross")
        .with_columns(
            cohort=pl.lit(COHORT),
            companies_in_cohort=pl.lit(len(tickers), pl.Int64),
            annual_depreciation_usd=pl.col("capex_usd") / pl.col("useful_life_years"),
        )
        .with_columns(
            depreciation_to_operating_income=divide(
                pl.col("annual_depreciation_usd"), pl.col("operating_income_usd")
            ),
            operating_income_after_depreciation_usd=pl.col("operating_income_usd")
            - pl.col("annual_depreciation_usd"),
        )
        .select(
            "calendar_year",
            "cohort",
            "useful_life_years",
            "capex_usd",
            "annual_depreciation_usd",
            "operating_income_usd",
            "depreciation_to_operating_income",
            "operating_income_after_depreciation_usd",
            pl.col("depreciation_usd").alias("reported_depreciation_usd"),
            "companies_in_cohort",
            companies_reported(
                tickers, missing_union("capex_usd_missing", "operating_income_usd_missing")
            ).alias("companies_reported"),
            missing_union("capex_usd_missing", "operating_income_usd_missing").alias("missing_tickers"),
        )
        .sort("calendar_year", "useful_life_years")
        .collect()
    )


def _with_identities(frame: pl.DataFrame, spend: str, suffix: str) -> pl.DataFrame:
    """Add required_revenue{suffix}_usd and revenue_gap{suffix}_usd, computed element by element in numpy.

    Not as Polars expressions: Polars folds `1 - <literal margin>` and multiplies by its reciprocal
    (x * 2.5 for x / 0.4), which can differ in the last bit from the contract's formula as a reader or
    DuckDB evaluates it. NULL in, NULL out (through NaN, which no input holds).
    """
    required = (
        _array(frame, spend) * _array(frame, "cost_multiplier") / (1 - _array(frame, "target_gross_margin"))
    )
    gap = required - _array(frame, "incremental_revenue_usd")
    return frame.with_columns(
        pl.Series(f"required_revenue{suffix}_usd", required, nan_to_null=True),
        pl.Series(f"revenue_gap{suffix}_usd", gap, nan_to_null=True),
    )


def _array(frame: pl.DataFrame, column: str) -> np.ndarray:
    return frame[column].cast(pl.Float64).to_numpy()  # NULL -> NaN


def _fiscal_years(financials: Frame) -> pl.LazyFrame:
    return input_table(financials, "core.financials", FINANCIALS, FINANCIALS_EXTRAS).filter(
        pl.col("fiscal_period") == "FY"
    )


def _years(fiscal_years: pl.LazyFrame, assumptions: Frame) -> pl.LazyFrame:
    """Base year .. the last calendar year any fiscal year reaches (at least base year + 3)."""
    base_year = int(assumption(assumptions, "base_year"))
    last = fiscal_years.select(pl.col("period_end").dt.year().max()).collect().item()
    return calendar_years(base_year, max(base_year + 3, last or base_year))


def _spend_and_revenue(financials: Frame, companies: Frame, assumptions: Frame) -> pl.LazyFrame:
    """Per (calendar_year, method): spend_usd, cost_multiplier, incremental_revenue_usd and coverage."""
    fiscal_years = _fiscal_years(financials)
    base_year = int(assumption(assumptions, "base_year"))
    tickers = cohort_tickers(companies, COHORT, fiscal_years)
    years = _years(fiscal_years, assumptions)
    cohort = cohort_totals(fiscal_years, tickers, ["capex_usd", "revenue_usd"], years)
    base = cohort.filter(pl.col("calendar_year") == base_year).select(
        pl.col("revenue_usd").alias("base_year_revenue_usd"),
        pl.col("revenue_usd_missing").alias("base_year_missing"),
    )
    revenue = cohort.join(base, how="cross").select(
        "calendar_year",
        pl.col("revenue_usd").alias("cohort_revenue_usd"),
        "base_year_revenue_usd",
        (pl.col("revenue_usd") - pl.col("base_year_revenue_usd")).alias("incremental_revenue_usd"),
        missing_union("revenue_usd_missing", "base_year_missing").alias("revenue_missing"),
    )
    nvidia = cohort_totals(fiscal_years, [SEQUOIA_SPEND_TICKER], ["revenue_usd"], years)

    def spend(totals: pl.LazyFrame, method: str, column: str, spenders: list[str]) -> pl.LazyFrame:
        return totals.select(
            "calendar_year",
            method=pl.lit(method),
            spend_usd=column,
            spend_reported_usd=f"{column}_reported",
            spend_missing=f"{column}_missing",
            spend_tickers=pl.lit(",".join(spenders)),
            cost_multiplier=pl.lit(assumption(assumptions, f"cost_multiplier_{method}"), pl.Float64),
        )

    methods = pl.concat(
        [
            spend(cohort, "capex", "capex_usd", tickers),
            spend(nvidia, "sequoia", "revenue_usd", [SEQUOIA_SPEND_TICKER]),
        ]
    )
    return (
        methods.join(revenue, on="calendar_year", how="left")
        .with_columns(
            cohort=pl.lit(COHORT),
            base_year=pl.lit(base_year, pl.Int32),
            companies_in_cohort=pl.lit(len(tickers), pl.Int64),
            missing_tickers=missing_union("spend_missing", "revenue_missing"),
        )
        .with_columns(
            # cohort members with every figure this row needs (capex for `capex`, revenue in both years)
            companies_reported=companies_reported(tickers, pl.col("missing_tickers")),
            coverage=pl.when(pl.col("missing_tickers").is_null())
            .then(pl.lit("complete"))
            .otherwise(pl.lit("incomplete")),
        )
    )
