"""layoffs.fyi (Roger Lee's tech-layoff tracker, an Airtable shared view) in its three CSV layouts.

- The site's own "Download CSV": `Company, Location HQ, # Laid Off, Date, %, ..., $ Raised (mm),
  Date Added`, with a BOM, `20%`, `$1200` (millions) and m/d/yyyy dates.
- The Kaggle mirror (swaptr/layoffs-2022): `company, location, total_laid_off, date,
  percentage_laid_off, ..., funds_raised, country, date_added`: fractions, `16000.0`, m/d/yyyy.
- The snake_case Airtable-API dump: `company, location_hq, num_laid_off, ..., funds_raised_millions,
  ..., date_added`, BOM, ISO dates and `date_added` as an ISO timestamp ending in Z.
Columns are found by name, in any order; extra columns are ignored; only company, date and the
laid-off count are required (older mirrors lack `source` or `date_added`).

Spreadsheet-mangled dates. One real export was opened in a spreadsheet with a day/month locale: every
m/d/yyyy date whose day was 12 or less was taken for d/m and written back as `mm-dd-yyyy`, while
dates with a day above 12 stayed text (`7/23/2026`). Such a column mixes two forms, and `04-02-2026`
alone cannot say whether it is April 2 or February 4. The parser detects the mix (a form whose
values leave the day/month order open, next to another form) and repairs only on proof: the
tracker's exports are sorted by date, so a reading is taken when it keeps the `date` column in order
and the other reading does not. The rewrite hit `date_added` in the same pass, so the reading proven
on `date` applies to it. Repaired rows carry a `date_note`; without proof every ambiguous row is held
out as a reject. A wrong date is never loaded.
"""

from __future__ import annotations

import re
from datetime import date

import polars as pl

from assets.layoffs.events import (
    Conversion,
    event_rows,
    read_csv_body,
    select_fields,
    typed_events,
    with_event_ids,
)
from pipelines.parsed import Parsed

SOURCE = "layoffs_fyi"

FIELDS = {
    "company": ("company",),
    "event_date": ("date",),
    "employees_affected": ("# laid off", "total_laid_off", "num_laid_off", "laid_off"),
    "location": ("location hq", "location", "location_hq"),
    "percentage": ("%", "percentage_laid_off"),
    "industry": ("industry",),
    "source_url": ("source",),
    "stage": ("stage",),
    "funds_raised_usd": ("$ raised (mm)", "funds_raised", "funds_raised_millions"),
    "country": ("country",),
    "date_added": ("date added", "date_added"),
}
REQUIRED = ("company", "event_date", "employees_affected")

ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.]*Z?)?$")
FORMS = {
    "m/d/yyyy": re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$"),
    "mm-dd-yyyy": re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$"),
}


def parse_layoffs_fyi(raw: bytes, origin: str) -> Parsed:
    """A layoffs.fyi CSV in any known layout -> layoff event rows (source `layoffs_fyi`)."""
    frame = read_csv_body(raw, origin, "layoffs.fyi CSV")
    fields, headers = select_fields(frame, origin, FIELDS, REQUIRED, "layoffs.fyi CSV")

    proven: dict[str, str] = {}  # form -> reading proven on `date`, reused for `date_added`
    extra, notes = [], []
    for name in ("event_date", "date_added"):
        dates, note, problem = read_dates(fields.get_column(name).to_list(), proven, headers[name])
        fields = fields.with_columns(
            pl.Series(f"_{name}", dates, pl.Date),
            pl.Series(f"_{name}_note", note, pl.String),
            pl.Series(f"_{name}_problem", problem, pl.String),
        )
        extra.append((name, pl.col(f"_{name}"), pl.col(f"_{name}_problem")))
        notes.append(pl.col(f"_{name}_note"))
    extra.append(("percentage", *_percentage(pl.col("percentage"))))
    extra.append(("funds_raised_usd", *_millions(pl.col("funds_raised_usd"))))
    rows, rejects = typed_events(fields, origin, headers, Conversion(counts=("employees_affected",)), extra)
    rows = rows.with_columns(date_note=pl.concat_str(notes, separator="; ", ignore_nulls=True)).with_columns(
        date_note=pl.when(pl.col("date_note") != "").then("date_note")
    )
    rows = rows.with_columns(as_of=pl.coalesce(pl.col("date_added").max(), pl.col("event_date").max()))
    rows = with_event_ids(
        event_rows(rows, SOURCE, origin),
        SOURCE,
        key=["company", "date_added", "event_date", "source_url"],
        order_by=["location", "employees_affected"],
    )
    return Parsed(rows, rejects)


def _percentage(value: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """`20%` (site export) or `0.2` (mirrors) -> 0.2; unreadable or outside 0-1 -> a problem."""
    number = (
        pl.when(value.str.ends_with("%"))
        .then(value.str.strip_chars_end("%").cast(pl.Float64, strict=False) / 100)
        .otherwise(value.cast(pl.Float64, strict=False))
    )
    problem = (
        pl.when(value.is_null())
        .then(None)
        .when(number.is_null())
        .then(pl.format("unparseable percentage '{}'", value))
        .when((number < 0) | (number > 1))
        .then(pl.format("percentage '{}' outside 0-100%", value))
    )
    return number, problem


def _millions(value: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """Money raised, published in $ millions (`$1200`, `1200.0`, `134`) -> US dollars."""
    number = value.str.replace_all(r"[$,\s]", "").cast(pl.Float64, strict=False)
    problem = pl.when(value.is_not_null() & (number.is_null() | (number < 0))).then(
        pl.format("unparseable amount raised '{}' (expected $ millions)", value)
    )
    return number * 1_000_000, problem


def read_dates(
    values: list[str | None], proven: dict[str, str], header: str
) -> tuple[list[date | None], list[str | None], list[str | None]]:
    """One date column -> (dates, notes, problems), one entry per value; see the module docstring.

    ISO dates (with or without a time) are read as they are. For `m/d/yyyy` and `mm-dd-yyyy` the order
    of day and month is decided per form from the values (a first part above 12 is a day, a second
    part above 12 is a day); a slash form alone is the tracker's own m/d/yyyy; otherwise the reading
    must be proven by the column's order (or was proven on `date`, passed in `proven`).
    """
    parsed: list[tuple[str, int, int, int] | date | None] = []
    problems: list[str | None] = [None] * len(values)
    for i, value in enumerate(values):
        if value is None:
            parsed.append(None)
        elif m := ISO.match(value):
            parsed.append(_date(*map(int, m.groups())))
            problems[i] = None if parsed[-1] else f"unparseable date '{value}'"
        elif form := next((f for f, p in FORMS.items() if p.match(value)), None):
            a, b, y = map(int, FORMS[form].match(value).groups())
            parsed.append((form, a, b, y))
        else:
            parsed.append(None)
            problems[i] = f"unparseable date '{value}'"

    parts = [p for p in parsed if isinstance(p, tuple)]
    forms = {p[0] for p in parts} | ({"iso"} if any(isinstance(p, date) for p in parsed) else set())
    readings: dict[str, str | None] = {}
    why: dict[str, str] = {}
    conflicting: set[str] = set()
    open_forms = []
    for form in sorted(forms - {"iso"}):
        day_first = any(a > 12 for f, a, _, _ in parts if f == form)
        day_second = any(b > 12 for f, _, b, _ in parts if f == form)
        if day_first and day_second:
            readings[form], why[form] = None, f"{header} writes {form} dates both month-first and day-first"
            conflicting.add(form)
        elif day_first or day_second:
            readings[form] = "day-month" if day_first else "month-day"
        elif form == "m/d/yyyy" and len(forms) == 1:
            readings[form] = "month-day"  # the tracker's own format, nothing beside it to cast doubt
        else:
            open_forms.append(form)
    by_order = set()
    for form in open_forms:
        readings[form] = proven.get(form) or _prove_by_order(parsed, form, readings)
        if readings[form]:
            proven[form] = readings[form]
            by_order.add(form)
        else:
            why[form] = (
                f"a spreadsheet rewrote this file's dates ({' and '.join(sorted(forms))} mixed in {header}) "
                "and the file's order does not prove a reading: day and month cannot be told apart"
            )

    dates: list[date | None] = []
    notes: list[str | None] = []
    for i, (value, p) in enumerate(zip(values, parsed)):
        note = None
        if isinstance(p, tuple):
            form, a, b, y = p
            reading = readings[form]
            ambiguous = a <= 12 and b <= 12 and a != b
            # an open form's values all have both parts <= 12: only a == b reads the same either way
            if reading is None and (form in conflicting or a != b):
                problems[i] = f"date '{value}': {why[form]}"
                p = None
            else:
                p = _date(y, b, a) if reading == "day-month" else _date(y, a, b)
                if p is None:
                    problems[i] = f"unparseable date '{value}'"
                elif ambiguous and form in by_order:
                    note = (
                        f"{header} '{value}' read as {reading} ({p.isoformat()}): a spreadsheet rewrote this "
                        "file's ambiguous dates; the file's date order proves the reading"
                    )
        dates.append(p if isinstance(p, date) else None)
        notes.append(note)
    return dates, notes, problems


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _prove_by_order(parsed: list, form: str, readings: dict[str, str | None]) -> str | None:
    """The reading of `form` under which the column is in (ascending or descending) order while
    under the other reading it is not; None when neither or both keep it in order."""
    in_order = []
    for reading in ("month-day", "day-month"):
        trial = {**readings, form: reading}
        column = []
        for p in parsed:
            if isinstance(p, tuple):
                f, a, b, y = p
                p = (
                    None
                    if trial.get(f) is None
                    else (_date(y, a, b) if trial[f] == "month-day" else _date(y, b, a))
                )
            if p is not None:
                column.append(p)
        ascending = all(x <= y for x, y in zip(column, column[1:]))
        descending = all(x >= y for x, y in zip(column, column[1:]))
        if len(column) > 2 and (ascending or descending):
            in_order.append(reading)
    return in_order[0] if len(in_order) == 1 else None
