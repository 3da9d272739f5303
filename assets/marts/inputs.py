"""The tables the marts read: the contract columns each one needs, and the extras used when present.

Every mart starts with `input_table`, so a frame missing a contract column fails with the table's name
and the columns missing (not a Polars ColumnNotFoundError deep inside a lazy plan), and an optional extra
the SEC source has not produced yet (e.g. `stock_based_compensation_usd`) reads as NULL instead of failing.
"""

from __future__ import annotations

import polars as pl

from pipelines.errors import SourceFormatError

Frame = pl.DataFrame | pl.LazyFrame

FINANCIALS = {
    "ticker": pl.String,
    "fiscal_year": pl.Int32,  # INTEGER in the contract
    "fiscal_period": pl.String,
    "period_start": pl.Date,
    "period_end": pl.Date,
    "capex_usd": pl.Float64,
    "revenue_usd": pl.Float64,
    "operating_cash_flow_usd": pl.Float64,
    "employees": pl.Int64,
    "accession": pl.String,
}
# The extras of core.financials the marts read (and contract columns some filers never tag).
FINANCIALS_EXTRAS = {
    "depreciation_usd": pl.Float64,
    "research_development_usd": pl.Float64,
    "operating_income_usd": pl.Float64,
    "stock_based_compensation_usd": pl.Float64,
}
LAYOFF_EVENTS = {
    "source": pl.String,
    "ticker": pl.String,
    "event_date": pl.Date,
    "employees_affected": pl.Int64,
}
COMPANIES = {"ticker": pl.String, "cohort": pl.String}
GPU_PRICE_INDEX = {
    "observed_on": pl.Date,
    "gpu_family": pl.String,
    "pricing": pl.String,
    "offers": pl.Int64,
    "providers": pl.Int64,
    "p10_usd_per_gpu_hour": pl.Float64,
    "median_usd_per_gpu_hour": pl.Float64,
    "p90_usd_per_gpu_hour": pl.Float64,
}
GPU_HARDWARE = {
    "gpu_family": pl.String,
    "gpu_model": pl.String,
    "release_date": pl.Date,
    "list_price_usd": pl.Float64,
    "tdp_watts": pl.Float64,
    "source": pl.String,
}
GPU_LIST_PRICES = {
    "gpu_family": pl.String,
    "gpu_model": pl.String,
    "source": pl.String,
}
# A blank list price is the model's price in core.gpu_hardware; includes_host is "true" or "false".
GPU_LIST_PRICES_EXTRAS = {"list_price_usd": pl.Float64, "includes_host": pl.String, "tdp_watts": pl.Float64}


def input_table(
    frame: Frame, name: str, columns: dict[str, pl.DataType], extras: dict[str, pl.DataType] | None = None
) -> pl.LazyFrame:
    """`frame` as a LazyFrame with `columns` cast to their types and every missing extra as a NULL column."""
    lazy = frame.lazy()
    present = lazy.collect_schema().names()
    missing = [c for c in columns if c not in present]
    if missing:
        raise SourceFormatError(name, f"missing columns {missing} (has {present})")
    extras = extras or {}
    schema = lazy.collect_schema()

    def cast(c: str, t: pl.DataType) -> pl.Expr:
        # a seed read as text holds ISO dates (2025-01-29): parsed, since Polars no longer casts text to Date
        if t == pl.Date and schema[c] == pl.String:
            return pl.col(c).str.to_date("%Y-%m-%d")
        return pl.col(c).cast(t)

    return lazy.with_columns(
        *(cast(c, t) for c, t in columns.items()),
        *(cast(c, t) if c in present else pl.lit(None, t).alias(c) for c, t in extras.items()),
    )


def cohort_tickers(companies: Frame, cohort: str, financials: Frame | None = None) -> list[str]:
    """The tickers of a cohort in the `companies` seed, sorted (a handful of rows: collected here).

    With `financials`, only the members that have filings in the warehouse: a company added to the seed
    before any of its data has landed (ORCL in the embedded snapshot) would otherwise turn every cohort
    total into NULL. Members that did file but miss part of a year still make that year NULL.
    """
    table = input_table(companies, "seed companies", COMPANIES)
    members = table.filter(pl.col("cohort") == cohort).select("ticker").unique().collect()["ticker"].to_list()
    if financials is not None:
        filed = set(financials.lazy().select("ticker").unique().collect()["ticker"].to_list())
        members = [t for t in members if t in filed]
    return sorted(members)


def divide(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    """numerator / denominator, NULL (never inf or NaN) when the denominator is 0 or NULL."""
    return pl.when(denominator != 0).then(numerator / denominator)


def growth(column: str, previous: str) -> pl.Expr:
    """Year-over-year change as a fraction (0.25 = +25 %), NULL without a previous non-zero value."""
    return divide(pl.col(column), pl.col(previous)) - 1
