"""marts.spend_ratio_cohort: the crowding-out question per cohort and calendar year.

Per cohort of the companies seed and calendar year: capex, revenue, stock-based compensation and R&D
calendarized by days (assets/marts/calendarize.py) and summed over the cohort, the fiscal-year-end
headcounts of the fiscal years ending in that year, each one's growth over the previous calendar year,
and the layoffs of the cohort's companies in the year, layoffs.fyi and WARN apart. A total is a number
only when every member of the seed reported the whole year (`coverage` = complete, else incomplete with
`missing_tickers`); a layoff count is NULL in a year its source's downloads do not reach.
"""

from __future__ import annotations

import polars as pl

from assets.marts.calendarize import calendar_years, cohort_headcount, cohort_totals, missing_union
from assets.marts.inputs import COMPANIES, LAYOFF_EVENTS, Frame, growth, input_table
from assets.marts.spend_ratio import LAYOFFS_FYI, fiscal_year_rows, layoff_coverage_windows

FLOWS = ["capex_usd", "revenue_usd", "stock_based_compensation_usd", "research_development_usd"]
GROWTH = {
    "capex_usd": "capex_yoy_growth",
    "employees": "employees_yoy_change",
    "stock_based_compensation_usd": "stock_based_compensation_yoy_growth",
    "research_development_usd": "research_development_yoy_growth",
}


def spend_ratio_cohort(
    financials: Frame, companies: Frame, layoff_events: Frame, layoff_coverage: Frame | None = None
) -> pl.DataFrame:
    """= marts.spend_ratio_cohort: one row per (cohort, calendar_year)."""
    fiscal_years = fiscal_year_rows(financials).filter(pl.col("period_end").is_not_null())
    seed = input_table(companies, "seed companies", COMPANIES).select("ticker", "cohort").unique().collect()
    span = fiscal_years.select(
        first=pl.col("period_start").dt.year().min(), last=pl.col("period_end").dt.year().max()
    ).collect()
    if span["first"][0] is None or seed.is_empty():
        return pl.DataFrame()
    years = calendar_years(span["first"][0], span["last"][0])
    coverage = layoff_coverage_windows(layoff_events, layoff_coverage)
    events = input_table(layoff_events, "core.layoff_events", LAYOFF_EVENTS).with_columns(
        calendar_year=pl.col("event_date").dt.year().cast(pl.Int32)
    )
    frames = []
    for cohort in sorted(seed["cohort"].unique().to_list()):
        tickers = sorted(seed.filter(pl.col("cohort") == cohort)["ticker"].to_list())
        money = cohort_totals(fiscal_years, tickers, FLOWS, years)
        headcount = cohort_headcount(fiscal_years, tickers)
        frames.append(
            money.join(headcount, on="calendar_year", how="left").with_columns(
                cohort=pl.lit(cohort),
                members=pl.lit(",".join(tickers)),
                missing_tickers=missing_union(*(f"{c}_missing" for c in ("capex_usd", "revenue_usd"))),
            )
        )
    totals = pl.concat(frames, how="diagonal_relaxed")
    previous = totals.select(
        "cohort",
        (pl.col("calendar_year") + 1).alias("calendar_year"),
        *(pl.col(c).alias(f"previous_{c}") for c in GROWTH),
    )
    is_fyi = pl.col("source") == LAYOFFS_FYI
    layoffs = (
        events.join(seed.lazy(), on="ticker")
        .group_by("cohort", "calendar_year")
        .agg(
            fyi_events=is_fyi.sum().cast(pl.Int64),
            fyi_people=pl.col("employees_affected").filter(is_fyi).sum(),
            warn_events=(~is_fyi).sum().cast(pl.Int64),
            warn_people=pl.col("employees_affected").filter(~is_fyi).sum(),
        )
    )
    covered = (
        years.join(coverage, how="cross")
        .filter(
            (pl.col("first_date") <= pl.date(pl.col("calendar_year"), 12, 31))
            & (pl.col("last_date") >= pl.date(pl.col("calendar_year"), 1, 1))
        )
        .group_by("calendar_year")
        .agg(fyi_covered=is_fyi.any(), warn_covered=(~is_fyi).any())
    )
    return (
        totals.join(previous, on=["cohort", "calendar_year"], how="left")
        .join(layoffs, on=["cohort", "calendar_year"], how="left")
        .join(covered, on="calendar_year", how="left")
        .with_columns(*(growth(c, f"previous_{c}").alias(name) for c, name in GROWTH.items()))
        .select(
            "cohort",
            "calendar_year",
            *FLOWS,
            "employees",
            *GROWTH.values(),
            (pl.col("capex_yoy_growth") - pl.col("employees_yoy_change")).alias(
                "capex_minus_employees_growth"
            ),
            (pl.col("capex_yoy_growth") - pl.col("stock_based_compensation_yoy_growth")).alias(
                "capex_minus_sbc_growth"
            ),
            layoff_events=pl.when(pl.col("fyi_covered")).then(pl.col("fyi_events").fill_null(0)),
            employees_laid_off=pl.when(pl.col("fyi_covered")).then(pl.col("fyi_people").fill_null(0)),
            warn_notices=pl.when(pl.col("warn_covered")).then(pl.col("warn_events").fill_null(0)),
            warn_employees_affected=pl.when(pl.col("warn_covered")).then(pl.col("warn_people").fill_null(0)),
            coverage=pl.when(pl.col("missing_tickers").is_null())
            .then(pl.lit("complete"))
            .otherwise(pl.lit("incomplete")),
            missing_tickers="missing_tickers",
            members="members",
            capex_reported_usd="capex_usd_reported",
        )  # fmt: skip
        .sort("cohort", "calendar_year")
        .collect()
    )
