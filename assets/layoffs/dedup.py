"""One row per layoff event across every download of every source: `deduplicate_events`.

The landing zone keeps every download (all layoff kinds are history kinds), so the same event
arrives many times: overlapping layoffs.fyi exports, successive WARN reports of one state. Versions
are taken oldest first by `as_of` (the newest date the body states; then the landing date
`observed_as_of` when the framework adds it; then origin), and the latest version of an event wins.

WARN notices: supersession by download within a state's report and linking across its reports,
see supersession.py.

layoffs.fyi edits rows in place, and no single column survives every edit. Measured on the four
real exports: `date` is re-dated (Meta's 8,000 of 2026-04-17 became 2026-05-20), count and source
URL are revised (Oracle's row added 2026-03-31 went from 30,000 on 3/31 with one article to 21,000
on 6/23 with another), and even `date_added`, the Airtable record's creation day, shifts by one day
between exports written in different time zones (240 of 4,078 rows between the site's CSV and the
Kaggle mirror). So a version is linked to an event, download by download, when:
  1. same company (case and spacing aside) and `date_added` within one day (or, when an export has
     no `date_added`, the same date); among several such
     candidates the best agreement on source URL (8), date (4), location (2) and count (1) wins,
     one-to-one (greedy on that score, then on the closer `date_added`);
  2. otherwise, same company, same source URL and same date, whatever `date_added` says (a record
     whose creation day was itself edited).
Before linking, one export's rows that are the same layoff are merged: the tracker itself sometimes
lists a layoff twice (FNZ's 1,000 of 2023-07-06 in the 2026-07-23 export, once added 2023-07-07 and
again 2026-06-16): same company, same source URL and same date, whatever `date_added` says, and the
same location (Samsung's 739 in New York City and 100 in Dallas of 2026-07-19 share one article
but are two sites). The earliest-added row is kept (fields it lacks filled from the other) and
`source_duplicates` counts the rows merged into it (the most any one export held).
A row that links to nothing is a new event. An event keeps the `event_id` of its first version
(hash of company, date_added, date, source URL: layoffs_fyi.py), so ids stay put as newer downloads
arrive. An event missing from a newer download is kept: exports cover different windows (the API dump
starts in 2025), so absence only counts inside the newer export's window (its first to last date):
there the event is marked `last_listed_as_of` (the as_of of the last export listing it).
"""

from __future__ import annotations

import polars as pl

from assets.layoffs.events import company_key
from assets.layoffs.supersession import supersede_warn, unique_ids

TRACE_COLUMNS = ("origin", "row_number", "as_of", "observed_as_of", "landed_sha256")
DATE_ADDED_SLACK_DAYS = 1  # Airtable renders the record's creation time in the exporter's time zone
SCORE = {"source_url": 8, "event_date": 4, "location_key": 2, "employees_affected": 1}


VERSION_SCHEMA = {
    "event_id": pl.String,
    "source": pl.String,
    "as_of": pl.Date,
    "employees_affected": pl.Int64,
    "effective_date": pl.Date,
    "origin": pl.String,
    "row_number": pl.Int64,
}


def deduplicate_events(events: pl.DataFrame) -> pl.DataFrame:
    """All parsed versions (every download of every source) -> one row per event, latest version."""
    return event_history(events)[0]


def event_history(events: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """All parsed versions -> (one row per event, every listing of every event).

    Events add `versions` (downloads that carried it), `first_listed_as_of`, `last_listed_as_of`
    (NULL while the newest download reaching the event lists it) and `source_duplicates`
    (layoffs.fyi rows of one export merged into it). Listings are VERSION_SCHEMA, one per row of a
    download that listed the event (warn-scraper's CA CSV merges EDD's yearly reports, so a notice
    re-listed by the next fiscal year's report is listed twice in that one download).
    """
    order = ["as_of", *(c for c in ("observed_as_of",) if c in events.columns), "origin", "row_number"]
    ordered = events.sort(order, nulls_last=False)
    fyi = ordered.filter(pl.col("source") == "layoffs_fyi")
    warn = ordered.filter(pl.col("source") != "layoffs_fyi")
    parts, listings = [], []
    if fyi.height:
        frame, history = _link_layoffs_fyi(fyi)
        parts.append(frame)
        listings.append(history)
    if warn.height:
        frame, history = supersede_warn(warn, _download_key(warn), order)
        parts.append(frame.with_columns(source_duplicates=pl.lit(0, pl.UInt32)))
        listings.append(history)
    extra = {
        "versions": pl.UInt32,
        "first_listed_as_of": pl.Date,
        "last_listed_as_of": pl.Date,
        "source_duplicates": pl.UInt32,
    }
    if not parts:
        return events.with_columns(pl.lit(None, t).alias(c) for c, t in extra.items()).clear(), pl.DataFrame(
            schema=VERSION_SCHEMA
        )
    columns = [*events.columns, *extra]
    merged = pl.concat(
        [p.select(pl.col(c).cast(extra.get(c, events.schema.get(c))) for c in columns) for p in parts]
    )
    history = pl.concat([h.select(pl.col(c).cast(t) for c, t in VERSION_SCHEMA.items()) for h in listings])
    return merged.sort("source", "event_date", "company", "event_id"), history.sort(
        "event_id", "as_of", "origin", "row_number"
    )


def _download_key(versions: pl.DataFrame) -> str:
    return "landed_sha256" if "landed_sha256" in versions.columns else "origin"


def _merge_source_duplicates(download: pl.DataFrame) -> pl.DataFrame:
    """One export's rows that are the same layoff -> one row (see the module docstring)."""
    same = ["_company", "source_url", "event_date", "location_key"]
    keyed = download.sort("date_added", "row_number", nulls_last=True).with_columns(
        _key=pl.when(pl.col("source_url").is_not_null())
        .then(pl.struct(same))
        .otherwise(pl.struct(_row="row_number"))
    )
    kept = keyed.group_by("_key", maintain_order=True).agg(
        *(pl.col(c).first() for c in ("row_number", "event_id", "date_added")),
        *(
            pl.col(c).drop_nulls().first()
            for c in keyed.columns
            if c not in ("_key", "row_number", "event_id", "date_added")
        ),
        source_duplicates=(pl.len() - 1).cast(pl.UInt32),
    )
    return kept.drop("_key").select(*download.columns, "source_duplicates").sort("row_number")


def _link_layoffs_fyi(versions: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    key = _download_key(versions)
    # the same body landed twice (imported again under another date) is one download
    keyed = versions.unique([key, "row_number"], keep="last", maintain_order=True).with_columns(
        _company=company_key(pl.col("company")),
        location_key=pl.col("location").str.to_lowercase().str.replace_all(r"[\s.]", ""),
        versions=pl.lit(1, pl.UInt32),
        first_listed_as_of=pl.col("as_of"),
        last_listed_as_of=pl.lit(None, pl.Date),
    )
    current: pl.DataFrame | None = None
    history = []
    for download in keyed.partition_by(key, maintain_order=True):
        download = _merge_source_duplicates(download)
        if current is None:
            current = download
            history.append(download)
            continue
        links = _links(current, download)
        linked = pl.DataFrame(links, schema={"event_id": pl.String, "row_number": pl.Int64}, orient="row")
        carried = current.filter(pl.col("event_id").is_in(linked["event_id"].implode()))
        update = (
            download.join(linked.rename({"event_id": "_linked"}), on="row_number", how="left")
            .join(
                carried.select(
                    _linked="event_id",
                    _seen="versions",
                    _first="first_listed_as_of",
                    _dups="source_duplicates",
                ),
                on="_linked",
                how="left",
            )
            .with_columns(
                event_id=pl.coalesce("_linked", "event_id"),
                versions=(pl.col("_seen").fill_null(0) + 1).cast(pl.UInt32),
                first_listed_as_of=pl.coalesce("_first", "first_listed_as_of"),
                source_duplicates=pl.max_horizontal("source_duplicates", pl.col("_dups").fill_null(0)),
            )
            .drop("_linked", "_seen", "_first", "_dups")
        )
        update = unique_ids(update, taken=set(current["event_id"]) - set(linked["event_id"]))
        first, last = download["event_date"].min(), download["event_date"].max()
        dropped = current.filter(~pl.col("event_id").is_in(linked["event_id"].implode())).with_columns(
            # not in an export whose window holds its date: the tracker no longer lists it
            last_listed_as_of=pl.when(
                pl.col("event_date").is_between(first, last) & pl.col("last_listed_as_of").is_null()
            )
            .then(pl.col("as_of"))
            .otherwise(pl.col("last_listed_as_of"))
        )
        current = pl.concat([dropped, update])
        history.append(update)
    extra = ["versions", "first_listed_as_of", "last_listed_as_of", "source_duplicates"]
    events = current.drop("_company", "location_key").select(*versions.columns, *extra)
    return events, pl.concat(history).select(*VERSION_SCHEMA)


def _links(current: pl.DataFrame, download: pl.DataFrame) -> list[tuple[str, int]]:
    """(event_id, row_number) pairs linking a download's rows to current events, one-to-one."""
    columns = ["_company", "date_added", "event_date", "source_url", "location_key", "employees_affected"]
    pairs = current.select("event_id", *columns).join(
        download.select("row_number", *columns), on="_company", suffix="_new"
    )
    gap = (pl.col("date_added") - pl.col("date_added_new")).dt.total_days().abs()
    same = {c: pl.col(c).eq_missing(pl.col(f"{c}_new")) for c in SCORE}
    scored = pairs.with_columns(
        _gap=gap,
        _score=pl.sum_horizontal(same[c].cast(pl.Int32) * weight for c, weight in SCORE.items()),
        _rescue=same["source_url"] & pl.col("source_url").is_not_null() & same["event_date"],
    )
    # an export without `date_added` (older mirrors) can only link on the date itself
    near = (pl.col("_gap") <= DATE_ADDED_SLACK_DAYS) | (pl.col("_gap").is_null() & same["event_date"])
    by_record_day = scored.filter(near).sort(
        ["_score", "_gap", "row_number", "event_id"], descending=[True, False, False, False]
    )
    by_article = scored.filter(pl.col("_rescue")).sort(["_gap", "row_number", "event_id"], nulls_last=True)
    links: list[tuple[str, int]] = []
    used_events: set[str] = set()
    used_rows: set[int] = set()
    for candidates in (by_record_day, by_article):
        for event_id, row_number in candidates.select("event_id", "row_number").iter_rows():
            if event_id not in used_events and row_number not in used_rows:
                links.append((event_id, row_number))
                used_events.add(event_id)
                used_rows.add(row_number)
    return links
