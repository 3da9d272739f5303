"""Which tracked company (ticker) a published employer or company name is.

layoffs.fyi names brands ("Meta", "Google"); WARN notices name legal entities and sites ("Meta
Platforms, Inc. (1 Hacker Way)", "Google US-MTV-1900", "Amazon.com Services Inc. - DLA4 facility"),
contractors working at a client's site ("Flagship Facility Services Inc. at Meta Platforms Inc."),
and trade names ("L.A. Live Theater, LLC, DBA Microsoft Theater"). `normalize_company` reduces a name
to the employer's core name; a ticker is set only when that equals, exactly, the normalized form of
an alias in `dbt/seeds/company_aliases.csv` or of a tracked company's name in `companies.csv`.

There is no fuzzy matching (threshold: exact equality after normalization). Prefix or similarity
rules were tried on the real WARN names and would tag "Apple Bank", "Apple Gilroy, Inc.", "Meta
Company" (a 2019 AR start-up) or "Oracle Elevator" with a hyperscaler's ticker; a missed alias is
fixed by adding a seed row, a wrong ticker would silently inflate a company's layoffs.
"""

from __future__ import annotations

import html
import re

import polars as pl

from pipelines.errors import SourceFormatError

# Legal-form words: the legal name ends at the first of them ("Twitch Interactive, Inc. SFO19
# Facility" -> "twitch interactive"). "Company" is not one: "Meta Company" must not become "meta".
LEGAL_SUFFIXES = {
    "inc",
    "incorporated",
    "llc",
    "l l c",
    "corp",
    "corporation",
    "co",
    "ltd",
    "limited",
    "lp",
    "l p",
    "llp",
    "plc",
    "pllc",
    "gmbh",
    "ag",
    "sa",
    "bv",
    "nv",
    "services",
}
# Words that end the employer's name: a trade name after "dba", the client site after "at".
NAME_ENDS = re.compile(r"\s(?:d/b/a|dba|doing business as|at)\s.*$")
SITE_CODE = re.compile(r"^(?:[A-Z0-9]*\d[A-Z0-9]*|[A-Z]{2,4})$")  # "1045", "SJC11", "LAX", "US", "CL2"


def normalize_company(name: str | None) -> str | None:
    """The employer's core name, lowercase words: "Meta Platforms, Inc. (1 Hacker Way)" ->
    "meta platforms", "Google US-MTV-1900" -> "google", "Microsoft - 1045" -> "microsoft".

    Steps, each for a pattern seen in the WARN files: HTML entities; cut at " dba " / " at ";
    drop parenthesized site notes and anything after an unclosed one; cut at the first hyphen or
    dash (site: "International Business Machines-Coppell"); cut at the first legal-form word after
    the first word; drop trailing site codes (tokens with a digit, or 2-4 capitals) after the first
    word; "&" -> "and"; punctuation -> spaces.
    """
    if name is None:
        return None
    text = " " + html.unescape(name).replace("\n", " ") + " "
    text = re.sub(r"\s+", " ", text)
    text = NAME_ENDS.sub(
        " ", text.replace(" D/B/A ", " dba ").replace(" DBA ", " dba ").replace(" AT ", " at ")
    )
    text = re.sub(r"\([^)]*\)?", " ", text).split(")")[0]
    text = re.split(r"\s*[-\u2013\u2014]\s*", text.strip(), maxsplit=1)[0]
    tokens = re.findall(r"[^\W_]+|&", text.replace(".", " ").replace("'", ""))
    for i, token in enumerate(tokens[1:], start=1):
        if token.lower() in LEGAL_SUFFIXES:
            tokens = tokens[:i]
            break
    while len(tokens) > 1 and SITE_CODE.match(tokens[-1]):
        tokens.pop()
    while len(tokens) > 1 and tokens[-1].lower() in LEGAL_SUFFIXES:
        tokens.pop()
    words = " ".join(tokens).lower().replace("&", " and ")
    return re.sub(r"\s+", " ", words).strip() or None


def match_companies(events: pl.DataFrame, aliases: pl.DataFrame, companies: pl.DataFrame) -> pl.DataFrame:
    """Set `ticker` on events whose company resolves to a tracked company, NULL otherwise.

    `aliases`: the company_aliases seed (alias, ticker, note[, valid_from]); an alias with
    `valid_from` applies only to events on or after it (a subsidiary counts from its acquisition:
    VMware is Broadcom from 2023-11-22, not before). `companies`: the tracked companies seed
    (ticker, name, ...); each name is an alias too. Only tickers in `companies` are set.
    """
    tracked = companies.select(pl.col("ticker").str.strip_chars()).to_series().to_list()
    table = pl.concat(
        [
            aliases.select(
                alias=pl.col("alias"),
                ticker=pl.col("ticker").str.strip_chars(),
                valid_from=(
                    pl.col("valid_from")
                    .cast(pl.String)
                    .str.strip_chars()
                    .str.to_date("%Y-%m-%d", strict=False)
                    if "valid_from" in aliases.columns
                    else pl.lit(None, pl.Date)
                ),
            ),
            companies.select(
                alias=pl.col("name"),
                ticker=pl.col("ticker").str.strip_chars(),
                valid_from=pl.lit(None, pl.Date),
            ),
        ],
        how="vertical_relaxed",
    )
    table = table.with_columns(
        key=pl.col("alias").map_elements(normalize_company, return_dtype=pl.String)
    ).filter(pl.col("ticker").is_in(tracked) & pl.col("key").is_not_null())
    ambiguous = table.group_by("key").agg(pl.col("ticker").n_unique().alias("n")).filter(pl.col("n") > 1)
    if ambiguous.height:
        raise SourceFormatError(
            "company_aliases.csv",
            f"aliases naming two tickers after normalization: {ambiguous['key'].to_list()}",
        )
    table = table.group_by("key").agg(pl.col("ticker").first(), pl.col("valid_from").min())

    names = events.select(pl.col("company").unique()).with_columns(
        key=pl.col("company").map_elements(normalize_company, return_dtype=pl.String)
    )
    keyed = events.drop("ticker", strict=False).with_row_index("_row").join(names, on="company", how="left")
    matched = keyed.join(table, on="key", how="left").with_columns(
        ticker=pl.when(pl.col("valid_from").is_null() | (pl.col("event_date") >= pl.col("valid_from"))).then(
            "ticker"
        )
    )
    columns = events.columns if "ticker" in events.columns else [*events.columns, "ticker"]
    return matched.sort("_row").select(columns)


def match_rate(events: pl.DataFrame) -> dict:
    """How many events carry a ticker, overall and per source, and per ticker: for the run log and
    the closing report. Also lists the most frequent unmatched names whose words include a tracked
    brand, the candidates for a new alias row."""
    by_source = (
        events.group_by("source")
        .agg(events=pl.len(), matched=pl.col("ticker").is_not_null().sum())
        .sort("source")
        .with_columns(rate=pl.col("matched") / pl.col("events"))
    )
    by_ticker = events.filter(pl.col("ticker").is_not_null()).group_by("ticker").len().sort("ticker")
    brands = r"(?i)\b(google|alphabet|amazon|aws|meta platforms|facebook|microsoft|oracle|nvidia|amd|broadcom|apple inc|tesla|ibm|coreweave)\b"
    near_misses = (
        events.filter(pl.col("ticker").is_null() & pl.col("company").str.contains(brands))
        .group_by("company")
        .len()
        .sort("len", "company", descending=[True, False])
        .head(25)
    )
    total = events.height
    matched = int(events["ticker"].is_not_null().sum()) if total else 0
    return {
        "events": total,
        "matched": matched,
        "rate": matched / total if total else 0.0,
        "by_source": {
            r["source"]: {"events": r["events"], "matched": r["matched"], "rate": r["rate"]}
            for r in by_source.iter_rows(named=True)
        },
        "by_ticker": dict(by_ticker.iter_rows()),
        "unmatched_brand_names": dict(near_misses.iter_rows()),
    }
