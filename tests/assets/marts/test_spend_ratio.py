from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from assets.marts.spend_ratio import PUBLIC_COLUMNS, spend_ratio
from pipelines.errors import SourceFormatError


def row(frame: pl.DataFrame, ticker: str, fiscal_year: int) -> dict:
    (found,) = frame.filter((pl.col("ticker") == ticker) & (pl.col("fiscal_year") == fiscal_year)).to_dicts()
    return found


def test_msft_fy2025_ratios_are_the_filed_figures_divided(financials, layoff_events):
    mart = spend_ratio(financials, layoff_events)
    msft = row(mart, "MSFT", 2025)
    # reference_figures.csv: MSFT 2025 PaymentsToAcquirePropertyPlantAndEquipment 64551000000,
    # RevenueFromContractWithCustomerExcludingAssessedTax 281724000000 (10-K 0000950170-25-100235)
    assert msft["capex_to_revenue"] == 64_551_000_000 / 281_724_000_000
    # companyfacts NetCashProvidedByUsedInOperatingActivities FY2025 136,162 $M
    assert msft["capex_to_operating_cash_flow"] == 64_551_000_000 / 136_162_000_000
    assert msft["capex_yoy_growth"] == 64_551_000_000 / 44_477_000_000 - 1  # FY2024 capex 44,477 $M
    assert (msft["period_start"], msft["period_end"]) == (date(2024, 7, 1), date(2025, 6, 30))
    assert msft["accession"] == "0000950170-25-100235"


def test_stock_based_compensation_and_capex_per_sbc_dollar(financials, layoff_events):
    mart = spend_ratio(financials, layoff_events)
    # companyfacts ShareBasedCompensation: MSFT FY2025 11,974 $M (0000950170-25-100235), FY2024 10,734 $M;
    # GOOGL FY2024 22,785 $M (0001652044-26-000018)
    msft, googl = row(mart, "MSFT", 2025), row(mart, "GOOGL", 2024)
    assert msft["stock_based_compensation_usd"] == 11_974_000_000
    assert msft["capex_per_sbc_usd"] == 64_551_000_000 / 11_974_000_000
    assert msft["stock_based_compensation_yoy_growth"] == 11_974_000_000 / 10_734_000_000 - 1
    assert (
        msft["capex_per_sbc_yoy_growth"]
        == (64_551_000_000 / 11_974_000_000) / (44_477_000_000 / 10_734_000_000) - 1
    )
    assert googl["capex_per_sbc_usd"] == 52_535_000_000 / 22_785_000_000
    # R&D (ResearchAndDevelopmentExpense): GOOGL FY2024 49,326 $M, FY2023 45,427 $M
    assert googl["research_development_usd"] == 49_326_000_000
    assert googl["research_development_yoy_growth"] == 49_326_000_000 / 45_427_000_000 - 1
    # AMZN and META rows come from 10-K inline XBRL without SBC here: NULL, not 0 or inf
    assert row(mart, "META", 2024)["capex_per_sbc_usd"] is None


def test_capex_per_employee_uses_the_10k_headcount(financials, layoff_events):
    mart = spend_ratio(financials, layoff_events)
    # "As of December 31, 2024, Alphabet had 183,323 employees." (goog-20241231.htm)
    assert row(mart, "GOOGL", 2024)["capex_per_employee_usd"] == 52_535_000_000 / 183_323
    # no headcount stated for FY2023 in the extract: no change, and no capex per employee growth
    assert row(mart, "GOOGL", 2024)["employees_yoy_change"] is None
    assert row(mart, "GOOGL", 2023)["capex_per_employee_usd"] is None


def test_layoffs_are_matched_inside_the_fiscal_year_and_the_sources_never_added(
    financials, layoff_events, layoff_coverage
):
    mart = spend_ratio(financials, layoff_events, layoff_coverage)
    fy2025 = row(mart, "MSFT", 2025)  # 2024-07-01 .. 2025-06-30
    # layoffs.fyi: 2024-07-03 (no count), 2024-09-12 650, 2025-01-07, 2025-01-14 (no count), 2025-05-13 6,000,
    # 2025-06-02 305, 2025-06-24 (no count); WA WARN received 2025-05-13 1,985 and 2025-06-02 305.
    # 2025-07-02 (9,000 and WARN 830) is FY2026; 2024-06-03 (1,000) is FY2024.
    assert (fy2025["layoff_events"], fy2025["employees_laid_off"]) == (
        7,
        650 + 6000 + 305,
    )  # layoffs.fyi only
    assert (fy2025["warn_notices"], fy2025["warn_employees_affected"]) == (2, 1985 + 305)
    assert (fy2025["layoffs_fyi_events"], fy2025["layoffs_fyi_employees_laid_off"]) == (7, 6955)
    assert (fy2025["layoffs_fyi_coverage"], fy2025["warn_states_covered"]) == ("complete", "WA")
    fy2024 = row(mart, "MSFT", 2024)  # layoffs.fyi 2023-07-18 1,000, 2024-01-25 1,900, 2024-06-03 1,000
    assert (fy2024["layoff_events"], fy2024["employees_laid_off"]) == (3, 3900)
    assert (fy2024["warn_notices"], fy2024["warn_employees_affected"]) == (0, 0)  # covered, none filed
    # NVIDIA FY2025 is inside both windows and has no event: a real 0, not a gap
    assert (row(mart, "NVDA", 2025)["layoff_events"], row(mart, "NVDA", 2025)["employees_laid_off"]) == (0, 0)


def test_a_fiscal_year_a_source_does_not_cover_is_null_not_zero(financials, layoff_events, layoff_coverage):
    # NVIDIA FY2020 (2019-01-28 .. 2020-01-26, revenue 10,918 $M, 10-K 0001045810-22-000036) ends before
    # layoffs.fyi began (2020-03-11); MSFT FY2020 (2019-07-01 .. 2020-06-30) straddles the start
    older = pl.DataFrame(
        [("NVDA", 2020, "FY", date(2019, 1, 28), date(2020, 1, 26), None, 10_918e6, "0001045810-22-000036"),
         ("MSFT", 2020, "FY", date(2019, 7, 1), date(2020, 6, 30), 15_441e6, 143_015e6, "0001564590-22-026876")],
        schema=["ticker", "fiscal_year", "fiscal_period", "period_start", "period_end", "capex_usd",
                "revenue_usd", "accession"],
        orient="row",
    )  # fmt: skip
    mart = spend_ratio(pl.concat([financials, older], how="diagonal_relaxed"), layoff_events, layoff_coverage)
    nvda = row(mart, "NVDA", 2020)
    assert (nvda["layoff_events"], nvda["employees_laid_off"], nvda["layoffs_fyi_coverage"]) == (
        None,
        None,
        None,
    )
    assert nvda["warn_notices"] == 0  # WA's export reaches back to 2004
    msft = row(mart, "MSFT", 2020)
    assert (msft["employees_laid_off"], msft["layoffs_fyi_coverage"]) == (0, "partial")
    # without core.layoff_coverage the windows come from the events: WA from its first notice held
    derived = spend_ratio(pl.concat([financials, older], how="diagonal_relaxed"), layoff_events)
    assert row(derived, "MSFT", 2021)["warn_notices"] is None  # the extract's first WA notice is 2023-05-26


def test_a_fiscal_year_filed_without_its_start_date_still_counts_its_layoffs(
    financials, layoff_events, layoff_coverage
):
    undated = financials.with_columns(
        period_start=pl.when((pl.col("ticker") == "MSFT") & (pl.col("fiscal_year") == 2025)).then(None)
        .otherwise("period_start")
    )  # fmt: skip
    msft = row(spend_ratio(undated, layoff_events, layoff_coverage), "MSFT", 2025)
    assert (msft["period_start"], msft["period_start_inferred"]) == (date(2024, 7, 1), True)
    assert msft["employees_laid_off"] == 6955


def test_capex_growth_against_people_cost_growth(financials, layoff_events):
    googl = row(spend_ratio(financials, layoff_events), "GOOGL", 2024)
    capex, sbc, rnd = 52_535 / 32_251 - 1, 22_785 / 22_460 - 1, 49_326 / 45_427 - 1  # FY2024 over FY2023
    assert googl["capex_minus_sbc_growth"] == pytest.approx(capex - sbc, rel=1e-12)
    assert googl["capex_minus_research_development_growth"] == pytest.approx(capex - rnd, rel=1e-12)
    assert googl["capex_minus_employees_growth"] is None  # no FY2023 headcount in the extract


def test_contract_columns_first_fy_rows_only(financials, layoff_events):
    quarter = financials.filter(pl.col("ticker") == "MSFT").head(1).with_columns(fiscal_period=pl.lit("Q1"))
    mart = spend_ratio(pl.concat([financials, quarter]), layoff_events)
    assert mart.columns[: len(PUBLIC_COLUMNS)] == PUBLIC_COLUMNS
    assert mart.height == financials.height
    assert mart.select("ticker", "fiscal_year").is_duplicated().sum() == 0


def test_zero_or_missing_denominators_give_null_never_inf(financials, layoff_events):
    broken = financials.with_columns(
        revenue_usd=pl.when(pl.col("ticker") == "NVDA").then(0.0).otherwise("revenue_usd"),
        operating_cash_flow_usd=pl.when(pl.col("ticker") == "NVDA")
        .then(None)
        .otherwise("operating_cash_flow_usd"),
        capex_usd=pl.when(pl.col("ticker") == "NVDA").then(0.0).otherwise("capex_usd"),
    )
    mart = spend_ratio(broken, layoff_events)
    nvda = row(mart, "NVDA", 2025)
    assert nvda["capex_to_revenue"] is None
    assert nvda["capex_to_operating_cash_flow"] is None
    assert nvda["capex_yoy_growth"] is None  # previous capex 0
    floats = mart.select(pl.selectors.float())
    assert not floats.select(pl.any_horizontal(pl.all().is_infinite() | pl.all().is_nan()).any()).item()


def test_optional_extras_absent_read_as_null(financials, layoff_events):
    mart = spend_ratio(
        financials.drop("stock_based_compensation_usd", "research_development_usd"), layoff_events
    )
    assert mart["capex_per_sbc_usd"].null_count() == mart.height
    assert row(mart, "MSFT", 2025)["capex_to_revenue"] == 64_551_000_000 / 281_724_000_000


def test_a_missing_contract_column_names_the_table(financials, layoff_events):
    with pytest.raises(SourceFormatError, match=r"core\.financials: missing columns \['capex_usd'\]"):
        spend_ratio(financials.drop("capex_usd"), layoff_events)
    with pytest.raises(SourceFormatError, match=r"core\.layoff_events"):
        spend_ratio(financials, layoff_events.drop("event_date"))


def test_accepts_lazy_frames(financials, layoff_events):
    assert spend_ratio(financials.lazy(), layoff_events.lazy()).equals(spend_ratio(financials, layoff_events))


def test_two_consecutive_headcounts_give_a_change(financials, layoff_events):
    # Alphabet 10-K for 2023: "As of December 31, 2023, Alphabet had 182,502 employees."; for 2024: 183,323
    with_2023 = financials.with_columns(
        employees=pl.when((pl.col("ticker") == "GOOGL") & (pl.col("fiscal_year") == 2023)).then(182_502)
        .otherwise("employees")
    )  # fmt: skip
    googl = row(spend_ratio(with_2023, layoff_events), "GOOGL", 2024)
    assert googl["employees_yoy_change"] == 183_323 / 182_502 - 1
    assert googl["capex_minus_employees_growth"] == pytest.approx(
        (52_535 / 32_251 - 1) - (183_323 / 182_502 - 1), rel=1e-12
    )
