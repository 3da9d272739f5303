"""marts.spend_ratio: is AI capex crowding out headcount? One row per company and fiscal year.

Capex against revenue, operating cash flow and headcount, against what the company pays its people
(stock-based compensation, R&D expense: issue 11), and the layoffs matched to the company inside the
fiscal year. Ratios are NULL (never inf) when the denominator is 0 or not reported; year-over-year
changes compare with fiscal_year - 1 of the same company and are NULL when that year is absent.
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

CONTRACT_COLUMNS = [
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


def spend_ratio(financials: Frame, layoff_events: Frame) -> pl.DataFrame:
    """= marts.spend_ratio: FY rows of core.financials with the contract ratios, issue 11's people-cost
    columns and the layoff events of core.layoff_events whose event_date falls in period_start..period_end."""
    fiscal_years = (
        input_table(financials, "core.financials", FINANCIALS, FINANCIALS_EXTRAS)
        .filter(pl.col("fiscal_period") == "FY")
        .select(
            "ticker",
            "fiscal_year",
            "period_start",
            "period_end",
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
    layoffs = input_table(layoff_events, "core.layoff_events", LAYOFF_EVENTS).filter(
        pl.col("ticker").is_not_null()
    )
    # Few events per ticker: an inner join on ticker, then the date window, stays small.
    matched = (
        fiscal_years.select("ticker", "fiscal_year", "period_start", "period_end")
        .join(layoffs, on="ticker")
        .filter(pl.col("event_date").is_between(pl.col("period_start"), pl.col("period_end")))
        .group_by("ticker", "fiscal_year")
        .agg(
            layoff_events=pl.len().cast(pl.Int64),
            employees_laid_off=pl.col("employees_affected").sum(),
            layoffs_fyi_events=(pl.col("source") == "layoffs_fyi").sum().cast(pl.Int64),
            layoffs_fyi_employees_laid_off=pl.col("employees_affected")
            .filter(pl.col("source") == "layoffs_fyi")
            .sum(),
            warn_notices=pl.col("source").str.starts_with("warn_").sum().cast(pl.Int64),
            warn_employees_affected=pl.col("employees_affected")
            .filter(pl.col("source").str.starts_with("warn_"))
            .sum(),
        )
    )
    counts = ["layoff_events", "employees_laid_off", "layoffs_fyi_events", "layoffs_fyi_employees_laid_off",
              "warn_notices", "warn_employees_affected"]  # fmt: skip
    return (
        fiscal_years.join(previous, on=["ticker", "fiscal_year"], how="left")
        .join(matched, on=["ticker", "fiscal_year"], how="left")
        .with_columns(*(growth(c, f"previous_{c}").alias(name) for c, name in YOY.items()))
        .with_columns(pl.col(c).fill_null(0) for c in counts)
        .select(
            *CONTRACT_COLUMNS,
            "stock_based_compensation_usd",
            "capex_per_sbc_usd",
            "research_development_usd",
            "stock_based_compensation_yoy_growth",
            "research_development_yoy_growth",
            "capex_per_employee_yoy_growth",
            "capex_per_sbc_yoy_growth",
            *counts[2:],
            "period_start",
            "period_end",
            "accession",
        )
        .sort("ticker", "fiscal_year")
        .collect()
    )
