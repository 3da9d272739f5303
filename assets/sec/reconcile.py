"""One core.financials from two independent routes to the same filings: companyfacts and inline XBRL.

Companyfacts is the primary source (every 10-K and 10-Q, so quarters too). The 10-K documents fill
companies and periods companyfacts lacks (Amazon and Meta have no companyfacts in the snapshot) and
give the headcount. Where both routes give a value for the same period and concept they must agree;
`disagreements` lists where they do not, for a blocking check.
"""

from __future__ import annotations

import polars as pl

from assets.sec.concepts import METRICS
from assets.sec.financials import FINANCIALS_SCHEMA, PERIODS

KEYS = ["ticker", "fiscal_year", "fiscal_period"]
DISAGREEMENT_SCHEMA = {
    "ticker": pl.String,
    "fiscal_year": pl.Int32,
    "fiscal_period": pl.String,
    "metric": pl.String,
    "concept": pl.String,
    "companyfacts_value": pl.Float64,
    "ixbrl_value": pl.Float64,
    "companyfacts_accession": pl.String,
    "ixbrl_accession": pl.String,
}


def combine_financials(companyfacts_fin: pl.DataFrame, ixbrl_fin: pl.DataFrame) -> pl.DataFrame:
    """core.financials: every companyfacts row, the iXBRL rows of (ticker, year, period) companyfacts lacks,
    and `employees` (with its sentence) from the 10-K of each fiscal year."""
    added = ixbrl_fin.join(companyfacts_fin.select(KEYS), on=KEYS, how="anti")
    headcounts = ixbrl_fin.filter(pl.col("fiscal_period") == "FY", pl.col("employees").is_not_null()).select(
        *KEYS, pl.col("employees").alias("_employees"), pl.col("employees_sentence").alias("_sentence")
    )
    period_order = pl.col("fiscal_period").replace_strict(
        PERIODS, list(range(len(PERIODS))), return_dtype=pl.Int32
    )
    return (
        pl.concat([companyfacts_fin.select(list(FINANCIALS_SCHEMA)), added.select(list(FINANCIALS_SCHEMA))])
        .join(headcounts, on=KEYS, how="left")
        .with_columns(
            employees=pl.coalesce("_employees", "employees"),
            employees_sentence=pl.coalesce("_sentence", "employees_sentence"),
        )
        .select(list(FINANCIALS_SCHEMA))
        .cast(FINANCIALS_SCHEMA)
        .sort("ticker", "fiscal_year", period_order)
    )


def _metric_values(fin: pl.DataFrame) -> pl.DataFrame:
    """Long form: one row per (row, metric) with the concept the value came from."""
    return pl.concat(
        [
            fin.select(
                *KEYS,
                "cik",
                "period_start",
                "period_end",
                "accession",
                pl.lit(metric).alias("metric"),
                pl.col("concepts").str.json_path_match(f"$.{metric}").alias("concept"),
                pl.col(metric).alias("value"),
            ).filter(pl.col("value").is_not_null())
            for metric in METRICS
        ]
    )


def disagreements(
    companyfacts_fin: pl.DataFrame, ixbrl_fin: pl.DataFrame, companyfacts_facts: pl.DataFrame | None = None
) -> pl.DataFrame:
    """(ticker, fiscal_year, fiscal_period, metric, concept, both values, both accessions) wherever both routes
    have the same metric from the same concept for the same period and the values differ.

    With `companyfacts_facts` (the tidy facts), an iXBRL value is compared with the companyfacts version reported
    in the same filing when companyfacts has it: a later 10-K that restated the figure is then not mistaken for
    a disagreement between the two parsers of one filing.
    """
    ix = _metric_values(ixbrl_fin)
    cf = _metric_values(companyfacts_fin).select(*KEYS, "metric", "concept", "value", "accession")
    pairs = ix.join(cf, on=[*KEYS, "metric", "concept"], suffix="_cf")
    if companyfacts_facts is not None and pairs.height:
        same_filing = (
            companyfacts_facts.filter(pl.col("unit") == "USD", pl.col("accession").is_not_null())
            .select(
                "cik",
                "period_start",
                "period_end",
                "accession",
                pl.concat_str("taxonomy", pl.lit(":"), "concept").alias("concept"),
                pl.col("value").alias("value_same_filing"),
            )
            .unique(subset=["cik", "concept", "period_start", "period_end", "accession"], keep="last")
        )
        pairs = pairs.join(
            same_filing, on=["cik", "concept", "period_start", "period_end", "accession"], how="left"
        ).with_columns(
            value_cf=pl.coalesce("value_same_filing", "value_cf"),
            accession_cf=pl.when(pl.col("value_same_filing").is_not_null())
            .then("accession")
            .otherwise("accession_cf"),
        )
    return (
        pairs.filter(pl.col("value") != pl.col("value_cf"))
        .select(
            *KEYS,
            "metric",
            "concept",
            pl.col("value_cf").alias("companyfacts_value"),
            pl.col("value").alias("ixbrl_value"),
            pl.col("accession_cf").alias("companyfacts_accession"),
            pl.col("accession").alias("ixbrl_accession"),
        )
        .cast(DISAGREEMENT_SCHEMA)
        .sort(KEYS)
    )
