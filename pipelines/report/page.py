"""The building blocks every section shares: reading tables, formatting numbers, embedding charts.

Rules the charts keep: money in US$ billions on axes that start at zero ("B", never plotly's SI
"G"), no dual axis, a missing value is a gap (left out of a bar, `None` in a line), never a zero, and every
chart carries a caption saying what it covers and what is missing.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable

import duckdb
import polars as pl

# Okabe & Ito's colour-blind-safe qualitative palette (https://jfly.uni-koeln.de/color/), black swapped for
# a dark grey: eight colours that stay distinct for up to eight companies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#555555"]

PAGE_CSS = """
body { font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; margin: 0 auto; max-width: 1180px;
       padding: 24px; color: #1f2933; background: #fff; line-height: 1.45; }
h1 { font-size: 28px; margin-bottom: 4px; }
h2 { font-size: 21px; margin-top: 40px; border-bottom: 2px solid #e4e7eb; padding-bottom: 4px; }
h3 { font-size: 16px; margin: 24px 0 4px; }
p.lede { color: #52606d; margin-top: 0; } .note, figcaption { color: #52606d; font-size: 13px; }
p.answer { font-size: 17px; background: #f5f7fa; border-left: 4px solid #0072B2; padding: 10px 14px; }
figure { margin: 12px 0 28px; } figcaption { margin-top: 4px; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0 16px; width: 100%; }
th, td { border-bottom: 1px solid #e4e7eb; padding: 5px 10px; text-align: left; vertical-align: top; }
td.num { text-align: right; white-space: nowrap; }
td { overflow-wrap: anywhere; } td.nowrap { white-space: nowrap; }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(270px, 1fr)); gap: 12px; margin: 12px 0 20px; }
.figure { border: 1px solid #e4e7eb; border-radius: 6px; padding: 10px 12px; overflow-wrap: anywhere; }
.figure .value { font-size: 24px; font-weight: 600; } .figure .reading { font-size: 14px; margin: 2px 0 6px; }
.figure .meta { font-size: 12px; color: #52606d; }
.verdict { font-weight: 600; padding: 1px 8px; border-radius: 10px; white-space: nowrap; }
.verdict.consistent { background: #d9f2e6; color: #05603a; } .verdict.inconsistent { background: #fde2e1; color: #9b1c1c; }
.verdict.other { background: #eef0f3; color: #3e4c59; }
.missing-table { color: #9b1c1c; }
"""

MISSING = "–"  # what a gap looks like in a table cell: never 0, never the word for an absent value


def read_table(con: duckdb.DuckDBPyConnection, name: str) -> pl.DataFrame | None:
    """The table as a frame, or None when this warehouse does not have it (yet)."""
    schema, table = name.split(".")
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchall()[0][0]
    return con.sql(f'select * from "{schema}"."{table}"').pl() if exists else None


def not_built(name: str, what: str) -> str:
    verb = "are" if " and " in name else "is"
    return (
        f"<p class='note missing-table'>{html.escape(what)}: <code>{html.escape(name)}</code> {verb} not built yet "
        "in this warehouse, so this part is left out.</p>"
    )


def present(value) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def usd(value: float | None, digits: int = 1) -> str:
    """$64.6B, $812.0M, $3.49: money as a person reads it."""
    if not present(value):
        return MISSING
    value = float(value)  # DuckDB DECIMAL arrives as decimal.Decimal
    sign = "-" if value < 0 else ""
    value = abs(value)
    for threshold, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if value >= threshold:
            return f"{sign}${value / threshold:,.{digits}f}{suffix}"
    return f"{sign}${value:,.2f}"


def count(value) -> str:
    return f"{value:,.0f}" if present(value) else MISSING


def growth(value) -> str:
    return f"{value:+.0%}" if present(value) else MISSING


def listing(items: Iterable[str], empty: str = "none") -> str:
    items = [str(i) for i in items]
    return ", ".join(items) if items else empty


def clean(values: Iterable) -> list:
    """A column as plotly gets it: a gap is None (JSON null, a break in a line), never NaN or 0."""
    return [v if present(v) else None for v in values]


def html_table(
    rows: list[dict], formats: dict[str, callable] | None = None, numeric: set[str] = frozenset()
) -> str:
    """rows as an HTML table; `formats` turn a column's values into text (a gap shows as –)."""
    if not rows:
        return ""
    formats = formats or {}
    columns = list(rows[0])
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = []
    for row in rows:
        cells = []
        for column in columns:
            value = row[column]
            text = (
                formats[column](value) if column in formats else (str(value) if present(value) else MISSING)
            )
            raw = text.startswith(("<a ", "<span"))
            cls = ' class="num"' if (column in numeric or column in formats) and not raw else ""
            cells.append(f"<td{cls}>{text if raw else html.escape(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def money_axis(fig, **where) -> None:
    """A US$ billions axis from zero: values are passed in billions, ticks read $120B."""
    fig.update_yaxes(tickprefix="$", ticksuffix="B", rangemode="tozero", tickformat=",.0f", **where)


class Charts:
    """Numbers the charts of one page: the first carries plotly.js inline (no CDN), the others reuse it."""

    def __init__(self) -> None:
        self.drawn = 0

    def figure(self, fig, chart_id: str, caption: str, height: int = 460) -> str:
        fig.update_layout(
            template="plotly_white",
            height=height,
            margin={"l": 70, "r": 30, "t": 60, "b": 60},
            font={"size": 13},
            legend={"orientation": "h", "y": -0.14, "x": 0},
            separators=".,",
            hoverlabel={"namelength": -1},
        )
        self.drawn += 1
        div = fig.to_html(
            full_html=False,
            include_plotlyjs=self.drawn == 1,
            div_id=f"chart-{chart_id}",
            config={"displaylogo": False, "responsive": True},
        )
        return f"<figure>{div}<figcaption>{caption}</figcaption></figure>"
