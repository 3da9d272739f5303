"""Segment and product-line revenue (core.segment_revenue) from the dimensional facts of 10-Ks and 10-Qs.

A segment fact is a revenue fact (concepts.SEGMENT_REVENUE_CONCEPTS) whose context carries exactly one
explicit member, on `us-gaap:StatementBusinessSegmentsAxis` or `srt:ProductOrServiceAxis` (ixbrl.py reads
them). Facts with a second member (segment x geography) are a breakdown of a breakdown and are left out.

The periods are made exactly as core.financials makes its own (financials.py: latest filing per period,
fiscal year from the company's year-end month, discrete quarters from the year-to-date chain), with one
"metric" per (axis, series): a series is a segment label, so two members the seed `ai_segments` gives the
same `segment` (a segment renamed between years) make one series, while each row keeps the member as filed.
"""

from __future__ import annotations

import re

import polars as pl

from assets.sec.companies import normalize_companies
from assets.sec.concepts import SEGMENT_REVENUE_CONCEPTS
from assets.sec.financials import PERIODS, choose_concepts, discrete_periods, latest_versions
from pipelines.config import SEEDS_DIR

SEGMENT_REVENUE_SCHEMA = {
    "ticker": pl.String,
    "cik": pl.String,
    "fiscal_year": pl.Int32,
    "fiscal_period": pl.String,
    "period_start": pl.Date,
    "period_end": pl.Date,
    "axis": pl.String,
    "member": pl.String,
    "segment": pl.String,
    "revenue_usd": pl.Float64,
    "concept": pl.String,
    "accession": pl.String,
    "filed": pl.Date,
    "ai_relevant": pl.Boolean,  # the seed ai_segments lists this (ticker, axis, member)
    "covers": pl.String,  # what the seed says the segment covers
}
_SEED_COLUMNS = ["ticker", "axis", "member", "segment", "covers", "read_in"]
_SEPARATOR = "|"  # axis|segment as the metric key of financials.discrete_periods


def read_ai_segments() -> pl.DataFrame:
    seed = pl.read_csv(SEEDS_DIR / "ai_segments.csv", infer_schema_length=0)
    missing = set(_SEED_COLUMNS) - set(seed.columns)
    if missing:
        raise ValueError(f"dbt/seeds/ai_segments.csv: missing columns {sorted(missing)}")
    return seed.select(pl.col(c).str.strip_chars() for c in _SEED_COLUMNS)


def member_label(member: str) -> str:
    """'nvda:DataCenterMember' -> 'Data Center', 'amzn:AmazonWebServicesSegmentMember' -> 'Amazon Web Services'."""
    local = member.rsplit(":", 1)[-1]
    local = re.sub(r"(?:Segments?)?Member$", "", local) or local
    local = re.sub(r"^I(?=[A-Z][a-z])", "i", local)  # Apple's IPadMember, IPhoneMember: the product names
    words = re.sub(
        r"(?<=[a-z0-9])(?<!^[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", local
    )  # iPhone stays whole
    return " ".join(words.split())


def segment_revenue(
    segment_facts: pl.DataFrame, companies: pl.DataFrame, ai_segments: pl.DataFrame | None = None
) -> pl.DataFrame:
    """core.segment_revenue (SEGMENT_REVENUE_SCHEMA) from the segment facts of any number of filings
    (ixbrl.Parsed10K.segment_facts, concatenated) for the companies in `companies`."""
    seed = normalize_companies(companies)
    ai = (read_ai_segments() if ai_segments is None else ai_segments).select(
        "ticker", "axis", "member", pl.col("segment").alias("seed_segment"), "covers"
    )
    if not segment_facts.height:
        return pl.DataFrame(schema=SEGMENT_REVENUE_SCHEMA)
    rank = pl.DataFrame(
        {"name": SEGMENT_REVENUE_CONCEPTS, "rank": list(range(len(SEGMENT_REVENUE_CONCEPTS)))},
        schema={"name": pl.String, "rank": pl.Int32},
    )
    labels = (
        segment_facts.select("member")
        .unique()
        .with_columns(label=pl.col("member").map_elements(member_label, return_dtype=pl.String))
    )
    facts = (
        segment_facts.lazy()
        .filter(pl.col("unit") == "USD", pl.col("period_start").is_not_null(), pl.col("value").is_not_null())
        .with_columns(name=pl.concat_str("taxonomy", pl.lit(":"), "concept"))
        .join(rank.lazy(), on="name")
        .join(seed.lazy().select("cik", "ticker"), on="cik")
        .join(labels.lazy(), on="member", how="left")
        .join(ai.lazy(), on=["ticker", "axis", "member"], how="left")
        .with_columns(segment=pl.coalesce("seed_segment", "label"))
        .with_columns(metric=pl.concat_str("axis", pl.lit(_SEPARATOR), "segment"))
    )
    members = facts.select(
        "cik", "metric", "accession", "member", "covers", ai_relevant=pl.col("seed_segment").is_not_null()
    ).unique(subset=["cik", "metric", "accession"], keep="first", maintain_order=True)
    # A series' filed member (and its seed row) per filing: derived quarters name the later filing's member.
    periods = choose_concepts(discrete_periods(latest_versions(facts), seed))
    period_order = pl.col("fiscal_period").replace_strict(
        PERIODS, list(range(len(PERIODS))), return_dtype=pl.Int32
    )
    return (
        # an imported document named without its accession has none (NULL): it still names its member
        periods.join(members, on=["cik", "metric", "accession"], how="left", nulls_equal=True)
        .with_columns(
            axis=pl.col("metric").str.split(_SEPARATOR).list.first(),
            segment=pl.col("metric").str.splitn(_SEPARATOR, 2).struct.field("field_1"),
        )
        .select(
            "ticker",
            "cik",
            "fiscal_year",
            "fiscal_period",
            "period_start",
            "period_end",
            "axis",
            "member",
            "segment",
            pl.col("value").alias("revenue_usd"),
            pl.col("name").alias("concept"),
            "accession",
            "filed",
            pl.col("ai_relevant").fill_null(False),
            "covers",
        )
        .collect()
        .cast(SEGMENT_REVENUE_SCHEMA)
        .sort("ticker", "axis", "segment", "fiscal_year", period_order)
    )
