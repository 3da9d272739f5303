"""marts.industry_summary: the build-out year by year on one row, for the report's overview.

Per calendar year: the hyperscaler cohort's capex and revenue (calendarized by days, assets/marts/calendarize.py, and
NULL unless every member reported the whole year; the `_reported_` columns sum the members that did), its
headcount (sum of fiscal-year-end headcounts of the fiscal years ending in that calendar year, NULL unless
every member stated one), layoffs.fyi events and people (the whole tech industry as the tracker covers it),
WARN notices (every state loaded) and the layoffs matched to the cohort, and the H100 price: the median over
the year's days of marts.gpu_price_index's daily `on_demand` median (list prices of AWS, Azure and the
like), the same over the chained cross-provider index (`h100_on_demand_index_usd_per_gpu_hour`, which does
not jump when a day's captures change provider), and over every pricing type (marketplace, community, spot).
Layoff counts are 0 in a year inside the span of the layoff data with no event, NULL outside it.
"""

from __future__ import annotations

import polars as pl

from assets.marts.calendarize import (
    calendar_years,
    cohort_headcount,
    cohort_totals,
    companies_reported,
    missing_union,
)
from assets.marts.inputs import (
    FINANCIALS,
    FINANCIALS_EXTRAS,
    GPU_PRICE_INDEX,
    LAYOFF_EVENTS,
    Frame,
    cohort_tickers,
    input_table,
)

COHORT = "hyperscaler"
H100 = "H100"


def industry_summary(
    financials: Frame, companies: Frame, layoff_events: Frame, gpu_price_index: Frame
) -> pl.DataFrame:
    """= marts.industry_summary: one row per calendar year from the first to the last year in any input."""
    fiscal_years = input_table(financials, "core.financials", FINANCIALS, FINANCIALS_EXTRAS).filter(
        pl.col("fiscal_period") == "FY"
    )
    layoffs = input_table(layoff_events, "core.layoff_events", LAYOFF_EVENTS).with_columns(
        calendar_year=pl.col("event_date").dt.year().cast(pl.Int32)
    )
    prices = input_table(
        gpu_price_index, "marts.gpu_price_index", GPU_PRICE_INDEX, {"index_usd_per_gpu_hour": pl.Float64}
    ).with_columns(calendar_year=pl.col("observed_on").dt.year().cast(pl.Int32))
    tickers = cohort_tickers(companies, COHORT, financials)

    spans = pl.concat(
        [
            fiscal_years.filter(pl.col("ticker").is_in(tickers)).select(
                first=pl.col("period_start").dt.year().min(), last=pl.col("period_end").dt.year().max()
            ),
            layoffs.select(first=pl.col("calendar_year").min(), last=pl.col("calendar_year").max()),
            prices.select(first=pl.col("calendar_year").min(), last=pl.col("calendar_year").max()),
        ],
        how="vertical_relaxed",
    ).collect()
    first, last = spans["first"].min(), spans["last"].max()
    years = calendar_years(first, last) if first is not None else calendar_years(1, 0)  # no data: no years

    money = cohort_totals(fiscal_years, tickers, ["capex_usd", "revenue_usd"], years)
    headcount = cohort_headcount(fiscal_years, tickers).select(
        "calendar_year", pl.col("employees").alias("hyperscaler_employees")
    )
    is_fyi = pl.col("source") == "layoffs_fyi"
    is_warn = pl.col("source").str.starts_with("warn_")
    in_cohort = pl.col("ticker").is_in(tickers)
    layoff_counts = layoffs.group_by("calendar_year").agg(
        layoffs_fyi_events=is_fyi.sum().cast(pl.Int64),
        layoffs_fyi_employees_laid_off=pl.col("employees_affected").filter(is_fyi).sum(),
        warn_notices=is_warn.sum().cast(pl.Int64),
        warn_employees_affected=pl.col("employees_affected").filter(is_warn).sum(),
        hyperscaler_layoff_events=in_cohort.sum().cast(pl.Int64),
        hyperscaler_employees_laid_off=pl.col("employees_affected").filter(in_cohort).sum(),
    )
    layoff_span = layoffs.select(
        first_layoff_year=pl.col("calendar_year").min(), last_layoff_year=pl.col("calendar_year").max()
    )
    h100 = prices.filter(pl.col("gpu_family") == H100)
    h100_prices = h100.group_by("calendar_year").agg(
        h100_on_demand_median_usd_per_gpu_hour=pl.col("median_usd_per_gpu_hour")
        .filter(pl.col("pricing") == "on_demand")
        .median(),
        # the chained cross-provider index (assets/gpu/index.py): moves only with prices, not with which
        # providers happened to be captured
        h100_on_demand_index_usd_per_gpu_hour=pl.col("index_usd_per_gpu_hour")
        .filter(pl.col("pricing") == "on_demand")
        .median(),
        h100_on_demand_days=pl.col("observed_on")
        .filter(pl.col("pricing") == "on_demand")
        .n_unique()
        .cast(pl.Int64),
        h100_all_pricing_median_usd_per_gpu_hour=pl.col("median_usd_per_gpu_hour").median(),
        h100_days=pl.col("observed_on").n_unique().cast(pl.Int64),
    )
    counts = list(layoff_counts.collect_schema().names())[1:]
    return (
        money.select(
            "calendar_year",
            pl.col("capex_usd").alias("hyperscaler_capex_usd"),
            pl.col("revenue_usd").alias("hyperscaler_revenue_usd"),
            pl.col("capex_usd_reported").alias("hyperscaler_capex_reported_usd"),
            pl.col("revenue_usd_reported").alias("hyperscaler_revenue_reported_usd"),
            companies_reported(tickers, missing_union("capex_usd_missing", "revenue_usd_missing")).alias(
                "hyperscaler_companies_reported"
            ),
            pl.lit(len(tickers), pl.Int64).alias("hyperscaler_companies"),
            missing_union("capex_usd_missing", "revenue_usd_missing").alias("hyperscaler_missing_tickers"),
        )
        .join(headcount, on="calendar_year", how="left")
        .join(layoff_counts, on="calendar_year", how="left")
        .join(layoff_span, how="cross")
        .with_columns(
            pl.when(
                pl.col("calendar_year").is_between(pl.col("first_layoff_year"), pl.col("last_layoff_year"))
            )
            .then(pl.col(c).fill_null(0))
            .alias(c)
            for c in counts
        )
        .join(h100_prices, on="calendar_year", how="left")
        .with_columns(pl.col("h100_on_demand_days", "h100_days").fill_null(0))
        .drop("first_layoff_year", "last_layoff_year")
        .sort("calendar_year")
        .collect()
    )
