from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from assets.marts.headline_figures import headline_figures
from assets.marts.revenue_gap import revenue_gap

M = 1_000_000


@pytest.fixture
def figures(financials_with_quarters, companies, layoff_events, layoff_coverage, assumptions, segment_revenue,
            ai_segments, disclosures):  # fmt: skip
    gap = revenue_gap(
        financials_with_quarters, companies, assumptions, segment_revenue, ai_segments, disclosures
    )
    return headline_figures(
        financials_with_quarters, companies, layoff_events, gap, layoff_coverage, segment_revenue
    )


def figure(frame: pl.DataFrame, name: str) -> dict:
    (row,) = frame.filter(figure=name).to_dicts()
    return row


def test_cohort_capex_recomputed_by_hand_from_core_financials(figures, financials_with_quarters):
    # by hand: MSFT's four fiscal quarters whose midpoints fall in calendar 2024, plus the calendar-year
    # filers' FY2024 rows, straight from the core.financials rows
    core = financials_with_quarters
    msft = core.filter(
        (pl.col("ticker") == "MSFT") & pl.col("fiscal_period").is_in(["Q1", "Q2", "Q3", "Q4"])
        & pl.col("period_end").is_between(date(2024, 1, 1), date(2024, 12, 31))
    )["capex_usd"].sum()  # fmt: skip
    others = core.filter(
        pl.col("ticker").is_in(["GOOGL", "AMZN", "META"]) & (pl.col("fiscal_period") == "FY") & (pl.col("fiscal_year") == 2024)
    )["capex_usd"].sum()  # fmt: skip
    row = figure(figures, "hyperscaler_capex_calendar_year")
    assert row["value"] == msft + others == (10952 + 13873 + 14923 + 15804 + 52535 + 82999 + 37256) * M
    assert (row["as_of"], row["unit"]) == (date(2024, 12, 31), "USD")
    assert row["coverage"].startswith("incomplete") and "ORCL" in row["coverage"]  # no Oracle filings
    assert "0001326801-25-000017" in row["based_on"]  # Meta's 10-K for 2024


def test_layoffs_per_calendar_year_recomputed_by_hand_from_core_layoff_events(figures, layoff_events):
    by_hand = layoff_events.filter(
        (pl.col("source") == "layoffs_fyi") & (pl.col("event_date").dt.year() == 2025)
    )["employees_affected"].sum()
    row = figure(figures, "tech_employees_laid_off_2025")
    assert row["value"] == by_hand == 6000 + 305 + 9000  # the extract's Microsoft rows of 2025
    assert row["unit"] == "people" and row["coverage"] == "complete"
    # the tracker's download ends 2026-05-15: 2026 is a year to date, labelled partial
    assert figure(figures, "tech_employees_laid_off_2026_to_date")["coverage"].startswith("partial")


def test_the_three_claims_each_have_a_verdict_and_a_reason(figures):
    claims = figures.filter(pl.col("claim").is_not_null())
    assert set(claims["claim"]) == {
        "$725 billion in capex",
        "110,000 tech layoffs",
        "Meta's AI spending reached $65 billion",
    }
    assert set(claims["verdict"]) <= {"consistent", "inconsistent", "not measurable yet"}
    assert claims["reason"].null_count() == 0
    meta = claims.filter(claim="Meta's AI spending reached $65 billion").row(0, named=True)
    # the extract ends with Meta's FY2024 (capex 37,256 $M): 2025 is not filed yet
    assert (meta["verdict"], meta["value"]) == ("not measurable yet", 37_256 * M)
    assert "2025" in meta["reason"]
    capex = claims.filter(claim="$725 billion in capex").row(0, named=True)
    assert capex["verdict"] == "not measurable yet" and "ORCL" in capex["reason"]


def test_a_complete_measure_far_from_the_claim_is_inconsistent(figures):
    layoffs = figures.filter(claim="110,000 tech layoffs").row(0, named=True)
    # the extract's Microsoft rows are far below 110,000 in every covered year
    assert layoffs["verdict"] == "inconsistent"
    assert layoffs["value"] == max(
        r["value"]
        for r in figures.filter(pl.col("figure").str.starts_with("tech_employees_laid_off")).to_dicts()
    )


def test_required_against_disclosed_ai_revenue_multiple(figures):
    row = figure(figures, "required_vs_disclosed_ai_revenue_capex")
    msft_capex_2024 = (10952 + 13873 + 14923 + 15804) * M
    assert row["value"] == msft_capex_2024 * 1 / (1 - 0.5) / 13e9  # Microsoft's "$13 billion" run rate
    nvidia = figure(figures, "nvidia_data_center_revenue_fiscal_year")
    assert nvidia["value"] == 115_186 * M
    assert figure(figures, "nvidia_data_center_run_rate")["value"] is None  # no quarters filed in the extract
