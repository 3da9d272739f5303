"""The company universe: dbt/seeds/companies.csv (ticker, cik, name, cohort, fiscal_year_end_month, note).

Adding a company is one seed row; live mode then fetches it, and offline a company with no landed
data is skipped with a warning. CIKs come from SEC's company_tickers.json.
"""

from __future__ import annotations

import json

import polars as pl

from pipelines.config import SEEDS_DIR
from pipelines.errors import SourceFormatError
from pipelines.parsed import gunzipped


def normalize_companies(companies: pl.DataFrame) -> pl.DataFrame:
    """The seed as typed: CIK a 10-digit zero-padded string (spreadsheets drop the zeros), the
    fiscal-year-end month an integer or NULL (then inferred from the filings)."""
    month = (
        pl.col("fiscal_year_end_month").cast(pl.String).str.strip_chars().cast(pl.Int32, strict=False)
        if "fiscal_year_end_month" in companies.columns
        else pl.lit(None, pl.Int32)
    )
    return companies.with_columns(
        pl.col("ticker").cast(pl.String).str.strip_chars(),
        pl.col("cik").cast(pl.String).str.strip_chars().str.zfill(10),
        month.alias("fiscal_year_end_month"),
    )


def read_companies() -> pl.DataFrame:
    return normalize_companies(pl.read_csv(SEEDS_DIR / "companies.csv", infer_schema_length=0))


def parse_company_tickers(raw: bytes, origin: str) -> pl.DataFrame:
    """SEC's https://www.sec.gov/files/company_tickers.json ({"0": {"cik_str", "ticker", "title"}, ...}) as
    (ticker, cik, name), CIK zero-padded. A CIK has several tickers (GOOGL and GOOG), listed in SEC's order."""
    try:
        doc = json.loads(gunzipped(raw, origin))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise SourceFormatError(origin, f"not a company_tickers JSON ({e})") from e
    entries = list(doc.values()) if isinstance(doc, dict) else doc if isinstance(doc, list) else None
    if not entries or not all(
        isinstance(e, dict)
        and {"cik_str", "ticker"} <= e.keys()
        and isinstance(e.get("title"), (str, type(None)))
        for e in entries
    ):
        raise SourceFormatError(
            origin, "not a company_tickers JSON: expected entries with cik_str and ticker (title as text)"
        )
    return pl.DataFrame(
        {
            "ticker": [str(e["ticker"]) for e in entries],
            "cik": [str(e["cik_str"]).zfill(10) for e in entries],
            "name": [e.get("title") for e in entries],
        },
        schema={"ticker": pl.String, "cik": pl.String, "name": pl.String},
    )


def with_unlisted_companies(
    companies: pl.DataFrame, ciks: list[str], company_tickers: pl.DataFrame | None
) -> pl.DataFrame:
    """The seed plus a row for every CIK found in the data but absent from the seed (a filing imported for a
    company nobody added yet), named by its first ticker in company_tickers.json, else "CIK##########".
    Its fiscal-year-end month is left NULL: financials.py infers it from the 10-K periods."""
    seed = normalize_companies(companies)
    missing = sorted(set(ciks) - set(seed["cik"].to_list()))
    if not missing:
        return seed
    found = pl.DataFrame({"cik": missing}, schema={"cik": pl.String})
    if company_tickers is not None and company_tickers.height:
        found = found.join(
            company_tickers.unique("cik", keep="first", maintain_order=True), on="cik", how="left"
        )
    else:
        found = found.with_columns(ticker=pl.lit(None, pl.String), name=pl.lit(None, pl.String))
    added = found.select(
        pl.coalesce("ticker", pl.concat_str(pl.lit("CIK"), "cik")).alias("ticker"),
        "cik",
        "name",
        pl.lit(None, pl.String).alias("cohort"),
        pl.lit(None, pl.Int32).alias("fiscal_year_end_month"),
        pl.lit("not in the seed: found in an imported or landed filing").alias("note"),
    )
    return pl.concat([seed, added], how="diagonal_relaxed")
