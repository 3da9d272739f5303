"""`core.layoff_coverage`: which dates the downloads held cover, per source and state, so a mart can
tell "no layoffs" (a covered day without events) from "not covered" (no download reaches that day).

A download covers the dates from its oldest row's notice or announcement date up to the newest date
the body states (`as_of`: a CA workbook's title end date, a WARN export's newest processed date, a
layoffs.fyi export's newest `date_added`). Overlapping or adjacent windows of the downloads held are
merged: one row per continuous stretch, so a source whose downloads leave a hole (TX: the
warn-scraper CSV ends 2026-01-07, the Socrata reply starts 2026-06-12) has two rows and the days
between are "not covered".
"""

from __future__ import annotations

import polars as pl

COVERAGE_SCHEMA = {
    "source": pl.String,
    "state": pl.String,  # WARN: the state's code; layoffs.fyi: NULL (a worldwide tracker)
    "first_date": pl.Date,
    "last_date": pl.Date,
    "downloads": pl.UInt32,  # downloads whose windows make up this stretch
}


def layoff_coverage(versions: pl.DataFrame) -> pl.DataFrame:
    """Every parsed row of every download -> one row per source and continuous covered stretch."""
    if versions.height == 0:
        return pl.DataFrame(schema=COVERAGE_SCHEMA)
    download = "landed_sha256" if "landed_sha256" in versions.columns else "origin"
    windows = (
        versions.group_by("source", download)
        .agg(
            state=pl.col("region").drop_nulls().first(),
            start=pl.col("event_date").min(),
            end=pl.max_horizontal(pl.col("as_of").max(), pl.col("event_date").max()),
        )
        .sort("source", "start", "end")
        # a window starting more than a day after every earlier one ended opens a new stretch
        .with_columns(_reach=pl.col("end").cum_max().shift(1).over("source"))
        .with_columns(
            _stretch=(pl.col("start") > pl.col("_reach") + pl.duration(days=1))
            .fill_null(False)
            .cum_sum()
            .over("source")
        )
    )
    return (
        windows.group_by("source", "_stretch")
        .agg(
            state=pl.col("state").drop_nulls().first(),
            first_date=pl.col("start").min(),
            last_date=pl.col("end").max(),
            downloads=pl.len(),
        )
        .with_columns(state=pl.when(pl.col("source") != "layoffs_fyi").then("state"))
        .select(pl.col(c).cast(t) for c, t in COVERAGE_SCHEMA.items())
        .sort("source", "first_date")
    )
