"""WARN notices across downloads: supersession by download within a report, linking across reports.

A state's WARN report is a living document, downloaded again and again, and between two downloads
its rows change in place (head count, effective date, industry, address, even the employer's
spelling). The rule, per `report` (warn.py: CA's fiscal-year file, NY's and TX's notice year, WA's
cumulative list):

1. Downloads of one report are taken oldest first (the body's `as_of`, then the landing date, then
   origin). The newest download is the truth for every notice it lists: its rows replace the
   matching rows of the earlier downloads (a field it leaves empty is filled from the older version:
   CA's PDF-derived rows lack the workbook's address and industry).
2. A row of the newer download is the same notice as a row of the older when the employer and the
   notice date agree; among several candidates (CA lists a notice once per site, and one employer,
   date and site can carry two notices with different counts) the best agreement on site (16),
   head count (8), effective date (4), processed date (2) and layoff type (1) wins, one-to-one.
   Then, among rows still unpaired, a notice revised in several fields at once (employer spelling,
   notice date, count): same effective date and county, notice dates at most 7 days apart, and one
   employer name (letters and digits only) a prefix of the other.
3. A notice an earlier download listed and a newer download of its report no longer lists, although
   that download reaches the notice's processed date, is kept and marked: `last_listed_as_of` is the
   `as_of` of the last download that listed it (NULL while the newest download reaching it lists it).
4. Across reports (a new fiscal-year workbook re-listing an older notice with a new processed date
   and count), a notice of a newer report is linked to one of an older report when employer, notice
   date and site agree (or the formats share no site field); the newer publication wins. Within one
   report, two rows agreeing on employer, notice date, address, count and effective date but
   processed on different days are the notice processed twice: the later processing wins.

A notice keeps the `event_id` of its first version (warn.py), so ids stay put across revisions.
Every listing is kept as a version (`core.layoff_event_versions`).
"""

from __future__ import annotations

import polars as pl

from assets.layoffs.events import company_key

SITE_FIELDS = ("address", "city", "county")  # finest first: the finest field both rows give is compared
SCORE = {"same_site": 16, "employees_affected": 8, "effective_date": 4, "received_date": 2, "notice_type": 1}
REVISED_NOTICE_DATE_DAYS = 7
UNKNOWN_SITE_SCORE = 8  # neither agrees nor disagrees: ranks below a known same site, above a different one


def supersede_warn(
    versions: pl.DataFrame, download: str, order: list[str]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Every parsed WARN row of every download -> (one row per notice, every listing of it).

    The notice row adds `versions` (its listings), `first_listed_as_of`, `last_listed_as_of`.
    The listings are (event_id, source, as_of, employees_affected, effective_date, origin, row_number).
    """
    keyed = _keyed(versions.sort(order, nulls_last=False))
    notices, listings = [], []
    for part in keyed.partition_by("source", "report", maintain_order=True):
        current, history = _supersede_report(part, download)
        notices.append(current)
        listings.extend(history)
    notices_frame = pl.concat(notices, how="vertical_relaxed")
    history_frame = pl.concat(listings, how="vertical_relaxed")
    linked, final_ids = _link_reports(notices_frame)
    history_frame = (
        history_frame.join(final_ids, on=["source", "report", "event_id"], how="left")
        .with_columns(event_id=pl.coalesce("final_id", "event_id"))
        .drop("final_id", "report")
    )
    return linked.drop(*_KEY_COLUMNS), history_frame


_KEY_COLUMNS = ("_company", "_name", "address_key", "city_key", "county_key", "_listed_on")


def _keyed(versions: pl.DataFrame) -> pl.DataFrame:
    def norm(column: str) -> pl.Expr:
        return pl.col(column).str.to_lowercase().str.replace_all(r"[^a-z0-9]+", " ").str.strip_chars()

    return versions.with_columns(
        _company=company_key(pl.col("company")),
        _name=pl.col("company").str.to_lowercase().str.replace_all(r"[^a-z0-9]", ""),
        address_key=norm("address"),
        city_key=norm("city"),
        county_key=norm("county"),
        _listed_on=pl.coalesce("received_date", "event_date"),
    )


def _same_site(suffix: str = "_new") -> pl.Expr:
    """TRUE/FALSE on the finest site field both rows give, NULL when they share none."""
    expr = pl.lit(None, pl.Boolean)
    for name in reversed(SITE_FIELDS):
        a, b = pl.col(f"{name}_key"), pl.col(f"{name}_key{suffix}")
        expr = pl.when(a.is_not_null() & b.is_not_null()).then(a == b).otherwise(expr)
    return expr


def _pair(older: pl.DataFrame, newer: pl.DataFrame, on: list[str]) -> pl.DataFrame:
    columns = [
        "_company",
        "_name",
        "event_date",
        *(f"{s}_key" for s in SITE_FIELDS),
        "employees_affected",
        "effective_date",
        "received_date",
        "notice_type",
        "report",
    ]
    left = older.select("event_id", *columns)
    right = newer.select("_row", *columns)
    pairs = left.join(right, on=on, suffix="_new")
    for c in on:
        pairs = pairs.with_columns(pl.col(c).alias(f"{c}_new"))
    same = {c: pl.col(c).eq_missing(pl.col(f"{c}_new")) for c in SCORE if c != "same_site"}
    site = _same_site()
    return pairs.with_columns(
        same_site=site,
        _score=pl.when(site)
        .then(SCORE["same_site"])
        .when(site.is_null())
        .then(UNKNOWN_SITE_SCORE)
        .otherwise(0)
        + pl.sum_horizontal(same[c].cast(pl.Int32) * SCORE[c] for c in same),
        _same_count=same["employees_affected"],
    )


def _one_to_one(pairs: pl.DataFrame, used_events: set, used_rows: set) -> list[tuple[str, int]]:
    links = []
    for event_id, row in (
        pairs.sort(["_score", "_row", "event_id"], descending=[True, False, False])
        .select("event_id", "_row")
        .iter_rows()
    ):
        if event_id not in used_events and row not in used_rows:
            links.append((event_id, row))
            used_events.add(event_id)
            used_rows.add(row)
    return links


def _links(current: pl.DataFrame, download: pl.DataFrame) -> list[tuple[str, int]]:
    used_events: set = set()
    used_rows: set = set()
    links = _one_to_one(_pair(current, download, ["_company", "event_date"]), used_events, used_rows)
    # a notice revised in several fields at once (Dreyer's Grand Ice Cream's of 2025-09-24 became
    # Dreyer's Grand Ice Cream of 2025-09-23 with new counts): same effective date and county, notice
    # dates at most a week apart, one employer name (letters and digits) a prefix of the other
    respelled = _pair(
        current.filter(~pl.col("event_id").is_in(list(used_events))),
        download.filter(~pl.col("_row").is_in(list(used_rows))),
        ["effective_date"],
    ).filter(
        pl.col("county_key").eq_missing(pl.col("county_key_new"))
        & (
            (pl.col("event_date") - pl.col("event_date_new")).dt.total_days().abs()
            <= REVISED_NOTICE_DATE_DAYS
        )
        & (
            pl.col("_name").str.starts_with(pl.col("_name_new"))
            | pl.col("_name_new").str.starts_with(pl.col("_name"))
        )
        & (pl.min_horizontal(pl.col("_name").str.len_chars(), pl.col("_name_new").str.len_chars()) >= 6)
    )
    return links + _one_to_one(respelled, used_events, used_rows)


def _listing(rows: pl.DataFrame) -> pl.DataFrame:
    return rows.select(
        "event_id",
        "source",
        "report",
        "as_of",
        "employees_affected",
        "effective_date",
        "origin",
        "row_number",
    )


def _supersede_report(part: pl.DataFrame, download: str) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    trace = {"origin", "row_number", "as_of", "observed_as_of", "landed_sha256"}
    descriptive = [c for c in part.columns if c not in trace and c != "event_id" and not c.startswith("_")]
    # the same body landed twice (imported again under another date) is one download
    part = part.unique([download, "row_number"], keep="last", maintain_order=True).with_columns(
        _row=pl.col("row_number")
    )
    current: pl.DataFrame | None = None
    history: list[pl.DataFrame] = []
    for rows in part.partition_by(download, maintain_order=True):
        rows = rows.with_columns(
            versions=pl.lit(1, pl.UInt32),
            first_listed_as_of=pl.col("as_of"),
            last_listed_as_of=pl.lit(None, pl.Date),
        )
        if current is None:
            current = rows
            history.append(_listing(rows))
            continue
        links = pl.DataFrame(
            _links(current, rows), schema={"_linked": pl.String, "_row": pl.Int64}, orient="row"
        )
        older = current.join(links, left_on="event_id", right_on="_linked", how="semi")
        update = (
            rows.join(links, on="_row", how="left")
            .join(
                older.select(
                    pl.col("event_id").alias("_linked"),
                    pl.col("versions").alias("_seen"),
                    pl.col("first_listed_as_of").alias("_first"),
                    *(pl.col(c).alias(f"_old_{c}") for c in descriptive),
                ),
                on="_linked",
                how="left",
            )
            .with_columns(
                *(pl.coalesce(c, f"_old_{c}").alias(c) for c in descriptive),
                event_id=pl.coalesce("_linked", "event_id"),
                versions=(pl.col("_seen").fill_null(0) + 1).cast(pl.UInt32),
                first_listed_as_of=pl.coalesce("_first", "first_listed_as_of"),
            )
            .drop("_linked", "_seen", "_first", *(f"_old_{c}" for c in descriptive))
        )
        update = unique_ids(update, taken=set(current["event_id"]) - set(links["_linked"]))
        first, last = rows["_listed_on"].min(), rows["_listed_on"].max()
        dropped = current.join(links, left_on="event_id", right_on="_linked", how="anti").with_columns(
            # absent from a download that reaches its processed date: no longer listed
            last_listed_as_of=pl.when(
                pl.col("_listed_on").is_between(first, last) & pl.col("last_listed_as_of").is_null()
            )
            .then(pl.col("as_of"))
            .otherwise(pl.col("last_listed_as_of"))
        )
        current = pl.concat([dropped, update], how="vertical_relaxed")
        history.append(_listing(update))
    return current.drop("_row"), history


def unique_ids(update: pl.DataFrame, taken: set[str]) -> pl.DataFrame:
    """A new notice whose first-version id another notice already holds gets a suffix."""
    return update.with_columns(event_id=pl.Series(unique_id_list(update["event_id"], taken), dtype=pl.String))


def unique_id_list(event_ids, taken: set[str]) -> list[str]:
    """`event_ids` with a suffix (-2, -3, ...) on each one `taken` already holds; adds them to `taken`."""
    ids = []
    for event_id in event_ids:
        candidate, n = event_id, 1
        while candidate in taken:
            n += 1
            candidate = f"{event_id}-{n}"
        taken.add(candidate)
        ids.append(candidate)
    return ids


def _link_reports(notices: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Link a newer report's notice to an older report's one (rule 4). Returns the notices (a linked
    pair as one row: the newer row under the older id) and the id each (report, first id) ends as."""
    merged, remaps = [], []
    for part in notices.partition_by("source", maintain_order=True):
        part = part.with_columns(_row=pl.int_range(pl.len(), dtype=pl.Int64))
        pairs = _pair(
            part.with_columns(event_id=pl.col("_row").cast(pl.String)), part, ["_company", "event_date"]
        )
        relisted = pl.col("report") < pl.col("report_new")
        # one report listing a notice twice, processed twice (North State Public Radio, 2025-09-30, in
        # the CSV's FY2025-26 rows: processed 09-30 and 10-09, same address, count and effective date)
        reprocessed = (
            (pl.col("report") == pl.col("report_new"))
            & (pl.col("received_date") < pl.col("received_date_new"))
            & pl.col("address_key").is_not_null()
            & pl.col("same_site").fill_null(False)
            & pl.col("_same_count")
            & pl.col("effective_date").eq_missing(pl.col("effective_date_new"))
        )
        pairs = pairs.filter((relisted & pl.col("same_site").fill_null(True)) | reprocessed)
        older_of = {row: int(older) for older, row in _one_to_one(pairs, set(), set())}
        ids = part["event_id"].to_list()
        final = []
        for row in range(part.height):
            while row in older_of:  # chains (FY1 -> FY2 -> FY3) resolve to the oldest notice
                row = older_of[row]
            final.append(row)
        # two reports' unlinked notices may share a first-version id: the later one gets a suffix
        event_rows = sorted(set(final))
        id_of = dict(zip(event_rows, unique_id_list([ids[row] for row in event_rows], set())))
        final_ids = pl.Series([id_of[row] for row in final], dtype=pl.String)
        part = part.with_columns(_event_row=pl.Series(final, dtype=pl.Int64), _final_id=final_ids)
        remaps.append(part.select("source", "report", "event_id", final_id="_final_id"))
        seen = part.group_by("_event_row").agg(
            pl.col("versions").sum().alias("_versions"), pl.col("first_listed_as_of").min().alias("_first")
        )
        newest = (
            part.sort("report")
            .group_by("_event_row", maintain_order=True)
            .last()
            .join(seen, on="_event_row")
            .with_columns(
                event_id="_final_id",
                versions=pl.col("_versions").cast(pl.UInt32),
                first_listed_as_of="_first",
            )
            .select(part.columns)
            .drop("_row", "_event_row", "_final_id")
        )
        merged.append(newest)
    return pl.concat(merged, how="vertical_relaxed"), pl.concat(remaps)
