"""core.coverage on the snapshot: who has no filing at all, and which fiscal years are not held yet."""

from __future__ import annotations

import polars as pl

from assets.sec.coverage import coverage
from assets.sec.reconcile import combine_financials


def test_snapshot_coverage_names_the_companies_without_filings(
    companies, facts, tenks, companyfacts_fin, ixbrl_fin
):
    filings = pl.concat(
        [
            facts.select("cik", "accession"),
            pl.concat([t.document() for t in tenks.values()]).select("cik", "accession"),
        ]
    )
    rows = coverage(companies, combine_financials(companyfacts_fin, ixbrl_fin), filings)
    assert rows.height == companies.height  # one row per company of the seed
    missing = set(rows.filter("missing")["ticker"])
    assert {"ORCL", "AMD", "AVGO", "CRWV"} <= missing
    assert missing.isdisjoint({"MSFT", "GOOGL", "NVDA", "AMZN", "META", "AAPL", "IBM"})
    orcl = rows.filter(ticker="ORCL").row(0, named=True)
    assert (orcl["filings"], orcl["first_period_end"], orcl["last_period_end"]) == (0, None, None)
    amzn = rows.filter(ticker="AMZN").row(0, named=True)
    # One 10-K (FY2024, comparatives back to 2022); the newest data reaches NVIDIA's 2026-04-26 quarter, so
    # Amazon's FY2025 (ended 2025-12-31) has ended and is not held.
    assert (amzn["filings"], amzn["accessions"], amzn["last_fiscal_year"], amzn["years_not_filed"]) == (
        1,
        "0001018724-25-000004",
        2024,
        "FY2025",
    )
    msft = rows.filter(ticker="MSFT").row(0, named=True)
    assert (msft["last_fiscal_period"], msft["years_not_filed"]) == ("FY2026 Q2", None)
