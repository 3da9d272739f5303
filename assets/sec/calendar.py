"""Fiscal quarters on the calendar (core.financials_calendar) and capex with finance leases beside it.

Cross-company totals must add like with like: Microsoft's fiscal year ends in June, NVIDIA's on the last
Sunday of January (52/53 weeks), Alphabet's on 31 December. Each discrete fiscal quarter of core.financials
is put in the calendar quarter that holds most of its days: NVIDIA's Q1 FY2025 (2024-01-29..2024-04-28: 63 days
in January-March, 28 in April) is calendar 2024 Q1; Microsoft's Q1 FY2026 (July-September 2025) is 2025 Q3.
Ties (a quarter split evenly) go to the later calendar quarter, where the quarter ends.

`ttm_*` are sums of the four calendar quarters ending at the row, NULL unless all four are present with a
value: a trailing year with a gap is a gap, never a smaller number.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

CALENDAR_SCHEMA = {
    "ticker": pl.String,
    "calendar_year": pl.Int32,
    "calendar_quarter": pl.Int32,
    "fiscal_year": pl.Int32,
    "fiscal_period": pl.String,
    "period_start": pl.Date,
    "period_end": pl.Date,
    "capex_usd": pl.Float64,
    "capex_incl_finance_leases_usd": pl.Float64,
    "revenue_usd": pl.Float64,
    "operating_cash_flow_usd": pl.Float64,
    "finance_lease_additions_usd": pl.Float64,
    "ttm_capex_usd": pl.Float64,
    "ttm_capex_incl_finance_leases_usd": pl.Float64,
    "ttm_revenue_usd": pl.Float64,
    "ttm_operating_cash_flow_usd": pl.Float64,
    "days_in_calendar_quarter": pl.Int32,  # how many of the fiscal quarter's days fall in that calendar quarter
    "accession": pl.String,
    "filed": pl.Date,
}
MONEY = ["capex_usd", "capex_incl_finance_leases_usd", "revenue_usd", "operating_cash_flow_usd"]


def calendar_quarter(period_start: date, period_end: date) -> tuple[int, int, int]:
    """(calendar_year, calendar_quarter, days in it) of the calendar quarter holding most of the period's days."""
    best: tuple[int, int, int, int] | None = None  # (days, index, year, quarter)
    day = period_start
    while day <= period_end:
        quarter = (day.month - 1) // 3 + 1
        next_start = date(day.year + (quarter == 4), 1 if quarter == 4 else quarter * 3 + 1, 1)
        days = (min(period_end, next_start - timedelta(days=1)) - day).days + 1
        candidate = (days, day.year * 4 + quarter, day.year, quarter)
        if best is None or candidate[:2] > best[:2]:
            best = candidate
        day = next_start
    assert best is not None, f"period {period_start}..{period_end} is empty"
    return best[2], best[3], best[0]


def with_capex_incl_finance_leases(fin: pl.DataFrame) -> pl.DataFrame:
    """core.financials plus `capex_incl_finance_leases_usd` and `finance_lease_concept`.

    Capex plus finance-lease additions where the lease figure is filed for the period. A company that files no
    finance-lease additions at all in a fiscal year (no such concept in any of its periods) has capex as the
    total; one that files the year's figure but not a quarter's gets NULL for that quarter (a gap, not zero).
    """
    lease_concept = pl.col("concepts").str.json_path_match("$.finance_lease_additions_usd")
    files_leases = pl.col("finance_lease_additions_usd").is_not_null().any().over("ticker", "fiscal_year")
    return fin.with_columns(
        capex_incl_finance_leases_usd=pl.when(pl.col("finance_lease_additions_usd").is_not_null())
        .then(pl.col("capex_usd") + pl.col("finance_lease_additions_usd"))
        .when(~files_leases)
        .then(pl.col("capex_usd")),
        finance_lease_concept=lease_concept,
    )


def financials_calendar(fin: pl.DataFrame) -> pl.DataFrame:
    """core.financials_calendar (CALENDAR_SCHEMA) from the discrete quarters of core.financials (which must
    carry capex_incl_finance_leases_usd). Two fiscal quarters landing in one calendar quarter (a re-cut year)
    keep the one with more days there."""
    quarters = fin.filter(
        pl.col("fiscal_period") != "FY",
        pl.col("period_start").is_not_null(),
        pl.col("period_end").is_not_null(),
    )
    if not quarters.height:
        return pl.DataFrame(schema=CALENDAR_SCHEMA)
    placed = quarters.with_columns(
        pl.struct("period_start", "period_end")
        .map_elements(
            lambda p: dict(
                zip(
                    ("calendar_year", "calendar_quarter", "days"),
                    calendar_quarter(p["period_start"], p["period_end"]),
                )
            ),
            return_dtype=pl.Struct(
                {"calendar_year": pl.Int32, "calendar_quarter": pl.Int32, "days": pl.Int32}
            ),
        )
        .alias("placed")
    ).unnest("placed")
    placed = (
        placed.sort("days", "period_end")
        .unique(subset=["ticker", "calendar_year", "calendar_quarter"], keep="last")
        .with_columns(index=pl.col("calendar_year") * 4 + pl.col("calendar_quarter") - 1)
        .sort("ticker", "index")
    )
    trailing = []
    for column in MONEY:
        value = pl.col(column)
        # Four rows back must be exactly three calendar quarters earlier, and every one of them has a value.
        four_consecutive = (pl.col("index") - pl.col("index").shift(3).over("ticker")) == 3
        all_present = value.is_not_null().cast(pl.Int32).rolling_sum(4).over("ticker") == 4
        trailing.append(
            pl.when(four_consecutive & all_present)
            .then(value.rolling_sum(4, min_samples=4).over("ticker"))
            .alias(f"ttm_{column}")
        )
    return (
        placed.with_columns(trailing)
        .rename({"days": "days_in_calendar_quarter"})
        .select(list(CALENDAR_SCHEMA))
        .cast(CALENDAR_SCHEMA)
    )
