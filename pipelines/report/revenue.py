"""Question 3: how far is revenue from paying for the spend?

From bi.revenue_gap (one row per calendar year, method and comparator): the revenue each method says the
spend requires, against each comparator's revenue, and the gap multiple; from bi.revenue_gap_sensitivity
the band that margins × useful lives put around it. A year whose cohort is incomplete is hatched and its
missing companies are named.
"""

from __future__ import annotations

import html

import duckdb
import polars as pl

from pipelines.report.page import (
    PALETTE,
    Charts,
    html_table,
    listing,
    money_axis,
    not_built,
    present,
    read_table,
    usd,
)

METHOD_ORDER = ["capex", "capex_with_leases", "sequoia", "sequoia_run_rate"]
METHOD_LABEL = {
    "capex": "capex (the cohort's capital expenditure)",
    "capex_with_leases": "capex plus finance-lease additions",
    "sequoia": "Sequoia: NVIDIA Data Center revenue × 2",
    "sequoia_run_rate": "Sequoia run rate: latest quarter × 4 × 2",
}
METHOD_COLOUR = {
    "capex": PALETTE[0],
    "capex_with_leases": PALETTE[4],
    "sequoia": PALETTE[1],
    "sequoia_run_rate": PALETTE[5],
}
COMPARATOR_LABEL = {
    "ai_segments": "AI-relevant segment revenue",
    "disclosed_ai_revenue": "AI revenue the companies disclosed",
    "revenue_growth": "total revenue growth since the base year (an upper bound)",
}


def normalised_gap(gap: pl.DataFrame) -> pl.DataFrame:
    """The contract's columns, also on a warehouse from before the comparators (its incremental revenue is the
    `revenue_growth` comparator, as the public interface defines it)."""
    if "comparator" not in gap.columns:
        gap = gap.with_columns(
            comparator=pl.lit("revenue_growth"), comparator_revenue_usd=pl.col("incremental_revenue_usd")
        )
    if "gap_multiple" not in gap.columns:
        gap = gap.with_columns(
            gap_multiple=pl.when(pl.col("comparator_revenue_usd") > 0).then(
                pl.col("required_revenue_usd") / pl.col("comparator_revenue_usd")
            )
        )
    for column in ("coverage", "missing_tickers"):
        if column not in gap.columns:
            gap = gap.with_columns(pl.lit(None, pl.Utf8).alias(column))
    return gap


COMPARATOR_SHORT = {
    "ai_segments": "AI segment revenue",
    "disclosed_ai_revenue": "disclosed AI revenue",
    "revenue_growth": "revenue growth since the base year",
}


def _comparators(gap: pl.DataFrame) -> list[str]:
    return sorted(gap["comparator"].drop_nulls().unique().to_list())


def _methods(gap: pl.DataFrame) -> list[str]:
    present_methods = gap.drop_nulls("required_revenue_usd")["method"].unique().to_list()
    return [m for m in METHOD_ORDER if m in present_methods] + sorted(
        set(present_methods) - set(METHOD_ORDER)
    )


def revenue_section(con: duckdb.DuckDBPyConnection, charts: Charts) -> str:
    raw = read_table(con, "bi.revenue_gap")
    if raw is None or not raw.height:
        return not_built("bi.revenue_gap", "The revenue gap")
    gap = normalised_gap(raw)
    sensitivity = read_table(con, "bi.revenue_gap_sensitivity")
    facts: dict = {}
    body = [_required_against_comparators(gap, charts, facts), _gap_multiple(gap, charts)]
    if sensitivity is not None and sensitivity.height:
        body.append(_sensitivity(normalised_gap(sensitivity), charts, facts))
    else:
        body.append(not_built("bi.revenue_gap_sensitivity", "The sensitivity band"))
    assumptions = read_table(con, "bi.assumptions_used")
    if assumptions is not None and assumptions.height:
        rows = [
            {
                "assumption": r["name"],
                "value": f"{r['value']:g} {r.get('unit') or ''}".strip(),
                "source or note": r.get("source") or r.get("note") or "assumption",
            }
            for r in assumptions.iter_rows(named=True)
        ]
        body.append(
            "<p class='note'>Assumptions (edit <code>dbt/seeds/assumptions.csv</code> and refresh):</p>"
            + html_table(rows)
        )
    return f"<p class='answer' id='answer-revenue'>{html.escape(_answer(facts))}</p>" + "".join(body)


def _answer(facts: dict) -> str:
    sentences = []
    if "latest" in facts:
        year, method, comparisons, always = facts["latest"]
        parts = []
        for comparator, required, revenue, multiple, missing in comparisons:
            short = (
                f"{multiple:,.1f}× the revenue there is" if present(multiple) and multiple > 1 else "covered"
            )
            parts.append(
                f"against {COMPARATOR_LABEL.get(comparator, comparator)} {usd(revenue)} it needs "
                f"{usd(required)} ({short}{', without ' + missing if missing else ''})"
            )
        sentences.append(
            f"In {year}, the cohort's {METHOD_LABEL.get(method, method).split(' (')[0]} does not pay "
            f"for itself: " + "; ".join(parts) + "."
            if any(present(c[3]) and c[3] > 1 for c in comparisons)
            else f"In {year}, the cohort's capex is covered: " + "; ".join(parts) + "."
        )
        if always:
            sentences.append(f"{always} is missing from every year (no filing in the data).")
    if "band" in facts:
        year, comparator, low, high, margins, lives = facts["band"]
        sentences.append(
            f"Written off over the hardware's life instead, {year}'s capex needs {usd(low)} to "
            f"{usd(high)} of revenue a year across gross margins {margins} and useful lives {lives} "
            f"years (the companies of the {COMPARATOR_LABEL.get(comparator, comparator).split(' (')[0]} "
            "comparison)."
        )
    return " ".join(sentences) or "No revenue gap figure in this warehouse yet."


def _missing_everywhere(gap: pl.DataFrame) -> set[str]:
    lists = [set((m or "").split(",")) - {""} for m in gap["missing_tickers"].to_list()]
    return set.intersection(*lists) if lists else set()


def _without(missing: str | None, always: set[str]) -> str:
    return ",".join(t for t in (missing or "").split(",") if t and t not in always)


def _add_comparator_line(fig, frame: pl.DataFrame, comparator: str, seen: set[str], **where) -> None:
    """The comparator's revenue per calendar year as a dark line (the same for every method of a panel)."""
    import plotly.graph_objects as go

    revenue = (
        frame.filter(pl.col("comparator_revenue_usd").is_not_null())
        .group_by("calendar_year")
        .agg(pl.col("comparator_revenue_usd").first())
        .sort("calendar_year")
    )
    if not revenue.height:
        return
    name = "revenue there is (the panel's comparator)"
    fig.add_trace(
        go.Scatter(
            x=revenue["calendar_year"].to_list(),
            y=[v / 1e9 for v in revenue["comparator_revenue_usd"].to_list()],
            name=name,
            legendgroup=name,
            showlegend=name not in seen,
            mode="lines+markers",
            line={"color": "#1f2933", "width": 2},
            marker={"size": 9, "symbol": "diamond"},
            hovertemplate=f"{comparator} %{{x}}: $%{{y:,.1f}}B<extra></extra>",
        ),
        **where,
    )
    seen.add(name)


def _required_against_comparators(gap: pl.DataFrame, charts: Charts, facts: dict) -> str:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    methods, comparators = _methods(gap), _comparators(gap)
    if not methods or not comparators:
        return "<p class='note'>bi.revenue_gap has no required revenue figure.</p>"
    always = _missing_everywhere(gap)
    # One panel per comparator: a method's spend is summed over the same companies as the comparator's revenue
    # (bi.revenue_gap pairs them), so required revenue is only comparable within a panel.
    fig = make_subplots(
        rows=len(comparators),
        cols=1,
        vertical_spacing=0.1,
        subplot_titles=[f"against {COMPARATOR_LABEL.get(c, c)}" for c in comparators],
    )
    seen: set[str] = set()
    for row, comparator in enumerate(comparators, start=1):
        frame = gap.filter(pl.col("comparator") == comparator)
        for method in methods:
            part = frame.filter(
                (pl.col("method") == method) & pl.col("required_revenue_usd").is_not_null()
            ).sort("calendar_year")
            if not part.height:
                continue
            name = f"required: {METHOD_LABEL.get(method, method)}"
            missing = [_without(m, always) for m in part["missing_tickers"].to_list()]
            fig.add_trace(
                go.Bar(
                    x=part["calendar_year"].to_list(),
                    y=[v / 1e9 for v in part["required_revenue_usd"].to_list()],
                    name=name,
                    legendgroup=name,
                    showlegend=name not in seen,
                    offsetgroup=method,
                    marker={
                        "color": METHOD_COLOUR.get(method, PALETTE[3]),
                        "pattern": {"shape": ["/" if m else "" for m in missing]},
                    },
                    customdata=[m or "none besides " + (",".join(sorted(always)) or "none") for m in missing],
                    hovertemplate=f"{method} %{{x}}: $%{{y:,.1f}}B required (missing %{{customdata}})<extra></extra>",
                ),
                row=row,
                col=1,
            )
            seen.add(name)
        _add_comparator_line(fig, frame, comparator, seen, row=row, col=1)
        money_axis(fig, row=row, col=1)
    fig.update_xaxes(dtick=1, tickformat="d")
    fig.update_layout(
        barmode="group", title="Revenue the spend requires, per method, against the revenue there is"
    )

    # The answer: the latest year with the fewest companies missing for the first method.
    first = gap.filter(
        (pl.col("method") == methods[0])
        & pl.col("required_revenue_usd").is_not_null()
        & pl.col("comparator_revenue_usd").is_not_null()
    )
    if first.height:
        first = first.with_columns(
            missing_count=pl.col("missing_tickers").fill_null("").str.split(",").list.len()
        )
        best = first.sort(["missing_count", "calendar_year"], descending=[False, True]).row(0, named=True)
        rows_then = first.filter(pl.col("calendar_year") == best["calendar_year"]).sort("comparator")
        facts["latest"] = (
            best["calendar_year"],
            methods[0],
            [
                (
                    r["comparator"],
                    r["required_revenue_usd"],
                    r["comparator_revenue_usd"],
                    r["gap_multiple"],
                    _without(r["missing_tickers"], always),
                )
                for r in rows_then.iter_rows(named=True)
            ],
            ",".join(sorted(always)),
        )
    years = sorted(gap.drop_nulls("required_revenue_usd")["calendar_year"].unique().to_list())
    no_figure = (
        gap.filter(pl.col("required_revenue_usd").is_null())
        .group_by("method")
        .agg(pl.col("calendar_year").unique().sort())
        .sort("method")
    )
    caption = html.escape(
        f"Calendar years {years[0]}–{years[-1]}, from bi.revenue_gap: required revenue = spend × cost multiplier ÷ "
        f"(1 − target gross margin), the spend summed over the companies the comparator covers. Missing from every "
        f"year: {listing(sorted(always))}. Hatched: more companies missing that year (named in the hover). "
        "No figure, not drawn: "
        + listing(f"{m} in {', '.join(str(y) for y in ys)}" for m, ys in no_figure.iter_rows())
        + "."
    )
    return charts.figure(fig, "revenue-required", caption, height=330 * len(comparators) + 160)


def _gap_multiple(gap: pl.DataFrame, charts: Charts) -> str:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    comparators = [
        c
        for c in _comparators(gap)
        if gap.filter((pl.col("comparator") == c) & pl.col("gap_multiple").is_not_null()).height
    ]
    if not comparators:
        return "<p class='note'>No gap multiple: no comparator revenue in bi.revenue_gap.</p>"
    always = _missing_everywhere(gap)
    # One panel per comparator with its own axis from zero: disclosed AI revenue is a few billions, so its
    # multiples are tens where the others are ones; on one axis those would flatten to a line.
    fig = make_subplots(
        rows=1,
        cols=len(comparators),
        horizontal_spacing=0.07,
        subplot_titles=[COMPARATOR_SHORT.get(c, c) for c in comparators],
    )
    seen, drawn = set(), []
    for col, comparator in enumerate(comparators, start=1):
        for method in _methods(gap):
            frame = gap.filter(
                (pl.col("method") == method)
                & (pl.col("comparator") == comparator)
                & pl.col("gap_multiple").is_not_null()
            ).sort("calendar_year")
            if not frame.height:
                continue
            drawn.append(f"{method} ÷ {comparator}")
            missing = [_without(m, always) for m in frame["missing_tickers"].to_list()]
            fig.add_trace(
                go.Scatter(
                    x=frame["calendar_year"].to_list(),
                    y=frame["gap_multiple"].to_list(),
                    mode="lines+markers",
                    name=METHOD_LABEL.get(method, method),
                    legendgroup=method,
                    showlegend=method not in seen,
                    line={"color": METHOD_COLOUR.get(method, PALETTE[3]), "width": 2},
                    marker={"size": 9, "symbol": ["circle-open" if m else "circle" for m in missing]},
                    customdata=[m or "none besides " + (",".join(sorted(always)) or "none") for m in missing],
                    hovertemplate=f"{method} ÷ {comparator} %{{x}}: %{{y:,.1f}}× (missing %{{customdata}})<extra></extra>",
                ),
                row=1,
                col=col,
            )
            seen.add(method)
        fig.add_hline(y=1, line_dash="dash", line_color="#9b1c1c", row=1, col=col)
    fig.update_yaxes(rangemode="tozero", ticksuffix="×")
    fig.update_xaxes(dtick=1, tickformat="d")
    fig.update_layout(
        title="The gap multiple: required revenue ÷ the revenue there is (1× = it pays for itself)"
    )
    caption = html.escape(
        "gap_multiple from bi.revenue_gap, one panel (and axis from zero) per comparator; the dashed line is 1×. "
        f"An open circle: more companies missing that year than {listing(sorted(always))}. A comparator at or below "
        "zero (the base year of revenue growth) has no multiple and is not drawn. Series: "
        + listing(drawn)
        + "."
    )
    return charts.figure(fig, "gap-multiple", caption, height=440)


def _sensitivity(sensitivity: pl.DataFrame, charts: Charts, facts: dict) -> str:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    method = next((m for m in _methods(sensitivity)), None)
    value = (
        "required_revenue_depreciated_usd"
        if "required_revenue_depreciated_usd" in sensitivity.columns
        else "required_revenue_usd"
    )
    frame = (
        sensitivity.filter(pl.col("method") == method).drop_nulls(value) if method else sensitivity.clear()
    )
    comparators = [c for c in _comparators(frame)]
    if not comparators:
        return "<p class='note'>bi.revenue_gap_sensitivity has no figure yet.</p>"
    margins = sorted(sensitivity["target_gross_margin"].unique().to_list())
    lives = (
        sorted(sensitivity["useful_life_years"].drop_nulls().unique().to_list())
        if "useful_life_years" in sensitivity.columns
        else []
    )
    fig = make_subplots(
        rows=1,
        cols=len(comparators),
        horizontal_spacing=0.07,
        subplot_titles=[f"vs {COMPARATOR_SHORT.get(c, c)}" for c in comparators],
    )
    seen: set[str] = set()
    for col, comparator in enumerate(comparators, start=1):
        part = frame.filter(pl.col("comparator") == comparator)
        band = (
            part.group_by("calendar_year")
            .agg(low=pl.col(value).min(), high=pl.col(value).max())
            .sort("calendar_year")
        )
        name = f"yearly revenue {method} requires, lowest to highest over margins × useful lives"
        # A floating bar per year (base = lowest, top = highest): the range is visible even for a single year.
        fig.add_trace(
            go.Bar(
                x=band["calendar_year"].to_list(),
                base=[v / 1e9 for v in band["low"].to_list()],
                y=[(h - lo) / 1e9 for lo, h in band.select("low", "high").iter_rows()],
                width=0.5,
                marker={
                    "color": "rgba(0,114,178,0.35)",
                    "line": {"color": METHOD_COLOUR.get(method), "width": 1},
                },
                name=name,
                legendgroup=name,
                showlegend=name not in seen,
                customdata=[[lo / 1e9, h / 1e9] for lo, h in band.select("low", "high").iter_rows()],
                hovertemplate=f"{method} %{{x}}: $%{{customdata[0]:,.1f}}B to $%{{customdata[1]:,.1f}}B a year"
                "<extra></extra>",
            ),
            row=1,
            col=col,
        )
        seen.add(name)
        _add_comparator_line(fig, part, comparator, seen, row=1, col=col)
        money_axis(fig, row=1, col=col)
        if comparator == "revenue_growth" or "band" not in facts:
            # the latest year with the fewest companies missing, as in the answer above
            missing = (
                part.group_by("calendar_year")
                .agg(pl.col("missing_tickers").first())
                .with_columns(n=pl.col("missing_tickers").fill_null("").str.split(",").list.len())
            )
            year = missing.sort(["n", "calendar_year"], descending=[False, True])["calendar_year"][0]
            latest = band.filter(pl.col("calendar_year") == year).row(0, named=True)
            facts["band"] = (
                year,
                comparator,
                latest["low"],
                latest["high"],
                f"{min(margins):.0%}–{max(margins):.0%}",
                f"{min(lives):g}–{max(lives):g}" if lives else "as in the seed",
            )
    fig.update_xaxes(dtick=1, tickformat="d")
    fig.update_layout(
        title=f"Sensitivity: the yearly revenue {method} requires when written off over its life",
        barmode="overlay",
    )
    caption = html.escape(
        f"From bi.revenue_gap_sensitivity ({value}, method {method}): each bar runs from the lowest to the highest "
        f"value over target gross margins {listing(f'{m:.0%}' for m in margins)} and useful lives "
        f"{listing(f'{v:g}' for v in lives)} years (yearly depreciation ÷ (1 − margin)); the line is the panel's "
        "comparator. Years without a figure are not drawn."
    )
    return charts.figure(fig, "revenue-sensitivity", caption, height=440)
