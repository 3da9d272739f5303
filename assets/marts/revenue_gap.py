"""marts.revenue_gap, revenue_gap_sensitivity and revenue_gap_depreciation: how far is the revenue from
paying for the spend?

One row per (calendar_year, method, comparator), with the contract's identities computed in this order
(so anyone recomputing them from the stored columns gets the same floats):
    required_revenue_usd = spend_usd * cost_multiplier / (1 - target_gross_margin)
    revenue_gap_usd      = required_revenue_usd - comparator_revenue_usd
    gap_multiple         = required_revenue_usd / comparator_revenue_usd
Methods (spend):
- `capex`: the hyperscaler cohort's capex by calendar year, multiplier 1 (capex already pays for the
  buildings and power gear around the chips); `capex_with_leases`: capex plus finance-lease additions.
- `sequoia`: NVIDIA's Data Center revenue (`nvda:DataCenterMember` in core.segment_revenue) by calendar
  year, multiplier 2: "GPUs are half of the total cost of ownership", then a 50 % gross margin for the buyer
  of the compute (David Cahn, "AI's $600B Question", Sequoia Capital, 2024-06-20); `sequoia_run_rate`: the
  year's latest Data Center quarter × 4, Sequoia's own run-rate reading.
Comparators (what the required revenue is set against):
- `ai_segments`: the cohort's AI-relevant segment revenue (dbt/seeds/ai_segments.csv: AWS, Google Cloud,
  Intelligent Cloud, Oracle Cloud), from core.segment_revenue;
- `disclosed_ai_revenue`: what the companies said their AI revenue runs at (dbt/seeds/ai_revenue_disclosures.csv,
  quote and URL per figure): per company the latest annual run rate describing a period ending in the year;
- `revenue_growth`: the cohort's total revenue in the year minus in the base year (2022). It credits all
  their growth (retail, advertising) to AI: an upper bound of AI revenue, so its gap is a lower bound.
Calendar years come from fiscal quarters (assets/marts/calendarize.py `calendar_year_values`). For the
capex methods, spend and comparator are summed over the same companies: the cohort members with both
figures for the year. `coverage` is `complete` only when that is every member of the companies seed (for
the sequoia methods: NVIDIA's spend and every member's comparator); otherwise `incomplete`, and
`missing_tickers` names the others (Oracle, with no filings in the snapshot, in every year).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from assets.marts.assumptions import assumption, assumption_grid
from assets.marts.calendarize import calendar_year_values
from assets.marts.inputs import FINANCIALS, FINANCIALS_EXTRAS, Frame, cohort_tickers, divide, input_table

COHORT = "hyperscaler"
SEQUOIA_SPEND_TICKER = "NVDA"
DATA_CENTER_MEMBER = "nvda:DataCenterMember"
METHODS = ["capex", "capex_with_leases", "sequoia", "sequoia_run_rate"]
COMPARATORS = ["ai_segments", "disclosed_ai_revenue", "revenue_growth"]
# method -> (the per-company metric it sums, the assumption holding its multiplier)
CAPEX_METHODS = {"capex": "capex_usd", "capex_with_leases": "capex_incl_finance_leases_usd"}
MULTIPLIER = {
    "capex": "cost_multiplier_capex",
    "capex_with_leases": "cost_multiplier_capex",
    "sequoia": "cost_multiplier_sequoia",
    "sequoia_run_rate": "cost_multiplier_sequoia",
}
RUN_RATE = "annual_revenue_run_rate"  # the disclosures' metric the comparator uses (not expectations)

PUBLIC_COLUMNS = [
    "calendar_year",
    "method",
    "comparator",
    "cohort",
    "spend_usd",
    "cost_multiplier",
    "target_gross_margin",
    "required_revenue_usd",
    "comparator_revenue_usd",
    "revenue_gap_usd",
    "gap_multiple",
    "coverage",
    "missing_tickers",
]
TRACE_COLUMNS = [
    "base_year",
    "incremental_revenue_usd",
    "spend_tickers",
    "comparator_tickers",
    "companies_in_cohort",
    "companies_reported",
    "spend_as_of",
]
SEGMENTS = {"ticker": pl.String, "axis": pl.String, "member": pl.String}
SEGMENT_REVENUE = {
    "ticker": pl.String,
    "fiscal_period": pl.String,
    "period_start": pl.Date,
    "period_end": pl.Date,
    "axis": pl.String,
    "member": pl.String,
    "revenue_usd": pl.Float64,
}
DISCLOSURES = {"ticker": pl.String, "as_of": pl.Date, "period_end": pl.Date, "metric": pl.String,
               "value_usd": pl.Float64}  # fmt: skip
FINANCIALS_USED = FINANCIALS_EXTRAS | {"finance_lease_additions_usd": pl.Float64}


def revenue_gap(
    financials: Frame,
    companies: Frame,
    assumptions: Frame,
    segment_revenue: Frame | None = None,
    ai_segments: Frame | None = None,
    disclosures: Frame | None = None,
) -> pl.DataFrame:
    """= marts.revenue_gap: one row per (calendar_year, method, comparator), base year to the last year."""
    margin = assumption(assumptions, "target_gross_margin")
    return (
        _spend_and_comparators(financials, companies, assumptions, segment_revenue, ai_segments, disclosures)
        .with_columns(target_gross_margin=pl.lit(margin, pl.Float64))
        .collect()
        .pipe(_with_identities, "spend_usd", "")
        .select(*PUBLIC_COLUMNS, *TRACE_COLUMNS)
        .sort("calendar_year", "method", "comparator")
    )


def revenue_gap_sensitivity(
    financials: Frame,
    companies: Frame,
    assumptions: Frame,
    segment_revenue: Frame | None = None,
    ai_segments: Frame | None = None,
    disclosures: Frame | None = None,
) -> pl.DataFrame:
    """= marts.revenue_gap_sensitivity: marts.revenue_gap for every sensitivity margin × useful life.

    required_revenue_usd / revenue_gap_usd / gap_multiple are marts.revenue_gap's formulas at that margin
    (the year's whole spend must be earned back that year: the life does not enter). The `_depreciated_`
    columns spread the spend over the useful life first: annual_depreciation_usd = spend_usd /
    useful_life_years, then the same formulas. The band a report shows is the min..max over the grid.
    """
    margins = pl.LazyFrame(
        {"target_gross_margin": assumption_grid(assumptions, "sensitivity_target_gross_margin")}
    )
    lives = pl.LazyFrame({"useful_life_years": assumption_grid(assumptions, "useful_life_years")})
    frame = (
        _spend_and_comparators(financials, companies, assumptions, segment_revenue, ai_segments, disclosures)
        .join(margins, how="cross")
        .join(lives, how="cross")
        .collect()
    )
    annual = _array(frame, "spend_usd") / _array(frame, "useful_life_years")
    return (
        frame.with_columns(annual_depreciation_usd=pl.Series(annual, nan_to_null=True))
        .pipe(_with_identities, "spend_usd", "")
        .pipe(_with_identities, "annual_depreciation_usd", "_depreciated")
        .select(
            *PUBLIC_COLUMNS,
            "useful_life_years",
            "annual_depreciation_usd",
            "required_revenue_depreciated_usd",
            "revenue_gap_depreciated_usd",
            "gap_multiple_depreciated",
        )
        .sort("calendar_year", "method", "comparator", "target_gross_margin", "useful_life_years")
    )


def revenue_gap_depreciation(financials: Frame, companies: Frame, assumptions: Frame) -> pl.DataFrame:
    """The depreciation view: the cohort's capex depreciated by vintage against its operating income
    before depreciation, per (calendar_year, useful_life_years).

    vintage_depreciation_usd = Σ over vintages v = Y − L + 1 .. Y of capex_usd(v) / L (straight line, a full
    year from the year of purchase: every vintage still in its life adds its share, so in a growing
    build-out the charge rises for L years after the spend). Against it: operating_income_before_depreciation_usd
    = operating income + reported depreciation (the concept each company tags is in
    `depreciation_concepts`: Alphabet and Microsoft tag Depreciation, Amazon and Meta
    DepreciationDepletionAndAmortization), and operating_income_after_vintage_depreciation_usd = that −
    vintage_depreciation_usd: the profit left if the build-out were depreciated this way. Summed over the
    members with every figure (all L vintages, operating income and depreciation); `missing_tickers` the others.
    """
    rows = financial_rows(financials)
    members = cohort_tickers(companies, COHORT)
    values = calendar_year_values(
        rows.filter(pl.col("ticker").is_in(members)),
        ["capex_usd", "operating_income_usd", "depreciation_usd"],
    )
    wide = values.collect().pivot(on="metric", index=["ticker", "calendar_year"], values="value")
    for c in ("capex_usd", "operating_income_usd", "depreciation_usd"):
        if c not in wide.columns:
            wide = wide.with_columns(pl.lit(None, pl.Float64).alias(c))
    concepts = (
        rows.filter(pl.col("ticker").is_in(members))
        .select("ticker", concept=pl.col("concepts").str.json_path_match("$.depreciation_usd"))
        .drop_nulls()
        .unique()
        .collect()
    )
    stated = ",".join(f"{t}:{c.split(':')[-1]}" for t, c in sorted(concepts.iter_rows()))
    years = _years(rows, assumptions)
    lives = assumption_grid(assumptions, "useful_life_years")
    out = []
    for life in lives:
        span = int(np.ceil(life))
        vintages = (
            pl.LazyFrame({"vintage_offset": list(range(span))}, schema={"vintage_offset": pl.Int32})
            .join(years.select("calendar_year"), how="cross")
            .join(pl.LazyFrame({"ticker": members}, schema={"ticker": pl.String}), how="cross")
            .join(
                wide.lazy().select("ticker", pl.col("calendar_year").alias("vintage"), "capex_usd"),
                left_on=["ticker", pl.col("calendar_year") - pl.col("vintage_offset")],
                right_on=["ticker", "vintage"],
                how="left",
            )
            .group_by("ticker", "calendar_year")
            .agg(
                vintage_depreciation_usd=(pl.col("capex_usd") / life).sum(),
                vintages=pl.col("capex_usd").is_not_null().sum(),
            )
        )
        per_ticker = (
            vintages.join(wide.lazy(), on=["ticker", "calendar_year"], how="left")
            .with_columns(
                used=(pl.col("vintages") == span)
                & pl.col("operating_income_usd").is_not_null()
                & pl.col("depreciation_usd").is_not_null()
            )
            .sort("calendar_year", "ticker")
        )
        out.append(
            per_ticker.group_by("calendar_year")
            .agg(
                capex_usd=pl.col("capex_usd").filter("used").sum(),
                vintage_depreciation_usd=pl.col("vintage_depreciation_usd").filter("used").sum(),
                operating_income_usd=pl.col("operating_income_usd").filter("used").sum(),
                reported_depreciation_usd=pl.col("depreciation_usd").filter("used").sum(),
                companies_reported=pl.col("used").sum().cast(pl.Int64),
                tickers=pl.col("ticker").filter("used").sort().str.join(","),
                missing_tickers=pl.col("ticker").filter(~pl.col("used")).sort().str.join(","),
            )
            .with_columns(useful_life_years=pl.lit(life, pl.Float64))
        )
    none = pl.col("companies_reported") == 0
    return (
        pl.concat(out)
        .with_columns(
            *(
                pl.when(~none).then(pl.col(c)).alias(c)
                for c in (
                    "capex_usd",
                    "vintage_depreciation_usd",
                    "operating_income_usd",
                    "reported_depreciation_usd",
                )
            ),
            pl.col("missing_tickers", "tickers").replace("", None),
        )  # fmt: skip
        .with_columns(
            operating_income_before_depreciation_usd=pl.col("operating_income_usd")
            + pl.col("reported_depreciation_usd")
        )
        .with_columns(
            depreciation_to_operating_income_before_depreciation=divide(
                pl.col("vintage_depreciation_usd"), pl.col("operating_income_before_depreciation_usd")
            ),
            operating_income_after_vintage_depreciation_usd=pl.col("operating_income_before_depreciation_usd")
            - pl.col("vintage_depreciation_usd"),
            coverage=pl.when(pl.col("missing_tickers").is_null())
            .then(pl.lit("complete"))
            .otherwise(pl.lit("incomplete")),
            cohort=pl.lit(COHORT),
            companies_in_cohort=pl.lit(len(members), pl.Int64),
            depreciation_concepts=pl.lit(stated or None, pl.String),
        )  # fmt: skip
        .select(
            "calendar_year",
            "cohort",
            "useful_life_years",
            "capex_usd",
            "vintage_depreciation_usd",
            "operating_income_usd",
            "reported_depreciation_usd",
            "operating_income_before_depreciation_usd",
            "depreciation_to_operating_income_before_depreciation",
            "operating_income_after_vintage_depreciation_usd",
            "companies_in_cohort",
            "companies_reported",
            "tickers",
            "missing_tickers",
            "coverage",
            "depreciation_concepts",
        )  # fmt: skip
        .sort("calendar_year", "useful_life_years")
        .collect()
    )


def _with_identities(frame: pl.DataFrame, spend: str, suffix: str) -> pl.DataFrame:
    """Add required_revenue{suffix}_usd, revenue_gap{suffix}_usd and gap_multiple{suffix}, element by
    element in numpy.

    Not as Polars expressions: Polars folds `1 - <literal margin>` and multiplies by its reciprocal
    (x * 2.5 for x / 0.4), which can differ in the last bit from the contract's formula as a reader or
    DuckDB evaluates it. NULL in, NULL out (through NaN, which no input holds); a comparator of 0 gives
    no multiple.
    """
    required = (
        _array(frame, spend) * _array(frame, "cost_multiplier") / (1 - _array(frame, "target_gross_margin"))
    )
    comparator = _array(frame, "comparator_revenue_usd")
    gap = required - comparator
    with np.errstate(divide="ignore", invalid="ignore"):
        multiple = np.where(comparator != 0, required / np.where(comparator != 0, comparator, 1), np.nan)
    return frame.with_columns(
        pl.Series(f"required_revenue{suffix}_usd", required, nan_to_null=True),
        pl.Series(f"revenue_gap{suffix}_usd", gap, nan_to_null=True),
        pl.Series(f"gap_multiple{suffix}", multiple, nan_to_null=True),
    )


def _array(frame: pl.DataFrame, column: str) -> np.ndarray:
    return frame[column].cast(pl.Float64).to_numpy()  # NULL -> NaN


def financial_rows(financials: Frame) -> pl.LazyFrame:
    """core.financials with the columns the gap marts read (absent extras as NULL) and
    capex_incl_finance_leases_usd = capex_usd + finance_lease_additions_usd per period (NULL without leases filed)."""
    present = financials.lazy().collect_schema().names()
    table = input_table(financials, "core.financials", FINANCIALS, FINANCIALS_USED)
    if "concepts" not in present:
        table = table.with_columns(concepts=pl.lit(None, pl.String))
    return table.with_columns(
        capex_incl_finance_leases_usd=pl.col("capex_usd") + pl.col("finance_lease_additions_usd")
    )


def _years(rows: pl.LazyFrame, assumptions: Frame) -> pl.LazyFrame:
    """Base year .. the last calendar year any period reaches (at least base year + 3)."""
    base_year = int(assumption(assumptions, "base_year"))
    last = rows.select(pl.col("period_end").dt.year().max()).collect().item()
    last = max(base_year + 3, last or base_year)
    return pl.LazyFrame(
        {"calendar_year": list(range(base_year, last + 1))}, schema={"calendar_year": pl.Int32}
    )


def segment_rows(
    segment_revenue: Frame | None, ai_segments: Frame | None
) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """(the AI-relevant segment revenue per ticker and period: the sum of its seed segments when all are
    there, NVIDIA's Data Center revenue per period), both in core.financials' row shape."""
    shape = {"ticker": pl.String, "fiscal_period": pl.String, "period_start": pl.Date, "period_end": pl.Date,
             "value_usd": pl.Float64}  # fmt: skip
    if segment_revenue is None:
        empty = pl.LazyFrame(schema=shape)
        return empty, empty
    segments = input_table(segment_revenue, "core.segment_revenue", SEGMENT_REVENUE)
    keys = ["ticker", "fiscal_period", "period_start", "period_end"]
    data_center = segments.filter(
        (pl.col("ticker") == SEQUOIA_SPEND_TICKER) & (pl.col("member") == DATA_CENTER_MEMBER)
    ).select(*keys, value_usd="revenue_usd")
    if ai_segments is None:
        return pl.LazyFrame(schema=shape), data_center
    seed = input_table(ai_segments, "dbt/seeds/ai_segments.csv", SEGMENTS).select(list(SEGMENTS)).unique()
    wanted = seed.group_by("ticker").agg(segments_wanted=pl.len())
    ai = (
        segments.join(seed, on=["ticker", "axis", "member"])
        .sort(*keys, "member")
        .group_by(keys)
        .agg(value_usd=pl.col("revenue_usd").sum(), segments=pl.len())
        .join(wanted, on="ticker")
        .filter(pl.col("segments") == pl.col("segments_wanted"))
        .select(*keys, "value_usd")
    )
    return ai, data_center


def _spend_and_comparators(
    financials: Frame,
    companies: Frame,
    assumptions: Frame,
    segment_revenue: Frame | None,
    ai_segments: Frame | None,
    disclosures: Frame | None,
) -> pl.LazyFrame:
    """Per (calendar_year, method, comparator): spend_usd, cost_multiplier, comparator_revenue_usd, coverage."""
    rows = financial_rows(financials)
    base_year = int(assumption(assumptions, "base_year"))
    members = cohort_tickers(companies, COHORT)
    years = _years(rows, assumptions)
    ai, data_center = segment_rows(segment_revenue, ai_segments)
    money = calendar_year_values(
        rows.filter(pl.col("ticker").is_in(members)),
        ["capex_usd", "capex_incl_finance_leases_usd", "revenue_usd"],
    )
    segments = calendar_year_values(ai.rename({"value_usd": "ai_segments"}), ["ai_segments"])
    base = money.filter((pl.col("metric") == "revenue_usd") & (pl.col("calendar_year") == base_year)).select(
        "ticker", base_revenue="value"
    )
    growth = (
        money.filter(pl.col("metric") == "revenue_usd")
        .join(base, on="ticker")
        .select("ticker", "calendar_year", metric=pl.lit("revenue_growth"), value=pl.col("value") - pl.col("base_revenue"))
    )  # fmt: skip
    disclosed = _disclosed(disclosures, members)
    comparators = pl.concat(
        [
            segments.select("ticker", "calendar_year", "metric", "value"),
            disclosed,
            growth,
        ],
        how="vertical_relaxed",
    ).rename({"metric": "comparator", "value": "comparator_value"})
    grid = (
        years.join(pl.LazyFrame({"comparator": COMPARATORS}), how="cross")
        .join(pl.LazyFrame({"ticker": members}, schema={"ticker": pl.String}), how="cross")
        .join(comparators, on=["calendar_year", "comparator", "ticker"], how="left")
    )
    capex = (
        grid.join(pl.LazyFrame({"method": list(CAPEX_METHODS), "metric": list(CAPEX_METHODS.values())}), how="cross")
        .join(money.select("ticker", "calendar_year", "metric", spend="value", as_of="as_of"),
              on=["ticker", "calendar_year", "metric"], how="left")
        .with_columns(used=pl.col("spend").is_not_null() & pl.col("comparator_value").is_not_null())
        .sort("calendar_year", "method", "comparator", "ticker")
        .group_by("calendar_year", "method", "comparator")
        .agg(
            spend_usd=pl.col("spend").filter("used").sum(),
            comparator_revenue_usd=pl.col("comparator_value").filter("used").sum(),
            spend_as_of=pl.col("as_of").filter("used").max(),
            spend_tickers=pl.col("ticker").filter("used").str.join(","),
            comparator_tickers=pl.col("ticker").filter("used").str.join(","),
            missing_tickers=pl.col("ticker").filter(~pl.col("used")).str.join(","),
            companies_reported=pl.col("used").sum().cast(pl.Int64),
        )
    )  # fmt: skip
    nvidia = _sequoia_spend(data_center, years)
    sequoia = (
        grid.with_columns(used=pl.col("comparator_value").is_not_null())
        .sort("calendar_year", "comparator", "ticker")
        .group_by("calendar_year", "comparator")
        .agg(
            comparator_revenue_usd=pl.col("comparator_value").filter("used").sum(),
            comparator_tickers=pl.col("ticker").filter("used").str.join(","),
            comparator_missing=pl.col("ticker").filter(~pl.col("used")).str.join(","),
            companies_reported=pl.col("used").sum().cast(pl.Int64),
        )
        .join(nvidia, on="calendar_year", how="left")
        .with_columns(
            spend_tickers=pl.lit(SEQUOIA_SPEND_TICKER),
            missing_tickers=pl.concat_str(
                pl.when(pl.col("spend_usd").is_null()).then(pl.lit(SEQUOIA_SPEND_TICKER)),
                pl.col("comparator_missing").replace("", None),
                separator=",",
                ignore_nulls=True,
            )
            .str.split(",")
            .list.sort()
            .list.join(","),
        )
        .drop("comparator_missing")
    )
    multipliers = pl.LazyFrame(
        {"method": METHODS, "cost_multiplier": [assumption(assumptions, MULTIPLIER[m]) for m in METHODS]}
    )
    none_used = pl.col("companies_reported") == 0
    return (
        pl.concat([capex, sequoia], how="diagonal_relaxed")
        .join(multipliers, on="method")
        .with_columns(
            pl.when(~none_used | pl.col("method").str.starts_with("sequoia"))
            .then("spend_usd")
            .alias("spend_usd"),
            pl.when(~none_used).then("comparator_revenue_usd").alias("comparator_revenue_usd"),
            pl.col("spend_tickers", "comparator_tickers", "missing_tickers").replace("", None),
        )
        .with_columns(
            cohort=pl.lit(COHORT),
            base_year=pl.lit(base_year, pl.Int32),
            companies_in_cohort=pl.lit(len(members), pl.Int64),
            incremental_revenue_usd=pl.when(pl.col("comparator") == "revenue_growth").then(
                "comparator_revenue_usd"
            ),
            coverage=pl.when(pl.col("missing_tickers").is_null())
            .then(pl.lit("complete"))
            .otherwise(pl.lit("incomplete")),
        )  # fmt: skip
    )


def _sequoia_spend(data_center: pl.LazyFrame, years: pl.LazyFrame) -> pl.LazyFrame:
    """Per (calendar_year, method in sequoia, sequoia_run_rate): NVIDIA's Data Center revenue in the year
    and its latest quarter × 4, with the period_end they rest on."""
    by_year = calendar_year_values(data_center.rename({"value_usd": "data_center"}), ["data_center"]).select(
        "calendar_year", method=pl.lit("sequoia"), spend_usd="value", spend_as_of="as_of"
    )
    days = (pl.col("period_end") - pl.col("period_start")).dt.total_days() + 1
    midpoint = pl.col("period_start") + pl.duration(days=days // 2)
    run_rate = (
        data_center.filter(pl.col("fiscal_period").is_in(["Q1", "Q2", "Q3", "Q4"]) & pl.col("value_usd").is_not_null())
        .with_columns(calendar_year=midpoint.dt.year().cast(pl.Int32))
        .sort("calendar_year", "period_end")
        .group_by("calendar_year")
        .agg(pl.col("value_usd").last(), spend_as_of=pl.col("period_end").last())
        .select("calendar_year", method=pl.lit("sequoia_run_rate"), spend_usd=pl.col("value_usd") * 4, spend_as_of="spend_as_of")
    )  # fmt: skip
    return years.join(pl.LazyFrame({"method": ["sequoia", "sequoia_run_rate"]}), how="cross").join(
        pl.concat([by_year, run_rate]), on=["calendar_year", "method"], how="left"
    )


def _disclosed(disclosures: Frame | None, members: list[str]) -> pl.LazyFrame:
    """Per (ticker, calendar_year): the latest stated annual AI revenue run rate describing a period that
    ends in the year (the statements are dated and quoted in the seed)."""
    if disclosures is None:
        return pl.LazyFrame(schema={"ticker": pl.String, "calendar_year": pl.Int32, "metric": pl.String,
                                    "value": pl.Float64})  # fmt: skip
    return (
        input_table(disclosures, "dbt/seeds/ai_revenue_disclosures.csv", DISCLOSURES)
        .filter(
            (pl.col("metric") == RUN_RATE)
            & pl.col("ticker").is_in(members)
            & pl.col("value_usd").is_not_null()
        )
        .with_columns(calendar_year=pl.col("period_end").dt.year().cast(pl.Int32))
        .sort("ticker", "calendar_year", "period_end", "as_of")
        .group_by("ticker", "calendar_year")
        .agg(value=pl.col("value_usd").last())
        .select("ticker", "calendar_year", metric=pl.lit("disclosed_ai_revenue"), value="value")
    )
