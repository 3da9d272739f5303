"""The state WARN parsers on the real CA/NY/WA/TX files and on edits of them."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from assets.layoffs.warn import parse_warn_ca, parse_warn_ny, parse_warn_tx, parse_warn_wa
from pipelines.errors import SourceFormatError
from pipelines.snapshot import read_snapshot_bytes
from tests.assets.layoffs.conftest import (
    CA_CSV,
    CA_FEB,
    CA_SEP,
    NY_2025,
    NY_2026,
    TX_CSV,
    TX_JSON,
    WA_CSV,
    WA_HTML,
    edit_xlsx,
    replace_once,
)

DETAIL_SHEET = "xl/worksheets/sheet3.xml"  # "Detailed WARN Report " in the EDD workbooks


def totals(rows: pl.DataFrame, name_pattern: str) -> tuple[int, int]:
    hit = rows.filter(pl.col("company").str.contains(name_pattern))
    return hit.height, int(hit["employees_affected"].sum())


def test_ca_workbook_header_found_on_row_2_and_first_notice_read(parsed):
    p = parsed[CA_FEB]
    assert p.rows.height == 834 and p.rejects.height == 0
    first = p.rows.row(0, named=True)  # sheet row 3
    assert (first["company"], first["event_date"], first["employees_affected"]) == (
        "Lockheed Martin",
        date(2024, 7, 1),
        57,
    )
    assert first["effective_date"] == date(2024, 6, 30) and first["received_date"] == date(2024, 7, 1)
    assert (
        first["county"] == "Los Angeles County" and first["address"] == "1011 Lockheed Way  Palmdale CA 93599"
    )
    assert first["notice_type"] == "Layoff Permanent" and first["industry"] == "31-33 Manufacturing"
    assert (first["region"], first["country"], first["source"]) == ("CA", "United States", "warn_ca")
    assert first["as_of"] == date(2025, 2, 5)  # title: "WARN REPORT - 07/01/24 to 02/05/2025"


def test_ca_workbook_big_tech_fy2025_26(parsed):
    rows = parsed[CA_SEP].rows  # PROVENANCE: FY25-26 to 9/24: Intel 18/1,261, Oracle 6/543, Salesforce 1/262
    assert rows.height == 347
    assert totals(rows, "^Intel") == (18, 1261)
    assert totals(rows, "^Oracle") == (6, 543)
    assert totals(rows, "^Salesforce") == (1, 262)


def test_ca_scraper_csv_meta_notices(parsed):
    rows = parsed[CA_CSV].rows
    assert rows.height == 16451 and parsed[CA_CSV].rejects.height == 0
    meta = rows.filter(pl.col("company").str.contains("Meta Platforms"))  # PROVENANCE counts contractors too
    by_year = (
        meta.group_by(pl.col("event_date").dt.year())
        .agg(pl.len(), pl.col("employees_affected").sum())
        .sort("event_date")
    )
    assert by_year.rows() == [(2022, 26, 2870), (2023, 84, 2866), (2025, 5, 308)]
    hacker_way = rows.filter(pl.col("company") == "Meta Platforms, Inc. (1 Hacker Way)").row(0, named=True)
    assert hacker_way["event_date"] == date(2025, 10, 22) and hacker_way["employees_affected"] == 22


def test_ca_renamed_column_is_a_format_error_naming_file_and_column():
    raw = edit_xlsx(
        read_snapshot_bytes(CA_FEB),
        "xl/sharedStrings.xml",
        replace_once(r"<t>Company</t>", "<t>Employer</t>"),
    )
    with pytest.raises(SourceFormatError) as e:
        parse_warn_ca(raw, "warn_report1.xlsx")
    message = str(e.value)
    assert message.startswith("warn_report1.xlsx:") and "no header row with 'Company'" in message


def test_ca_renamed_employee_column_is_named():
    edit = replace_once(r"<t>Employees</t>", "<t>Workers</t>")  # "No. Of\nEmployees" -> "No. Of\nWorkers"
    raw = edit_xlsx(read_snapshot_bytes(CA_FEB), "xl/sharedStrings.xml", edit)
    with pytest.raises(SourceFormatError, match=r"warn_report1\.xlsx: .*no column 'no\. of employees'"):
        parse_warn_ca(raw, "warn_report1.xlsx")


def test_ca_unparseable_date_cell_is_a_reject_and_the_rest_loads():
    bad_cell = replace_once(
        r'<c r="B3" s="31"><v>45474</v></c>', '<c r="B3" t="inlineStr"><is><t>TBD</t></is></c>'
    )
    p = parse_warn_ca(edit_xlsx(read_snapshot_bytes(CA_FEB), DETAIL_SHEET, bad_cell), "warn_report1.xlsx")
    assert p.rows.height == 833
    reject = p.rejects.row(0, named=True)
    assert (reject["origin"], reject["row_number"], reject["field"]) == (
        "warn_report1.xlsx",
        1,
        "Notice Date",
    )
    assert reject["problem"] == "unparseable date 'TBD'" and "Lockheed Martin" in reject["record"]


def test_ca_truncated_workbook_is_refused():
    raw = read_snapshot_bytes(CA_FEB)
    with pytest.raises(SourceFormatError, match="not a readable .xlsx"):
        parse_warn_ca(raw[: len(raw) // 2], "warn_report1.xlsx")


def test_ny_tableau_2026_meta_and_amazon(parsed):
    rows = parsed[NY_2026].rows
    assert rows.height == 192
    assert totals(rows, "^Meta$") == (3, 1160)  # 3 NYC sites, notice 2026-05-20
    assert rows.filter(pl.col("company") == "Meta")["event_date"].unique().to_list() == [date(2026, 5, 20)]
    assert totals(rows, "^Amazon") == (4, 792)
    lancaster = rows.filter(pl.col("address") == "4201 Walden Ave  Lancaster, NY, 14086").row(0, named=True)
    assert lancaster["employees_affected"] == 542 and lancaster["reason"] == "Economic"
    assert (lancaster["notice_type"], lancaster["county"]) == ("Closure Permanent", "Erie")
    assert (lancaster["effective_date"], lancaster["received_date"]) == (date(2026, 5, 30), date(2026, 3, 17))


def test_ny_2025_layout_with_measure_names_and_duplicated_column(parsed):
    rows = parsed[NY_2025].rows
    assert rows.height == 599 and parsed[NY_2025].rejects.height == 0
    assert totals(rows, "^Amazon$") == (9, 660)
    first = rows.row(0, named=True)  # `18 William Partners, LLC,2025-04-20,2025-04-20,2025-04-20,...,108,108`
    assert (first["company"], first["employees_affected"], first["notice_type"]) == (
        "18 William Partners, LLC",
        108,
        "Closure Permanent",
    )


def test_wa_csv_big_tech(parsed):
    rows = parsed[WA_CSV].rows
    assert rows.height == 1419
    day = lambda d: rows.filter(pl.col("event_date") == d)  # noqa: E731
    assert totals(day(date(2023, 1, 18)), "^Microsoft$") == (1, 878)
    assert totals(day(date(2025, 5, 13)), "^Microsoft$") == (1, 1985)
    assert totals(day(date(2023, 1, 18)), "^Amazon$") == (1, 2320)
    assert sorted(
        day(date(2022, 11, 11)).filter(pl.col("company").str.starts_with("Meta"))["employees_affected"]
    ) == [307, 419]


def test_wa_html_grid_rows_and_notice_links(parsed):
    rows = parsed[WA_HTML].rows
    assert rows.height == 15  # pager rows above and below are not notices
    meta = rows.row(0, named=True)
    assert (meta["company"], meta["employees_affected"], meta["event_date"]) == (
        "Meta Platforms, Inc",
        168,
        date(2026, 3, 31),
    )
    assert meta["location"] == "Seattle, Bellevue, Redmond" and meta["effective_date"] == date(2026, 5, 8)
    assert meta["source_url"] == (
        "https://fortress.wa.gov/esd/file/WARN/Public/DownloadFile.aspx?file=ceea518f-351a-431d-84f4-47c1fbc31704.pdf&download=1"
    )
    assert totals(rows, "^Oracle America") == (1, 475)
    assert (
        rows["company"].str.ends_with(" ").sum() == 0
    )  # "Agrimacs, Inc. " is published with a trailing space


def test_wa_html_and_csv_share_one_shape(parsed):
    assert parsed[WA_HTML].rows.schema == parsed[WA_CSV].rows.schema


def test_wa_truncated_html_is_refused():
    raw = read_snapshot_bytes(WA_HTML)
    with pytest.raises(SourceFormatError, match="truncated"):
        parse_warn_wa(raw[: len(raw) - 300], "SearchWARN.aspx")


def test_tx_csv_repeated_rows_are_one_notice(parsed):
    rows = parsed[TX_CSV].rows
    # 8,712 rows, 1,449 of them repeats of another row from overlapping yearly workbooks
    assert rows.height == 7263
    meta = rows.filter(pl.col("company").str.starts_with("Meta Platforms"))
    assert meta.height == 4 and meta["employees_affected"].sum() == 222  # PROVENANCE: Meta 4/222 in 2022
    assert meta["event_date"].unique().to_list() == [date(2022, 11, 16)]
    intel = rows.filter(
        (pl.col("company") == "Intel Corporation") & (pl.col("event_date") == date(2025, 7, 9))
    )
    assert intel.height == 1 and intel["employees_affected"][0] == 110  # listed twice in the file


def test_tx_socrata_json(parsed):
    rows = parsed[TX_JSON].rows
    assert rows.height == 5
    jpm = rows.row(0, named=True)
    assert (jpm["company"], jpm["event_date"], jpm["employees_affected"]) == (
        "JPMorgan Chase & Co.",
        date(2026, 6, 23),
        244,
    )
    assert jpm["effective_date"] == date(2026, 8, 21) and jpm["city"] == "Plano" and jpm["county"] == "Collin"


def test_new_column_loads_and_bad_count_is_a_reject():
    lines = read_snapshot_bytes(WA_CSV).decode("utf-8").split("\r\n")
    lines[0] += ",NAICS"
    lines[1:] = [line + ",611" if line else line for line in lines[1:]]
    assert lines[4].startswith("Amazon,Seattle & Bellevue,2/2/2026,84,")
    lines[4] = lines[4].replace(",84,", ",eighty-four,", 1)
    p = parse_warn_wa("\r\n".join(lines).encode(), "wa.csv")
    assert p.rows.height == 1418
    assert p.rejects.select("origin", "row_number", "field", "problem").rows() == [
        ("wa.csv", 4, "# of Workers", "unparseable count 'eighty-four' (expected a whole number)")
    ]


def test_missing_column_and_foreign_bodies_are_refused():
    ny = read_snapshot_bytes(NY_2026).replace(b"Date of WARN Notice ", b"Notice Dt", 1)
    with pytest.raises(
        SourceFormatError, match="ny.csv: not a NY WARN export: no column 'date of warn notice'"
    ):
        parse_warn_ny(ny, "ny.csv")
    with pytest.raises(SourceFormatError, match="not a Socrata reply"):
        parse_warn_tx(b'{"error": true}', "tx.json")
    with pytest.raises(SourceFormatError, match="not JSON"):
        parse_warn_tx(read_snapshot_bytes(TX_JSON)[:300], "tx.json")
    with pytest.raises(SourceFormatError, match="no notice grid"):
        parse_warn_wa(b"<html><body><p>Service unavailable</p></body></html>", "SearchWARN.aspx")
