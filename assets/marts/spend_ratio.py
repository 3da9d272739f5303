"""marts.spend_ratio: is AI capex crowding out headcount? One row per company and fiscal year.

Capex against revenue, operating cash flow and headcount, against what the company pays its people
(stock-based compensation, R&D expense), and the layoffs matched to the company inside the fiscal year.
Ratios are NULL (never inf) when the denominator is 0 or not reported; year-over-year changes compare
with fiscal_year - 1 of the same company and are NULL when that year is absent.

Layoffs come from two kinds of source that often report the same layoff (a layoffs.fyi announcement and
the WARN notices filed for it), so they are kept apart and never added: `layoff_events` /
`employees_laid_off` are layoffs.fyi (the tracker of announced tech layoffs), `warn_notices` /
`warn_employees_affected` the state WARN notices. Each counts only inside the dates its downloads cover
(`layoff_coverage_windows`): a fiscal year no stretch of a source reaches is NULL for it, not 0.
"""

from __future__ import annotations

import polars as pl

from assets.marts.inputs import (
    FINANCIALS,
    FINANCIALS_EXTRAS,
    LAYOFF_EVENTS,
    Frame,
    divide,
    growth,
    input_table,
)

PUBLIC_COLUMNS = [
    "ticker",
    "fiscal_year",
    "capex_usd",
    "revenue_usd",
    "operating_cash_flow_usd",
    "employees",
    "capex_to_revenue",
    "capex_to_operating_cash_flow",
    "capex_per_employee_usd",
    "capex_yoy_growth",
    "employees_yoy_change",
    "layoff_events",
    "employees_laid_off",
    "warn_notices",
    "warn_employees_affected",
]
# Compared with the previous fiscal year (growth as a fraction).
YOY = {
    "capex_usd": "capex_yoy_growth",
    "employees": "employees_yoy_change",
    "stock_based_compensation_usd": "stock_based_compensation_yoy_growth",
    "research_development_usd": "research_development_yoy_growth",
    "capex_per_employee_usd": "capex_per_employee_yoy_growth",
    "capex_per_sbc_usd": "capex_per_sbc_yoy_growth",
}
# Capex growth minus the growth of what the company spends on people, in fractions (0.3 = 30 points):
# above 0, capex grew faster that year.
GROWTH_GAPS = {
    "capex_minus_employees_growth": "employees_yoy_change",
    "capex_minus_sbc_growth": "stock_based_compensation_yoy_growth",
    "capex_minus_research_development_growth": "research_development_yoy_growth",
}
LAYOFFS_FYI = "layoffs_fyi"
COVERAGE = {"source": pl.String, "state": pl.String, "first_date": pl.Date, "last_date": pl.Date}


def layoff_coverage_windows(layoff_events: Frame, layoff_coverage: Frame | None = None) -> pl.LazyFrame:
    """The stretches of dates each layoff source covers: core.layoff_coverage when given, else derived
    from the events themselves (each source from its first to its last event held: layoffs.fyi starts
    2020-03-11, a WARN state at the first notice held)."""
    if layoff_coverage is not None:
        return input_table(layoff_coverage, "core.layoff_coverage", COVERAGE).select(list(COVERAGE))
    return (
        input_table(layoff_events, "core.layoff_events", LAYOFF_EVENTS)
        .group_by("source")
        .agg(first_date=pl.col("event_date").min(), last_date=pl.col("event_date").max())
        .select(
            "source",
            state=pl.when(pl.col("source") != LAYOFFS_FYI).then(
                pl.col("source").str.strip_prefix("warn_").str.to_uppercase()
            ),
            first_date="first_date",
            last_date="last_date",
        )
    )


def fiscal_year_rows(financials: Frame) -> pl.LazyFrame:
    """FY rows of core.financials; a fiscal year filed without its start date starts the day after the
    same date a year before its end (IBM FY2024 in the snapshot: period_end 2024-12-31, no start)."""
    return (
        input_table(financials, "core.financials", FINANCIALS, FINANCIALS_EXTRAS)
        .filter(pl.col("fiscal_period") == "FY")
        .with_columns(
            period_start_inferred=pl.col("period_start").is_null() & pl.col("period_end").is_not_null(),
            period_start=pl.coalesce(
                "period_start", pl.col("period_end").dt.offset_by("-1y").dt.offset_by("1d")
            ),
        )
    )


def layoffs_by_fiscal_year(
    periods: pl.LazyFrame, layoff_events: Frame, coverage: pl.LazyFrame
) -> pl.LazyFrame:
    """Per (ticker, fiscal_year) of `periods`: layoffs.fyi and WARN counts inside the period, NULL where no
    stretch of that kind of source overlaps it, and which coverage applied."""
    layoffs = input_table(layoff_events, "core.layoff_events", LAYOFF_EVENTS).filter(
        pl.col("ticker").is_not_null()
    )
    is_fyi = pl.col("source") == LAYOFFS_FYI
    # Few events per ticker: an inner join on ticker, then the date window, stays small.
    counts = (
        periods.join(layoffs, on="ticker")
        .filter(pl.col("event_date").is_between(pl.col("period_start"), pl.col("period_end")))
        .group_by("ticker", "fiscal_year")
        .agg(
            fyi_events=is_fyi.sum().cast(pl.Int64),
            fyi_people=pl.col("employees_affected").filter(is_fyi).sum(),
            warn_events=(~is_fyi).sum().cast(pl.Int64),
            warn_people=pl.col("employees_affected").filter(~is_fyi).sum(),
        )
    )
    overlaps = (
        periods.join(coverage, how="cross")
        .filter(
            (pl.col("first_date") <= pl.col("period_end")) & (pl.col("last_date") >= pl.col("period_start"))
        )
        .group_by("ticker", "fiscal_year")
        .agg(
            fyi_covered=pl.col("source").eq(LAYOFFS_FYI).any(),
            fyi_whole=(
                pl.col("source").eq(LAYOFFS_FYI)
                & (pl.col("first_date") <= pl.col("period_start"))
                & (pl.col("last_date") >= pl.col("period_end"))
            ).any(),
            warn_states_covered=pl.col("state")
            .filter(pl.col("source") != LAYOFFS_FYI)
            .unique()
            .sort()
            .str.join(",")
            .replace("", None),
        )
    )
    return (
        periods.join(overlaps, on=["ticker", "fiscal_year"], how="left")
        .join(counts, on=["ticker", "fiscal_year"], how="left")
        .select(
            "ticker",
            "fiscal_year",
            layoff_events=pl.when(pl.col("fyi_covered")).then(pl.col("fyi_events").fill_null(0)),
            employees_laid_off=pl.when(pl.col("fyi_covered")).then(pl.col("fyi_people").fill_null(0)),
            warn_notices=pl.when(pl.col("warn_states_covered").is_not_null()).then(
                pl.col("warn_events").fill_null(0)
            ),
            warn_employees_affected=pl.when(pl.col("warn_states_covered").is_not_null()).then(
                pl.col("warn_people").fill_null(0)
            ),
            layoffs_fyi_coverage=pl.when(pl.col("fyi_whole"))
            .then(pl.lit("complete"))
            .when(pl.col("fyi_covered"))
            .then(pl.lit("partial")),
            warn_states_covered="warn_states_covered",
        )
    )


def spend_ratio(
    financials: Frame, layoff_events: Frame, layoff_coverage: Frame | None = None
) -> pl.DataFrame:
    """= marts.spend_ratio: FY rows of core.financials with the contract ratios, the people-cost columns and
    the layoffs of core.layoff_events whose event_date falls in period_start..period_end, per source."""
    fiscal_years = (
        fiscal_year_rows(financials)
        .select(
            "ticker",
            "fiscal_year",
            "period_start",
            "period_end",
            "period_start_inferred",
            "accession",
            "capex_usd",
            "revenue_usd",
            "operating_cash_flow_usd",
            "employees",
            "stock_based_compensation_usd",
            "research_development_usd",
        )
        .with_columns(
            capex_to_revenue=divide(pl.col("capex_usd"), pl.col("revenue_usd")),
            capex_to_operating_cash_flow=divide(pl.col("capex_usd"), pl.col("operating_cash_flow_usd")),
            capex_per_employee_usd=divide(pl.col("capex_usd"), pl.col("employees")),
            capex_per_sbc_usd=divide(pl.col("capex_usd"), pl.col("stock_based_compensation_usd")),
        )
    )
    previous = fiscal_years.select(
        "ticker",
        (pl.col("fiscal_year") + 1).alias("fiscal_year"),
        *(pl.col(c).alias(f"previous_{c}") for c in YOY),
    )
    periods = fiscal_years.select("ticker", "fiscal_year", "period_start", "period_end").filter(
        pl.col("period_end").is_not_null()
    )
    layoffs = layoffs_by_fiscal_year(
        periods, layoff_events, layoff_coverage_windows(layoff_events, layoff_coverage)
    )
    return (
        fiscal_years.join(previous, on=["ticker", "fiscal_year"], how="left")
        .join(layoffs, on=["ticker", "fiscal_year"], how="left")
        .with_columns(*(growth(c, f"previous_{c}").alias(name) for c, name in YOY.items()))
        .with_columns(
            *((pl.col("capex_yoy_growth") - pl.col(g)).alias(name) for name, g in GROWTH_GAPS.items())
        )
        .select(
            *PUBLIC_COLUMNS,
            "stock_based_compensation_usd",
            "capex_per_sbc_usd",
            "research_development_usd",
            "stock_based_compensation_yoy_growth",
            "research_development_yoy_growth",
            "capex_per_employee_yoy_growth",
            "capex_per_sbc_yoy_growth",
            *GROWTH_GAPS,
            pl.col("layoff_events").alias("layoffs_fyi_events"),
            pl.col("employees_laid_off").alias("layoffs_fyi_employees_laid_off"),
            "layoffs_fyi_coverage",
            "warn_states_covered",
            "period_start",
            "period_end",
            "period_start_inferred",
            "accession",
        )
        .sort("ticker", "fiscal_year")
        .collect()
    )
