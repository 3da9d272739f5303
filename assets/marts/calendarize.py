"""Fiscal-year flows spread over calendar years, and cohort totals that are only a number when complete.

Companies close their fiscal years in different months (Microsoft on 30 June, NVIDIA in late January on a
52/53-week calendar, Alphabet on 31 December), so a cohort's "2024 capex" is only a sum once every fiscal
year is put on the calendar. A fiscal year's flow is spread over the calendar years it overlaps in
proportion to days: value × overlap_days / fiscal_year_days. Days rather than months because 52/53-week
years end on any weekday (NVIDIA FY2026 = 2025-01-27 .. 2026-01-25: 339 days in 2025, 25 in 2026).
"""

from __future__ import annotations

import polars as pl


def calendarize(fiscal_years: pl.LazyFrame, columns: list[str]) -> pl.LazyFrame:
    """One row per (ticker, calendar_year) a fiscal year touches, from FY rows of core.financials.

    For each column c: `c` = the calendarized sum, `c_covered_days` = the days of that calendar year covered
    by fiscal years where c was reported, and `calendar_days` the days in the year: the year is complete for
    c when `c_covered_days == calendar_days`.
    """
    year_start = pl.date(pl.col("calendar_year"), 1, 1)
    year_end = pl.date(pl.col("calendar_year"), 12, 31)
    spans = (
        fiscal_years.select("ticker", "period_start", "period_end", *columns)
        .with_columns(
            calendar_year=pl.int_ranges(pl.col("period_start").dt.year(), pl.col("period_end").dt.year() + 1)
        )
        .explode("calendar_year")
        .with_columns(pl.col("calendar_year").cast(pl.Int32))
        .with_columns(
            overlap_days=(
                pl.min_horizontal("period_end", year_end) - pl.max_horizontal("period_start", year_start)
            ).dt.total_days()
            + 1,
            fiscal_days=(pl.col("period_end") - pl.col("period_start")).dt.total_days() + 1,
        )
    )
    return (
        spans.sort("ticker", "period_start")  # a fixed summation order: the same floats on every run
        .group_by("ticker", "calendar_year")
        .agg(
            *(
                pl.col(c).mul(pl.col("overlap_days")).truediv(pl.col("fiscal_days")).sum().alias(c)
                for c in columns
            ),
            *(
                pl.col("overlap_days").filter(pl.col(c).is_not_null()).sum().alias(f"{c}_covered_days")
                for c in columns
            ),
        )
        .with_columns(calendar_days=(year_end - year_start).dt.total_days() + 1)
    )


def cohort_totals(
    fiscal_years: pl.LazyFrame, tickers: list[str], columns: list[str], years: pl.LazyFrame
) -> pl.LazyFrame:
    """Per calendar year of `years` (from `calendar_years`): each column summed over `tickers`, calendarized.

    `c` is NULL unless every ticker covers every day of the year for c (a partial cohort is not the
    cohort, and an empty cohort has no total); `c_reported` is the sum over the tickers that do (NULL when
    none does), `c_companies` how many they are, and `c_missing` the others, comma-separated.
    """
    per_ticker = calendarize(fiscal_years.filter(pl.col("ticker").is_in(tickers)), columns).drop(
        "calendar_days"
    )
    grid = (
        years.join(pl.LazyFrame({"ticker": tickers}, schema={"ticker": pl.String}), how="cross")
        .join(per_ticker, on=["calendar_year", "ticker"], how="left")
        .with_columns(
            (pl.col(f"{c}_covered_days").fill_null(0) >= pl.col("calendar_days")).alias(f"{c}_complete")
            for c in columns
        )
    )
    totals = (
        grid.sort("calendar_year", "ticker")
        .group_by("calendar_year")
        .agg(
            *(pl.col(c).filter(pl.col(f"{c}_complete")).sum().alias(f"{c}_reported") for c in columns),
            *(pl.col(f"{c}_complete").sum().cast(pl.Int64).alias(f"{c}_companies") for c in columns),
            *(
                pl.col("ticker").filter(~pl.col(f"{c}_complete")).sort().str.join(",").alias(f"{c}_missing")
                for c in columns
            ),
        )
    )
    return (
        years.select("calendar_year")
        .join(totals, on="calendar_year", how="left")
        .with_columns(
            *(pl.col(f"{c}_companies").fill_null(0) for c in columns),
            *(pl.col(f"{c}_missing").replace("", None) for c in columns),
        )
        .with_columns(
            *(
                pl.when(pl.col(f"{c}_companies") > 0).then(pl.col(f"{c}_reported")).alias(f"{c}_reported")
                for c in columns
            ),
            *(
                pl.when(pl.lit(len(tickers) > 0) & (pl.col(f"{c}_companies") == len(tickers)))
                .then(pl.col(f"{c}_reported"))
                .alias(c)
                for c in columns
            ),
        )
    )


def cohort_headcount(fiscal_years: pl.LazyFrame, tickers: list[str]) -> pl.LazyFrame:
    """Per calendar year: `employees`, the sum of the fiscal-year-end headcounts of the fiscal years ending in
    it (a stock, not a flow: never spread by days), NULL unless every ticker stated one."""
    return (
        fiscal_years.filter(pl.col("ticker").is_in(tickers))
        .with_columns(calendar_year=pl.col("period_end").dt.year().cast(pl.Int32))
        .group_by("calendar_year")
        .agg(
            employees=pl.col("employees").sum(),
            stated=pl.col("ticker").filter(pl.col("employees").is_not_null()).n_unique(),
        )
        .select("calendar_year", employees=pl.when(pl.col("stated") == len(tickers)).then("employees"))
    )


def missing_union(*columns: str) -> pl.Expr:
    """Comma-separated ticker lists merged into one: distinct, sorted, NULL when empty."""
    return (
        pl.concat_str(*columns, separator=",", ignore_nulls=True)
        .str.split(",")
        .list.unique()
        .list.sort()
        .list.join(",")
        .replace("", None)
    )


def companies_reported(tickers: list[str], missing: pl.Expr) -> pl.Expr:
    """How many of `tickers` are not in the comma-separated `missing` list."""
    absent = missing.str.split(",").list.set_intersection(pl.lit(tickers, pl.List(pl.String))).list.len()
    return pl.lit(len(tickers), pl.Int64) - absent.fill_null(0).cast(pl.Int64)


def calendar_years(first: int, last: int) -> pl.LazyFrame:
    """calendar_year first..last (Int32) with `calendar_days` (365 or 366)."""
    return pl.LazyFrame(
        {"calendar_year": list(range(first, last + 1))}, schema={"calendar_year": pl.Int32}
    ).with_columns(
        calendar_days=(
            pl.date(pl.col("calendar_year"), 12, 31) - pl.date(pl.col("calendar_year"), 1, 1)
        ).dt.total_days()
        + 1
    )


# --- calendar years from fiscal quarters (marts.revenue_gap and marts.headline_figures) ---------------
QUARTERS = ["Q1", "Q2", "Q3", "Q4"]
WHOLE_YEAR_DAYS = 335  # a fiscal year is a calendar year's figure when at least 11 months of it fall in it


def calendar_year_values(rows: pl.LazyFrame, columns: list[str]) -> pl.LazyFrame:
    """Per (ticker, calendar_year, metric): `value`, `basis` and `as_of`, from rows of core.financials
    shape (ticker, fiscal_period, period_start, period_end and the `columns`).

    A calendar year's figure is the sum of the four fiscal quarters whose midpoints fall in its four
    calendar quarters (the calendar quarter holding most of a fiscal quarter's days, ties to the later one,
    as core.financials_calendar puts them): `basis` = quarters. Without four such quarters, a fiscal year
    with at least 335 of its days in the calendar year stands for it (calendar-year filers; NVIDIA's year
    ending in late January: FY2025 = 2024-01-29 .. 2025-01-26 is calendar 2024): `basis` = fiscal_year.
    Otherwise there is no figure (Microsoft's July-June year is never split by days here). `as_of` is the
    last period_end used.
    """
    long = (
        rows.select("ticker", "fiscal_period", "period_start", "period_end", *columns)
        .unpivot(index=["ticker", "fiscal_period", "period_start", "period_end"], on=columns,
                 variable_name="metric", value_name="value")
        .filter(pl.col("value").is_not_null() & pl.col("period_start").is_not_null() & pl.col("period_end").is_not_null())
    )  # fmt: skip
    days = (pl.col("period_end") - pl.col("period_start")).dt.total_days() + 1
    midpoint = pl.col("period_start") + pl.duration(days=days // 2)
    quarters = (
        long.filter(pl.col("fiscal_period").is_in(QUARTERS))
        .with_columns(
            calendar_year=midpoint.dt.year().cast(pl.Int32),
            calendar_quarter=((midpoint.dt.month() - 1) // 3 + 1).cast(pl.Int32),
        )
        .sort("ticker", "metric", "period_start")  # a fixed summation order: the same floats every run
        .group_by("ticker", "calendar_year", "metric")
        .agg(
            value=pl.col("value").sum(),
            as_of=pl.col("period_end").max(),
            quarters=pl.len(),
            distinct_quarters=pl.col("calendar_quarter").n_unique(),
        )
        .filter((pl.col("quarters") == 4) & (pl.col("distinct_quarters") == 4))
        .select("ticker", "calendar_year", "metric", "value", "as_of", basis=pl.lit("quarters"))
    )
    year_start = pl.date(pl.col("calendar_year"), 1, 1)
    year_end = pl.date(pl.col("calendar_year"), 12, 31)
    years = (
        long.filter(pl.col("fiscal_period") == "FY")
        .with_columns(
            calendar_year=pl.int_ranges(pl.col("period_start").dt.year(), pl.col("period_end").dt.year() + 1)
        )
        .explode("calendar_year")
        .with_columns(pl.col("calendar_year").cast(pl.Int32))
        .filter(
            (
                pl.min_horizontal("period_end", year_end) - pl.max_horizontal("period_start", year_start)
            ).dt.total_days()
            + 1
            >= WHOLE_YEAR_DAYS
        )
        .sort("ticker", "metric", "period_end")
        .group_by("ticker", "calendar_year", "metric")
        .agg(pl.col("value").last(), as_of=pl.col("period_end").last())
        .select("ticker", "calendar_year", "metric", "value", "as_of", basis=pl.lit("fiscal_year"))
    )
    return pl.concat([quarters, years.join(quarters, on=["ticker", "calendar_year", "metric"], how="anti")])
