"""Import kinds of the SEC source. Each `identify` runs the real parser on the whole body, so a truncated
or foreign file is refused before anything is stored.

A companyfacts body holds every fact the company ever filed, so the newest body per CIK replaces the
last (history=False). A 10-K is one filing: its entity names the CIK and the fiscal year end it covers,
so each year's 10-K is kept beside the others.
"""

from __future__ import annotations

import re
import warnings

import polars as pl

from assets.sec.companies import parse_company_tickers
from assets.sec.companyfacts import parse_companyfacts
from assets.sec.financials import financials_from_facts
from assets.sec.ixbrl import parse_10k, parse_10q
from assets.sec.live import filings, latest_10k, load_submissions
from pipelines.errors import SourceFormatError
from pipelines.kinds import Identified, Kind


def _millions(value: float | None) -> str:
    return "n/a" if value is None else f"{value / 1e6:,.0f} $M"


def _latest_year(facts: pl.DataFrame, cik: str) -> str:
    """'FY2025 capex 64,551 $M, revenue 281,724 $M' for the newest fiscal year the facts give."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a missing capex tag is reported in the summary instead
        fin = financials_from_facts(facts, pl.DataFrame({"ticker": [cik], "cik": [cik]}), source="import")
    years = fin.filter(pl.col("fiscal_period") == "FY").sort("fiscal_year")
    if not years.height:
        return "no fiscal-year capex or revenue facts"
    row = years.row(-1, named=True)
    capex = _millions(row["capex_usd"]) if row["capex_usd"] is not None else "NULL (no capex tag)"
    return f"FY{row['fiscal_year']} capex {capex}, revenue {_millions(row['revenue_usd'])}"


def identify_companyfacts(raw: bytes, origin: str) -> Identified:
    facts = parse_companyfacts(raw, origin)
    if not facts.height:
        raise SourceFormatError(origin, "a companyfacts body with no facts in it")
    cik, name = facts["cik"][0], facts["entity_name"][0]
    newest = facts.filter(pl.col("form").is_in(["10-K", "10-Q", "10-K/A", "10-Q/A"]))["filed"].max()
    return Identified(
        entity=f"CIK{cik}",
        summary=f"{name} (CIK {cik}) companyfacts: {facts.height:,} facts, newest 10-K/10-Q filed {newest}; "
        f"{_latest_year(facts, cik)}",
    )


def identify_10k(raw: bytes, origin: str) -> Identified:
    tenk = parse_10k(raw, origin)
    employees = f"{tenk.employees:,} employees" if tenk.employees is not None else "no headcount stated"
    figures = (
        _latest_year(tenk.facts, tenk.cik) if tenk.facts.height else "no financial facts in this document"
    )
    return Identified(
        entity=f"CIK{tenk.cik}-10K-{tenk.fiscal_period_end.isoformat()}",
        summary=f"{tenk.company_name} {tenk.form} for the fiscal year ended {tenk.fiscal_period_end}: "
        f"{tenk.facts.height:,} facts; {figures}; {employees}",
    )


def identify_10q(raw: bytes, origin: str) -> Identified:
    tenq = parse_10q(raw, origin)
    segments = tenq.segment_facts.filter(pl.col("period_end") == tenq.fiscal_period_end)["member"].n_unique()
    return Identified(
        entity=f"CIK{tenq.cik}-10Q-{tenq.fiscal_period_end.isoformat()}",
        summary=f"{tenq.company_name} {tenq.form} for the quarter ended {tenq.fiscal_period_end}: "
        f"{tenq.facts.height:,} facts, {segments} segment or product members with revenue for the quarter",
    )


def identify_submissions(raw: bytes, origin: str) -> Identified:
    listed = filings(raw, origin)
    cik = str(load_submissions(raw, origin).get("cik") or "").strip()
    if not cik.isdigit():
        # An older page (CIK##########-submissions-001.json) has only the filing columns: its name says whose.
        page = re.search(r"CIK(\d{10})-submissions-(\d+)", origin)
        if not page:
            raise SourceFormatError(
                origin, "no cik in this submissions body, and not named like an older page"
            )
        entity = f"CIK{page.group(1)}-submissions-{page.group(2)}"
        return Identified(entity=entity, summary=f"EDGAR submissions, older page: {listed.height:,} filings")
    filing = latest_10k(raw, origin)
    newest = (
        f"newest 10-K {filing.accession} for {filing.period_end}" if filing else "no inline-XBRL 10-K listed"
    )
    return Identified(
        entity=f"CIK{cik.zfill(10)}", summary=f"EDGAR submissions: {listed.height:,} filings, {newest}"
    )


def identify_company_tickers(raw: bytes, origin: str) -> Identified:
    tickers = parse_company_tickers(raw, origin)
    return Identified(
        entity="company_tickers",
        summary=f"SEC ticker map: {tickers.height:,} tickers, {tickers['cik'].n_unique():,} companies",
    )


KINDS = [
    Kind(
        name="sec-companyfacts",
        source="sec",
        description="data.sec.gov/api/xbrl/companyfacts/CIK##########.json body (optionally gzipped)",
        identify=identify_companyfacts,
    ),
    Kind(
        name="sec-10k",
        source="sec",
        description="a 10-K primary document with inline XBRL (.htm)",
        identify=identify_10k,
    ),
    Kind(
        name="sec-10q",
        source="sec",
        description="a 10-Q primary document with inline XBRL (.htm): adds its quarter to core.financials and "
        "core.segment_revenue",
        identify=identify_10q,
    ),
    Kind(
        name="sec-submissions",
        source="sec",
        description="data.sec.gov/submissions/CIK##########.json (live mode: finds the newest 10-K)",
        identify=identify_submissions,
    ),
    Kind(
        name="sec-company-tickers",
        source="sec",
        description="www.sec.gov/files/company_tickers.json (names companies found in filings but not in the seed)",
        identify=identify_company_tickers,
    ),
]
