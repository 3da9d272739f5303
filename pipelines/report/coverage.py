"""What the report stands on: which companies and filings are in, which are missing, and when each source was
captured. Gaps are listed, never drawn as zero."""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines.report.headline import accession_ciks, filing_url
from pipelines.report.page import MISSING, count, html_table, not_built, read_table


def coverage_section(con: duckdb.DuckDBPyConnection) -> str:
    parts = []
    coverage = read_table(con, "bi.coverage")
    companies = read_table(con, "bi.tracked_companies")
    if coverage is not None:
        if companies is not None:
            coverage = coverage.join(companies.select("ticker", "name", "cohort"), on="ticker", how="left")
        rows = [
            {
                "company": r["ticker"],
                "name": r.get("name") or MISSING,
                "cohort": r.get("cohort") or MISSING,
                "first period end": r["first_period_end"],
                "last period end": r["last_period_end"],
                "filings": r["filings"],
                "in the landing zone": "missing" if r["missing"] else "yes",
            }
            for r in coverage.sort("ticker").iter_rows(named=True)
        ]
        missing = coverage.filter(pl.col("missing"))["ticker"].to_list()
        parts.append(
            f"<p class='note'>Companies of the seed and the filings behind them (bi.coverage). Missing: "
            f"{', '.join(missing) or 'none'}.</p>" + html_table(rows, formats={"filings": count})
        )
    else:
        parts.append(not_built("bi.coverage", "Per-company filing coverage"))

    filings = read_table(con, "bi.financials")
    if filings is not None and filings.height:
        ciks = accession_ciks(con)
        latest = (
            filings.filter(pl.col("fiscal_period") == "FY")
            .sort("period_end")
            .group_by("ticker")
            .last()
            .sort("ticker")
        )
        rows = [
            {
                "company": r["ticker"],
                "fiscal year": f"FY{r['fiscal_year']}",
                "period end": r["period_end"],
                "filing": f'<a href="{filing_url(r["accession"], ciks, r["ticker"])}">{r["accession"]}</a>'
                if r["accession"]
                else MISSING,
                "filed": r["filed"],
                "source": r["source"],
            }
            for r in latest.iter_rows(named=True)
        ]
        parts.append(
            "<p class='note'>Latest annual filing per company (links open the filing on sec.gov):</p>"
            + html_table(rows, formats={"filing": str})
        )

    captures = read_table(con, "bi.source_captures")
    if captures is not None and captures.height:
        sources = captures.select("kind", "bodies", "first_as_of", "latest_as_of", "via").sort("kind")
        parts.append(
            "<p class='note'>Captured bodies each source was built from (bi.source_captures):</p>"
            + html_table(sources.to_dicts(), formats={"bodies": count})
        )
    return "".join(parts)
