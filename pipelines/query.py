"""`capex query`: SQL on the published warehouse, read-only for real, printed to fit a terminal.

Read-only has three layers, each enough for what it guards:
- the connection is `read_only`, so nothing can write the warehouse file;
- `enable_external_access = false` with `lock_configuration = true`: DuckDB itself refuses every file or
  network access besides the warehouse (COPY ... TO, EXPORT DATABASE, ATTACH, INSTALL, read_csv of a
  local file, a profiling output file), however the statement is dressed up (EXPLAIN ANALYZE COPY ...), and
  no SQL can turn that back on;
- before anything runs, each statement's type (DuckDB's own parser: `extract_statements`) must be a read,
  so a refusal is one line naming what the statement would have done, and a script of several statements
  runs none of them when one would write.
"""

from __future__ import annotations

import math
import os
import shutil
import sys
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl

from pipelines.errors import CapexError

READS = {
    duckdb.StatementType.SELECT,
    duckdb.StatementType.EXPLAIN,
    duckdb.StatementType.PRAGMA,
    duckdb.StatementType.CALL,
}
# What a refused statement would have done, for the one-line refusal.
WOULD = {
    "COPY": "COPY writes a file (or loads one into a table)",
    "COPY_DATABASE": "COPY FROM DATABASE writes another database",
    "EXPORT": "EXPORT DATABASE writes files",
    "ATTACH": "ATTACH opens another database file, which could be written",
    "DETACH": "DETACH changes the session's databases",
    "LOAD": "INSTALL / LOAD write or load extensions",
    "SET": "SET / USE change the session",
    "VARIABLE_SET": "SET VARIABLE changes the session",
    "TRANSACTION": "transactions only matter to writes",
    "MULTI": "this statement expands into several, some of which write (PIVOT: give an IN list)",
}


def connect(warehouse: Path) -> duckdb.DuckDBPyConnection:
    if not warehouse.exists():
        raise CapexError(f"no published warehouse at {warehouse}: run `capex refresh --offline` first")
    return duckdb.connect(
        str(warehouse), read_only=True, config={"enable_external_access": False, "lock_configuration": True}
    )


def refuse_writes(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Raise naming the first statement that is not a read; nothing has run yet."""
    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as e:
        raise CapexError(f"query failed: {first_line(e)}") from None
    for statement in statements:
        if statement.type not in READS:
            kind = statement.type.name
            would = WOULD.get(kind, f"a {kind} statement writes the warehouse")
            raise CapexError(
                f"query failed: refused, `capex query` is read-only and {would}; nothing was run"
            )


def run(con: duckdb.DuckDBPyConnection, sql: str) -> pl.DataFrame:
    refuse_writes(con, sql)
    try:
        relation = con.sql(sql)
        return relation.pl() if relation is not None else pl.DataFrame()
    except duckdb.PermissionException as e:  # what the statement types let through, the engine still stops
        raise CapexError(
            f"query failed: refused, `capex query` reads the warehouse only ({first_line(e)})"
        ) from None
    except duckdb.Error as e:
        raise CapexError(f"query failed: {first_line(e)}") from None


def first_line(error: Exception) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__


# ------------------------------------------------------------------------------------ table format


def terminal_width() -> int:
    """The width to fit: COLUMNS, else the terminal's; 0 (no limit) when the output is not a terminal."""
    if os.environ.get("COLUMNS", "").isdigit():
        return int(os.environ["COLUMNS"])
    if sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    return 0


def _is_year(name: str) -> bool:
    return name.lower().endswith("year")  # fiscal_year 2025, never 2,025 (base_year_revenue_usd is money)


def format_column(name: str, values: pl.Series) -> tuple[list[str], bool]:
    """Each value as text, and whether the column is numeric (right-aligned). NULL is empty; numbers are
    never in scientific notation and get thousands separators from 10,000 up (years excepted)."""
    dtype = values.dtype
    items = values.to_list()
    if dtype.is_numeric():
        finite = [float(v) for v in items if v is not None and math.isfinite(float(v))]
        separators = bool(finite) and max(abs(v) for v in finite) >= 10_000 and not _is_year(name)
        decimals = 0
        if not dtype.is_integer():
            # The fewest decimals (0 to 4, 2 for large figures) at which every value is exact.
            cap = 2 if finite and max(abs(v) for v in finite) >= 1000 else 4
            decimals = next(
                (
                    d
                    for d in range(cap + 1)
                    if all(abs(round(v, d) - v) <= 1e-9 * max(1.0, abs(v)) for v in finite)
                ),
                cap,
            )
        comma = "," if separators else ""

        def number(v) -> str:
            if v is None:
                return ""
            if not math.isfinite(float(v)):
                return str(float(v))
            return f"{int(v):{comma}d}" if dtype.is_integer() else f"{float(v):{comma}.{decimals}f}"

        return [number(v) for v in items], True
    if dtype == pl.Boolean:
        return ["" if v is None else str(v).lower() for v in items], False
    if dtype in (pl.Date, pl.Datetime) or isinstance(dtype, pl.Datetime):
        return [
            "" if v is None else v.isoformat(sep=" ") if isinstance(v, datetime) else v.isoformat()
            for v in items
        ], False
    return ["" if v is None else _one_line(v) for v in items], False


def _one_line(value) -> str:
    text = value if isinstance(value, str) else value.isoformat() if isinstance(value, date) else str(value)
    return text.replace("\r\n", "↵").replace("\n", "↵").replace("\t", " ")


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def render_table(frame: pl.DataFrame, width: int = 0, max_rows: int = 50) -> str:
    """A box table like the DuckDB CLI's that fits `width` characters (0: no limit): long texts are cut
    with …, and when that is not enough, middle columns are left out (the footer says how many). Numbers are
    never cut. More than `max_rows` rows: the first and last ones, with a … row between."""
    if not frame.columns:
        return "(no result)"
    if frame.columns == ["explain_key", "explain_value"]:  # EXPLAIN: DuckDB's plan, drawn already
        return "\n".join(frame["explain_value"].to_list())
    total = frame.height
    if max_rows and total > max_rows:
        shown = pl.concat([frame.head((max_rows + 1) // 2), frame.tail(max_rows // 2)])
        gap_at = (max_rows + 1) // 2
    else:
        shown, gap_at = frame, None
    names = frame.columns
    cells, numeric = [], []
    for name in names:
        texts, is_number = format_column(name, shown[name])
        cells.append(texts)
        numeric.append(is_number)
    natural = [max([len(name), *map(len, texts)]) for name, texts in zip(names, cells)]
    widths = [w if is_number or not width else min(w, 40) for w, is_number in zip(natural, numeric)]

    def table_width(columns: list[int], extra: int = 0) -> int:
        return sum(widths[i] + 3 for i in columns) + 1 + extra

    keep = list(range(len(names)))
    if width:
        # Narrow the widest text column, one character at a time, down to 20 (an accession number, whole) or
        # its header.
        floor = [widths[i] if numeric[i] else min(widths[i], max(20, len(names[i]))) for i in keep]
        while table_width(keep) > width:
            candidates = [i for i in keep if not numeric[i] and widths[i] > floor[i]]
            if not candidates:
                break
            widest = max(candidates, key=lambda i: widths[i])
            widths[widest] -= 1
        if table_width(keep) > width:
            # As the DuckDB CLI does: keep columns from both ends, alternately, while they fit beside a … column.
            order = [i for pair in zip(range(len(names)), reversed(range(len(names)))) for i in pair]
            keep = []
            for i in dict.fromkeys(order):
                if keep and table_width([*keep, i], extra=3) > width:
                    break
                keep.append(i)
            keep.sort()
    hidden = [names[i] for i in range(len(names)) if i not in keep]
    gap_col = (
        next((pos for pos, (a, b) in enumerate(zip(keep, keep[1:]), 1) if b != a + 1), None)
        if hidden
        else None
    )
    if hidden and gap_col is None:
        gap_col = len(keep)

    def row(texts: list[str]) -> str:
        padded = [
            f" {_cut(t, widths[i]):>{widths[i]}} " if numeric[i] else f" {_cut(t, widths[i]):<{widths[i]}} "
            for i, t in zip(keep, texts)
        ]
        if gap_col is not None:
            padded.insert(gap_col, " … ")
        return "│" + "│".join(padded) + "│"

    def rule(left: str, mid: str, right: str) -> str:
        segments = ["─" * (widths[i] + 2) for i in keep]
        if gap_col is not None:
            segments.insert(gap_col, "───")
        return left + mid.join(segments) + right

    out = [rule("┌", "┬", "┐"), row([names[i] for i in keep]), rule("├", "┼", "┤")]
    for r in range(shown.height):
        if gap_at is not None and r == gap_at:
            out.append(row(["…" for _ in keep]))
        out.append(row([cells[i][r] for i in keep]))
    out.append(rule("└", "┴", "┘"))
    footer = f"{total:,} row{'s' if total != 1 else ''}"
    if gap_at is not None:
        footer += f", {shown.height:,} shown (--max-rows 0 for all)"
    if hidden:
        footer += (
            f"; {len(keep)} of {len(names)} columns shown (--width 0 for all, or select the ones you need)"
        )
        if len(footer) + len(", left out: ") + len(", ".join(hidden)) + 2 <= max(width, 80):
            footer += f", left out: {', '.join(hidden)}"
    out.append(f"({footer})")
    return "\n".join(out)
