"""Tidy XBRL facts to core.financials: one row per (ticker, fiscal year, FY|Q1..Q4), plus the history.

Rules, and where they come from:
- Only 10-K/10-Q (and /A amendments) facts in USD with a duration. A period is repeated by every later
  filing that shows it as a comparative; the latest filed version wins (it carries restatements).
  Never dedupe by companyfacts' `frame`: Microsoft's FY2022 facts have none (PROVENANCE §6).
- The fiscal year is the company's own label, the calendar year its fiscal year ends in, taken from the
  period end and the company's fiscal-year-end month (seed `companies.fiscal_year_end_month`), not from
  the filing's `fy` (which describes the filing: a FY2025 10-K carries FY2023 comparatives).
  52/53-week years end up to a week either side of the month end (NVIDIA's FY2026 ended 2026-01-25,
  Broadcom's can end on 3 November), so dates are read a week early before taking their month.
- 10-Q cash-flow facts are year-to-date. Discrete quarters come from the year-to-date chain
  (Q2 = H1 - Q1, Q3 = 9M - H1, Q4 = FY - 9M), so Q1+Q2+Q3+Q4 = FY exactly; a quarter reported only
  as three months (income statements) fills a gap in the chain. A quarter that cannot be made discrete
  is left out rather than published year-to-date.
- Concepts per metric in concepts.py, chosen per company and fiscal year (see there).
"""

from __future__ import annotations

import warnings
from datetime import timedelta

import polars as pl

from assets.sec.companies import normalize_companies
from assets.sec.concepts import METRIC_CONCEPTS, METRICS

FORMS = ["10-K", "10-K/A", "10-Q", "10-Q/A"]
PERIODS = ["FY", "Q1", "Q2", "Q3", "Q4"]
QUARTER_DAYS = 365.25 / 4
# A 14-week quarter is 98 days and a 53-week year 371: within two weeks of the nominal length.
SPAN_TOLERANCE_DAYS = 14
WEEK = timedelta(days=7)

# core.financials: the contract columns first, then the extras (what the marts read, and traceability).
FINANCIALS_SCHEMA = {
    "ticker": pl.String,
    "cik": pl.String,
    "fiscal_year": pl.Int32,
    "fiscal_period": pl.String,
    "period_start": pl.Date,
    "period_end": pl.Date,
    "capex_usd": pl.Float64,
    "revenue_usd": pl.Float64,
    "operating_cash_flow_usd": pl.Float64,
    "depreciation_usd": pl.Float64,
    "finance_lease_additions_usd": pl.Float64,
    "employees": pl.Int64,
    "accession": pl.String,
    "filed": pl.Date,
    "source": pl.String,
    "research_development_usd": pl.Float64,
    "operating_income_usd": pl.Float64,
    "net_income_usd": pl.Float64,
    "stock_based_compensation_usd": pl.Float64,
    "finance_lease_principal_payments_usd": pl.Float64,
    "proceeds_from_property_sales_usd": pl.Float64,
    "employees_sentence": pl.String,  # the 10-K sentence the headcount was read from
    "capex_concept": pl.String,  # the tag capex came from, e.g. us-gaap:PaymentsToAcquireProductiveAssets
    "concepts": pl.String,  # JSON {metric: "taxonomy:Concept"} for every metric of the row
}

HISTORY_SCHEMA = {
    "cik": pl.String,
    "metric": pl.String,
    "taxonomy": pl.String,
    "concept": pl.String,
    "unit": pl.String,
    "period_start": pl.Date,
    "period_end": pl.Date,
    "value": pl.Float64,  # this version's value
    "accession": pl.String,
    "form": pl.String,
    "filed": pl.Date,
    "version": pl.Int32,  # 1 = as first reported
    "versions": pl.Int32,  # how many filings reported this fact
    "is_latest": pl.Boolean,
    "first_value": pl.Float64,
    "first_accession": pl.String,
    "first_filed": pl.Date,
    "latest_value": pl.Float64,
    "latest_accession": pl.String,
    "latest_filed": pl.Date,
    "restated": pl.Boolean,  # the latest value differs from the first one
}

_CONCEPT_RANK = pl.DataFrame(
    [
        {"metric": metric, "name": name, "rank": rank}
        for metric, names in METRIC_CONCEPTS.items()
        for rank, name in enumerate(names)
    ],
    schema={"metric": pl.String, "name": pl.String, "rank": pl.Int32},
)
_FACT_KEY = ["cik", "taxonomy", "concept", "unit", "period_start", "period_end"]


def mapped_facts(facts: pl.DataFrame) -> pl.LazyFrame:
    """The facts the concept map uses, from 10-K/10-Q filings, in USD, with a duration, tagged with their metric."""
    return (
        facts.lazy()
        .with_columns(name=pl.concat_str("taxonomy", pl.lit(":"), "concept"))
        .filter(
            pl.col("unit") == "USD",
            pl.col("form").is_in(FORMS),
            pl.col("period_start").is_not_null(),
            pl.col("value").is_not_null(),
        )
        .join(_CONCEPT_RANK.lazy(), on="name")
    )


def latest_versions(facts: pl.LazyFrame) -> pl.LazyFrame:
    """One row per fact and metric: the version of the latest filing (the newest 10-K/10-Q showing that period)."""
    return (
        facts.sort("filed", "fiscal_year_of_filing", "accession", nulls_last=False)
        .group_by(["metric", *_FACT_KEY], maintain_order=True)
        .last()
    )


def infer_fiscal_year_end_month(facts: pl.LazyFrame) -> pl.LazyFrame:
    """(cik, month) from the year-long periods of 10-K filings, for companies the seed gives no month."""
    return (
        facts.filter(
            pl.col("form").str.starts_with("10-K"),
            ((pl.col("period_end") - pl.col("period_start")).dt.total_days() + 1).is_between(350, 380),
        )
        .group_by("cik")
        .agg(inferred_month=(pl.col("period_end") - WEEK).dt.month().mode().first().cast(pl.Int32))
    )


def _fiscal_positions(month: pl.Expr) -> list[pl.Expr]:
    """fiscal_year, the fiscal quarter a period ends in and starts in, and how many quarters it spans."""
    end = pl.col("period_end") - WEEK  # 52/53-week years end up to a week past the month
    start = pl.col("period_start") + WEEK  # ... and start up to a week before it
    end_month = (
        end.dt.month().cast(pl.Int32) - month - 1 + 12
    ) % 12 + 1  # 1 = first month of the fiscal year
    start_month = (start.dt.month().cast(pl.Int32) - month - 1 + 12) % 12 + 1
    days = (pl.col("period_end") - pl.col("period_start")).dt.total_days() + 1
    span = (days / QUARTER_DAYS).round().cast(pl.Int32)
    return [
        (end.dt.year().cast(pl.Int32) + (end.dt.month().cast(pl.Int32) > month).cast(pl.Int32)).alias(
            "fiscal_year"
        ),
        pl.when(end_month % 3 == 0).then(end_month // 3).alias("end_q"),
        pl.when(start_month % 3 == 1).then((start_month - 1) // 3 + 1).alias("start_q"),
        pl.when((days - span * QUARTER_DAYS).abs() <= SPAN_TOLERANCE_DAYS).then(span).alias("span"),
    ]


def _value(slot: str) -> pl.Expr:
    return pl.col(slot).struct.field("value")


def _later(a: str, b: str) -> pl.Expr:
    """Of two (value, start, end, accession, filed) structs, the one filed later (either when one is NULL)."""
    return (
        pl.when(
            pl.col(b).struct.field("filed").is_null()
            | (pl.col(a).struct.field("filed") >= pl.col(b).struct.field("filed"))
        )
        .then(pl.col(a))
        .otherwise(pl.col(b))
    )


def discrete_periods(facts: pl.LazyFrame, companies: pl.DataFrame) -> pl.LazyFrame:
    """Per (cik, metric, concept, fiscal year): the FY value and discrete Q1..Q4, long form.

    `facts` are latest versions with their metric. Year-to-date facts (starting the fiscal year) give the
    cumulative chain C1..C4; three-month facts give D1..D4 and fill the chain where a cumulative is missing.
    """
    months = (
        normalize_companies(companies).lazy().join(infer_fiscal_year_end_month(facts), on="cik", how="left")
    )
    positioned = (
        facts.join(months, on="cik")
        .with_columns(month=pl.coalesce("fiscal_year_end_month", "inferred_month"))
        .filter(pl.col("month").is_between(1, 12))
        .with_columns(_fiscal_positions(pl.col("month")))
        .filter(pl.col("span").is_not_null(), pl.col("end_q").is_not_null(), pl.col("start_q").is_not_null())
        .filter(pl.col("end_q") - pl.col("start_q") + 1 == pl.col("span"))
        .with_columns(
            fact=pl.struct(
                value="value", start="period_start", end="period_end", accession="accession", filed="filed"
            )
        )
    )
    keys = ["ticker", "cik", "metric", "name", "rank", "fiscal_year"]
    # When two facts land on the same slot (a re-cut period in an amendment), the later filing wins.
    cumulative = (
        positioned.filter(pl.col("start_q") == 1)
        .sort("filed", "accession")
        .group_by([*keys, "end_q"])
        .agg(pl.col("fact").last())
        .with_columns(slot=pl.format("c{}", "end_q"))
    )
    three_months = (
        positioned.filter(pl.col("span") == 1)
        .sort("filed", "accession")
        .group_by([*keys, "end_q"])
        .agg(pl.col("fact").last())
        .with_columns(slot=pl.format("d{}", "end_q"))
    )
    slots = [f"{kind}{k}" for kind in "cd" for k in range(1, 5)]
    wide = pl.concat([cumulative, three_months]).collect().pivot(on="slot", index=keys, values="fact")
    fact_type = positioned.collect_schema()["fact"]
    wide = wide.with_columns(pl.lit(None, fact_type).alias(s) for s in slots if s not in wide.columns).lazy()

    # The chain: C1 = Q1; Ck = reported year-to-date, else C(k-1) + the three months ending at k.
    chain = [pl.coalesce("c1", "d1").alias("k1")]
    for k in (2, 3):
        summed = pl.struct(
            value=_value(f"k{k - 1}") + _value(f"d{k}"),
            start=pl.col(f"k{k - 1}").struct.field("start"),
            end=pl.col(f"d{k}").struct.field("end"),
            accession=_later(f"k{k - 1}", f"d{k}").struct.field("accession"),
            filed=_later(f"k{k - 1}", f"d{k}").struct.field("filed"),
        )
        chain.append(
            pl.when(pl.col(f"c{k}").is_not_null()).then(pl.col(f"c{k}")).otherwise(summed).alias(f"k{k}")
        )
    chain.append(pl.col("c4").alias("k4"))
    for expr in chain:
        wide = wide.with_columns(expr)

    periods = [wide.select(*keys, pl.lit("FY").alias("fiscal_period"), pl.col("k4").alias("fact"))]
    periods.append(wide.select(*keys, pl.lit("Q1").alias("fiscal_period"), pl.col("k1").alias("fact")))
    for k in (2, 3, 4):
        difference = pl.struct(
            value=_value(f"k{k}") - _value(f"k{k - 1}"),
            start=pl.col(f"k{k - 1}").struct.field("end") + timedelta(days=1),
            end=pl.col(f"k{k}").struct.field("end"),
            accession=_later(f"k{k}", f"k{k - 1}").struct.field("accession"),
            filed=_later(f"k{k}", f"k{k - 1}").struct.field("filed"),
        )
        both = _value(f"k{k}").is_not_null() & _value(f"k{k - 1}").is_not_null()
        quarter = pl.when(both).then(difference).otherwise(pl.col(f"d{k}"))
        periods.append(wide.select(*keys, pl.lit(f"Q{k}").alias("fiscal_period"), quarter.alias("fact")))
    return (
        pl.concat(periods)
        .filter(pl.col("fact").struct.field("value").is_not_null())
        .unnest("fact")
        .rename({"start": "period_start", "end": "period_end"})
    )


def choose_concepts(periods: pl.LazyFrame) -> pl.LazyFrame:
    """One concept per (company, fiscal year, period, metric): the year's concept (the first in the metric's
    list that has the FY value, else the first with any value), else the first concept that has the period."""
    year_rank = periods.group_by("cik", "fiscal_year", "metric").agg(
        year_rank=pl.coalesce(
            pl.col("rank").filter(pl.col("fiscal_period") == "FY").min(), pl.col("rank").min()
        )
    )
    return (
        periods.join(year_rank, on=["cik", "fiscal_year", "metric"])
        .sort(pl.col("rank") != pl.col("year_rank"), "rank")
        .group_by("cik", "fiscal_year", "fiscal_period", "metric", maintain_order=True)
        .first()
    )


def financials_from_facts(
    facts: pl.DataFrame, companies: pl.DataFrame, source: str = "companyfacts"
) -> pl.DataFrame:
    """core.financials rows (FINANCIALS_SCHEMA) for the companies of the seed found in `facts`.

    `facts`: tidy facts (companyfacts.FACT_SCHEMA) of any number of companies and bodies; `companies`: the
    seed (ticker, cik, fiscal_year_end_month; a missing month is inferred from the 10-K periods).
    `source` is written to every row ('companyfacts' or 'ixbrl'). `employees` is NULL here (10-K text).
    """
    seed = normalize_companies(companies)
    mapped = latest_versions(mapped_facts(facts)).join(seed.lazy().select("cik", "ticker"), on="cik")
    chosen = choose_concepts(discrete_periods(mapped, seed)).collect()
    for cik in facts["cik"].unique().to_list() if facts.height else []:
        if (
            cik in seed["cik"].to_list()
            and not chosen.filter(pl.col("cik") == cik, pl.col("metric") == "capex_usd").height
        ):
            ticker = seed.filter(pl.col("cik") == cik)["ticker"][0]
            warnings.warn(
                f"{ticker} {source}: no capex among {METRIC_CONCEPTS['capex_usd']}; capex_usd is NULL",
                stacklevel=2,
            )
    if not chosen.height:
        return pl.DataFrame(schema=FINANCIALS_SCHEMA)
    keys = ["ticker", "cik", "fiscal_year", "fiscal_period"]
    metric_order = pl.col("metric").replace_strict(METRICS, list(range(len(METRICS))), return_dtype=pl.Int32)
    # Row-level period and filing: the period of the first metric in METRICS order (capex, then revenue ...)
    # and the latest filing any of the row's values was taken from.
    row_info = (
        chosen.sort(metric_order)
        .group_by(keys, maintain_order=True)
        .agg(
            pl.col("period_start").first(),
            pl.col("period_end").first(),
            pl.col("accession").sort_by("filed", nulls_last=False).last(),
            pl.col("filed").max(),
            pl.concat_str(pl.lit('"'), "metric", pl.lit('": "'), "name", pl.lit('"'))
            .str.join(", ")
            .alias("concepts"),
        )
        .with_columns(concepts=pl.concat_str(pl.lit("{"), "concepts", pl.lit("}")))
    )
    values = chosen.pivot(on="metric", index=keys, values="value")
    capex_concept = chosen.filter(pl.col("metric") == "capex_usd").select(*keys, capex_concept="name")
    frame = (
        row_info.join(values, on=keys)
        .join(capex_concept, on=keys, how="left")
        .with_columns(
            pl.lit(None, pl.Int64).alias("employees"),
            pl.lit(None, pl.String).alias("employees_sentence"),
            pl.lit(source).alias("source"),
        )
    )
    for column, dtype in FINANCIALS_SCHEMA.items():
        if column not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype).alias(column))
    period_order = pl.col("fiscal_period").replace_strict(
        PERIODS, list(range(len(PERIODS))), return_dtype=pl.Int32
    )
    return (
        frame.select(list(FINANCIALS_SCHEMA))
        .cast(FINANCIALS_SCHEMA)
        .sort("ticker", "fiscal_year", period_order)
    )


def facts_history(facts: pl.DataFrame) -> pl.DataFrame:
    """core.financial_facts_history: every version of every fact the concept map uses, one row per filing that
    reported it, with the value as first reported and as latest reported (and their accessions).

    Pass the facts of several captures of the same company (e.g. an earlier companyfacts body and the current
    one) and the same filing's version is counted once; a later filing then shows up as the latest version.
    """
    versions = (
        mapped_facts(facts)
        .sort("filed", "fiscal_year_of_filing", "accession", nulls_last=False)
        # one filing read twice (two captures, or companyfacts and its 10-K) is one version: the dated copy
        .unique(subset=["metric", *_FACT_KEY, "accession"], keep="last", maintain_order=True)
    )
    fact = ["metric", *_FACT_KEY]
    return (
        versions.with_columns(
            version=pl.int_range(1, pl.len() + 1).over(fact).cast(pl.Int32),
            versions=pl.len().over(fact).cast(pl.Int32),
            first_value=pl.col("value").first().over(fact),
            first_accession=pl.col("accession").first().over(fact),
            first_filed=pl.col("filed").first().over(fact),
            latest_value=pl.col("value").last().over(fact),
            latest_accession=pl.col("accession").last().over(fact),
            latest_filed=pl.col("filed").last().over(fact),
        )
        .with_columns(
            is_latest=pl.col("version") == pl.col("versions"),
            restated=pl.col("latest_value") != pl.col("first_value"),
        )
        .select(list(HISTORY_SCHEMA))
        .sort("cik", "metric", "period_end", "period_start", "version")
        .collect()
        .cast(HISTORY_SCHEMA)
    )


def financials_from_10ks(
    facts: pl.DataFrame, documents: pl.DataFrame, companies: pl.DataFrame
) -> pl.DataFrame:
    """core.financials rows from 10-K documents (source 'ixbrl'): `facts` are their tidy facts, `documents` one
    row per 10-K (ixbrl.DOCUMENT_SCHEMA). Each 10-K's headcount goes on the FY row of its own fiscal year
    (comparative years carry none). A 10-K with no financial facts (IBM puts its statements in an exhibit)
    still gives its FY row, so the headcount it states, or its NULL, is kept."""
    seed = normalize_companies(companies)
    fin = (
        financials_from_facts(facts, companies, source="ixbrl")
        if facts.height
        else pl.DataFrame(schema=FINANCIALS_SCHEMA)
    )
    own_years = (
        documents.lazy()
        .filter(
            pl.col("form").str.starts_with("10-K")
        )  # a 10-Q is no fiscal year's report and states no headcount
        # A 10-K's period end is its fiscal year end: the fiscal year is the year that (week-early) date falls in.
        .with_columns(fiscal_year=(pl.col("fiscal_period_end") - WEEK).dt.year().cast(pl.Int32))
        .join(seed.lazy().select("cik", "ticker"), on="cik")
        # an amendment (10-K/A) rarely repeats Item 1: the filing that states a headcount wins, then the latest
        .sort(pl.col("employees").is_not_null(), "accession", nulls_last=False)
        .group_by("cik", "fiscal_year")
        .last()
        .collect()
    )
    keys = ["ticker", "cik", "fiscal_year", "fiscal_period"]
    headcounts = own_years.select(
        "ticker", "cik", "fiscal_year", pl.lit("FY").alias("fiscal_period"), "employees", "employees_sentence"
    )
    with_headcount = fin.drop("employees", "employees_sentence").join(headcounts, on=keys, how="left")
    missing_years = own_years.join(
        fin.filter(pl.col("fiscal_period") == "FY"), on=["ticker", "cik", "fiscal_year"], how="anti"
    )
    bare_rows = missing_years.select(
        "ticker",
        "cik",
        "fiscal_year",
        pl.lit("FY").alias("fiscal_period"),
        pl.col("fiscal_period_end").alias("period_end"),
        "accession",
        "filed",
        "employees",
        "employees_sentence",
        pl.lit("ixbrl").alias("source"),
    )
    period_order = pl.col("fiscal_period").replace_strict(
        PERIODS, list(range(len(PERIODS))), return_dtype=pl.Int32
    )
    return (
        pl.concat([with_headcount.select(list(FINANCIALS_SCHEMA)), bare_rows], how="diagonal_relaxed")
        .select(list(FINANCIALS_SCHEMA))
        .cast(FINANCIALS_SCHEMA)
        .sort("ticker", "fiscal_year", period_order)
    )
