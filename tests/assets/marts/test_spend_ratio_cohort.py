from __future__ import annotations

import polars as pl
import pytest

from assets.marts.spend_ratio_cohort import spend_ratio_cohort

MSFT_CY2024_CAPEX = 44_477_000_000 * 182 / 366 + 64_551_000_000 * 184 / 365  # FY2024, FY2025 by days in 2024


def year(frame: pl.DataFrame, cohort: str, calendar_year: int) -> dict:
    (found,) = frame.filter(cohort=cohort, calendar_year=calendar_year).to_dicts()
    return found


def test_the_cohort_total_is_complete_only_with_every_member(
    financials, companies, companies_with_data, layoff_events, layoff_coverage
):
    with_oracle = year(
        spend_ratio_cohort(financials, companies, layoff_events, layoff_coverage), "hyperscaler", 2024
    )
    assert (with_oracle["capex_usd"], with_oracle["coverage"], with_oracle["missing_tickers"]) == (
        None, "incomplete", "ORCL")  # fmt: skip
    four = year(
        spend_ratio_cohort(financials, companies_with_data, layoff_events, layoff_coverage),
        "hyperscaler",
        2024,
    )
    expected = MSFT_CY2024_CAPEX + 52_535_000_000 + 82_999_000_000 + 37_256_000_000  # + GOOGL, AMZN, META
    assert four["capex_usd"] == pytest.approx(expected, rel=1e-15)
    assert four["coverage"] == "complete"
    msft_2023 = 28_107_000_000 * 181 / 365 + 44_477_000_000 * 184 / 366
    expected_2023 = msft_2023 + 32_251_000_000 + 52_729_000_000 + 27_045_000_000
    assert four["capex_yoy_growth"] == pytest.approx(expected / expected_2023 - 1, rel=1e-12)


def test_cohort_layoffs_per_calendar_year_sources_apart(
    financials, companies_with_data, layoff_events, layoff_coverage
):
    mart = spend_ratio_cohort(financials, companies_with_data, layoff_events, layoff_coverage)
    cy2025 = year(mart, "hyperscaler", 2025)
    # layoffs.fyi Microsoft 2025: 01-07, 01-14 (no count), 05-13 6,000, 06-02 305, 06-24, 07-02 9,000
    assert (cy2025["layoff_events"], cy2025["employees_laid_off"]) == (6, 15_305)
    # WA WARN 2025: 05-13 1,985, 06-02 305, 07-02 830
    assert (cy2025["warn_notices"], cy2025["warn_employees_affected"]) == (3, 3120)
    assert year(mart, "hyperscaler", 2021)["employees_laid_off"] == 0  # covered since 2020-03-11, no event
