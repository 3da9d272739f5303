"""State WARN notices (California, New York, Washington, Texas) -> the common layoff event rows.

One row per notice site as the state publishes it. Every format is read by header name, so a
reordered or extended export still loads; a missing required column is a SourceFormatError naming
the file and the column; a row with an unreadable date or count is held out as a reject.

Identity: a state revises a notice in place between downloads of its report (head count, effective
date, industry, address), so no field but the employer and the notice date survives every edit.
`event_id` here is only the id a notice gets when first seen: a hash of employer, notice date, the
coarsest site field every format of the state gives (county, else city, else location) and the
row's rank among rows of the body sharing those (a CA notice listed once per site, or two notices
of one employer and site on one day), ranked by count, effective date and site. Which rows of later
downloads are the same notice is decided across downloads in `supersession.py`, which carries this
id forward, so a revised head count keeps its id.

`report` names the publication a row belongs to, the unit a newer download supersedes: CA EDD
publishes one report per fiscal year (July-June) of the processed date; NY's dashboard and TX's
workbooks are yearly by notice date; WA's search grid is one cumulative list.
"""

from __future__ import annotations

import io
import json
import re
from datetime import date
from urllib.parse import urljoin

import fastexcel
import polars as pl
from bs4 import BeautifulSoup

from assets.layoffs.events import (
    Conversion,
    event_rows,
    normalize_header,
    read_csv_body,
    select_fields,
    typed_events,
    with_event_ids,
)
from pipelines.errors import SourceFormatError
from pipelines.parsed import Parsed, gunzipped

XLSX_MAGIC = b"PK\x03\x04"
DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d",
    "%m/%d/%Y",
    "%m/%d/%y",
)
NO_REPORT = pl.lit(None, pl.String)  # a state whose downloads are not split into reports
CA_SHEET = "detailed warn report"  # published as "Detailed WARN Report " (trailing space)
WA_SITE = "https://fortress.wa.gov/"  # the HTML grid links notices relative to this host

CA_FIELDS = {
    "company": ("company",),
    "event_date": ("notice date", "notice_date"),
    "employees_affected": ("no. of employees", "num_employees", "number of employees"),
    "received_date": ("processed date", "received_date", "received date"),
    "effective_date": ("effective date", "effective_date"),
    "notice_type": ("layoff/closure", "layoff_or_closure"),
    "county": ("county/parish", "county"),
    "address": ("address",),
    "city": ("city",),
    "industry": ("related industry", "industry"),
}
NY_FIELDS = {
    "company": ("business legal name",),
    "event_date": ("date of warn notice",),
    "employees_affected": ("number of affected workers",),
    "received_date": ("date posted",),
    "effective_date": ("date layoff/closure starts",),
    "address": ("impacted site address",),
    "county": ("impacted site county",),
    "closure": ("layoff or closure?",),
    "permanence": ("permanent or temporary layoff?",),
    "reason": ("reason for layoff/closure",),
}
WA_FIELDS = {
    "company": ("company",),
    "event_date": ("received date",),
    "employees_affected": ("# of workers",),
    "effective_date": ("layoff start date",),
    "location": ("location",),
    "closure": ("closure layoff",),
    "permanence": ("type of layoff",),
    "source_url": ("notice",),
}
TX_FIELDS = {
    "company": ("job_site_name",),
    "event_date": ("notice_date",),
    "employees_affected": ("total_layoff_number",),
    "effective_date": ("layoff_date",),
    "county": ("county_name",),
    "city": ("city_name",),
}
REQUIRED = ("company", "event_date", "employees_affected")


def parse_warn_ca(raw: bytes, origin: str) -> Parsed:
    """California EDD: the WARN report workbook (sheet "Detailed WARN Report", header on row 2), or
    the CSV warn-scraper builds from EDD's yearly PDFs and workbook."""
    raw = gunzipped(raw, origin)
    if raw.startswith(XLSX_MAGIC):
        frame, report_end = _ca_workbook(raw, origin)
    else:
        frame, report_end = read_csv_body(raw, origin, "CA WARN CSV"), None
    return _warn_events(
        frame,
        origin,
        "warn_ca",
        "CA",
        CA_FIELDS,
        "CA WARN report",
        as_of=report_end,
        report=_fiscal_year(pl.coalesce("received_date", "event_date")),
    )


def parse_warn_ny(raw: bytes, origin: str) -> Parsed:
    """New York DOL: the Tableau dashboard's CSV export (2026 layout with a Reason column, or the
    2025 layout with `Measure Names` and a duplicated workers column)."""
    return _warn_events(
        read_csv_body(raw, origin, "NY WARN CSV"),
        origin,
        "warn_ny",
        "NY",
        NY_FIELDS,
        "NY WARN export",
        report=pl.col("event_date").dt.year().cast(pl.String),
    )


def parse_warn_wa(raw: bytes, origin: str) -> Parsed:
    """Washington ESD: the SearchWARN.aspx HTML grid (one page of 15 notices), or its CSV export."""
    raw = gunzipped(raw, origin)
    head = raw.lstrip()[:1000].lower()
    frame = (
        _wa_html(raw, origin)
        if b"<html" in head or b"<!doctype" in head
        else read_csv_body(raw, origin, "WA WARN CSV")
    )
    return _warn_events(
        frame, origin, "warn_wa", "WA", WA_FIELDS, "WA WARN export", report=pl.lit("cumulative")
    )


def parse_warn_tx(raw: bytes, origin: str) -> Parsed:
    """Texas TWC: the Socrata API reply (data.texas.gov 8w53-c4f6, a JSON list of notices) or the
    CSV of TWC's yearly workbooks (ragged rows, `2026-01-07 00:00:00` dates)."""
    raw = gunzipped(raw, origin)
    frame = (
        _socrata(raw, origin)
        if raw.lstrip()[:1] in (b"[", b"{")
        else read_csv_body(raw, origin, "TX WARN CSV")
    )
    # warn-scraper's TX file concatenates TWC's yearly workbooks with BLN's historical one, which
    # overlap: 1,449 of its 8,712 rows repeat an earlier row in every field. Such a repeat is the same
    # notice listed twice, not a second site (unlike CA, whose PDF rows omit the site's address).
    return _warn_events(
        frame,
        origin,
        "warn_tx",
        "TX",
        TX_FIELDS,
        "TX WARN export",
        repeats_are_copies=True,
        report=pl.col("event_date").dt.year().cast(pl.String),
    )


def _warn_events(
    frame: pl.DataFrame,
    origin: str,
    source: str,
    state: str,
    fields: dict[str, tuple[str, ...]],
    what: str,
    as_of: date | None = None,
    repeats_are_copies: bool = False,
    report: pl.Expr = NO_REPORT,
) -> Parsed:
    selected, headers = select_fields(frame, origin, fields, REQUIRED, what)
    if repeats_are_copies:
        selected = selected.unique(subset=list(fields), keep="first", maintain_order=True)
    dates = {
        name: DATETIME_FORMATS for name in ("event_date", "received_date", "effective_date") if name in fields
    }
    rows, rejects = typed_events(
        selected, origin, headers, Conversion(dates=dates, counts=("employees_affected",))
    )
    if "closure" in fields:  # NY and WA publish the two halves of CA's "Layoff Permanent" apart
        rows = rows.with_columns(
            notice_type=pl.concat_str("closure", "permanence", separator=" ", ignore_nulls=True)
        )
    # The newest date the body states: the report's end date (CA workbook title) or its latest notice.
    newest = [pl.col(c).max() for c in ("event_date", "received_date") if c in fields]
    rows = rows.with_columns(
        region=pl.lit(state),
        country=pl.lit("United States"),
        location=pl.coalesce(pl.col(c) for c in ("location", "address", "city", "county") if c in fields),
        as_of=pl.lit(as_of, pl.Date) if as_of else pl.max_horizontal(newest),
        report=report,
    )
    rows = event_rows(rows, source, origin).with_columns(
        _site=pl.coalesce("county", "city", "location").str.to_lowercase().str.replace_all(r"\s+", " ")
    )
    rows = with_event_ids(
        rows,
        source,
        key=["company", "event_date", "_site"],
        order_by=["employees_affected", "effective_date", "location"],
    ).drop("_site")
    return Parsed(rows, rejects)


def _fiscal_year(day: pl.Expr) -> pl.Expr:
    """California's fiscal year (July-June) of a date, as EDD names its reports: FY2024-25."""
    start = day.dt.year() - (day.dt.month() < 7).cast(pl.Int32)
    return pl.format("FY{}-{}", start, ((start + 1) % 100).cast(pl.String).str.zfill(2))


def _ca_workbook(raw: bytes, origin: str) -> tuple[pl.DataFrame, date | None]:
    """The detail sheet as a frame of strings under its own header row, and the report's end date.

    EDD puts a title in row 1 ("WARN REPORT - 07/01/25 to 09/24/2025 ...") and the header in row 2,
    with newlines inside header cells; the header row is found by content, not position, and the
    sheet by name (any sheet holding the header if EDD renames it).
    """
    try:
        sheets = fastexcel.read_excel(raw).sheet_names
    except Exception as e:  # calamine raises its own error types for a truncated or foreign zip
        raise SourceFormatError(origin, f"not a readable .xlsx workbook ({e})") from e
    ordered = sorted(sheets, key=lambda s: s.strip().lower() != CA_SHEET)
    for sheet in ordered:
        try:
            cells = pl.read_excel(
                io.BytesIO(raw), sheet_name=sheet, engine="calamine", has_header=False, infer_schema_length=0
            )
        except Exception as e:
            raise SourceFormatError(origin, f"sheet {sheet!r} cannot be read ({e})") from e
        header_at = _header_row(cells)
        if header_at is None:
            if sheet.strip().lower() == CA_SHEET:
                found = [c for row in cells.head(10).iter_rows() for c in row if c]
                raise SourceFormatError(
                    origin,
                    f"sheet {sheet!r} has no header row with 'Company' and 'Notice Date' (first cells: {found[:12]})",
                )
            continue
        header = [str(c) if c is not None else f"column_{i}" for i, c in enumerate(cells.row(header_at))]
        body = cells.slice(header_at + 1)
        body.columns = _unique(header)
        body = body.filter(~pl.all_horizontal(pl.all().is_null()))
        title = " ".join(str(c) for row in cells.head(header_at).iter_rows() for c in row if c)
        # "WARN REPORT - 07/01/25 to 09/24/2025" or "WARN REPORT - 01/01/2023 - 02/05/2025": the last date ends it
        ends = re.findall(r"(?:to|-)\s*(\d{1,2}/\d{1,2}/\d{4})", title)
        report_end = (
            pl.Series(ends[-1:], dtype=pl.String).str.strptime(pl.Date, "%m/%d/%Y", strict=False)[0]
            if ends
            else None
        )
        return body, report_end
    raise SourceFormatError(
        origin, f"no sheet {CA_SHEET!r} and no sheet with a WARN header (sheets: {sheets})"
    )


def _header_row(cells: pl.DataFrame) -> int | None:
    for i, row in enumerate(cells.head(30).iter_rows()):
        names = {normalize_header(str(c)) for c in row if c is not None}
        if "company" in names and "notice date" in names:
            return i
    return None


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}_duplicated_{seen[name] - 1}")
    return out


def _wa_html(raw: bytes, origin: str) -> pl.DataFrame:
    """The ESD grid (`ucPSW_gvMain`): a header row of <th>, data rows of 8 <td>, and pager rows
    (one <td colspan=8> holding a nested table) above and below, which are skipped. The Notice cell
    links the notice PDF; it becomes the row's source_url."""
    if b"</html>" not in raw[-2000:].lower():
        raise SourceFormatError(origin, "truncated WA WARN page: no closing </html>")
    soup = BeautifulSoup(raw, "lxml")
    table = soup.find("table", id="ucPSW_gvMain") or next(
        (
            t
            for t in soup.find_all("table")
            if "received date" in {normalize_header(th.get_text()) for th in t.find_all("th")}
        ),
        None,
    )
    if table is None:
        raise SourceFormatError(origin, "not a WA WARN search page: no notice grid (table ucPSW_gvMain)")
    header_row = next((tr for tr in table.find_all("tr") if tr.find("th")), None)
    if header_row is None:
        raise SourceFormatError(origin, "WA WARN grid without a header row")
    header = [" ".join(th.get_text().split()) for th in header_row.find_all("th")]
    rows = []
    for tr in table.find_all("tr", recursive=False) or table.find_all("tr"):
        cells = tr.find_all("td", recursive=False)
        if len(cells) != len(header) or tr.find("table"):
            continue
        values = [" ".join(td.get_text().split()) for td in cells]
        link = cells[-1].find("a", href=True)
        if "notice" in {normalize_header(h) for h in header} and link:
            values[[normalize_header(h) for h in header].index("notice")] = urljoin(WA_SITE, link["href"])
        rows.append(values)
    if not rows:
        raise SourceFormatError(origin, "WA WARN grid with no notice rows")
    return pl.DataFrame(rows, schema=_unique(header), orient="row")


def _socrata(raw: bytes, origin: str) -> pl.DataFrame:
    try:
        records = json.loads(raw)
    except ValueError as e:
        raise SourceFormatError(origin, f"not JSON ({e})") from e
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise SourceFormatError(origin, "not a Socrata reply: expected a JSON list of records")
    if not records:
        raise SourceFormatError(origin, "Socrata reply with no records")
    columns = list(dict.fromkeys(k for r in records for k in r))
    return pl.DataFrame(
        {c: [None if r.get(c) is None else str(r[c]) for r in records] for c in columns},
        schema={c: pl.String for c in columns},
    )
