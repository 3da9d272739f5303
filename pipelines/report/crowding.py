"""Question 1: is infrastructure spend crowding out people?

Per company (fiscal years, from bi.spend_ratio): capex growth against headcount, stock-based compensation
and R&D growth, one small panel per company. Across companies (calendar years, from bi.capex_by_calendar_year,
because fiscal years ending in June, September and December are not one calendar): the cohort's capex stacked
per company, only whole company-years (four quarters, or a fiscal year that is the calendar year), above the people layoffs.fyi counted per year.
"""

from __future__ import annotations

import html
import math
from datetime import date

import duckdb
import polars as pl

from pipelines.report.page import (
    PALETTE,
    Charts,
    clean,
    count,
    growth,
    html_table,
    listing,
    money_axis,
    not_built,
    present,
    read_table,
    usd,
)

METRICS = [  # (column, label, colour): the same colour for a metric in every panel
    ("capex_yoy_growth", "capex", "#0072B2"),
    ("employees_growth", "headcount", "#D55E00"),
    ("stock_based_compensation_yoy_growth", "stock-based compensation", "#009E73"),
    ("research_development_yoy_growth", "R&D", "#CC79A7"),
]
YEARS_SHOWN = 10
WHOLE_YEAR_DAYS = 335  # a fiscal year stands for a calendar year when at least 11 months of it fall in it


def cohort_members(con: duckdb.DuckDBPyConnection, cohort: str = "hyperscaler") -> list[str]:
    companies = read_table(con, "bi.tracked_companies")
    if companies is None:
        return []
    return companies.filter(pl.col("cohort") == cohort)["ticker"].to_list()


def company_colours(tickers: list[str]) -> dict[str, str]:
    return {t: PALETTE[i % len(PALETTE)] for i, t in enumerate(tickers)}


def calendar_capex(capex: pl.DataFrame, members: list[str]) -> pl.DataFrame:
    """(ticker, calendar_year, capex_usd, quarters, basis, fiscal_year): a cohort member's capex in a calendar year.

    From bi.capex_by_calendar_year, the rule bi.revenue_gap uses: the sum of four calendar quarters (`basis`
    quarters), else a fiscal year with at least WHOLE_YEAR_DAYS of its days in that calendar year (`basis`
    fiscal_year); otherwise `basis` is None, the quarters found are counted and the company-year is left out of
    any total.
    """
    return (
        capex.filter(pl.col("ticker").is_in(members))
        .select(
            "ticker",
            pl.col("calendar_year").cast(pl.Int32),
            "capex_usd",
            "quarters",
            "basis",
            "fiscal_year",
        )
        .sort("calendar_year", "ticker")
    )


def layoffs_by_year(events: pl.DataFrame) -> pl.DataFrame:
    """layoffs.fyi per calendar year: people laid off where published, events, first and last event date."""
    return (
        events.filter(pl.col("source") == "layoffs_fyi")
        .with_columns(calendar_year=pl.col("event_date").dt.year())
        .group_by("calendar_year")
        .agg(
            people=pl.col("employees_affected").sum(),
            events=pl.len(),
            events_without_count=pl.col("employees_affected").is_null().sum(),
            first_event=pl.col("event_date").min(),
            last_event=pl.col("event_date").max(),
        )
        .sort("calendar_year")
    )


def _with_headcount_growth(spend: pl.DataFrame) -> pl.DataFrame:
    # Growth only between consecutive fiscal years that both state a headcount: a missing year is a gap.
    ordered = spend.sort("ticker", "fiscal_year")
    previous = pl.col("employees").shift(1).over("ticker")
    consecutive = (pl.col("fiscal_year") - pl.col("fiscal_year").shift(1).over("ticker")) == 1
    return ordered.with_columns(
        employees_growth=pl.when(consecutive & previous.is_not_null() & (previous > 0))
        .then(pl.col("employees") / previous - 1)
        .otherwise(None)
    )


def crowding_section(con: duckdb.DuckDBPyConnection, charts: Charts) -> str:
    spend = read_table(con, "bi.spend_ratio")
    if spend is not None:  # a growth column this warehouse's mart lacks is a gap, not an error
        spend = spend.with_columns(
            pl.lit(None, pl.Float64).alias(c)
            for c, _, _ in METRICS
            if c not in spend.columns and c != "employees_growth"
        )
    calendar = read_table(con, "bi.capex_by_calendar_year")
    events = read_table(con, "bi.layoff_events")
    members = cohort_members(con)
    colours = company_colours(
        members + sorted(set(spend["ticker"].to_list()) - set(members)) if spend is not None else members
    )

    body, facts = [], {}
    if spend is not None and spend.height:
        body.append(_company_panels(_with_headcount_growth(spend), colours, charts, facts))
    else:
        body.append(not_built("bi.spend_ratio", "Capex growth against people per company"))
    if calendar is not None and events is not None:
        body.append(
            _capex_and_layoffs(
                calendar,
                events,
                read_table(con, "bi.layoff_coverage"),
                members,
                colours,
                charts,
                facts,
            )
        )
    else:
        missing = [
            n for n, t in (("bi.capex_by_calendar_year", calendar), ("bi.layoff_events", events)) if t is None
        ]
        body.append(not_built(" and ".join(missing), "Cohort capex by calendar year against layoffs"))
    return f"<p class='answer' id='answer-crowding'>{html.escape(_answer(facts))}</p>" + "".join(body)


def _answer(facts: dict) -> str:
    sentences = []
    if facts.get("compared"):
        faster_sbc, faster_rd, n = facts["faster_than_sbc"], facts["faster_than_rd"], facts["compared"]
        lead = (
            "Spend on infrastructure is outgrowing spend on people"
            if faster_sbc * 2 > n
            else "Spend on infrastructure is not clearly outgrowing spend on people"
        )
        sentences.append(
            f"{lead}: in each company's latest fiscal year, capex grew faster than stock-based compensation at "
            f"{faster_sbc} of {n} companies and faster than R&D at {faster_rd} of {facts['compared_rd']}."
        )
    if facts.get("headcount_years"):
        sentences.append(
            f"Headcount growth can be measured for only {facts['headcount_years']} company-years "
            "(the 10-K text states few headcounts), so the people side rests mostly on pay and R&D."
        )
    elif "headcount_years" in facts:
        sentences.append(
            "Headcount growth cannot be measured yet (no two consecutive fiscal years state a "
            "headcount), so the people side rests on pay and R&D."
        )
    if facts.get("peak_layoffs"):
        year, people = facts["peak_layoffs"]
        capex_line = ""
        if facts.get("capex_peak_year"):
            capex_line = (
                f", while the capex of {facts['capex_members']} (the cohort members with whole calendar "
                f"years) was {usd(facts['capex_then'])} that year and {usd(facts['capex_latest'])} in "
                f"{facts['capex_peak_year']}, the latest year all of them have"
            )
        sentences.append(
            f"Layoffs.fyi counted the most people laid off in {year} ({count(people)}){capex_line}."
        )
    return " ".join(sentences) or "Not enough data in this warehouse to answer yet."


def _company_panels(spend: pl.DataFrame, colours: dict, charts: Charts, facts: dict) -> str:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    last_year = spend["fiscal_year"].max()
    recent = spend.filter(pl.col("fiscal_year") > last_year - YEARS_SHOWN)
    growth_columns = [c for c, _, _ in METRICS]
    has_growth = recent.filter(pl.any_horizontal(pl.col(growth_columns).is_not_null()))
    shown = [t for t in colours if t in set(has_growth["ticker"].to_list())]
    left_out = sorted(set(spend["ticker"].to_list()) - set(shown))

    columns = 3
    rows = max(1, math.ceil(len(shown) / columns))
    fig = make_subplots(
        rows=rows,
        cols=columns,
        subplot_titles=shown,
        shared_xaxes=False,
        vertical_spacing=0.16 if rows > 1 else 0.1,
        horizontal_spacing=0.07,
    )
    for i, ticker in enumerate(shown):
        frame = recent.filter(pl.col("ticker") == ticker).sort("fiscal_year")
        years = list(range(frame["fiscal_year"].min(), frame["fiscal_year"].max() + 1))
        by_year = {r["fiscal_year"]: r for r in frame.iter_rows(named=True)}
        for column, label, colour in METRICS:
            ys = clean(by_year.get(y, {}).get(column) for y in years)
            if not any(present(y) for y in ys):
                continue
            fig.add_trace(
                go.Scatter(
                    x=years,
                    y=ys,
                    name=label,
                    legendgroup=label,
                    showlegend=i == 0,
                    mode="lines+markers",
                    line={"color": colour, "width": 2},
                    marker={"size": 7},
                    connectgaps=False,
                    hovertemplate=f"{ticker} FY%{{x}} {label}: %{{y:+.0%}}<extra></extra>",
                ),
                row=i // columns + 1,
                col=i % columns + 1,
            )
    fig.update_yaxes(tickformat="+.0%", zeroline=True, zerolinecolor="#9aa5b1", zerolinewidth=1)
    fig.update_xaxes(dtick=1, tickformat="d")
    fig.update_layout(title="Growth on the year before, per company and fiscal year: capex against people")
    # Legend entries need a trace in the first panel; a metric absent there still gets one via a later panel.
    seen = {t.name for t in fig.data if t.showlegend}
    for trace in fig.data:
        if trace.name not in seen:
            trace.showlegend = True
            seen.add(trace.name)

    latest = (
        spend.filter(pl.col("capex_yoy_growth").is_not_null())
        .sort("fiscal_year")
        .group_by("ticker")
        .last()
        .sort("ticker")
    )
    compared = latest.filter(pl.col("stock_based_compensation_yoy_growth").is_not_null())
    compared_rd = latest.filter(pl.col("research_development_yoy_growth").is_not_null())
    facts.update(
        compared=compared.height,
        faster_than_sbc=compared.filter(
            pl.col("capex_yoy_growth") > pl.col("stock_based_compensation_yoy_growth")
        ).height,
        compared_rd=compared_rd.height,
        faster_than_rd=compared_rd.filter(
            pl.col("capex_yoy_growth") > pl.col("research_development_yoy_growth")
        ).height,
        headcount_years=spend["employees_growth"].is_not_null().sum(),
    )
    no_headcount = sorted(
        set(shown) - set(recent.filter(pl.col("employees_growth").is_not_null())["ticker"].to_list())
    )
    caption = (
        f"Fiscal years (each company's own), FY{last_year - YEARS_SHOWN + 1}–FY{last_year}, from bi.spend_ratio. "
        f"Covers {listing(shown)}. Not drawn, no growth figure in these years: {listing(left_out)}. "
        f"No headcount growth (the 10-K states a headcount in too few consecutive years): {listing(no_headcount)}. "
        "A gap in a line is a year not reported, not a zero."
    )
    table = html_table(
        [
            {
                "company": r["ticker"],
                "latest fiscal year": f"FY{r['fiscal_year']}",
                "capex": r["capex_usd"],
                "capex growth": r["capex_yoy_growth"],
                "SBC growth": r["stock_based_compensation_yoy_growth"],
                "R&D growth": r["research_development_yoy_growth"],
                "headcount": r["employees"],
            }
            for r in latest.iter_rows(named=True)
        ],
        formats={
            "capex": usd,
            "capex growth": growth,
            "SBC growth": growth,
            "R&D growth": growth,
            "headcount": count,
        },
    )
    return (
        charts.figure(fig, "company-growth", html.escape(caption), height=max(360, 300 * rows))
        + "<p class='note'>Each company's latest fiscal year with a capex growth figure:</p>"
        + table
    )


def _capex_and_layoffs(
    calendar: pl.DataFrame,
    events: pl.DataFrame,
    stretches: pl.DataFrame | None,
    members: list[str],
    colours: dict,
    charts: Charts,
    facts: dict,
) -> str:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    capex = calendar_capex(calendar, members)
    layoffs = layoffs_by_year(events)
    complete = capex.filter(pl.col("basis").is_not_null())
    if not complete.height:
        return "<p class='note'>No cohort member has a whole calendar year of capex yet.</p>"
    last_year = max(capex["calendar_year"].max(), layoffs["calendar_year"].max() if layoffs.height else 0)
    # From the tracker's first year (the comparison starts there), at most YEARS_SHOWN years.
    first_year = layoffs["calendar_year"].min() if layoffs.height else last_year - YEARS_SHOWN + 1
    years = list(
        range(max(complete["calendar_year"].min(), first_year, last_year - YEARS_SHOWN + 1), last_year + 1)
    )
    # A year whose total leaves out a member drawn in another year is faded: its smaller stack is coverage,
    # not a fall in spending.
    drawn_members = set(complete.filter(pl.col("calendar_year").is_in(years))["ticker"].to_list())
    short_years = {
        y
        for y in years
        if drawn_members - set(complete.filter(pl.col("calendar_year") == y)["ticker"].to_list())
    }

    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.12,
        row_heights=[0.6, 0.4],
        subplot_titles=[
            "Cohort capex by calendar year, stacked per company (US$ billions)",
            "People laid off per calendar year (layoffs.fyi)",
        ],
    )
    for ticker in members:
        rows = complete.filter((pl.col("ticker") == ticker) & pl.col("calendar_year").is_in(years))
        if not rows.height:
            continue
        # Only whole company-years: a partial or missing year is left out (and listed), never 0, and never a
        # null inside a stacked trace, which would restart plotly's stacking.
        fig.add_trace(
            go.Bar(
                x=rows["calendar_year"].to_list(),
                y=[v / 1e9 for v in rows["capex_usd"].to_list()],
                name=ticker,
                meta="capex",
                marker_color=colours.get(ticker),
                legendgroup="capex",
                legendgrouptitle_text="capex",
                marker_opacity=[0.4 if y in short_years else 1.0 for y in rows["calendar_year"].to_list()],
                customdata=[
                    "four calendar quarters" if b == "quarters" else f"FY{fy} (10-K) covers the calendar year"
                    for b, fy in rows.select("basis", "fiscal_year").iter_rows()
                ],
                hovertemplate=f"{ticker} %{{x}}: $%{{y:,.1f}}B from %{{customdata}}<extra></extra>",
            ),
            row=1,
            col=1,
        )

    totals = {}
    by_year = {y: capex.filter(pl.col("calendar_year") == y) for y in years}
    for year in years:
        frame = by_year[year]
        full = frame.filter(pl.col("basis").is_not_null())
        total = full["capex_usd"].sum() if full.height else None
        partial = {
            r["ticker"]: r["quarters"] for r in frame.filter(pl.col("basis").is_null()).iter_rows(named=True)
        }
        absent = [t for t in members if t not in set(frame["ticker"].to_list())]
        missing = [f"{t} ({q} of 4 quarters)" for t, q in partial.items()] + absent
        totals[year] = (total, missing)
        if total:
            fig.add_annotation(
                x=year,
                y=total / 1e9,
                text=f"{usd(total, 0)}" + ("*" if missing else ""),
                showarrow=False,
                yshift=10,
                row=1,
                col=1,
            )

    people = layoffs.filter(pl.col("calendar_year").is_in(years) & pl.col("people").is_not_null())
    # What the tracker covers: bi.layoff_coverage's stretches when built, else its first and last event.
    if stretches is not None and stretches.filter(pl.col("source") == "layoffs_fyi").height:
        spans = stretches.filter(pl.col("source") == "layoffs_fyi").select("first_date", "last_date").rows()
        coverage_from = "bi.layoff_coverage"
    else:
        spans = [(layoffs["first_event"].min(), layoffs["last_event"].max())] if layoffs.height else []
        coverage_from = "its first and last event"
    first_event = min((a for a, _ in spans), default=None)

    def is_partial(row) -> bool:
        year = row["calendar_year"]
        return not any(a <= date(year, 1, 1) and b >= date(year, 12, 31) for a, b in spans)

    def covered_part(year: int) -> str:
        parts = [
            f"{max(a, date(year, 1, 1))} to {min(b, date(year, 12, 31))}"
            for a, b in spans
            if a <= date(year, 12, 31) and b >= date(year, 1, 1)
        ]
        return f"{year} ({listing(parts)})"

    rows = list(people.iter_rows(named=True))
    for partial, name, colour in (
        (False, "people laid off", "#555555"),
        (True, "people laid off, partial year", "#B8BEC6"),
    ):
        chosen = [r for r in rows if is_partial(r) == partial]
        if not chosen:
            continue
        fig.add_trace(
            go.Bar(
                x=[r["calendar_year"] for r in chosen],
                y=[r["people"] for r in chosen],
                name=name,
                marker_color=colour,
                marker_pattern_shape="/" if partial else "",
                legendgroup="layoffs",
                legendgrouptitle_text="layoffs.fyi",
                text=[f"{r['people']:,}" for r in chosen],
                textposition="outside",
                cliponaxis=False,
                customdata=[
                    [r["events"], r["events_without_count"], str(r["first_event"]), str(r["last_event"])]
                    for r in chosen
                ],
                hovertemplate="%{x}: %{y:,} people in %{customdata[0]} events (%{customdata[1]} without a count); "
                "events %{customdata[2]} to %{customdata[3]}<extra></extra>",
            ),
            row=2,
            col=1,
        )
    money_axis(fig, row=1, col=1)
    fig.update_yaxes(rangemode="tozero", tickformat=",.0f", title_text="people", row=2, col=1)
    fig.update_xaxes(dtick=1, tickformat="d")
    fig.update_layout(barmode="stack", title="Cohort capex against layoffs, by calendar year")

    by_fiscal_year = [
        f"{t} {y}"
        for t, y in complete.filter((pl.col("basis") == "fiscal_year") & pl.col("calendar_year").is_in(years))
        .select("ticker", "calendar_year")
        .iter_rows()
    ]
    always = [t for t in members if all(t in m for _, m in totals.values())]
    notes = [
        f"{y}: {listing(x for x in m if x not in always)}"
        for y, (_, m) in totals.items()
        if any(x not in always for x in m)
    ]
    if layoffs.height and rows:
        peak = max(rows, key=lambda r: r["people"])
        facts["peak_layoffs"] = (peak["calendar_year"], peak["people"])
        # Compare only years with the same companies in the total (not faded), else coverage passes for growth.
        comparable = [y for y, (t, _) in totals.items() if t and y not in short_years]
        if peak["calendar_year"] in comparable:
            facts["capex_then"] = totals[peak["calendar_year"]][0]
            facts["capex_peak_year"] = max(comparable)
            facts["capex_latest"] = totals[max(comparable)][0]
            facts["capex_members"] = listing(sorted(drawn_members))
    partial_layoffs = [covered_part(r["calendar_year"]) for r in rows if is_partial(r)]
    caption = (
        f"Calendar years {years[0]}–{years[-1]}. Capex from bi.capex_by_calendar_year: a company's year is drawn only "
        f"when all four calendar quarters report capex or, failing that, when a fiscal year with at least "
        f"{WHOLE_YEAR_DAYS} of its days in that calendar year does (basis fiscal_year: {listing(by_fiscal_year)}); "
        f"cohort: {listing(members)}. "
        f"Missing in every year shown: {listing(always)}. * (faded) a total that also leaves out: "
        f"{html.escape('; '.join(notes)) if notes else 'nothing'}. "
        f"Layoffs: layoffs.fyi events (covered from {first_event}, per {coverage_from}), people where the event "
        "gives a count; "
        f"partial years hatched: {listing(partial_layoffs)}. WARN notices are not added (the same layoff often "
        "appears in both). Two panels, two axes: no dual axis."
    )
    return charts.figure(fig, "cohort-capex", caption, height=640)
