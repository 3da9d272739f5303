"""parse_layoffs_fyi on the four real exports (three layouts, one spreadsheet-mangled) and on edits of them."""

from __future__ import annotations

import gzip
from datetime import date

import polars as pl
import pytest

from assets.layoffs.layoffs_fyi import parse_layoffs_fyi, read_dates
from pipelines.errors import SourceFormatError
from pipelines.snapshot import read_snapshot_bytes
from tests.assets.layoffs.conftest import FYI_API_DUMP, FYI_KAGGLE, FYI_MANGLED, FYI_SITE_CSV


def row(rows: pl.DataFrame, company: str, day: date) -> dict:
    found = rows.filter((pl.col("company") == company) & (pl.col("event_date") == day))
    assert found.height == 1, f"{company} {day}: {found.height} rows"
    return found.row(0, named=True)


def test_site_csv_layout_percent_dollars_and_bom(parsed):
    p = parsed[FYI_SITE_CSV]
    assert p.rows.height == 4078 and p.rejects.height == 0
    ebay = row(
        p.rows, "eBay", date(2025, 5, 28)
    )  # `eBay,"Tel Aviv,Non-U.S.",200,5/28/2025,,...,$1200,Israel,6/1/2025`
    assert ebay["employees_affected"] == 200
    assert ebay["funds_raised_usd"] == 1_200_000_000.0
    assert ebay["location"] == "Tel Aviv,Non-U.S." and ebay["country"] == "Israel"
    assert ebay["date_added"] == date(2025, 6, 1)
    insider = row(p.rows, "Business Insider", date(2025, 5, 29))  # `,,5/29/2025,20%,Media`
    assert insider["percentage"] == pytest.approx(0.2) and insider["employees_affected"] is None
    meta = row(p.rows, "Meta", date(2022, 11, 9))
    assert meta["employees_affected"] == 11_000 and meta["source"] == "layoffs_fyi"
    assert p.rows["as_of"].max() == date(2025, 6, 1)  # newest Date Added


def test_kaggle_layout_fractions_and_float_counts(parsed):
    p = parsed[FYI_KAGGLE]
    assert p.rows.height == 4411 and p.rejects.height == 0
    cisco = row(
        p.rows, "Cisco", date(2026, 5, 13)
    )  # `Cisco,SF Bay Area,4000.0,5/13/2026,0.05,Infrastructure`
    assert cisco["employees_affected"] == 4000 and cisco["percentage"] == pytest.approx(0.05)
    assert (
        cisco["industry"] == "Infrastructure"
        and cisco["source_url"] == "https://blogs.cisco.com/news/our-path-forward"
    )
    oracle = row(p.rows, "Oracle", date(2026, 3, 31))  # the May export's version of the row
    assert oracle["employees_affected"] == 30_000
    assert p.rows["event_date"].min() == date(2020, 3, 11) and p.rows["event_date"].max() == date(2026, 5, 15)


def test_api_dump_layout_iso_dates_and_timestamps(parsed):
    p = parsed[FYI_API_DUMP]
    assert p.rows.height == 641 and p.rejects.height == 0
    apple = row(
        p.rows, "Apple", date(2026, 8, 21)
    )  # `Apple,SF Bay Area,200.0,2026-08-21,...,2026-08-21T16:00:28.000Z`
    assert apple["employees_affected"] == 200 and apple["date_added"] == date(2026, 8, 21)
    assert apple["funds_raised_usd"] == 1_200_000_000.0
    oracle = row(p.rows, "Oracle", date(2026, 6, 23))  # re-dated and revised: 21,000, still added 2026-03-31
    assert oracle["employees_affected"] == 21_000 and oracle["date_added"] == date(2026, 3, 31)


def test_mangled_dates_are_repaired_only_with_proof_and_say_so(parsed):
    p = parsed[FYI_MANGLED]
    assert p.rows.height == 4523 and p.rejects.height == 0
    alarum = row(p.rows, "Alarum", date(2026, 7, 12))  # published `07-12-2026`: July 12 (file sorted by date)
    assert "read as month-day" in alarum["date_note"] and "'07-12-2026'" in alarum["date_note"]
    assert row(p.rows, "Meta", date(2026, 4, 2))["employees_affected"] == 200  # `04-02-2026`
    assert (
        row(p.rows, "Meta", date(2026, 5, 20))["employees_affected"] == 8000
    )  # `5/20/2026`: no repair needed
    assert row(p.rows, "Meta", date(2026, 5, 20))["date_note"] is None
    # every repaired date agrees with the unmangled May export where both have the row
    key = ["company", "source_url", "location", "employees_affected", "date_added"]
    kaggle = parsed[FYI_KAGGLE].rows.filter(pl.struct(key).is_unique())
    repaired = p.rows.filter(pl.struct(key).is_unique() & pl.col("date_note").is_not_null())
    both = repaired.join(kaggle, on=key, suffix="_may")
    assert both.height > 1000
    assert (both["event_date"] == both["event_date_may"]).all()


def test_mangled_file_without_order_is_held_out_not_guessed():
    raw = read_snapshot_bytes(FYI_MANGLED)
    header, *lines = raw.decode("utf-8").splitlines()
    shuffled = "\n".join([header, *sorted(lines)]) + "\n"  # same rows, sorted by company: no date order
    p = parse_layoffs_fyi(shuffled.encode(), "shuffled.csv")
    assert p.rows["date_note"].is_null().all()
    problems = p.rejects.filter(pl.col("field") == "date")
    assert problems.height > 1000
    first = problems.row(0, named=True)
    assert first["origin"] == "shuffled.csv" and "day and month cannot be told apart" in first["problem"]
    # rows with an unambiguous date still load, with the right date
    assert row(p.rows, "Meta", date(2026, 5, 20))["employees_affected"] == 8000


def test_read_dates_decides_the_order_from_the_values():
    dates, notes, problems = read_dates(["13/01/2024", "02/01/2024"], {}, "date")  # day first: 13 > 12
    assert dates == [date(2024, 1, 13), date(2024, 1, 2)] and problems == [None, None]
    dates, _, problems = read_dates(["2024-01-02", "1/13/2024", "not a date"], {}, "date")
    assert (
        dates[:2] == [date(2024, 1, 2), date(2024, 1, 13)] and problems[2] == "unparseable date 'not a date'"
    )
    dates, _, _ = read_dates(["1/2/2024", "2/1/2024"], {}, "date")  # the tracker's own m/d/yyyy, alone
    assert dates == [date(2024, 1, 2), date(2024, 2, 1)]
    _, _, problems = read_dates(["01-02-2024", "2/13/2024", "1/13/2024"], {}, "date")  # mixed, out of order
    assert "cannot be told apart" in problems[0] and problems[1:] == [None, None]


def test_renamed_required_column_is_a_format_error_naming_file_and_column():
    raw = read_snapshot_bytes(FYI_KAGGLE).replace(b"total_laid_off", b"laid_off_total", 1)
    with pytest.raises(SourceFormatError) as e:
        parse_layoffs_fyi(raw, "layoffs.csv")
    assert "layoffs.csv" in str(e.value) and "total_laid_off" in str(e.value)


def test_extra_and_reordered_columns_still_load(parsed):
    frame = pl.read_csv(read_snapshot_bytes(FYI_API_DUMP), infer_schema=False)
    reordered = frame.with_columns(ai_related=pl.lit("yes")).select(["ai_related", *reversed(frame.columns)])
    p = parse_layoffs_fyi(reordered.write_csv().encode(), "reordered.csv")
    original = parsed[FYI_API_DUMP].rows
    assert p.rows.height == original.height
    assert p.rows.drop("origin").equals(original.drop("origin"))


def test_bad_date_and_count_are_rejects_naming_row_and_column_and_the_rest_loads():
    lines = read_snapshot_bytes(FYI_KAGGLE).decode("utf-8").split("\n")
    assert lines[1].startswith("Kraken,SF Bay Area,150.0,5/15/2026")
    assert lines[5].startswith("Cisco,SF Bay Area,4000.0,5/13/2026")
    lines[1] = lines[1].replace("5/15/2026", "5/35/2026", 1)  # the date, not date_added
    lines[5] = lines[5].replace("4000.0", "about 4000")
    p = parse_layoffs_fyi("\n".join(lines).encode(), "edited.csv")
    assert p.rows.height == 4411 - 2
    assert p.rejects.select("origin", "row_number", "field").rows() == [
        ("edited.csv", 1, "date"),
        ("edited.csv", 5, "total_laid_off"),
    ]
    assert p.rejects["problem"].to_list() == [
        "unparseable date '5/35/2026'",
        "unparseable count 'about 4000' (expected a whole number)",
    ]
    assert '"company":"Cisco"' in p.rejects["record"][1]


def test_percentage_out_of_range_is_held_out():
    lines = read_snapshot_bytes(FYI_SITE_CSV).decode("utf-8-sig").split("\n")
    lines[1] = lines[1].replace("20%", "120%")  # Business Insider
    p = parse_layoffs_fyi("\n".join(lines).encode(), "pct.csv")
    assert p.rejects.row(0, named=True)["problem"] == "percentage '120%' outside 0-100%"
    assert p.rejects.row(0, named=True)["field"] == "%"


def test_truncated_empty_and_foreign_bodies_are_refused():
    raw = read_snapshot_bytes(FYI_KAGGLE)
    with pytest.raises(SourceFormatError, match="truncated"):
        parse_layoffs_fyi(raw[: len(raw) // 2], "cut.csv")
    with pytest.raises(SourceFormatError, match="empty"):
        parse_layoffs_fyi(b"", "empty.csv")
    with pytest.raises(SourceFormatError, match="no column"):
        parse_layoffs_fyi(b'{"offers": []}\n', "offers.json")
    with pytest.raises(SourceFormatError, match="no rows"):
        parse_layoffs_fyi(raw.split(b"\n", 1)[0] + b"\n", "header-only.csv")


def test_gzipped_body_reads_like_the_plain_one(parsed):
    p = parse_layoffs_fyi(gzip.compress(read_snapshot_bytes(FYI_API_DUMP)), "layoffs.csv.gz")
    assert p.rows.drop("origin").equals(parsed[FYI_API_DUMP].rows.drop("origin"))
