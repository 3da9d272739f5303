"""core.financials_calendar and capex with finance leases, from the snapshot's companyfacts (10-Q and 10-K facts)."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from assets.sec.calendar import calendar_quarter, financials_calendar, with_capex_incl_finance_leases


@pytest.fixture(scope="module")
def fin(companyfacts_fin) -> pl.DataFrame:
    return with_capex_incl_finance_leases(companyfacts_fin)


@pytest.fixture(scope="module")
def calendar(fin) -> pl.DataFrame:
    return financials_calendar(fin)


def test_calendar_2025_capex_from_four_discrete_quarters(calendar):
    # Microsoft: fiscal Q3 and Q4 FY2025 plus Q1 and Q2 FY2026 (10-Qs to 2025-12-31); Alphabet: its calendar year.
    msft = calendar.filter(ticker="MSFT", calendar_year=2025).sort("calendar_quarter")
    assert msft.select("fiscal_year", "fiscal_period").rows() == [
        (2025, "Q3"),
        (2025, "Q4"),
        (2026, "Q1"),
        (2026, "Q2"),
    ]
    assert msft["capex_usd"].sum() == 83_094e6
    assert msft["ttm_capex_usd"][-1] == 83_094e6  # the trailing year ending in calendar Q4
    googl = calendar.filter(ticker="GOOGL", calendar_year=2025)
    assert (googl.height, googl["capex_usd"].sum()) == (4, 91_447e6)


def test_nvidia_52_53_week_quarters_go_where_most_of_their_days_are(calendar):
    # NVIDIA Q1 FY2025 = 2024-01-29..2024-04-28: 3 days of January and 60 of Feb-March (63) vs 28 of April.
    assert calendar_quarter(date(2024, 1, 29), date(2024, 4, 28)) == (2024, 1, 63)
    nvda = calendar.filter(ticker="NVDA", fiscal_year=2025).sort("period_end")
    assert nvda.select("fiscal_period", "calendar_year", "calendar_quarter").rows() == [
        ("Q1", 2024, 1),
        ("Q2", 2024, 2),
        ("Q3", 2024, 3),
        ("Q4", 2024, 4),
    ]
    # FY2025 Q4 ends 2025-01-26: 66 days in Oct-Dec 2024, 26 in January 2025.
    assert nvda.row(3, named=True)["period_end"] == date(2025, 1, 26)
    assert (
        nvda["capex_usd"].sum() == 3_236e6
    )  # = its FY2025 capex (companyfacts PaymentsToAcquireProductiveAssets)


def test_every_calendar_quarter_once_and_ttm_only_over_four_present_quarters(calendar):
    assert calendar.select("ticker", "calendar_year", "calendar_quarter").is_duplicated().sum() == 0
    msft = calendar.filter(ticker="MSFT").sort("calendar_year", "calendar_quarter")
    expected = msft["capex_usd"].rolling_sum(4)
    index = msft["calendar_year"] * 4 + msft["calendar_quarter"]
    consecutive = (index - index.shift(3)) == 3
    got = msft["ttm_capex_usd"]
    for g, e, c in zip(got, expected, consecutive):
        assert g == (e if c else None)
    assert msft["ttm_capex_usd"][:3].null_count() == 3  # the first three quarters have no full trailing year


def test_ttm_is_null_across_a_gap():
    quarters = pl.DataFrame(
        {
            "ticker": ["X"] * 5,
            "fiscal_year": [2024] * 4 + [2025],
            "fiscal_period": ["Q1", "Q2", "Q3", "Q4", "Q2"],  # 2025 Q1 missing
            "period_start": [
                date(2024, 1, 1),
                date(2024, 4, 1),
                date(2024, 7, 1),
                date(2024, 10, 1),
                date(2025, 4, 1),
            ],
            "period_end": [
                date(2024, 3, 31),
                date(2024, 6, 30),
                date(2024, 9, 30),
                date(2024, 12, 31),
                date(2025, 6, 30),
            ],
            "capex_usd": [1.0, 2.0, 3.0, 4.0, 5.0],
            "capex_incl_finance_leases_usd": [1.0, 2.0, None, 4.0, 5.0],
            "revenue_usd": [10.0, 20.0, 30.0, 40.0, 50.0],
            "operating_cash_flow_usd": [None] * 5,
            "finance_lease_additions_usd": [None] * 5,
            "accession": ["a"] * 5,
            "filed": [date(2025, 1, 1)] * 5,
        }
    )
    cal = financials_calendar(quarters).sort("calendar_year", "calendar_quarter")
    assert cal["ttm_capex_usd"].to_list() == [None, None, None, 10.0, None]
    assert cal["ttm_capex_incl_finance_leases_usd"].to_list() == [None] * 5  # a quarter without a value


def test_capex_incl_finance_leases(fin):
    msft = fin.filter(ticker="MSFT", fiscal_year=2025, fiscal_period="FY").row(0, named=True)
    assert msft["capex_incl_finance_leases_usd"] == msft["capex_usd"] + msft["finance_lease_additions_usd"]
    assert msft["finance_lease_additions_usd"] > 0
    assert (
        msft["finance_lease_concept"] == "us-gaap:RightOfUseAssetObtainedInExchangeForFinanceLeaseLiability"
    )
    # NVIDIA files no finance-lease additions in FY2025: capex alone is its total, not a gap.
    nvda = fin.filter(ticker="NVDA", fiscal_year=2025, fiscal_period="FY").row(0, named=True)
    assert (nvda["finance_lease_additions_usd"], nvda["capex_incl_finance_leases_usd"]) == (None, 3_236e6)
