"""The one row shape every layoff parser produces (`core.layoff_events` plus traceability), and the
steps they share: find columns by header name, turn published strings into typed values, hold out
the rows that cannot be read.

Every parser first reduces its body to a frame of strings with one column per published header,
then calls `select_fields` (which header is which field; a required one missing is a format error)
and `typed_events` (strings -> dates, counts, fractions; a bad value holds its row out as a reject
naming file, row and column while the rest loads).
"""

from __future__ import annotations

import csv
import hashlib
import html
import re
from dataclasses import dataclass, field

import polars as pl

from pipelines.errors import SourceFormatError
from pipelines.parsed import gunzipped, rejects_frame

SOURCES = ("layoffs_fyi", "warn_ca", "warn_ny", "warn_wa", "warn_tx")

# core.layoff_events (contract) first, then traceability, then source-specific extras.
EVENT_SCHEMA: dict[str, pl.DataType] = {
    "event_id": pl.String,
    "source": pl.String,
    "company": pl.String,
    "ticker": pl.String,  # NULL until match_companies
    "event_date": pl.Date,  # announcement (layoffs.fyi) or notice date (WARN)
    "effective_date": pl.Date,
    "employees_affected": pl.Int64,
    "percentage": pl.Float64,  # fraction 0-1
    "location": pl.String,
    "region": pl.String,  # WARN: the state's code; layoffs.fyi publishes none
    "country": pl.String,
    "industry": pl.String,
    "source_url": pl.String,
    # traceability
    "origin": pl.String,  # the file name or URL of the body
    "row_number": pl.Int64,  # 1-based data row inside the body
    "as_of": pl.Date,  # newest date the body itself states (its last addition, report end date)
    "report": pl.String,  # WARN: the publication a row belongs to (CA "FY2024-25", NY/TX the notice year, WA "cumulative")
    # extras
    "date_added": pl.Date,  # layoffs.fyi: when the tracker added the row (its most stable field)
    "stage": pl.String,
    "funds_raised_usd": pl.Float64,
    "notice_type": pl.String,  # WARN: "Layoff Permanent", "Closure Temporary", ...
    "received_date": pl.Date,  # WARN: date the state processed / posted the notice
    "city": pl.String,
    "county": pl.String,
    "address": pl.String,
    "reason": pl.String,
    "date_note": pl.String,  # set when a date was repaired (spreadsheet-mangled export), else NULL
}

COUNT_RE = r"^\d{1,3}(,\d{3})+$|^\d+(\.0+)?$"  # "1,110", "16000.0"; never "12.5" or "about 200"


def normalize_header(name: str) -> str:
    """Headers as compared: BOM, case, embedded newlines and repeated spaces do not matter
    (CA's "Layoff/\\nClosure", NY's "Date Posted  " with trailing spaces)."""
    collapsed = re.sub(r"\s+", " ", name.replace("\ufeff", "")).strip().lower()
    return re.sub(r"\s*/\s*", "/", collapsed)


def company_key(expr: pl.Expr) -> pl.Expr:
    """A published name as compared across downloads: case, HTML entities and runs of whitespace
    differ between a state's PDF and its workbook, the name does not."""
    return (
        expr.map_elements(html.unescape, return_dtype=pl.String)
        .str.to_lowercase()
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )


def stable_id(source: str, *parts: object) -> str:
    """A short id that depends only on the given values (not on Python's or Polars' hash seeds)."""
    text = "|".join("" if p is None else str(p) for p in parts)
    return f"{source}:{hashlib.sha256(text.encode('utf-8')).hexdigest()[:16]}"


def read_csv_body(raw: bytes, origin: str, what: str) -> pl.DataFrame:
    """A CSV body as strings (BOM, gzip and ragged rows tolerated), refusing a truncated one.

    Polars reads a row cut short as a row of NULLs, so a body cut mid-row would load a wrong last
    row: a body that does not end with a newline and whose last line has fewer fields than the
    header names is refused. (Every real export ends with a newline.)
    """
    raw = gunzipped(raw, origin)
    if not raw.strip():
        raise SourceFormatError(origin, f"empty body, not a {what}")
    try:
        frame = pl.read_csv(raw, infer_schema=False, encoding="utf8-lossy", truncate_ragged_lines=True)
    except pl.exceptions.PolarsError as e:
        raise SourceFormatError(origin, f"not a readable {what} ({str(e).splitlines()[0]})") from e
    if not raw.endswith((b"\n", b"\r")):
        last_line = raw.rsplit(b"\n", 1)[-1].decode("utf-8", "replace")
        try:
            fields = next(csv.reader([last_line]), [])
        except csv.Error as e:  # a bare carriage return inside the last line
            raise SourceFormatError(origin, f"truncated or corrupt {what}: unreadable last line ({e})") from e
        named = sum(1 for c in frame.columns if c.strip() and not c.startswith("_duplicated_"))
        if len(fields) < named:
            raise SourceFormatError(
                origin, f"truncated {what}: the last row has {len(fields)} of {named} fields and no line end"
            )
    return frame


def select_fields(
    frame: pl.DataFrame,
    origin: str,
    fields: dict[str, tuple[str, ...]],
    required: tuple[str, ...],
    what: str,
) -> tuple[pl.DataFrame, dict[str, str]]:
    """Rename the published columns to field names, found by (normalized) header, in any order.

    `fields` maps a field to the headers it may be published under; extra columns are ignored;
    a missing required field is a SourceFormatError naming the file and the column. Returns the
    frame (strings, blanks as NULL, plus `row_number` 1-based and `record`: the row as published,
    JSON) and, per field, the header it was found under (for reject messages).
    """
    by_header: dict[str, str] = {}
    for column in frame.columns:
        by_header.setdefault(normalize_header(column), column)
    chosen: dict[str, str] = {}
    for name, headers in fields.items():
        for header in headers:
            if header in by_header:
                chosen[name] = by_header[header]
                break
    missing = [name for name in required if name not in chosen]
    if missing:
        wanted = " or ".join(f"'{h}'" for m in missing for h in fields[m][:2])
        found = ", ".join(repr(c) for c in frame.columns[:20])
        raise SourceFormatError(origin, f"not a {what}: no column {wanted} (columns found: {found})")
    if frame.height == 0:
        raise SourceFormatError(origin, f"{what} with a header but no rows")
    blank_is_null = [
        pl.when(pl.col(column).cast(pl.String).str.strip_chars() != "")
        .then(pl.col(column).cast(pl.String).str.strip_chars())
        .alias(name)
        for name, column in chosen.items()
    ]
    selected = frame.select(
        *blank_is_null,
        row_number=pl.int_range(1, pl.len() + 1, dtype=pl.Int64),
        record=pl.struct(pl.all().cast(pl.String)).struct.json_encode(),
    ).with_columns(pl.lit(None, pl.String).alias(name) for name in fields if name not in chosen)
    headers = {
        name: " ".join(chosen.get(name, fields[name][0]).replace("\ufeff", "").split()) for name in fields
    }
    return selected, headers


@dataclass(frozen=True)
class Conversion:
    """How to read the string fields of one format."""

    dates: dict[str, tuple[str, ...]] = field(
        default_factory=dict
    )  # field -> strptime formats, tried in order
    counts: tuple[str, ...] = ()
    required: tuple[str, ...] = ("company", "event_date")  # a row without these is held out


# A field conversion the generic ones do not cover: (field, value, problem); problem NULL = fine.
Converted = tuple[str, pl.Expr, pl.Expr]


def typed_events(
    frame: pl.DataFrame,
    origin: str,
    headers: dict[str, str],
    conversion: Conversion,
    extra: list[Converted] = (),
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Strings -> typed values. Returns (rows that loaded, rejects in REJECT_SCHEMA).

    A value that is present but unreadable (a date that is no date, a count that is no integer) holds
    its whole row out, with one reject per bad field, so no row is loaded half-right. Reject
    messages name the column as published.
    """
    conversions: list[Converted] = list(extra)
    for name, formats in conversion.dates.items():
        parsed = pl.coalesce(pl.col(name).str.strptime(pl.Date, f, strict=False) for f in formats)
        problem = pl.when(pl.col(name).is_not_null() & parsed.is_null()).then(
            pl.format("unparseable date '{}'", pl.col(name))
        )
        conversions.append((name, parsed, problem))
    for name in conversion.counts:
        ok = pl.col(name).str.contains(COUNT_RE)
        # strict=False: a count beyond Int64 becomes NULL and is held out below instead of failing the body.
        count = (
            pl.col(name).str.replace_all(",", "").cast(pl.Float64, strict=False).cast(pl.Int64, strict=False)
        )
        problem = pl.when(pl.col(name).is_not_null() & (~ok | count.is_null())).then(
            pl.format("unparseable count '{}' (expected a whole number)", pl.col(name))
        )
        conversions.append((name, pl.when(ok).then(count), problem))
    for name in conversion.required:
        conversions.append(
            (
                name,
                pl.col(name),
                pl.when(pl.col(name).is_null()).then(pl.lit(f"missing {headers.get(name, name)}")),
            )
        )

    problems = [f"_problem_{i}" for i in range(len(conversions))]
    flagged = frame.with_columns(problem.alias(p) for (_, _, problem), p in zip(conversions, problems))
    rejects = (
        pl.concat(
            [
                flagged.filter(pl.col(p).is_not_null()).select(
                    origin=pl.lit(origin, pl.String),
                    row_number=pl.col("row_number").cast(pl.Int64),
                    field=pl.lit(headers.get(name, name), pl.String),
                    problem=pl.col(p).cast(pl.String),
                    record=pl.col("record"),
                )
                for (name, _, _), p in zip(conversions, problems)
            ]
            or [rejects_frame([])]
        )
        .unique(["row_number", "field"], keep="first", maintain_order=True)
        .sort("row_number", "field")
    )
    ok = pl.all_horizontal(pl.col(p).is_null() for p in problems) if problems else pl.lit(True)
    values: dict[str, pl.Expr] = {}
    for name, value, _ in conversions:
        values.setdefault(name, value.alias(name))
    rows = flagged.filter(ok).with_columns(values.values()).drop(*problems, "record")
    return rows, rejects


def event_rows(rows: pl.DataFrame, source: str, origin: str) -> pl.DataFrame:
    """Fill in the common shape: every EVENT_SCHEMA column, in order, NULL where the format has none."""
    missing = [
        pl.lit(None, dtype).alias(name) for name, dtype in EVENT_SCHEMA.items() if name not in rows.columns
    ]
    return (
        rows.with_columns(missing)
        .with_columns(
            source=pl.lit(source), origin=pl.lit(origin), company=pl.col("company").str.strip_chars()
        )
        .select(pl.col(name).cast(dtype) for name, dtype in EVENT_SCHEMA.items())
    )


def with_event_ids(rows: pl.DataFrame, source: str, key: list[str], order_by: list[str]) -> pl.DataFrame:
    """event_id = hash of the identity fields plus the row's place among rows sharing them in this
    body (a WARN notice filed for three sites with the same count is three events)."""
    group = [("_company_key" if k == "company" else k) for k in key]
    keyed = (
        rows.with_columns(_company_key=company_key(pl.col("company")))
        .sort([*order_by, "row_number"], nulls_last=True)
        .with_columns(_occurrence=pl.int_range(1, pl.len() + 1).over(group))
        .sort("row_number")
    )
    columns = [*group, "_occurrence"]
    ids = [stable_id(source, *values) for values in keyed.select(columns).iter_rows()]
    return keyed.with_columns(event_id=pl.Series(ids, dtype=pl.String)).drop("_company_key", "_occurrence")
