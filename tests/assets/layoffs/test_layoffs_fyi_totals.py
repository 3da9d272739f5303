"""layoffs.fyi in the warehouse against the newest export covering each year: FNZ's layoff counted
once, and every difference named (a duplicate the tracker listed twice, or a row a newer export
revised or no longer lists)."""

from __future__ import annotations

from datetime import date

import dagster as dg
import duckdb
import polars as pl
import pytest

import assets.layoffs.assets as layoffs_assets
from pipelines.settings import CapexSettings
from pipelines.snapshot import snapshot_manifest
from pipelines.warehouse import build_path
from tests.assets.layoffs.conftest import FYI_FILES
from tests.assets.layoffs.test_assets import RunIOManager

TRACKER_START = date(2020, 3, 11)  # the tracker's first layoff


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> dict[str, pl.DataFrame]:
    home = tmp_path_factory.mktemp("home")
    path = home / "warehouse" / "capex.duckdb"
    result = dg.materialize(
        [layoffs_assets.landing_layoffs, layoffs_assets.layoffs_parsed, layoffs_assets.core_layoff_events],
        resources={
            "settings": CapexSettings(home=str(home), offline=True),
            "io_manager": RunIOManager(warehouse=str(path)),
        },
    )
    assert result.success
    with duckdb.connect(str(build_path(path, result.run_id)), read_only=True) as con:
        return {
            t: con.sql(f"select * from core.{t} where source = 'layoffs_fyi'").pl()
            for t in ("layoff_events", "layoff_event_versions")
        }


def test_fnz_2023_07_06_is_one_event(warehouse):
    fnz = warehouse["layoff_events"].filter(
        (pl.col("company") == "FNZ") & (pl.col("event_date") == date(2023, 7, 6))
    )
    # the 2026-07-23 export lists it twice (date_added 2023-07-07 and 2026-06-16, same citywire article)
    assert fnz.select("employees_affected", "date_added", "source_duplicates").rows() == [
        (1000, date(2023, 7, 7), 1)
    ]
    assert (
        int(warehouse["layoff_events"]["source_duplicates"].sum()) == 2
    )  # FNZ and Terminus (2022-05-27, no count)


# Every difference between the warehouse and the newest export covering the year, by name:
# (year, company, event_date, difference in employees, why). Check them against the exports.
NAMED_DIFFERENCES = {
    (2022, "Momentive", date(2022, 10, 10), +180, "no longer listed after the 2025-06-01 export"),
    (2022, "Bol.com", date(2022, 12, 9), +300, "no longer listed after the 2026-05-16 export"),
    (2023, "FNZ", date(2023, 7, 6), -1000, "listed twice by the export: merged duplicate"),
    (2023, "Impossible Foods copy", date(2023, 1, 30), +140, "no longer listed after the 2026-05-16 export"),
    (2025, "Cars24", date(2025, 4, 26), +200, "no longer listed after the 2026-05-16 export"),
    (2025, "VerSe Innovation copy", date(2025, 5, 18), +350, "no longer listed after the 2026-05-16 export"),
}


def newest_export_covering(parsed, year: int) -> str:
    start, end = max(date(year, 1, 1), TRACKER_START), date(year, 12, 31)
    covering = [
        f
        for f in FYI_FILES
        if parsed[f].rows["event_date"].min() <= start and parsed[f].rows["event_date"].max() >= end
    ]
    return max(covering, key=lambda f: parsed[f].rows["as_of"].max())


def explain(parsed, warehouse, year: int) -> tuple[int, int, set]:
    path = newest_export_covering(parsed, year)
    events, versions = warehouse["layoff_events"], warehouse["layoff_event_versions"]
    rows = parsed[path].rows.filter(pl.col("event_date").dt.year() == year).drop("event_id")
    origin = next(
        f.origin for f in snapshot_manifest() if f.path == path
    )  # a snapshot body's origin is its URL
    listed = versions.filter(pl.col("origin") == origin).select("row_number", "event_id")
    mapped = rows.join(listed, on="row_number", how="left")
    in_year = events.filter(pl.col("event_date").dt.year() == year)
    named = set()
    # an export row that is no version of any event was merged into its twin
    for company, day, count in (
        mapped.filter(pl.col("event_id").is_null())
        .select("company", "event_date", "employees_affected")
        .iter_rows()
    ):
        if count:
            named.add((year, company, day, -count, "listed twice by the export: merged duplicate"))
    exported = mapped.filter(pl.col("event_id").is_not_null()).select(
        "event_id", exported="employees_affected"
    )
    held = in_year.select("event_id", "company", "event_date", "employees_affected", "last_listed_as_of")
    both = exported.join(held, on="event_id", how="full", coalesce=True).with_columns(
        delta=pl.col("employees_affected").fill_null(0) - pl.col("exported").fill_null(0)
    )
    for company, day, delta, last in (
        both.filter(pl.col("delta") != 0)
        .select("company", "event_date", "delta", "last_listed_as_of")
        .iter_rows()
    ):
        why = f"no longer listed after the {last} export" if last else "revised by a newer export"
        named.add((year, company, day, delta, why))
    return int(in_year["employees_affected"].sum()), int(rows["employees_affected"].sum()), named


@pytest.mark.parametrize("year", range(2020, 2026))
def test_yearly_totals_match_the_newest_export_but_for_named_rows(parsed, warehouse, year):
    held, exported, named = explain(parsed, warehouse, year)
    assert named == {d for d in NAMED_DIFFERENCES if d[0] == year}
    assert held - exported == sum(d[3] for d in named)


def test_the_newest_covering_exports(parsed):
    # the 2026-07-23 (spreadsheet-mangled) export is the newest reaching back to each year's start;
    # the API dump (2025-01-02 on) does not reach 2025-01-01
    assert {newest_export_covering(parsed, y) for y in range(2020, 2026)} == {FYI_FILES[2]}
