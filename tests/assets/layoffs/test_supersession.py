"""WARN supersession across the snapshot's successive downloads (docs/layoffs.md), and a revision in
place built from a real workbook."""

from __future__ import annotations

from datetime import date

import dagster as dg
import duckdb
import polars as pl
import pytest

import assets.layoffs.assets as layoffs_assets
from assets.layoffs.dedup import event_history
from assets.layoffs.events import company_key
from pipelines.gx_runner import validate_frame
from pipelines.landing import LandingZone
from pipelines.settings import CapexSettings
from pipelines.snapshot import read_snapshot_bytes
from pipelines.warehouse import build_path
from tests.assets.layoffs.conftest import CA_CSV, CA_FEB, CA_SEP, edit_xlsx, origin_of, replace_once
from tests.assets.layoffs.test_assets import RunIOManager

CA_FILES = [CA_FEB, CA_SEP, CA_CSV]
DETAIL_SHEET = "xl/worksheets/sheet3.xml"  # "Detailed WARN Report " in the EDD workbooks


@pytest.fixture(scope="module")
def ca(parsed) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    rows = pl.concat([parsed[path].rows for path in CA_FILES])
    events, versions = event_history(rows)
    return rows, events, versions


def test_every_ca_listing_is_one_version_of_one_notice(ca):
    rows, events, versions = ca
    assert events["event_id"].is_unique().all()
    # every row of every download is a version of exactly one notice
    assert versions.height == rows.height == 834 + 347 + 16451
    assert versions.select("origin", "row_number").is_unique().all()
    # ...and at most once per download of a report: only the CSV, which merges EDD's yearly reports,
    # lists a notice twice (once per fiscal year's report that listed it)
    per_download = versions.group_by("event_id", "origin").len().filter(pl.col("len") > 1)
    assert set(per_download["origin"]) == {origin_of(CA_CSV)}
    # Warner Music Inc., noticed 2017-05-23 (57 workers), is re-listed by three fiscal years' reports
    warner = events.filter(
        (pl.col("company") == "Warner Music Inc.") & (pl.col("event_date") == date(2017, 5, 23))
    )
    assert warner["versions"].to_list() == [3]
    assert set(versions["event_id"]) == set(events["event_id"])
    assert (
        versions.group_by("event_id")
        .len()
        .join(events, on="event_id")
        .filter(pl.col("len") != pl.col("versions"))
        .height
        == 0
    )
    # the February workbook's 834 notices of FY2024-25 are all listed again by the newer CSV
    feb = versions.filter(pl.col("origin") == origin_of(CA_FEB))
    assert feb.join(versions.filter(pl.col("origin") == origin_of(CA_CSV)), on="event_id").height == 834


def test_no_two_ca_events_are_versions_of_the_same_notice(ca):
    _, events, _ = ca
    keyed = events.with_columns(_company=company_key(pl.col("company")))
    # a notice a newer download stopped listing must not reappear beside itself as a notice first
    # seen in that newer download (a revision split into two)
    dropped = keyed.filter(pl.col("last_listed_as_of").is_not_null())
    twins = dropped.join(keyed, on=["_company", "county", "report"], suffix="_other").filter(
        (pl.col("event_id") != pl.col("event_id_other"))
        & (pl.col("first_listed_as_of_other") > pl.col("last_listed_as_of"))
        & ((pl.col("event_date") - pl.col("event_date_other")).dt.total_days().abs() <= 7)
        & (pl.col("employees_affected") == pl.col("employees_affected_other"))
    )
    assert twins.height == 0
    # nor may two notices be the same listing twice: one employer, date, site, count and effective date
    same = ["_company", "event_date", "county", "address", "employees_affected", "effective_date", "report"]
    repeated = keyed.filter(pl.col("address").is_not_null()).group_by(same).len().filter(pl.col("len") > 1)
    assert repeated.height == 0


def test_revised_in_place_between_downloads_keeps_one_notice(ca):
    _, events, versions = ca
    # Walmart's notice of 2025-02-05: 77 workers in the February workbook, 79 in the CSV (FY2024-25 PDF)
    walmart = events.filter((pl.col("company") == "Walmart") & (pl.col("event_date") == date(2025, 2, 5)))
    assert walmart.select("employees_affected", "versions", "last_listed_as_of").rows() == [(79, 2, None)]
    history = versions.filter(pl.col("event_id") == walmart["event_id"][0]).sort("as_of")
    assert history.select("as_of", "employees_affected").rows() == [
        (date(2025, 2, 5), 77),
        (date(2026, 1, 7), 79),
    ]


def test_a_notice_no_longer_listed_is_kept_and_marked(ca):
    _, events, _ = ca
    # the September workbook lists Dreyer's Grand Ice Cream's in Tulare County twice (188 on 2025-09-23,
    # 110 on 2025-09-24); the CSV's FY2025-26 rows, up to 2026-01-07, list only the 188
    dropped = events.filter(pl.col("last_listed_as_of").is_not_null())
    assert dropped.select(
        "company", "county", "event_date", "employees_affected", "last_listed_as_of"
    ).rows() == [("Dreyer's Grand Ice Cream's", "Tulare County", date(2025, 9, 24), 110, date(2025, 9, 24))]


def test_a_new_fiscal_year_relisting_links_to_the_older_notice(parsed):
    csv = parsed[CA_CSV].rows
    events, versions = event_history(csv)
    # Dolls Kill, Inc., two notices of 2020-03-22 in San Francisco County: 33 and 4 workers in the
    # FY2019-20 PDF (processed 2020-04-08), re-listed as 36 and 5 by the FY2020-21 PDF (processed
    # 2020-09-24): two notices (one employer, date and county), each with the newer publication's count
    dolls = events.filter(
        (pl.col("company") == "Dolls Kill, Inc.") & (pl.col("event_date") == date(2020, 3, 22))
    )
    assert dolls.sort("employees_affected").select(
        "employees_affected", "received_date", "report", "versions"
    ).rows() == [
        (5, date(2020, 9, 24), "FY2020-21", 2),
        (36, date(2020, 9, 24), "FY2020-21", 2),
    ]
    history = versions.join(dolls.select("event_id", "employees_affected"), on="event_id", suffix="_now")
    assert sorted(history.select("employees_affected_now", "employees_affected").rows()) == [
        (5, 4),
        (5, 5),
        (36, 33),
        (36, 36),
    ]


class SnapshotlessSettings(CapexSettings):
    """Only the bodies this test lands (the embedded CSV is newer than both and would win)."""

    def landing(self) -> LandingZone:
        return LandingZone(self.home_path / "landing", snapshot_root=None)


def test_count_and_effective_date_revised_in_place_warehouse_holds_one_notice(tmp_path):
    real = read_snapshot_bytes(CA_FEB)
    # MODIFIED COPY of the real 2025-02-08 workbook, made here and never stored as data: the first
    # notice (Lockheed Martin, Palmdale, noticed 2024-07-01: 57 workers, effective 2024-06-30 = serial
    # 45473) revised in place to 64 workers effective 2024-07-31 (serial 45504), as EDD revises rows
    edit = replace_once(r'<c r="G3" s="27"><v>57</v></c>', '<c r="G3" s="27"><v>64</v></c>')
    revised = edit_xlsx(real, DETAIL_SHEET, edit)
    revised = edit_xlsx(
        revised,
        DETAIL_SHEET,
        replace_once(r'<c r="D3" s="31"><v>45473</v></c>', '<c r="D3" s="31"><v>45504</v></c>'),
    )
    home = tmp_path / "home"
    landing = LandingZone(home / "landing", snapshot_root=None)
    landing.store(
        real, kind="warn-ca", entity="warn_ca", origin="warn_report1.xlsx", via="import", as_of="2025-02-08"
    )
    landing.store(
        revised,
        kind="warn-ca",
        entity="warn_ca",
        origin="warn_report1-modified-copy.xlsx",
        via="import",
        as_of="2025-02-09",
    )
    warehouse = home / "warehouse" / "capex.duckdb"
    result = dg.materialize(
        [layoffs_assets.landing_layoffs, layoffs_assets.layoffs_parsed, layoffs_assets.core_layoff_events],
        resources={
            "settings": SnapshotlessSettings(home=str(home), offline=True),
            "io_manager": RunIOManager(warehouse=str(warehouse)),
        },
    )
    assert result.success
    with duckdb.connect(str(build_path(warehouse, result.run_id)), read_only=True) as con:
        events = con.sql("select * from core.layoff_events").pl()
        versions = con.sql("select * from core.layoff_event_versions").pl()
    assert events.height == 834  # the same 834 notices, none doubled
    lockheed = events.filter(
        (pl.col("company") == "Lockheed Martin") & (pl.col("event_date") == date(2024, 7, 1))
    )
    assert lockheed.select(
        "employees_affected", "effective_date", "versions", "last_listed_as_of"
    ).rows() == [(64, date(2024, 7, 31), 2, None)]
    history = versions.filter(pl.col("event_id") == lockheed["event_id"][0]).sort("origin")
    assert history.select("origin", "employees_affected", "effective_date").rows() == [
        ("warn_report1-modified-copy.xlsx", 64, date(2024, 7, 31)),
        ("warn_report1.xlsx", 57, date(2024, 6, 30)),
    ]
    # the id is the one the notice had before the revision
    before = event_history(pl.concat([layoffs_assets.PARSERS["warn-ca"](real, "warn_report1.xlsx").rows]))[0]
    assert (
        lockheed["event_id"].to_list()
        == before.filter(
            (pl.col("company") == "Lockheed Martin") & (pl.col("event_date") == date(2024, 7, 1))
        )["event_id"].to_list()
    )
    failures, evaluated = validate_frame(
        versions, "versions_test", layoffs_assets.LAYOFF_EVENT_VERSIONS_EXPECTATIONS
    )
    assert failures == [] and evaluated == 7
