"""The top of the report: the headline figures of bi.headline_figures, then the claims people quote.

Each figure shows its number, a one-line reading, its as-of date, its coverage and what it rests on: an
accession number becomes a link to the filing on sec.gov, a layoff source is named.
"""

from __future__ import annotations

import html
import re

import duckdb
import polars as pl

from pipelines.report.page import MISSING, count, not_built, present, read_table, usd

ACCESSION = re.compile(r"\b(\d{10})-(\d{2})-(\d{6})\b")
URL = re.compile(r"https?://[^\s;,)]+")
LAYOFF_SOURCES = {
    "layoffs_fyi": "layoffs.fyi tracker",
    "warn_ca": "California EDD WARN notices",
    "warn_ny": "New York DOL WARN notices",
    "warn_wa": "Washington ESD WARN notices",
    "warn_tx": "Texas Workforce Commission WARN notices",
}


def accession_ciks(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """accession → the filer's CIK, from every table that carries both (the filing's sec.gov folder is under it),
    and ticker → CIK from the companies seed, for an accession named after its company in a text."""
    ciks: dict[str, str] = {}
    companies = read_table(con, "bi.tracked_companies")
    if companies is not None:
        ciks.update(
            {t: str(c).zfill(10) for t, c in companies.select("ticker", "cik").drop_nulls().iter_rows()}
        )
    for name in ("bi.financials", "bi.segment_revenue"):
        frame = read_table(con, name)
        if frame is not None and {"accession", "cik"} <= set(frame.columns):
            for accession, cik in frame.select("accession", "cik").unique().drop_nulls().iter_rows():
                ciks.setdefault(accession, cik)
    return ciks


def filing_url(accession: str, ciks: dict[str, str], ticker: str | None = None) -> str:
    # EDGAR files a filing under /Archives/edgar/data/<CIK>/<accession without dashes>/. The accession's first
    # ten digits are whoever submitted it (a filing agent such as 0001193125 for many 10-Qs), so the company's
    # CIK comes first: from the tables, else from the ticker named before it, else that prefix.
    cik = ciks.get(accession) or (ciks.get(ticker) if ticker else None) or accession.split("-")[0]
    return f"https://www.sec.gov/Archives/edgar/data/{int(cik)}/{accession.replace('-', '')}/{accession}-index.htm"


def based_on_html(text: str | None, ciks: dict[str, str]) -> str:
    """The based_on text with accessions and URLs as links and layoff sources named."""
    if not present(text):
        return MISSING
    out, last = [], 0
    tokens = sorted([*ACCESSION.finditer(text), *URL.finditer(text)], key=lambda m: m.start())
    for match in tokens:
        if match.start() < last:
            continue
        out.append(_name_sources(text[last : match.start()]))
        target = match.group(0)
        named = [t for t in re.findall(r"\b[A-Z]{2,5}\b", text[: match.start()]) if t in ciks]
        href = target if target.startswith("http") else filing_url(target, ciks, named[-1] if named else None)
        label = target
        out.append(f'<a href="{html.escape(href)}">{html.escape(label)}</a>')
        last = match.end()
    out.append(_name_sources(text[last:]))
    return "".join(out)


def _name_sources(text: str) -> str:
    escaped = html.escape(text)
    for code, name in LAYOFF_SOURCES.items():
        escaped = re.sub(rf"\b{code}\b", f"{name} (<code>{code}</code>)", escaped)
    return escaped


def format_value(value, unit: str | None, signed: bool = False) -> str:
    """A headline value in its unit: US$ as $227.4B, people as 152,922, a share as 43 %, a multiple as 2.1×."""
    if not present(value):
        return "not measured"
    value = float(value)
    unit = (unit or "").strip()
    lowered = unit.lower()
    if lowered in ("usd", "us$", "$", "dollars") or lowered.startswith("usd ") and "per" not in lowered:
        return usd(value)
    if "per" in lowered and ("usd" in lowered or "$" in lowered):
        return f"${value:,.2f} {html.escape(unit[unit.lower().index('per') :])}"
    if lowered in ("fraction", "share", "ratio_fraction", "percent_fraction"):
        return f"{value:+.0%}" if signed else f"{value:.0%}"
    if lowered in ("ratio", "multiple", "x", "times"):
        return f"{value:,.1f}×"
    if lowered in ("people", "employees", "persons", "count", "events", "notices"):
        return f"{count(value)} {html.escape(unit)}" if lowered != "count" else count(value)
    return f"{value:,.4g} {html.escape(unit)}".strip()


def headline_section(con: duckdb.DuckDBPyConnection) -> str:
    figures = read_table(con, "bi.headline_figures")
    if figures is None:
        return not_built("bi.headline_figures", "The headline figures and the verdicts on the quoted claims")
    ciks = accession_ciks(con)
    has_claim = "claim" in figures.columns
    plain = figures.filter(pl.col("claim").is_null()) if has_claim else figures
    claims = figures.filter(pl.col("claim").is_not_null()) if has_claim else figures.clear()
    reading_column = next(
        (c for c in ("label", "reading", "description", "note") if c in figures.columns), None
    )

    cards = []
    for row in plain.iter_rows(named=True):
        reading = row.get(reading_column) if reading_column else None
        if not present(reading):
            reading = row.get("reason") if present(row.get("reason")) else row["figure"]
        cards.append(
            "<div class='figure'>"
            f"<div class='value'>{format_value(row['value'], row.get('unit'), signed='growth' in str(row['figure']))}</div>"
            f"<div class='reading'>{html.escape(str(reading))}</div>"
            f"<div class='meta' title='{html.escape(str(row['figure']))}'>"
            f"{_as_of(row.get('as_of'), row['value'])} · coverage: {html.escape(str(row.get('coverage') or MISSING))}<br>"
            f"rests on: {based_on_html(row.get('based_on'), ciks)}</div></div>"
        )
    parts = []

    if claims.height:
        rows = []
        for row in claims.iter_rows(named=True):
            verdict = str(row.get("verdict") or "not measurable yet")
            kind = verdict if verdict in ("consistent", "inconsistent") else "other"
            rows.append(
                f"<tr><td>“{html.escape(str(row['claim']))}”</td>"
                f"<td><span class='verdict {kind}'>{html.escape(verdict)}</span></td>"
                f"<td class='num'>{format_value(row['value'], row.get('unit'))}</td>"
                f"<td>{html.escape(str(row.get('reason') or MISSING))}<br><span class='note'>"
                f"{html.escape(str(row.get(reading_column) if reading_column else row['figure']))}"
                f" · coverage: {html.escape(str(row.get('coverage') or MISSING))}</span></td>"
                f"<td class='nowrap'>{_as_of(row.get('as_of'), row['value'])}</td><td>{based_on_html(row.get('based_on'), ciks)}</td></tr>"
            )
        parts.append(
            "<h3>The claims people quote, beside what the data says</h3><table id='claims'><thead><tr><th>claim</th>"
            "<th>verdict</th><th>the data says</th><th>why</th><th>as of</th><th>rests on</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
        )
    else:
        parts.append("<p class='note missing-table'>bi.headline_figures holds no quoted claim yet.</p>")
    parts.append(
        "<h3>The headline figures</h3><p class='note'>Each with its as-of date, its coverage and what it "
        "rests on; an SEC accession number opens its filing on sec.gov.</p>"
        + (
            "<div class='figures'>" + "".join(cards) + "</div>"
            if cards
            else "<p class='note'>bi.headline_figures holds no figure besides the claims.</p>"
        )
    )
    return "".join(parts)


def _as_of(as_of, value) -> str:
    if present(as_of):
        return f"as of {html.escape(str(as_of))}"
    return "not measured yet, so no as-of date" if not present(value) else "as-of date not recorded"
