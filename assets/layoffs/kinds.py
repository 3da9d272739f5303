"""Import kinds of the layoffs source: `capex import layoffs-fyi FILE`, `capex import warn-ca FILE`, ...

All are history kinds: every download is kept, and `deduplicate_events` folds overlapping downloads
into one row per event, so importing a later CA workbook adds its new notices only. `identify` runs
the real parser on the whole body (a truncated file, a renamed column or a foreign format is refused
before anything is stored) and reports the body's own date (newest addition, report end) as as_of.
"""

from __future__ import annotations

from collections.abc import Callable

from assets.layoffs.layoffs_fyi import parse_layoffs_fyi
from assets.layoffs.warn import parse_warn_ca, parse_warn_ny, parse_warn_tx, parse_warn_wa
from pipelines.errors import SourceFormatError
from pipelines.kinds import Identified, Kind
from pipelines.parsed import Parsed


def _identify(
    parse: Callable[[bytes, str], Parsed], entity: str, label: str, unit: str
) -> Callable[[bytes, str], Identified]:
    def identify(raw: bytes, origin: str) -> Identified:
        parsed = parse(raw, origin)
        rows = parsed.rows
        if rows.height == 0:
            raise SourceFormatError(
                origin, f"no readable {unit} in this {label} ({parsed.rejects.height} rows held out)"
            )
        first, last = rows["event_date"].min(), rows["event_date"].max()
        as_of = rows["as_of"].max()
        parts = [f"{label}: {rows.height:,} {unit} dated {first}..{last}, as of {as_of}"]
        if parsed.rejects.height:
            parts.append(f"{parsed.rejects.height:,} values held out (see raw.layoffs_rejects)")
        repaired = rows["date_note"].is_not_null().sum()
        if repaired:
            parts.append(
                f"{repaired:,} spreadsheet-mangled dates repaired (the file's date order proves the reading)"
            )
        return Identified(entity=entity, summary="; ".join(parts), as_of=as_of.isoformat() if as_of else None)

    return identify


# (kind, entity, parser, how identify names the body, what its rows are, description)
FORMATS = [
    (
        "layoffs-fyi",
        "layoffs_fyi",
        parse_layoffs_fyi,
        "layoffs.fyi CSV",
        "events",
        "a layoffs.fyi CSV: the site's own download, the Kaggle mirror or the snake_case API dump",
    ),
    (
        "warn-ca",
        "warn_ca",
        parse_warn_ca,
        "CA WARN report",
        "notices",
        "California EDD WARN report workbook (.xlsx, sheet 'Detailed WARN Report'), or warn-scraper's CA CSV",
    ),
    (
        "warn-ny",
        "warn_ny",
        parse_warn_ny,
        "NY WARN export",
        "notices",
        "New York DOL WARN dashboard CSV export (Tableau)",
    ),
    (
        "warn-wa",
        "warn_wa",
        parse_warn_wa,
        "WA WARN export",
        "notices",
        "Washington ESD WARN search page (SearchWARN.aspx HTML) or its CSV export",
    ),
    (
        "warn-tx",
        "warn_tx",
        parse_warn_tx,
        "TX WARN export",
        "notices",
        "Texas TWC WARN notices: CSV of the yearly workbooks, or the data.texas.gov (8w53-c4f6) JSON reply",
    ),
]

PARSERS = {name: parse for name, _, parse, *_ in FORMATS}

KINDS = [
    Kind(
        name=name,
        source="layoffs",
        description=description,
        identify=_identify(parse, entity, label, unit),
        history=True,
    )
    for name, entity, parse, label, unit, description in FORMATS
]
