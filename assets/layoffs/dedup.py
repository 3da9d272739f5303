"""One row per layoff event across every download of every source: `deduplicate_events`.

The landing zone keeps every download (all layoff kinds are history kinds), so the same event
arrives many times: overlapping layoffs.fyi exports, successive WARN reports of one state. Versions
are taken oldest first by `as_of` (the newest date the body states; then the landing date
`observed_as_of` when the framework adds it; then origin), and the latest version of an event wins.

WARN notices: the parser's `event_id` is already the identity (employer, notice date, workers, rank;
see warn.py), so versions group on it; the latest wins, and a field it leaves empty is filled from
an older version (CA's PDF-derived rows lack the address its workbook gives).

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
A row that links to nothing is a new event. An event keeps the `event_id` of its first version
(hash of company, date_added, date, source URL: layoffs_fyi.py), so ids stay put as newer downloads
arrive. An event missing from a newer download is kept: exports cover different windows (the API dump
starts in 2025), so absence is no proof of deletion.
"""

from __future__ import annotations

import polars as pl

from assets.layoffs.events import company_key

TRACE_COLUMNS = ("origin", "row_number", "as_of", "observed_as_of", "landed_sha256")
DATE_ADDED_SLACK_DAYS = 1  # Airtable renders the record's creation time in the exporter's time zone
SCORE = {"source_url": 8, "event_date": 4, "location_key": 2, "employees_affected": 1}


def deduplicate_events(events: pl.DataFrame) -> pl.DataFrame:
    """All parsed versions (every download of every source) -> one row per event, latest version.

    Adds `versions`: how many downloads carried the event.
    """
    order = ["as_of", *(c for c in ("observed_as_of",) if c in events.columns), "origin", "row_number"]
    ordered = events.sort(order, nulls_last=False)
    fyi = ordered.filter(pl.col("source") == "layoffs_fyi")
    warn = ordered.filter(pl.col("source") != "layoffs_fyi")
    parts = [frame for frame in (_link_layoffs_fyi(fyi), _latest_warn(warn)) if frame.height]
    if not parts:
        return events.with_columns(versions=pl.lit(0, pl.UInt32)).clear()
    return pl.concat(parts, how="vertical_relaxed").sort("source", "event_date", "company", "event_id")


def _latest_warn(versions: pl.DataFrame) -> pl.DataFrame:
    if versions.height == 0:
        return versions
    trace = [c for c in versions.columns if c in TRACE_COLUMNS]
    descriptive = [c for c in versions.columns if c not in trace and c != "event_id"]
    return versions.group_by("event_id", maintain_order=True).agg(
        *(pl.col(c).drop_nulls().last() for c in descriptive),
        *(pl.col(c).last() for c in trace),
        versions=pl.len(),
    ).select(*versions.columns, "versions")


def _download_key(versions: pl.DataFrame) -> str:
    return "landed_sha256" if "landed_sha256" in versions.columns else "origin"


def _link_layoffs_fyi(versions: pl.DataFrame) -> pl.DataFrame:
    if versions.height == 0:
        return versions
    key = _download_key(versions)
    # the same body landed twice (imported again under another date) is one download
    keyed = versions.unique([key, "row_number"], keep="last", maintain_order=True).with_columns(
        _company=company_key(pl.col("company")),
        location_key=pl.col("location").str.to_lowercase().str.replace_all(r"[\s.]", ""),
        versions=pl.lit(1, pl.UInt32),
    )
    current: pl.DataFrame | None = None
    for download in keyed.partition_by(key, maintain_order=True):
        if current is None:
            current = download
            continue
        links = _links(current, download)
        linked = pl.DataFrame(links, schema={"event_id": pl.String, "row_number": pl.Int64}, orient="row")
        carried = current.filter(pl.col("event_id").is_in(linked["event_id"].implode()))
        update = (
            download.join(linked.rename({"event_id": "_linked"}), on="row_number", how="left")
            .join(carried.select(_linked="event_id", _seen="versions"), on="_linked", how="left")
            .with_columns(
                event_id=pl.coalesce("_linked", "event_id"),
                versions=(pl.col("_seen").fill_null(0) + 1).cast(pl.UInt32),
            )
            .drop("_linked", "_seen")
        )
        update = _unique_new_ids(update, taken=set(current["event_id"]), linked=set(linked["event_id"]))
        current = pl.concat([current.filter(~pl.col("event_id").is_in(linked["event_id"].implode())), update])
    return current.drop("_company", "location_key").select(*versions.columns, "versions")


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


def _unique_new_ids(update: pl.DataFrame, taken: set[str], linked: set[str]) -> pl.DataFrame:
    """A new event whose first-version id is already held by another event gets a suffix."""
    ids = []
    in_use = taken - linked
    for event_id in update["event_id"]:
        candidate, n = event_id, 1
        while candidate in in_use:
            n += 1
            candidate = f"{event_id}-{n}"
        in_use.add(candidate)
        ids.append(candidate)
    return update.with_columns(event_id=pl.Series(ids, dtype=pl.String))

