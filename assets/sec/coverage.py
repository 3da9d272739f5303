"""What the warehouse holds per company of the seed, and what it does not (core.coverage).

A company with no filing in the landing zone has no rows anywhere downstream; a sum over a cohort that
silently skips it reads as a smaller number. core.coverage names it (`missing` TRUE), and for the others
gives the first and last period held, the filings behind them, and the fiscal years that have ended (by
the newest period any company in the data reaches) but whose 10-K is not held yet.
"""

from __future__ import annotations

import polars as pl

from assets.sec.companies import normalize_companies

COVERAGE_SCHEMA = {
    "ticker": pl.String,
    "cik": pl.String,
    "first_period_end": pl.Date,  # the end of the earliest period held (FY or quarter)
    "last_period_end": pl.Date,  # the end of the newest
    "first_fiscal_year": pl.Int32,
    "last_fiscal_year": pl.Int32,  # the last fiscal year with an FY row
    "last_fiscal_period": pl.String,  # e.g. "FY2026 Q2": the newest period held
    "filings": pl.Int64,  # distinct filings (accessions) the rows come from, plus landed documents
    "accessions": pl.String,  # those filings, newest first, comma-separated
    "missing": pl.Boolean,  # the landing zone holds no filing of this company
    "years_not_filed": pl.String,  # fiscal years ended by the data's as-of date without an FY row held
}
# A 10-K is due 60-90 days after the year end: a year ending within this many days of the as-of date is not late.
FILING_GRACE_DAYS = 90


def coverage(companies: pl.DataFrame, financials: pl.DataFrame, filings: pl.DataFrame) -> pl.DataFrame:
    """core.coverage: one row per company of `companies` (the seed). `financials` is core.financials, `filings`
    (cik, accession) one row per filing landed (companyfacts' 10-K/10-Q accessions and every 10-K/10-Q document)."""
    seed = normalize_companies(companies).select("ticker", "cik")
    held = filings.filter(pl.col("accession").is_not_null()).unique(["cik", "accession"])
    periods = financials.filter(pl.col("period_end").is_not_null())
    as_of = periods["period_end"].max()
    spans = periods.group_by("cik").agg(
        first_period_end=pl.col("period_end").min(),
        last_period_end=pl.col("period_end").max(),
        first_fiscal_year=pl.col("fiscal_year").min(),
        last_fiscal_year=pl.col("fiscal_year").filter(pl.col("fiscal_period") == "FY").max(),
        last_fiscal_period=pl.format("FY{} {}", "fiscal_year", "fiscal_period")
        .sort_by("period_end", pl.col("fiscal_period") == "FY")
        .last(),
        fy_ends=pl.col("period_end").filter(pl.col("fiscal_period") == "FY").sort(),
    )
    landed = (
        held.sort("accession", descending=True)
        .group_by("cik")
        .agg(filings=pl.len(), accessions=pl.col("accession").str.join(", "))
    )
    frame = seed.join(spans, on="cik", how="left").join(landed, on="cik", how="left")
    rows = []
    for row in frame.iter_rows(named=True):
        late = []
        if row["fy_ends"] and as_of is not None:
            year, end = row["last_fiscal_year"], row["fy_ends"][-1]
            while True:
                end = (
                    end.replace(year=end.year + 1)
                    if not (end.month == 2 and end.day == 29)
                    else end.replace(year=end.year + 1, day=28)
                )
                year += 1
                if (as_of - end).days < FILING_GRACE_DAYS:
                    break
                late.append(f"FY{year}")
        rows.append({**row, "years_not_filed": ", ".join(late) or None})
    return (
        pl.DataFrame(rows, schema_overrides={"fy_ends": pl.List(pl.Date)}, infer_schema_length=None)
        .with_columns(filings=pl.col("filings").fill_null(0), missing=pl.col("filings").fill_null(0) == 0)
        .select(list(COVERAGE_SCHEMA))
        .cast(COVERAGE_SCHEMA)
        .sort("ticker")
    )
