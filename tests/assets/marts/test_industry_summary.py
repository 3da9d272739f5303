from __future__ import annotations

import polars as pl
import pytest

from assets.marts.industry_summary import industry_summary


def by_year(frame: pl.DataFrame) -> dict[int, dict]:
    return {r["calendar_year"]: r for r in frame.to_dicts()}


def test_one_row_per_calendar_year_with_cohort_layoffs_and_h100_price(
    financials, companies_with_data, layoff_events, gpu_price_index
):
    summary = industry_summary(financials, companies_with_data, layoff_events, gpu_price_index)
    years = by_year(summary)
    assert summary["calendar_year"].is_unique().all()
    # MSFT calendarized (FY2024 182/366 + FY2025 184/365 of 2024) + GOOGL + AMZN + META as filed
    msft_2024 = 44_477_000_000 * 182 / 366 + 64_551_000_000 * 184 / 365
    assert years[2024]["hyperscaler_capex_usd"] == pytest.approx(
        msft_2024 + 52_535_000_000 + 82_999_000_000 + 37_256_000_000, rel=1e-15
    )
    assert years[2024]["hyperscaler_companies_reported"] == 4
    assert years[2025]["hyperscaler_capex_usd"] is None
    assert years[2025]["hyperscaler_missing_tickers"] == "AMZN,META,MSFT"
    # headcount: MSFT states none in the extract, so the cohort has no total
    assert years[2024]["hyperscaler_employees"] is None
    # layoffs.fyi Microsoft rows in calendar 2025: 01-07, 01-14 (no count), 05-13 6,000, 06-02 305, 06-24, 07-02 9,000
    assert (years[2025]["layoffs_fyi_events"], years[2025]["layoffs_fyi_employees_laid_off"]) == (6, 15_305)
    # WA WARN: 2025-05-13 1,985, 06-02 305, 07-02 830; 2026: Tessera (untracked), 1 worker
    assert (years[2025]["warn_notices"], years[2025]["warn_employees_affected"]) == (3, 3120)
    assert (years[2026]["warn_notices"], years[2026]["hyperscaler_layoff_events"]) == (1, 0)
    assert years[2024]["warn_notices"] == 0  # inside the span of the layoff data: a real zero
    # H100 on-demand: AWS 55.04/8 and Azure 98.32/8 per GPU-hour, median of the two days' medians
    assert years[2026]["h100_on_demand_median_usd_per_gpu_hour"] == pytest.approx((55.04 / 8 + 98.32 / 8) / 2)
    assert years[2026]["h100_on_demand_days"] == 2
    # all pricing types: RunPod 2.69 and 3.49 too; the median of four is the mean of the middle two
    assert years[2026]["h100_all_pricing_median_usd_per_gpu_hour"] == pytest.approx((3.49 + 55.04 / 8) / 2)
    assert years[2024]["h100_on_demand_median_usd_per_gpu_hour"] is None


def test_years_before_the_layoff_data_are_null_not_zero(
    financials, companies_with_data, layoff_events, gpu_price_index
):
    years = by_year(industry_summary(financials, companies_with_data, layoff_events, gpu_price_index))
    assert min(years) == 2020  # MSFT FY2021 starts 2020-07-01
    assert years[2021]["layoffs_fyi_events"] is None
    assert years[2023]["layoffs_fyi_events"] == 1


def test_empty_inputs_give_an_empty_table(financials, companies, layoff_events, gpu_price_index):
    empty = industry_summary(financials.clear(), companies, layoff_events.clear(), gpu_price_index.clear())
    assert empty.is_empty()
    assert "hyperscaler_capex_usd" in empty.columns


def test_h100_on_demand_index_does_not_follow_which_provider_was_captured(
    financials, companies_with_data, layoff_events
):
    from datetime import date

    from assets.gpu.index import gpu_price_index

    # AWS p5.48xlarge 55.04 $/h and Azure ND96isr_H100_v5 98.32 $/h for 8 H100 on one day, Azure alone the next
    offers = [
        ("aws", 55.04 / 8, date(2026, 8, 3)),
        ("azure", 98.32 / 8, date(2026, 8, 3)),
        ("azure", 98.32 / 8, date(2026, 8, 4)),
    ]
    prices = pl.DataFrame(
        [{"observed_on": d, "provider": p, "gpu_family": "H100", "gpu_model": "H100 SXM", "pricing": "on_demand",
          "usd_per_gpu_hour": usd, "offer_id": p} for p, usd, d in offers]
    )  # fmt: skip
    year = {
        r["calendar_year"]: r
        for r in industry_summary(
            financials, companies_with_data, layoff_events, gpu_price_index(prices)
        ).to_dicts()
    }[2026]
    assert year["h100_on_demand_index_usd_per_gpu_hour"] == pytest.approx((55.04 + 98.32) / 16)  # both days
    assert year["h100_on_demand_median_usd_per_gpu_hour"] > year["h100_on_demand_index_usd_per_gpu_hour"]
