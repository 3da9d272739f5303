from __future__ import annotations

import polars as pl

from assets.marts.calendarize import calendar_years, calendarize, cohort_totals


def fiscal_years(financials: pl.DataFrame, ticker: str) -> pl.LazyFrame:
    return financials.lazy().filter(pl.col("ticker") == ticker)


def test_microsoft_june_fiscal_year_is_spread_by_days(financials):
    result = calendarize(fiscal_years(financials, "MSFT"), ["capex_usd"]).collect()
    by_year = {r["calendar_year"]: r for r in result.to_dicts()}
    # CY2024 = Jan-Jun 2024 of FY2024 (2023-07-01..2024-06-30, 366 days with 29 Feb: 182 of them in 2024)
    #        + Jul-Dec 2024 of FY2025 (2024-07-01..2025-06-30, 365 days: 184 of them in 2024)
    assert by_year[2024]["capex_usd"] == 44_477_000_000 * 182 / 366 + 64_551_000_000 * 184 / 365
    assert by_year[2024]["capex_usd_covered_days"] == by_year[2024]["calendar_days"] == 366
    # FY2026 is not filed yet: only 181 days (Jan-Jun) of 2025 are covered
    assert by_year[2025]["capex_usd"] == 64_551_000_000 * 181 / 365
    assert (by_year[2025]["capex_usd_covered_days"], by_year[2025]["calendar_days"]) == (181, 365)


def test_nvidia_52_53_week_year_and_a_calendar_year_company(financials):
    nvda = {
        r["calendar_year"]: r
        for r in calendarize(fiscal_years(financials, "NVDA"), ["revenue_usd"]).collect().to_dicts()
    }
    # FY2025 = 2024-01-29..2025-01-26 (364 days; 338 in 2024), FY2024 = 2023-01-30..2024-01-28 (364; 28 in 2024)
    assert nvda[2024]["revenue_usd"] == 60_922_000_000 * 28 / 364 + 130_497_000_000 * 338 / 364
    assert nvda[2024]["revenue_usd_covered_days"] == 366
    googl = {
        r["calendar_year"]: r
        for r in calendarize(fiscal_years(financials, "GOOGL"), ["capex_usd"]).collect().to_dicts()
    }
    assert googl[2024]["capex_usd"] == 52_535_000_000  # December year end: the year as filed


def test_cohort_total_is_null_unless_every_member_covers_the_year(financials):
    totals = {
        r["calendar_year"]: r
        for r in cohort_totals(
            financials.lazy(), ["GOOGL", "MSFT", "ORCL"], ["capex_usd"], calendar_years(2023, 2025)
        )
        .collect()
        .to_dicts()
    }
    assert totals[2024]["capex_usd"] is None  # ORCL has no filing in the extract
    assert totals[2024]["capex_usd_missing"] == "ORCL"
    assert totals[2024]["capex_usd_companies"] == 2
    assert totals[2024]["capex_usd_reported"] == 52_535_000_000 + (
        44_477_000_000 * 182 / 366 + 64_551_000_000 * 184 / 365
    )
    assert totals[2025]["capex_usd_missing"] == "MSFT,ORCL"
    complete = cohort_totals(
        financials.lazy(), ["GOOGL", "MSFT"], ["capex_usd"], calendar_years(2024, 2024)
    ).collect()
    assert complete["capex_usd"].item() == complete["capex_usd_reported"].item()
    assert complete["capex_usd_missing"].item() is None
    empty = cohort_totals(financials.lazy(), [], ["capex_usd"], calendar_years(2024, 2024)).collect()
    assert empty["capex_usd"].item() is None
