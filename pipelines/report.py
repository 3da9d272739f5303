"""`capex report OUT.html`: the story in pictures, one self-contained page.

Plotly draws the charts; its JavaScript bundle is inlined once in the page (no CDN), so the file
opens offline and a browser makes no network request. Numbers are formatted for people ($64.6B).
"""

from __future__ import annotations

import html
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import polars as pl

PAGE_CSS = """
body { font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; margin: 0 auto; max-width: 1180px;
       padding: 24px; color: #1f2933; background: #fff; }
h1 { font-size: 28px; margin-bottom: 4px; } h2 { font-size: 20px; margin-top: 36px; border-bottom: 1px solid #e4e7eb; }
p.lede { color: #52606d; margin-top: 0; } .note { color: #616e7c; font-size: 13px; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0 16px; }
th, td { border-bottom: 1px solid #e4e7eb; padding: 4px 10px; text-align: left; } td.num { text-align: right; }
"""


def usd(value: float | None) -> str:
    """$64.6B, $812.0M, $3.49 — money as a person reads it."""
    if value is None:
        return "–"
    sign = "-" if value < 0 else ""
    value = abs(value)
    for threshold, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if value >= threshold:
            return f"{sign}${value / threshold:,.1f}{suffix}"
    return f"{sign}${value:,.2f}"


def _table(con: duckdb.DuckDBPyConnection, name: str) -> pl.DataFrame | None:
    schema, table = name.split(".")
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?", [schema, table]
    ).fetchall()[0][0]
    return con.sql(f'select * from "{schema}"."{table}"').pl() if exists else None


def _html_table(frame: pl.DataFrame, money: set[str] = frozenset(), percent: set[str] = frozenset()) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in frame.columns)
    rows = []
    for row in frame.iter_rows(named=True):
        cells = []
        for column, value in row.items():
            if column in money and value is not None:
                cells.append(f'<td class="num">{usd(float(value))}</td>')
            elif column in percent and value is not None:
                cells.append(f'<td class="num">{float(value):.1%}</td>')
            elif isinstance(value, int) and column.endswith("year"):
                cells.append(f'<td class="num">{value}</td>')
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                cells.append(f'<td class="num">{value:,}</td>' if isinstance(value, int) else f'<td class="num">{value:,.4g}</td>')
            else:
                cells.append(f"<td>{html.escape('' if value is None else str(value))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _figure_html(fig, first: bool) -> str:
    fig.update_layout(template="plotly_white", margin={"l": 60, "r": 20, "t": 50, "b": 50}, height=440,
                      legend={"orientation": "h", "y": -0.18})
    # The first chart carries the whole plotly.js bundle inline; the others reuse it.
    return fig.to_html(full_html=False, include_plotlyjs=True if first else False, config={"displaylogo": False})


def build_sections(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    import plotly.express as px

    sections: list[tuple[str, str]] = []
    figures = 0

    def chart(fig) -> str:
        nonlocal figures
        figures += 1
        return _figure_html(fig, figures == 1)

    spend = _table(con, "marts.spend_ratio")
    if spend is not None and spend.height:
        recent = spend.filter(pl.col("fiscal_year") >= 2019).sort("ticker", "fiscal_year")
        fig = px.bar(recent.with_columns(capex_billions=pl.col("capex_usd") / 1e9).to_pandas(), x="fiscal_year",
                     y="capex_billions", color="ticker", title="Capital expenditure by company and fiscal year",
                     labels={"capex_billions": "capex (US$ billions)", "fiscal_year": "fiscal year"})
        fig.update_yaxes(tickprefix="$", ticksuffix="B")
        latest = recent.group_by("ticker").agg(pl.all().sort_by("fiscal_year").last()).sort("capex_usd", descending=True)
        table = _html_table(
            latest.select("ticker", "fiscal_year", "capex_usd", "revenue_usd", "capex_to_revenue", "employees"),
            money={"capex_usd", "revenue_usd"}, percent={"capex_to_revenue"},
        )
        sections.append(("Capex by company", chart(fig) + "<p class='note'>Latest fiscal year per company:</p>" + table))
        fig = px.line(recent.drop_nulls("capex_to_revenue").to_pandas(), x="fiscal_year", y="capex_to_revenue",
                      color="ticker", markers=True, title="Capex as a share of revenue")
        fig.update_yaxes(tickformat=".0%")
        sbc_columns = [c for c in spend.columns if "stock_based" in c and c.endswith("_usd")]
        body = chart(fig)
        if sbc_columns and "capex_per_sbc_usd" in spend.columns:
            fig = px.line(recent.drop_nulls("capex_per_sbc_usd").to_pandas(), x="fiscal_year", y="capex_per_sbc_usd",
                          color="ticker", markers=True, title="Capex per dollar of stock-based compensation")
            body += chart(fig)
        sections.append(("Capex against revenue and people", body))

    gap = _table(con, "marts.revenue_gap")
    assumptions = _table(con, "marts.assumptions")
    if gap is not None and gap.height:
        fig = px.bar(gap.drop_nulls("revenue_gap_usd").sort("calendar_year")
                     .with_columns(gap_billions=pl.col("revenue_gap_usd") / 1e9).to_pandas(), x="calendar_year",
                     y="gap_billions", color="method", barmode="group",
                     labels={"gap_billions": "revenue gap (US$ billions)", "calendar_year": "calendar year"},
                     title="Revenue gap: revenue the spend needs minus revenue growth since the base year")
        fig.update_yaxes(tickprefix="$", ticksuffix="B")
        side = ""
        if assumptions is not None and assumptions.height:
            keep = [c for c in ("name", "value", "unit", "source") if c in assumptions.columns]
            side = "<p class='note'>Assumptions (edit <code>dbt/seeds/assumptions.csv</code>):</p>" + _html_table(assumptions.select(keep))
        detail = _html_table(
            gap.sort("method", "calendar_year").select(
                "calendar_year", "method", "spend_usd", "cost_multiplier", "target_gross_margin",
                "required_revenue_usd", "incremental_revenue_usd", "revenue_gap_usd"),
            money={"spend_usd", "required_revenue_usd", "incremental_revenue_usd", "revenue_gap_usd"},
        )
        sections.append(("The revenue gap", f"{chart(fig)}{detail}{side}"))

    summary = _table(con, "marts.industry_summary")
    if summary is not None and summary.height:
        people = [c for c in summary.columns if "laid_off" in c or "people" in c]
        capex = [c for c in summary.columns if "capex" in c and c.endswith("_usd")]
        if people and capex:
            from plotly.subplots import make_subplots
            import plotly.graph_objects as go

            frame = summary.filter(pl.col("calendar_year") >= 2019).sort("calendar_year")
            fig = make_subplots(specs=[[{"secondary_y": True}]])
            fig.add_trace(go.Bar(x=frame["calendar_year"].to_list(), y=frame[people[0]].to_list(), name=people[0]), secondary_y=False)
            fig.add_trace(go.Scatter(x=frame["calendar_year"].to_list(), y=frame[capex[0]].to_list(), name=capex[0], mode="lines+markers"), secondary_y=True)
            fig.update_layout(title="People laid off per year against hyperscaler capex")
            fig.update_yaxes(tickprefix="$", tickformat="~s", secondary_y=True)  # plotly's SI prefix: G = billion
            sections.append(("Layoffs against capex", chart(fig)))

    index = _table(con, "marts.gpu_price_index")
    if index is not None and index.height:
        families = ["H100", "H200", "B200", "A100"]
        frame = index.filter(pl.col("gpu_family").is_in(families)).with_columns(
            series=pl.col("gpu_family") + " · " + pl.col("pricing")).sort("observed_on")
        fig = px.line(frame.to_pandas(), x="observed_on", y="median_usd_per_gpu_hour", color="series", markers=True,
                      title="GPU rental price index: median US$ per GPU-hour by family and pricing type")
        fig.update_yaxes(tickprefix="$")
        sections.append(("GPU prices", chart(fig)))

    economics = _table(con, "marts.gpu_unit_economics")
    if economics is not None and economics.height:
        column = next((c for c in economics.columns if "break_even" in c), None)
        if column and "observed_on" in economics.columns:
            frame = economics.drop_nulls(column).filter(
                pl.col("gpu_family").is_in(["H100", "H200", "B200", "A100", "MI300X"])).sort("observed_on")
            color = "pricing" if "pricing" in frame.columns else None
            fig = px.scatter(frame.to_pandas(), x="observed_on", y=column, color=color, facet_col="gpu_family",
                             facet_col_wrap=3, title="Break-even utilization of a purchased GPU at market rental prices")
            fig.update_yaxes(tickformat=".0%")
            sections.append(("GPU unit economics", chart(fig)))

    sections.append(("Data as of", _data_as_of(con)))
    return sections


def _data_as_of(con: duckdb.DuckDBPyConnection) -> str:
    tables = [r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_schema = 'raw' and table_name like 'landing_%'").fetchall()]
    parts = []
    if tables:
        union = " union all ".join(f'select kind, entity, as_of, via, origin from raw."{t}"' for t in tables)
        sources = con.sql(
            f"select kind, count(*) as bodies, min(as_of) as first_as_of, max(as_of) as latest_as_of, "
            f"string_agg(distinct via, ', ') as via from ({union}) group by kind order by kind").pl()
        parts.append("<p class='note'>Captured bodies each source was built from:</p>" + _html_table(sources))
    filings = _table(con, "core.financials")
    if filings is not None and filings.height:
        latest = (filings.filter(pl.col("fiscal_period") == "FY").sort("period_end")
                  .group_by("ticker").agg(pl.col("fiscal_year").last(), pl.col("period_end").last(),
                                          pl.col("accession").last(), pl.col("filed").last(), pl.col("source").last())
                  .sort("ticker"))
        parts.append("<p class='note'>Latest annual filing per company:</p>" + _html_table(latest))
    return "".join(parts) or "<p>No lineage recorded.</p>"


def write_report(con: duckdb.DuckDBPyConnection, out: Path) -> int:
    sections = build_sections(con)
    published = con.execute("select published_at from meta.refresh").fetchall()[0] if _table(con, "meta.refresh") is not None else None
    stamp = f"{published[0]:%Y-%m-%d %H:%M UTC}" if published else "unknown"
    body = "".join(f"<h2>{html.escape(title)}</h2>{content}" for title, content in sections)
    page = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>AI capex report</title><style>{PAGE_CSS}</style></head><body>"
        "<h1>The economics of the AI build-out</h1>"
        f"<p class='lede'>Capex, revenue, people and GPU prices from public filings and price feeds. Warehouse published {stamp}; "
        f"report written {datetime.now(timezone.utc):%Y-%m-%d %H:%M UTC}.</p>"
        f"{body}</body></html>"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(out)
    return out.stat().st_size
