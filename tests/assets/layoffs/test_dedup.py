"""deduplicate_events over every embedded download: one row per event, the latest version wins."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from assets.layoffs.dedup import deduplicate_events
from tests.assets.layoffs.conftest import CA_CSV, CA_FEB, CA_SEP, FYI_FILES, FYI_KAGGLE, FYI_SITE_CSV


@pytest.fixture(scope="module")
def fyi_events(parsed) -> pl.DataFrame:
    return deduplicate_events(pl.concat([parsed[path].rows for path in FYI_FILES]))


def events_of(events: pl.DataFrame, company: str) -> pl.DataFrame:
    return events.filter(pl.col("company") == company).sort("event_date")


def test_meta_2022_11_09_is_one_event_across_the_four_exports(fyi_events):
    meta = events_of(fyi_events, "Meta").filter(pl.col("event_date") == date(2022, 11, 9))
    assert meta.height == 1
    assert meta.row(0, named=True)["employees_affected"] == 11_000
    assert (
        meta.row(0, named=True)["versions"] == 3
    )  # site CSV, Kaggle, mangled Kaggle (the API dump starts 2025)


def test_revised_row_replaces_its_earlier_version(fyi_events):
    # Oracle, added 2026-03-31: 30,000 on 3/31 in the May export, 21,000 on 6/23 in August's
    oracle = events_of(fyi_events, "Oracle").filter(pl.col("date_added") == date(2026, 3, 31))
    assert oracle.select("event_date", "employees_affected", "versions").rows() == [
        (date(2026, 6, 23), 21_000, 3)
    ]
    assert events_of(fyi_events, "Oracle").filter(pl.col("event_date") == date(2026, 3, 31)).height == 0
    # Meta's 8,000, dated 4/17 in May and re-dated 5/20 later: one event, on 5/20
    meta_2026 = events_of(fyi_events, "Meta").filter(pl.col("event_date").dt.year() == 2026)
    assert meta_2026.select("event_date", "employees_affected").rows() == [
        (date(2026, 1, 13), 1500),
        (date(2026, 3, 25), 700),
        (date(2026, 4, 2), 200),
        (date(2026, 5, 20), 8000),
    ]


def test_every_export_row_is_one_event_and_ids_are_unique(parsed, fyi_events):
    assert fyi_events["event_id"].is_unique().all()
    # the full-history May export is contained (its 4,411 rows list Terminus's 2022-05-27 layoff twice,
    # same article, added 2022-05-28 and 2023-02-19); the site CSV adds 2 rows the tracker later dropped
    both = deduplicate_events(pl.concat([parsed[FYI_SITE_CSV].rows, parsed[FYI_KAGGLE].rows]))
    assert both.height == 4411 - 1 + 2
    # + rows added after 2026-05-16 by the mangled and API exports, less FNZ's second row of 2023-07-06
    assert fyi_events.height == 4581 - 2
    assert fyi_events["event_date"].max() == date(2026, 8, 21)


def test_event_ids_do_not_move_when_newer_downloads_arrive(parsed, fyi_events):
    early = deduplicate_events(pl.concat([parsed[FYI_SITE_CSV].rows, parsed[FYI_KAGGLE].rows]))
    assert set(early["event_id"]) <= set(fyi_events["event_id"])
    meta_id = early.filter((pl.col("company") == "Meta") & (pl.col("event_date") == date(2022, 11, 9)))[
        "event_id"
    ]
    assert (
        meta_id.to_list()
        == fyi_events.filter((pl.col("company") == "Meta") & (pl.col("event_date") == date(2022, 11, 9)))[
            "event_id"
        ].to_list()
    )


def test_same_download_landed_twice_changes_nothing(parsed):
    rows = parsed[FYI_KAGGLE].rows
    once = deduplicate_events(rows)
    again = pl.concat([rows, rows.with_columns(origin=pl.lit("copy.csv"))])
    assert deduplicate_events(again).height == once.height == 4411 - 1


def test_later_ca_download_supersedes_the_earlier_one_of_its_report(parsed):
    loaded = deduplicate_events(parsed[CA_CSV].rows)
    with_sep = deduplicate_events(pl.concat([parsed[CA_CSV].rows, parsed[CA_SEP].rows]))
    # the September workbook (FY2025-26 to 09/24) is older than the CSV's FY2025-26 rows (to 2026-01-07):
    # every notice it lists is in the CSV but one, which the CSV no longer lists (kept and marked)
    delisted = with_sep.filter(pl.col("last_listed_as_of").is_not_null())
    assert delisted.select("company", "event_date", "employees_affected", "last_listed_as_of").rows() == [
        ("Dreyer's Grand Ice Cream's", date(2025, 9, 24), 110, date(2025, 9, 24)),
    ]
    # EDD revised the other in place: "Dreyer's Grand Ice Cream's", Kern County, noticed 2025-09-24 for
    # 214 became "Dreyer's Grand Ice Cream", noticed 2025-09-23 for 726 (same effective date 2025-11-23)
    kern = with_sep.filter(
        pl.col("company").str.starts_with("Dreyer")
        & (pl.col("county") == "Kern County")
        & (pl.col("event_date").dt.year() == 2025)
    )
    assert kern.select("company", "event_date", "employees_affected", "versions").rows() == [
        ("Dreyer's Grand Ice Cream", date(2025, 9, 23), 726, 2)
    ]
    # ...under the id it got when first seen, in September
    first_seen = parsed[CA_SEP].rows.filter(
        pl.col("company").str.starts_with("Dreyer") & (pl.col("employees_affected") == 214)
    )
    assert kern["event_id"].to_list() == first_seen["event_id"].to_list()
    assert with_sep.height == loaded.height + 1


def test_warn_latest_version_wins_and_keeps_older_details(parsed):
    events = deduplicate_events(pl.concat([parsed[CA_FEB].rows, parsed[CA_CSV].rows]))
    # Walmart 2025-02-05: 77 workers in the February workbook, 79 in the CSV's FY2024-25 rows: one notice
    walmart = events.filter((pl.col("company") == "Walmart") & (pl.col("event_date") == date(2025, 2, 5)))
    assert walmart.select("employees_affected", "versions").rows() == [(79, 2)]
    assert events.height == deduplicate_events(parsed[CA_CSV].rows).height
    lockheed = events.filter(
        (pl.col("company") == "Lockheed Martin") & (pl.col("event_date") == date(2024, 7, 1))
    )
    row = lockheed.row(0, named=True)
    assert row["origin"] == "ca_warn-scraper-export_2014-07_to_2026-01-07.csv"  # the newer download
    assert row["address"] == "1011 Lockheed Way  Palmdale CA 93599"  # only the workbook has it
    assert row["industry"] == "31-33 Manufacturing" and row["versions"] == 2


def test_framework_lineage_columns_are_kept(parsed):
    rows = parsed[FYI_KAGGLE].rows.with_columns(
        landed_sha256=pl.lit("ab" * 32), observed_as_of=pl.lit("2026-05-20")
    )
    events = deduplicate_events(rows)
    assert {"landed_sha256", "observed_as_of", "versions"} <= set(events.columns)
    assert events.height == 4411 - 1
