import warnings
from datetime import date

import polars as pl
import pytest

from assets.sec.companies import parse_company_tickers, with_unlisted_companies
from assets.sec.companyfacts import FACT_SCHEMA
from assets.sec.financials import FINANCIALS_SCHEMA, financials_from_10ks
from assets.sec.ixbrl import DOCUMENT_SCHEMA
from assets.sec.reconcile import combine_financials, disagreements
from pipelines.snapshot import read_snapshot_bytes


@pytest.fixture(scope="module")
def combined(companyfacts_fin, ixbrl_fin):
    return combine_financials(companyfacts_fin, ixbrl_fin)


def fy_row(fin, ticker, year):
    rows = fin.filter(
        pl.col("ticker") == ticker, pl.col("fiscal_year") == year, pl.col("fiscal_period") == "FY"
    )
    assert rows.height == 1
    return rows.row(0, named=True)


def test_ixbrl_fills_companies_companyfacts_lacks(combined):
    amzn = {y: fy_row(combined, "AMZN", y) for y in (2022, 2023, 2024)}
    assert [amzn[y]["capex_usd"] / 1e6 for y in amzn] == [63_645, 52_729, 82_999]
    assert (
        amzn[2024]["revenue_usd"] == 637_959e6 and amzn[2024]["proceeds_from_property_sales_usd"] == 5_341e6
    )
    assert {r["source"] for r in amzn.values()} == {"ixbrl"}
    assert [fy_row(combined, "META", y)["capex_usd"] / 1e6 for y in (2022, 2023, 2024)] == [
        31_186,
        27_045,
        37_256,
    ]
    assert (
        fy_row(combined, "META", 2024)["finance_lease_principal_payments_usd"] == 1_969e6
    )  # Meta adds it to its "capex"


def test_companyfacts_wins_where_both_have_the_period(combined):
    goog = fy_row(combined, "GOOGL", 2024)
    assert (goog["source"], goog["accession"], goog["capex_usd"]) == (
        "companyfacts",
        "0001652044-26-000018",
        52_535e6,
    )


def test_employees_from_the_10k_of_that_fiscal_year(combined):
    employees = {
        (t, y): fy_row(combined, t, y)["employees"]
        for t, y in [
            ("META", 2024),
            ("GOOGL", 2024),
            ("AMZN", 2024),
            ("NVDA", 2025),
            ("IBM", 2024),
            ("AAPL", 2024),
            ("GOOGL", 2023),
        ]
    }
    assert employees == {
        ("META", 2024): 74_067,
        ("GOOGL", 2024): 183_323,
        ("AMZN", 2024): 1_556_000,
        ("NVDA", 2025): 36_000,
        ("IBM", 2024): None,
        ("AAPL", 2024): 164_000,
        ("GOOGL", 2023): None,  # a comparative year of the FY2024 10-K: its headcount is in the FY2023 10-K
    }
    assert fy_row(combined, "NVDA", 2025)["employees_sentence"].startswith(
        "As of the end of fiscal year 2025, we had approximately 36,000"
    )
    assert (
        combined.filter(pl.col("fiscal_period") != "FY")["employees"].null_count()
        == combined.filter(pl.col("fiscal_period") != "FY").height
    )


def test_ibm_10k_gives_a_row_with_no_figures(combined):
    ibm = fy_row(combined, "IBM", 2024)
    assert (
        ibm["capex_usd"] is None and ibm["employees"] is None and ibm["accession"] == "0000051143-25-000015"
    )


def test_combined_keys_are_unique(combined):
    assert combined.schema == pl.Schema(FINANCIALS_SCHEMA)
    assert combined.select(pl.struct("ticker", "fiscal_year", "fiscal_period").is_unique().all()).item()


def test_the_two_routes_agree_on_the_real_filings(companyfacts_fin, ixbrl_fin, facts):
    compared = companyfacts_fin.join(ixbrl_fin, on=["ticker", "fiscal_year", "fiscal_period"]).filter(
        pl.col("capex_usd").is_not_null() & pl.col("capex_usd_right").is_not_null()
    )
    assert sorted(compared.select("ticker", "fiscal_year").rows()) == [
        ("GOOGL", 2022),
        ("GOOGL", 2023),
        ("GOOGL", 2024),
        ("NVDA", 2023),
        ("NVDA", 2024),
        ("NVDA", 2025),
    ]
    assert disagreements(companyfacts_fin, ixbrl_fin).height == 0
    assert disagreements(companyfacts_fin, ixbrl_fin, facts).height == 0


def test_a_disagreement_names_company_period_concept_and_values(companyfacts_fin, ixbrl_fin):
    tampered = ixbrl_fin.with_columns(
        capex_usd=pl.when((pl.col("ticker") == "GOOGL") & (pl.col("fiscal_year") == 2023))
        .then(32_252e6)
        .otherwise("capex_usd")
    )
    found = disagreements(companyfacts_fin, tampered)
    assert found.rows() == [
        (
            "GOOGL",
            2023,
            "FY",
            "capex_usd",
            "us-gaap:PaymentsToAcquirePropertyPlantAndEquipment",
            32_251e6,
            32_252e6,
            "0001652044-26-000018",
            "0001652044-25-000014",
        )
    ]


def test_same_filing_version_is_compared_when_facts_are_given(companyfacts_fin, ixbrl_fin, facts):
    """A later 10-K restating a figure is not a disagreement between two readings of the earlier 10-K."""
    restated = companyfacts_fin.with_columns(
        revenue_usd=pl.when(
            (pl.col("ticker") == "NVDA") & (pl.col("fiscal_year") == 2024) & (pl.col("fiscal_period") == "FY")
        )
        .then(61_000e6)
        .otherwise("revenue_usd")
    )
    assert disagreements(restated, ixbrl_fin).select("ticker", "fiscal_year", "metric").rows() == [
        ("NVDA", 2024, "revenue_usd")
    ]
    assert disagreements(restated, ixbrl_fin, facts).height == 0  # the FY2025 10-K's own version agrees


def test_ixbrl_financials_of_no_10k(companies):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert (
            financials_from_10ks(
                pl.DataFrame(schema=FACT_SCHEMA), pl.DataFrame(schema=DOCUMENT_SCHEMA), companies
            ).height
            == 0
        )


def test_a_10k_of_a_company_not_in_the_seed(tenks, companies):
    """Apple's 10-K read as if nobody had added Apple: named from SEC's ticker map, its September fiscal year
    inferred from the 10-K's own periods."""
    tickers = parse_company_tickers(
        read_snapshot_bytes("sec/company_tickers.json.gz"), "company_tickers.json"
    )
    without_apple = with_unlisted_companies(
        companies.filter(pl.col("ticker") != "AAPL"), ["0000320193"], tickers
    )
    aapl = tenks["AAPL"]
    fin = financials_from_10ks(aapl.facts, aapl.document(), without_apple)
    assert fin.select(
        "ticker", "fiscal_year", "period_end", "capex_usd", "revenue_usd", "employees"
    ).rows() == [
        ("AAPL", 2022, date(2022, 9, 24), 10_708e6, 394_328e6, None),
        ("AAPL", 2023, date(2023, 9, 30), 10_959e6, 383_285e6, None),
        ("AAPL", 2024, date(2024, 9, 28), 9_447e6, 391_035e6, 164_000),
    ]
