"""Question 3: how far is revenue from paying for the spend?

From marts.revenue_gap (one row per calendar year, method and comparator): the revenue each method says the
spend requires, against each comparator's revenue, and the gap multiple; from marts.revenue_gap_sensitivity
the band that margins × useful lives put around it. A year whose cohort is incomplete is hatched and its
missing companies are named.
"""

from __future__ import annotations

import html

import duckdb
import polars as pl

from pipelines.report.page import PALETTE, Charts, listing, money_axis, not_built, present, read_table, usd

METHOD_ORDER = ["capex", "capex_with_leases", "sequoia", "sequoia_run_rate"]
METHOD_LABEL = {
    "capex": "capex (the cohort's capital expenditure)",
    "capex_with_leases": "capex plus finance-lease additions",
    "sequoia": "Sequoia: NVIDIA Data Center revenue × 2",
    "sequoia_run_rate": "Sequoia run rate: latest quarter × 4 × 2",
}
COMPARATOR_COLOUR = {"ai_segments": PALETTE[2], "disclosed_ai_revenue": PALETTE[5], "revenue_growth": PALETTE[7]}


def normalised_gap(gap: pl.DataFrame) -> pl.DataFrame:
    """The contract's columns, also on a warehouse from before the comparators (its incremental revenue is the
    `revenue_growth` comparator, as CONTRACT.md says)."""
    if "comparator" not in gap.columns:
        gap = gap.with_columns(comparator=pl.lit("revenue_growth"), comparator_revenue_usd=pl.col("incremental_revenue_usd"))
    if "gap_multiple" not in gap.columns:
        gap = gap.with_columns(gap_multiple=pl.when(pl.col("comparator_revenue_usd") > 0)
                               .then(pl.col("required_revenue_usd") / pl.col("comparator_revenue_usd")))
    for column in ("coverage", "missing_tickers"):
        if column not in gap.columns:
            gap = gap.with_columns(pl.lit(None, pl.Utf8).alias(column))
    return gap


def _methods(gap: pl.DataFrame) -> list[str]:
    present_methods = gap.drop_nulls("required_revenue_usd")["method"].unique().to_list()
    return [m for m in METHOD_ORDER if m in present_methods] + sorted(set(present_methods) - set(METHOD_ORDER))


def revenue_section(con: duckdb.DuckDBPyConnection, charts: Charts) -> str:
    raw = read_table(con, "marts.revenue_gap")
    if raw is None or not raw.height:
        return not_built("marts.revenue_gap", "The revenue gap")
    gap = normalised_gap(raw)
    sensitivity = read_table(con, "marts.revenue_gap_sensitivity")
    facts: dict = {}
    body = [_required_against_comparators(gap, charts, facts), _gap_multiple(gap, charts)]
    if sensitivity is not None and sensitivity.height:
        body.append(_sensitivity(sensitivity, gap, charts, facts))
    else:
        body.append(not_built("marts.revenue_gap_sensitivity", "The sensitivity band"))
    assumptions = read_table(con, "marts.assumptions")
    if assumptions is not None and assumptions.height:
        rows = [{"assumption": r["name"], "value": f"{r['value']:g} {r.get('unit') or ''}".strip(),
                 "source or note": r.get("source") or r.get("note") or "assumption"}
                for r in assumptions.iter_rows(named=True)]
        from pipelines.report.page import html_table
        body.append("<p class='note'>Assumptions (edit <code>dbt/seeds/assumptions.csv</code> and refresh):</p>"
                    + html_table(rows))
    return f"<p class='answer' id='answer-revenue'>{html.escape(_answer(facts))}</p>" + "".join(body)


def _answer(facts: dict) -> str:
    sentences = []
    if "latest" in facts:
        year, method, required, comparisons, missing = facts["latest"]
        gaps = "; ".join(f"{c.replace('_', ' ')} {usd(v)} ({m:,.1f}× short)" if present(m) and m > 1 else
                         f"{c.replace('_', ' ')} {usd(v)} (covers it)" for c, v, m in comparisons)
        sentences.append(f"In {year}, {METHOD_LABEL.get(method, method).split(' (')[0]} needs {usd(required)} of "
                         f"revenue at the assumed gross margin; against it: {gaps}.")
        if missing:
            sentences.append(f"That year's cohort is incomplete (missing {missing}).")
    if "band" in facts:
        year, low, high, margins, lives = facts["band"]
        sentences.append(f"Spread over the hardware's life instead, the yearly revenue needed for {year}'s capex is "
                         f"{usd(low)} to {usd(high)} across gross margins {margins} and useful lives {lives} years.")
    return " ".join(sentences) or "No revenue gap figure in this warehouse yet."


def _required_against_comparators(gap: pl.DataFrame, charts: Charts, facts: dict) -> str:
    from plotly.subplots import make_subplots
    import plotly.graph_objects as go

    methods = _methods(gap)
    if not methods:
        return "<p class='note'>marts.revenue_gap has no required revenue figure.</p>"
    cols = 2 if len(methods) > 1 else 1
    rows = -(-len(methods) // cols)
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[METHOD_LABEL.get(m, m) for m in methods],
                        vertical_spacing=0.16, horizontal_spacing=0.08)
    comparators = sorted(gap["comparator"].drop_nulls().unique().to_list())
    seen: set[str] = set()
    incomplete_notes = []
    for i, method in enumerate(methods):
        where = {"row": i // cols + 1, "col": i % cols + 1}
        frame = gap.filter(pl.col("method") == method)
        required = (frame.drop_nulls("required_revenue_usd").group_by("calendar_year")
                    .agg(pl.col("required_revenue_usd").first(), pl.col("coverage").first(),
                         pl.col("missing_tickers").first()).sort("calendar_year"))
        for complete in (True, False):
            part = required.filter((pl.col("coverage") != "incomplete").fill_null(True) == complete)
            if not part.height:
                continue
            name = "revenue required" + ("" if complete else ", incomplete cohort")
            fig.add_trace(go.Bar(
                x=part["calendar_year"].to_list(), y=[v / 1e9 for v in part["required_revenue_usd"].to_list()],
                name=name, legendgroup=name, showlegend=name not in seen,
                marker={"color": "#0072B2" if complete else "#9ECAE1", "pattern": {"shape": "" if complete else "/"}},
                customdata=[m or "" for m in part["missing_tickers"].to_list()],
                hovertemplate=f"{method} %{{x}}: $%{{y:,.1f}}B required" + ("" if complete else " (missing %{customdata})")
                              + "<extra></extra>"), **where)
            seen.add(name)
            if not complete:
                incomplete_notes += [f"{method} {y}: {m}" for y, m in part.select("calendar_year", "missing_tickers").iter_rows() if m]
        for comparator in comparators:
            values = frame.filter((pl.col("comparator") == comparator) & pl.col("comparator_revenue_usd").is_not_null()) \
                .sort("calendar_year")
            if not values.height:
                continue
            name = f"comparator: {comparator.replace('_', ' ')}"
            fig.add_trace(go.Scatter(
                x=values["calendar_year"].to_list(), y=[v / 1e9 for v in values["comparator_revenue_usd"].to_list()],
                name=name, legendgroup=name, showlegend=name not in seen, mode="lines+markers",
                line={"color": COMPARATOR_COLOUR.get(comparator, PALETTE[3]), "width": 2}, marker={"size": 8},
                hovertemplate=f"{comparator} %{{x}}: $%{{y:,.1f}}B<extra></extra>"), **where)
            seen.add(name)
        money_axis(fig, **where)
    fig.update_xaxes(dtick=1, tickformat="d")
    fig.update_layout(barmode="group", title="Revenue the spend requires, per method, against the revenue there is")

    complete_capex = gap.filter((pl.col("method") == methods[0]) & pl.col("required_revenue_usd").is_not_null())
    if complete_capex.height:
        year = complete_capex.filter(pl.col("coverage") != "incomplete")["calendar_year"].max() \
            or complete_capex["calendar_year"].max()
        rows_then = complete_capex.filter(pl.col("calendar_year") == year)
        comparisons = [(r["comparator"], r["comparator_revenue_usd"], r["gap_multiple"])
                       for r in rows_then.sort("comparator").iter_rows(named=True) if present(r["comparator_revenue_usd"])]
        facts["latest"] = (year, methods[0], rows_then["required_revenue_usd"][0], comparisons,
                           rows_then["missing_tickers"][0])
    years = sorted(gap.drop_nulls("required_revenue_usd")["calendar_year"].unique().to_list())
    no_figure = gap.filter(pl.col("required_revenue_usd").is_null()).select("method", "calendar_year", "missing_tickers").unique()
    caption = html.escape(
        f"Calendar years {years[0]}–{years[-1]}, from marts.revenue_gap: required revenue = spend × cost multiplier ÷ "
        f"(1 − target gross margin). Comparators: {listing(comparators)}. Hatched: the cohort is incomplete that year "
        f"({'; '.join(incomplete_notes) or 'none'}). No figure (not drawn): "
        f"{listing(f'{m} {y} (missing {t})' if t else f'{m} {y}' for m, y, t in no_figure.sort('method', 'calendar_year').iter_rows())}.")
    return charts.figure(fig, "revenue-required", caption, height=380 * rows + 120)


def _gap_multiple(gap: pl.DataFrame, charts: Charts) -> str:
    import plotly.graph_objects as go

    fig = go.Figure()
    drawn = []
    dashes = ["solid", "dash", "dot", "dashdot"]
    for i, method in enumerate(_methods(gap)):
        for comparator in sorted(gap["comparator"].drop_nulls().unique().to_list()):
            frame = gap.filter((pl.col("method") == method) & (pl.col("comparator") == comparator)
                               & pl.col("gap_multiple").is_not_null()).sort("calendar_year")
            if not frame.height:
                continue
            drawn.append(f"{method} / {comparator}")
            fig.add_trace(go.Scatter(
                x=frame["calendar_year"].to_list(), y=frame["gap_multiple"].to_list(), mode="lines+markers",
                name=f"{method} ÷ {comparator.replace('_', ' ')}",
                line={"color": COMPARATOR_COLOUR.get(comparator, PALETTE[3]), "dash": dashes[i % len(dashes)]},
                marker={"size": 8, "symbol": ["circle" if c != "incomplete" else "circle-open" for c in
                                              frame["coverage"].fill_null("").to_list()]},
                hovertemplate=f"{method} ÷ {comparator} %{{x}}: %{{y:,.1f}}×<extra></extra>"))
    if not drawn:
        return "<p class='note'>No gap multiple: no comparator revenue in marts.revenue_gap.</p>"
    fig.add_hline(y=1, line_dash="dash", line_color="#9b1c1c", annotation_text="1× = revenue pays for the spend",
                  annotation_position="top left")
    fig.update_yaxes(rangemode="tozero", ticksuffix="×", title_text="required revenue ÷ comparator revenue")
    fig.update_xaxes(dtick=1, tickformat="d")
    fig.update_layout(title="The gap multiple: how many times the revenue there is would have to grow")
    caption = html.escape("gap_multiple = required revenue ÷ comparator revenue, from marts.revenue_gap; colour = "
                          "comparator, dash = method; an open circle is a year with an incomplete cohort. "
                          "A comparator at or below zero has no multiple (not drawn). Series: " + listing(drawn) + ".")
    return charts.figure(fig, "gap-multiple", caption, height=440)


def _sensitivity(sensitivity: pl.DataFrame, gap: pl.DataFrame, charts: Charts, facts: dict) -> str:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    methods = [m for m in _methods(gap) if m in set(sensitivity["method"].to_list())][:2]
    if not methods:
        return "<p class='note'>marts.revenue_gap_sensitivity has no method in common with marts.revenue_gap.</p>"
    value = "required_revenue_depreciated_usd" if "required_revenue_depreciated_usd" in sensitivity.columns \
        else "required_revenue_usd"
    fig = make_subplots(rows=1, cols=len(methods), subplot_titles=[METHOD_LABEL.get(m, m) for m in methods],
                        horizontal_spacing=0.08)
    margins = sorted(sensitivity["target_gross_margin"].unique().to_list())
    lives = sorted(sensitivity["useful_life_years"].drop_nulls().unique().to_list()) if "useful_life_years" in sensitivity.columns else []
    seen: set[str] = set()
    for i, method in enumerate(methods):
        where = {"row": 1, "col": i + 1}
        band = (sensitivity.filter(pl.col("method") == method).drop_nulls(value).group_by("calendar_year")
                .agg(low=pl.col(value).min(), high=pl.col(value).max()).sort("calendar_year"))
        if not band.height:
            continue
        xs = band["calendar_year"].to_list()
        fig.add_trace(go.Scatter(x=xs, y=[v / 1e9 for v in band["low"].to_list()], mode="lines", line={"width": 0},
                                 showlegend=False, hoverinfo="skip"), **where)
        name = "yearly revenue required, margins × useful lives"
        fig.add_trace(go.Scatter(
            x=xs, y=[v / 1e9 for v in band["high"].to_list()], mode="lines", fill="tonexty", line={"width": 0},
            fillcolor="rgba(0,114,178,0.25)", name=name, legendgroup=name, showlegend=name not in seen,
            customdata=[v / 1e9 for v in band["low"].to_list()],
            hovertemplate=f"{method} %{{x}}: $%{{customdata:,.1f}}B to $%{{y:,.1f}}B<extra></extra>"), **where)
        seen.add(name)
        for comparator in sorted(gap["comparator"].drop_nulls().unique().to_list()):
            values = gap.filter((pl.col("method") == method) & (pl.col("comparator") == comparator)
                                & pl.col("comparator_revenue_usd").is_not_null()).sort("calendar_year")
            if not values.height:
                continue
            cname = f"comparator: {comparator.replace('_', ' ')}"
            fig.add_trace(go.Scatter(
                x=values["calendar_year"].to_list(), y=[v / 1e9 for v in values["comparator_revenue_usd"].to_list()],
                mode="lines+markers", name=cname, legendgroup=cname, showlegend=cname not in seen,
                line={"color": COMPARATOR_COLOUR.get(comparator, PALETTE[3])},
                hovertemplate=f"{comparator} %{{x}}: $%{{y:,.1f}}B<extra></extra>"), **where)
            seen.add(cname)
        money_axis(fig, **where)
        if i == 0:
            latest = band.filter(pl.col("calendar_year") == band["calendar_year"].max()).row(0, named=True)
            facts["band"] = (latest["calendar_year"], latest["low"], latest["high"],
                             f"{min(margins):.0%}–{max(margins):.0%}",
                             f"{min(lives):g}–{max(lives):g}" if lives else "as in the seed")
    fig.update_xaxes(dtick=1, tickformat="d")
    fig.update_layout(title="Sensitivity: the revenue needed each year when the spend is written off over its life")
    caption = html.escape(
        f"From marts.revenue_gap_sensitivity ({value}): the band runs from the lowest to the highest value over target "
        f"gross margins {listing(f'{m:.0%}' for m in margins)} and useful lives {listing(f'{v:g}' for v in lives)} "
        "years (yearly depreciation ÷ (1 − margin)); lines are the comparators of marts.revenue_gap. Years without a "
        "figure are not drawn.")
    return charts.figure(fig, "revenue-sensitivity", caption, height=440)
