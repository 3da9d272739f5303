"""core.layoff_coverage on every embedded download: the stretches of dates each source covers."""

from __future__ import annotations

from datetime import date

import polars as pl

from assets.layoffs.coverage import layoff_coverage
from tests.assets.layoffs.conftest import TX_CSV, TX_JSON, WA_CSV


def test_each_source_covers_what_its_downloads_span(all_versions):
    coverage = layoff_coverage(all_versions)
    by_source = {
        s: frame.select("state", "first_date", "last_date", "downloads").rows()
        for (s,), frame in coverage.group_by("source", maintain_order=True)
    }
    # the tracker's first row is 2020-03-11; the API dump's last 2026-08-21
    assert by_source["layoffs_fyi"] == [(None, date(2020, 3, 11), date(2026, 8, 21), 4)]
    # CA: the warn-scraper CSV (oldest notice 2008-09-04, processed up to 2026-01-07) holds both workbooks' windows
    assert by_source["warn_ca"] == [("CA", date(2008, 9, 4), date(2026, 1, 7), 3)]
    # TX: the CSV ends 2026-01-07, the Socrata reply's five notices are 2026-06-12..06-23: a hole between
    assert by_source["warn_tx"] == [
        ("TX", date(1999, 1, 4), date(2026, 1, 7), 1),
        ("TX", date(2026, 6, 12), date(2026, 6, 23), 1),
    ]
    # WA: the CSV to 2026-01-06, the SearchWARN page 1 (received 2026-03-02..03-31)
    assert by_source["warn_wa"] == [
        ("WA", date(2004, 1, 12), date(2026, 1, 6), 1),
        ("WA", date(2026, 3, 2), date(2026, 3, 31), 1),
    ]
    # NY: the 2025 dashboard (notices to 2025-12-12, posted to 12-15) and the 2026 one (from 2026-01-06)
    assert [r[1:3] for r in by_source["warn_ny"]] == [
        (date(2025, 1, 2), date(2025, 12, 15)),
        (date(2026, 1, 6), date(2026, 8, 21)),
    ]


def test_a_download_filling_the_hole_merges_the_stretches(parsed):
    tx = pl.concat([parsed[TX_CSV].rows, parsed[TX_JSON].rows])
    assert layoff_coverage(tx).height == 2
    # a (modified copy) download listing a notice dated in the hole joins both stretches
    filler = parsed[TX_JSON].rows.with_columns(
        event_date=pl.date(2026, 1, 8), as_of=pl.date(2026, 6, 12), origin=pl.lit("synthetic-filler.json")
    )
    merged = layoff_coverage(pl.concat([tx, filler]))
    assert merged.select("first_date", "last_date", "downloads").rows() == [
        (date(1999, 1, 4), date(2026, 6, 23), 3)
    ]


def test_no_download_no_coverage(parsed):
    assert layoff_coverage(parsed[WA_CSV].rows.clear()).height == 0
