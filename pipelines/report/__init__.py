"""`capex report OUT.html`: the three questions answered, one self-contained page.

The page leads with the answers (bi.headline_figures and the quoted claims with their verdicts), then
one section per question, each opening with a sentence generated from the data, then its charts, then what
the data covers. Plotly draws the charts; its JavaScript bundle is inlined once (no CDN), so the file opens
offline and the browser makes no network request.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines.report.compute import compute_section
from pipelines.report.coverage import coverage_section
from pipelines.report.crowding import crowding_section
from pipelines.report.headline import headline_section
from pipelines.report.page import PAGE_CSS, Charts, read_table
from pipelines.report.revenue import revenue_section

QUESTIONS = [  # (anchor, title, section)
    ("crowding", "Is infrastructure spend crowding out people?", crowding_section),
    ("compute", "What does compute cost, and how fast does it lose value?", compute_section),
    ("revenue", "How far is revenue from paying for the spend?", revenue_section),
]


def build_page(con: duckdb.DuckDBPyConnection) -> str:
    charts = Charts()
    refresh = read_table(con, "meta.refresh")
    stamp = (
        f"{refresh['published_at'][0]:%Y-%m-%d %H:%M UTC}"
        if refresh is not None and refresh.height
        else "at an unknown time"
    )
    sections = [f"<section id='headline'><h2>The answers in figures</h2>{headline_section(con)}</section>"]
    for anchor, title, build in QUESTIONS:
        sections.append(f"<section id='{anchor}'><h2>{html.escape(title)}</h2>{build(con, charts)}</section>")
    sections.append(f"<section id='coverage'><h2>What the data covers</h2>{coverage_section(con)}</section>")
    contents = " · ".join(f"<a href='#{a}'>{html.escape(t)}</a>" for a, t, _ in QUESTIONS)
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>The economics of the AI build-out</title><style>{PAGE_CSS}</style></head><body>"
        "<h1>The economics of the AI build-out</h1>"
        "<p class='lede'>Capex, revenue, people and GPU prices from public filings, layoff trackers and price feeds. "
        f"Warehouse published {stamp}; report written {datetime.now(UTC):%Y-%m-%d %H:%M UTC}.</p>"
        f"<p class='note'>{contents} · <a href='#coverage'>What the data covers</a></p>"
        f"{''.join(sections)}</body></html>"
    )


def write_report(con: duckdb.DuckDBPyConnection, out: Path) -> int:
    page = build_page(con)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(out)
    return out.stat().st_size
