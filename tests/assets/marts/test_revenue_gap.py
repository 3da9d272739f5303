from __future__ import annotations

import polars as pl
import pytest

from assets.marts.calendarize import calendar_year_values
from assets.marts.revenue_gap import (
    COMPARATORS,
    METHODS,
    PUBLIC_COLUMNS,
    revenue_gap,
    revenue_gap_depreciation,
    revenue_gap_sensitivity,
)
from pipelines.errors import SourceFormatError

M = 1_000_000
# MSFT calendar 2024 = its fiscal quarters Q3 FY2024 .. Q2 FY2025 (conftest QUARTERS)
MSFT_CY2024_CAPEX = (10952 + 13873 + 14923 + 15804) * M
MSFT_CY2024_REVENUE = (61858 + 64727 + 65585 + 69632) * M
MSFT_CY2024_LEASES = (3421 + 4712 + 4332 + 6435) * M


def rows(frame: pl.DataFrame) -> dict[tuple[int, str, str], dict]:
    return {(r["calendar_year"], r["method"], r["comparator"]): r for r in frame.to_dicts()}


@pytest.fixture
def gap(financials_with_quarters, companies, assumptions, segment_revenue, ai_segments, disclosures):
    return revenue_gap(
        financials_with_quarters, companies, assumptions, segment_revenue, ai_segments, disclosures
    )


def assert_identities_exact(frame: pl.DataFrame) -> None:
    for r in frame.to_dicts():
        if r["spend_usd"] is None:
            assert r["required_revenue_usd"] is None and r["revenue_gap_usd"] is None
            continue
        required = r["spend_usd"] * r["cost_multiplier"] / (1 - r["target_gross_margin"])
        assert r["required_revenue_usd"] == required
        if r["comparator_revenue_usd"] is None:
            assert r["revenue_gap_usd"] is None and r["gap_multiple"] is None
        else:
            assert r["revenue_gap_usd"] == required - r["comparator_revenue_usd"]
            if r["comparator_revenue_usd"] != 0:
                assert r["gap_multiple"] == required / r["comparator_revenue_usd"]


def test_every_method_and_comparator_every_year_and_the_identities_hold(gap):
    assert gap.columns[: len(PUBLIC_COLUMNS)] == PUBLIC_COLUMNS
    assert {(y, m, c) for y in range(2022, 2026) for m in METHODS for c in COMPARATORS} <= set(rows(gap))
    assert gap.select("calendar_year", "method", "comparator").is_duplicated().sum() == 0
    assert_identities_exact(gap)


def test_sequoia_spend_is_nvidia_data_center_revenue_by_calendar_year(gap):
    by_key = rows(gap)
    # NVDA FY2025 (2024-01-29 .. 2025-01-26, 338 of its 364 days in 2024) Data Center 115,186 $M
    cy2024 = by_key[(2024, "sequoia", "ai_segments")]
    assert cy2024["spend_usd"] == 115_186_000_000
    assert cy2024["cost_multiplier"] == 2.0  # "AI's $600B Question", Sequoia Capital 2024
    assert cy2024["required_revenue_usd"] == 115_186_000_000 * 2 / (1 - 0.5)
    assert by_key[(2023, "sequoia", "revenue_growth")]["spend_usd"] == 47_525_000_000
    # the 10-K has no quarters: no run rate rather than a made-up one
    run_rate = by_key[(2024, "sequoia_run_rate", "ai_segments")]
    assert run_rate["spend_usd"] is None and "NVDA" in run_rate["missing_tickers"]


def test_a_year_is_never_complete_while_a_cohort_member_has_no_data(gap):
    # ORCL is a hyperscaler in the seed with no filings in the extract
    assert gap.filter(pl.col("coverage") == "complete").is_empty()
    assert all("ORCL" in r["missing_tickers"] for r in gap.to_dicts())


def test_capex_methods_sum_spend_and_comparator_over_the_same_companies(gap):
    by_key = rows(gap)
    growth = by_key[(2024, "capex", "revenue_growth")]
    # revenue growth since 2022: the extract has no MSFT calendar 2022 (no quarters, and its July-June years
    # are not split), so MSFT is left out of spend and comparator alike; GOOGL, AMZN, META as filed
    assert growth["spend_usd"] == (52_535 + 82_999 + 37_256) * M
    assert (growth["spend_tickers"], growth["missing_tickers"]) == ("AMZN,GOOGL,META", "MSFT,ORCL")
    segments = by_key[(2024, "capex", "ai_segments")]
    # AWS 107,556 + Google Cloud 43,229 against AMZN + GOOGL capex; META has no AI segment, MSFT's is not filed here
    assert (segments["spend_tickers"], segments["comparator_tickers"]) == ("AMZN,GOOGL", "AMZN,GOOGL")
    assert segments["comparator_revenue_usd"] == (107_556 + 43_229) * M
    assert segments["spend_usd"] == (82_999 + 52_535) * M
    assert segments["missing_tickers"] == "META,MSFT,ORCL"
    assert segments["gap_multiple"] == segments["spend_usd"] * 2 / ((107_556 + 43_229) * M)
    leases = by_key[(2024, "capex_with_leases", "disclosed_ai_revenue")]
    # Microsoft: "our AI business annual revenue run rate surpassed $13 billion" (quarter ended 2024-12-31)
    assert leases["comparator_revenue_usd"] == 13e9 and leases["comparator_tickers"] == "MSFT"
    assert leases["spend_usd"] == MSFT_CY2024_CAPEX + MSFT_CY2024_LEASES


def test_revenue_growth_comparator_is_the_upper_bound_kept(gap):
    cy = rows(gap)[(2024, "sequoia", "revenue_growth")]
    # every cohort member with both years: AMZN, GOOGL, META (calendar-year filers)
    expected = (637_959 + 350_018 + 164_501 - 513_983 - 282_836 - 116_609) * M
    assert cy["comparator_tickers"] == "AMZN,GOOGL,META"
    assert cy["comparator_revenue_usd"] == pytest.approx(expected, rel=1e-15)
    assert cy["incremental_revenue_usd"] == cy["comparator_revenue_usd"]


def test_calendar_years_come_from_quarters_or_a_year_of_at_least_eleven_months(financials_with_quarters):
    values = calendar_year_values(financials_with_quarters.lazy(), ["capex_usd"]).collect()
    by = {(r["ticker"], r["calendar_year"]): r for r in values.to_dicts()}
    assert (by[("MSFT", 2024)]["value"], by[("MSFT", 2024)]["basis"]) == (MSFT_CY2024_CAPEX, "quarters")
    assert ("MSFT", 2022) not in by  # FY2022/FY2023 run July-June: never split by days
    assert (by[("NVDA", 2024)]["value"], by[("NVDA", 2024)]["basis"]) == (3_236 * M, "fiscal_year")  # FY2025
    assert by[("GOOGL", 2024)]["value"] == 52_535 * M


def test_sensitivity_grid_keeps_the_identities(
    financials_with_quarters, companies, assumptions, segment_revenue, ai_segments, disclosures
):
    grid = revenue_gap_sensitivity(
        financials_with_quarters, companies, assumptions, segment_revenue, ai_segments, disclosures
    )
    assert sorted(grid["target_gross_margin"].unique()) == [0.3, 0.4, 0.5, 0.6, 0.7]
    assert (
        grid.select("calendar_year", "method", "comparator", "target_gross_margin", "useful_life_years")
        .is_duplicated()
        .sum()
        == 0
    )
    assert_identities_exact(grid)
    r = grid.filter(calendar_year=2024, method="sequoia", comparator="ai_segments", target_gross_margin=0.3,
                    useful_life_years=5.0).row(0, named=True)  # fmt: skip
    assert r["annual_depreciation_usd"] == 115_186_000_000 / 5
    assert r["required_revenue_depreciated_usd"] == 115_186_000_000 / 5 * 2 / (1 - 0.3)


def test_depreciation_by_vintage_against_operating_income_before_depreciation(
    financials, companies, assumptions
):
    dep = revenue_gap_depreciation(
        financials.with_columns(depreciation_usd=pl.lit(None, pl.Float64)), companies, assumptions
    )
    assert dep["vintage_depreciation_usd"].null_count() == dep.height  # no depreciation filed: no comparison
    googl = financials.filter(ticker="GOOGL").with_columns(
        depreciation_usd=pl.col("operating_income_usd") * 0
        + 15_311 * M  # Alphabet FY2024 Depreciation 15,311 $M
    )
    view = revenue_gap_depreciation(googl, companies, assumptions)
    r = view.filter(calendar_year=2024, useful_life_years=3.0).row(0, named=True)
    # vintages 2022, 2023, 2024 of Alphabet's capex, a third each
    assert r["vintage_depreciation_usd"] == pytest.approx((31_485 + 32_251 + 52_535) * M / 3, rel=1e-15)
    assert r["operating_income_before_depreciation_usd"] == (112_390 + 15_311) * M
    assert r["operating_income_after_vintage_depreciation_usd"] == pytest.approx(
        (112_390 + 15_311) * M - (31_485 + 32_251 + 52_535) * M / 3, rel=1e-15
    )
    assert r["coverage"] == "incomplete" and r["tickers"] == "GOOGL"
    # a 6-year life needs vintages back to 2019, which the extract lacks: no figure
    assert view.filter(calendar_year=2024, useful_life_years=6.0)["vintage_depreciation_usd"].item() is None


def test_editing_the_margin_changes_required_revenue(
    financials_with_quarters, companies, assumptions, segment_revenue, ai_segments, disclosures
):
    higher = assumptions.with_columns(
        value=pl.when(pl.col("name") == "target_gross_margin").then(0.6).otherwise("value")
    )
    a = rows(
        revenue_gap(
            financials_with_quarters, companies, assumptions, segment_revenue, ai_segments, disclosures
        )
    )
    b = rows(
        revenue_gap(financials_with_quarters, companies, higher, segment_revenue, ai_segments, disclosures)
    )
    assert b[(2024, "sequoia", "ai_segments")]["required_revenue_usd"] == 115_186_000_000 * 2 / (1 - 0.6)
    assert (
        b[(2024, "sequoia", "ai_segments")]["required_revenue_usd"]
        > a[(2024, "sequoia", "ai_segments")]["required_revenue_usd"]
    )


def test_a_missing_contract_column_names_the_table(financials, companies, assumptions):
    with pytest.raises(SourceFormatError, match=r"core\.financials: missing columns \['capex_usd'\]"):
        revenue_gap(financials.drop("capex_usd"), companies, assumptions)
