"""Question 2: what does compute cost, and how fast does it lose value?

Rental prices are drawn per provider and pricing type (one provider per series: never an index whose
provider mix changes from one day to the next), one panel per GPU family, with a gap on days the provider
was not captured. Against them: the owner's cost per GPU-hour and the break-even utilization from
bi.gpu_unit_economics, where a break-even above 100 % is shown as what it means: never pays back.
"""

from __future__ import annotations

import html

import duckdb
import polars as pl

from pipelines.report.page import PALETTE, Charts, clean, listing, not_built, read_table

FAMILIES = ["H100", "H200", "B200"]
CAPTURE_RUN_DAYS = 7
NEVER = 1.1  # where a break-even above 100 % is drawn, on the axis tick labelled "never pays back"
PRICING_DASH = {
    "on_demand": "solid",
    "spot": "dot",
    "reserved_1y": "dash",
    "reserved_3y": "longdash",
    "capacity_block": "dashdot",
    "marketplace": "solid",
    "community": "dot",
    "secure": "dash",
}


def provider_prices(prices: pl.DataFrame, families: list[str]) -> pl.DataFrame:
    """(observed_on, gpu_family, provider, pricing): one figure per provider and pricing type a day.

    From bi.gpu_provider_prices (one row per region, placeholders and non-comparable offers held out): the
    median of the provider's regional medians that day, with their lowest and highest. From bi.gpu_prices
    (a warehouse without that mart): the median of the provider's offers.
    """
    if "usd_per_gpu_hour" in prices.columns:
        prices = prices.with_columns(median_usd_per_gpu_hour=pl.col("usd_per_gpu_hour"), offers=pl.lit(1))
    return (
        prices.filter(pl.col("gpu_family").is_in(families) & pl.col("median_usd_per_gpu_hour").is_not_null())
        .group_by("observed_on", "gpu_family", "provider", "pricing")
        .agg(
            pl.col("median_usd_per_gpu_hour").median(),
            offers=pl.col("offers").sum(),
            regions=pl.col("region").drop_nulls().n_unique(),
            low_usd_per_gpu_hour=pl.col("median_usd_per_gpu_hour").min(),
            high_usd_per_gpu_hour=pl.col("median_usd_per_gpu_hour").max(),
        )
        .sort("gpu_family", "provider", "pricing", "observed_on")
    )


def compute_section(con: duckdb.DuckDBPyConnection, charts: Charts) -> str:
    prices = read_table(con, "bi.gpu_provider_prices")
    source = "bi.gpu_provider_prices"
    if prices is None:
        prices, source = read_table(con, "bi.gpu_prices"), "bi.gpu_prices"
    economics = read_table(con, "bi.gpu_unit_economics")
    facts: dict = {}
    body = []
    series = provider_prices(prices, FAMILIES) if prices is not None else None
    if series is not None and series.height:
        body.append(_price_lines(series, source, charts, facts))
    else:
        body.append(not_built("bi.gpu_prices", "Rental prices per provider"))
    if economics is not None and economics.height:
        body.append(_owner_cost(economics, series, charts, facts))
        body.append(_break_even(economics, charts, facts))
    else:
        body.append(not_built("bi.gpu_unit_economics", "Owner's cost and break-even utilization"))
    return f"<p class='answer' id='answer-compute'>{html.escape(_answer(facts))}</p>" + "".join(body)


def _answer(facts: dict) -> str:
    sentences = []
    if "owner_cost" in facts:
        family, low, high, life_long, life_short = facts["owner_cost"]
        sentences.append(
            f"An {family} costs its owner ${low:,.2f}–${high:,.2f} per GPU-hour at full use "
            f"(bought at list price, written off over {life_long:g} to {life_short:g} years, power included)."
        )
    if "rental" in facts:
        family, low, high, day = facts["rental"]
        sentences.append(
            f"Renting one costs ${low:,.2f}–${high:,.2f} per GPU-hour across providers and pricing types "
            f"(latest capture of each, up to {day})."
        )
    if "break_even" in facts:
        pays, never, life, per = facts["break_even"]
        sentences.append(
            f"At a {life:g}-year life and each series' latest price, {pays} of the H100/H200/B200 "
            f"series ({per}) pay back a bought GPU and {never} never pay back."
        )
    if "trend" in facts:
        family, provider, pricing, first, last, start, end = facts["trend"]
        sentences.append(
            f"The longest single-provider series, {provider} {pricing} {family}, went from "
            f"${first:,.2f} on {start} to ${last:,.2f} on {end} ({last / first - 1:+.0%})."
        )
    return " ".join(sentences) or "Not enough price data in this warehouse to answer yet."


def _price_lines(series: pl.DataFrame, source: str, charts: Charts, facts: dict) -> str:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    families = [f for f in FAMILIES if f in set(series["gpu_family"].to_list())]
    providers = sorted(series["provider"].unique().to_list())
    colour = {p: PALETTE[i % len(PALETTE)] for i, p in enumerate(providers)}
    fig = make_subplots(
        rows=len(families),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.07,
        subplot_titles=[f"{f}: median US$ per GPU-hour per provider and pricing type" for f in families],
    )
    legend_seen: set[str] = set()
    covered = []
    for row, family in enumerate(families, start=1):
        frame = series.filter(pl.col("gpu_family") == family)
        for (provider, pricing), group in frame.group_by("provider", "pricing", maintain_order=True):
            xs, ys, extra = [], [], []
            previous = None
            for r in group.sort("observed_on").iter_rows(named=True):
                # Captures further apart than a week are not one run: a None between them breaks the line, so
                # no line is drawn across days the provider was not captured.
                if previous is not None and (r["observed_on"] - previous).days > CAPTURE_RUN_DAYS:
                    xs.append(str(previous + (r["observed_on"] - previous) / 2))
                    ys.append(None)
                    extra.append([0, 0, 0, 0])
                xs.append(str(r["observed_on"]))
                ys.append(r["median_usd_per_gpu_hour"])
                extra.append(
                    [r["offers"], r["regions"], r["low_usd_per_gpu_hour"], r["high_usd_per_gpu_hour"]]
                )
                previous = r["observed_on"]
            by_day = {r["observed_on"]: r for r in group.iter_rows(named=True)}
            name = f"{provider} · {pricing}"
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=clean(ys),
                    customdata=extra,
                    name=name,
                    legendgroup=name,
                    showlegend=name not in legend_seen,
                    mode="lines+markers",
                    connectgaps=False,
                    line={"color": colour[provider], "dash": PRICING_DASH.get(pricing, "solid"), "width": 2},
                    marker={"size": 6},
                    hovertemplate=f"{family} {name} %{{x}}: $%{{y:.2f}} (%{{customdata[0]}} offers, %{{customdata[1]}} "
                    "regions from $%{customdata[2]:.2f} to $%{customdata[3]:.2f})<extra></extra>",
                ),
                row=row,
                col=1,
            )
            legend_seen.add(name)
            covered.append(
                f"{family} {name}: {len(by_day)} day{'s' if len(by_day) > 1 else ''} "
                f"({min(by_day)}{' to ' + str(max(by_day)) if len(by_day) > 1 else ''})"
            )
            if len(by_day) >= 2:
                first, last = min(by_day), max(by_day)
                span = (last - first).days
                if span > facts.get("_span", 0):
                    facts["_span"] = span
                    facts["trend"] = (
                        family,
                        provider,
                        pricing,
                        by_day[first]["median_usd_per_gpu_hour"],
                        by_day[last]["median_usd_per_gpu_hour"],
                        first,
                        last,
                    )
        fig.update_yaxes(tickprefix="$", tickformat=",.2f", rangemode="tozero", row=row, col=1)
    fig.update_xaxes(type="date", tickformat="%Y-%m-%d")
    fig.update_layout(
        title="Rental prices of data-centre GPUs, one line per provider and pricing type", legend={"y": -0.12}
    )
    latest = series.sort("observed_on").group_by("gpu_family", "provider", "pricing").last()
    h100 = latest.filter(pl.col("gpu_family") == "H100")
    if h100.height:
        facts["rental"] = (
            "H100",
            h100["median_usd_per_gpu_hour"].min(),
            h100["median_usd_per_gpu_hour"].max(),
            h100["observed_on"].max(),
        )
    absent = [f for f in FAMILIES if f not in families]
    caption = (
        f"From {source}: one figure per provider, pricing type and capture day (a provider priced in several "
        "regions: the median of its regional medians; the range is in the hover). Captures more than "
        f"{CAPTURE_RUN_DAYS} days apart are not joined: the gap is "
        f"time the provider was not captured. Families without any price: {listing(absent)}. "
        f"Series: {html.escape('; '.join(covered))}."
    )
    return charts.figure(fig, "gpu-provider-prices", caption, height=300 * len(families) + 160)


def _owner_cost(economics: pl.DataFrame, series: pl.DataFrame | None, charts: Charts, facts: dict) -> str:
    import plotly.graph_objects as go

    families = [
        f
        for f in FAMILIES
        if f in set(economics.drop_nulls("owner_cost_usd_per_gpu_hour")["gpu_family"].to_list())
    ]
    if not families:
        return "<p class='note'>No owner's cost: no list price for H100, H200 or B200 in the warehouse.</p>"
    costs = (
        economics.filter(pl.col("gpu_family").is_in(families))
        .drop_nulls("owner_cost_usd_per_gpu_hour")
        .group_by("gpu_family", "useful_life_years")
        .agg(
            pl.col("owner_cost_usd_per_gpu_hour").first(),
            pl.col("list_price_usd").first(),
            pl.col("gpu_model").first(),
        )
        .sort("useful_life_years", "gpu_family")
    )
    lives = sorted(costs["useful_life_years"].unique().to_list())
    blues = ["#08306B", "#2171B5", "#6BAED6", "#C6DBEF", "#9ECAE1", "#4292C6"]
    fig = go.Figure()
    for i, life in enumerate(lives):
        frame = costs.filter(pl.col("useful_life_years") == life)
        by_family = {r["gpu_family"]: r for r in frame.iter_rows(named=True)}
        xs = [f for f in families if f in by_family]
        fig.add_trace(
            go.Bar(
                x=xs,
                y=[by_family[f]["owner_cost_usd_per_gpu_hour"] for f in xs],
                name=f"owner's cost, {life:g}-year life",
                marker_color=blues[i % len(blues)],
                offsetgroup=str(life),
                customdata=[[by_family[f]["gpu_model"], by_family[f]["list_price_usd"]] for f in xs],
                hovertemplate="%{x} (%{customdata[0]}, list $%{customdata[1]:,.0f}): $%{y:.2f} per GPU-hour<extra></extra>",
            )
        )
    rentals = ""
    if series is not None and series.height:
        latest = (
            series.filter(pl.col("gpu_family").is_in(families))
            .sort("observed_on")
            .group_by("gpu_family", "provider", "pricing")
            .last()
            .sort("gpu_family", "provider", "pricing")
        )
        fig.add_trace(
            go.Scatter(
                x=latest["gpu_family"].to_list(),
                y=latest["median_usd_per_gpu_hour"].to_list(),
                mode="markers",
                name="rental price (latest capture per provider and pricing)",
                marker={
                    "symbol": "diamond",
                    "size": 11,
                    "color": "#E69F00",
                    "line": {"color": "#1f2933", "width": 1},
                },
                text=[
                    f"{p} · {q} on {d}"
                    for p, q, d in latest.select("provider", "pricing", "observed_on").iter_rows()
                ],
                hovertemplate="%{x} %{text}: $%{y:.2f} per GPU-hour<extra></extra>",
            )
        )
        rentals = (
            f" Rental diamonds: {latest.height} provider and pricing series, each at its latest capture."
        )
    fig.update_yaxes(tickprefix="$", tickformat=",.2f", rangemode="tozero", title_text="US$ per GPU-hour")
    fig.update_layout(
        barmode="group", title="What an hour of a GPU costs its owner, against what renting one costs"
    )
    h100 = costs.filter(pl.col("gpu_family") == families[0])
    facts["owner_cost"] = (
        families[0],
        h100["owner_cost_usd_per_gpu_hour"].min(),
        h100["owner_cost_usd_per_gpu_hour"].max(),
        max(lives),
        min(lives),
    )
    rate = economics["cost_of_capital"].drop_nulls() if "cost_of_capital" in economics.columns else None
    financing = (
        f"capital at a {rate[0]:.0%} cost of capital, "
        if rate is not None and rate.len()
        else "no financing, "
    )
    models = "; ".join(
        f"{r['gpu_family']}: {r['gpu_model']} at ${r['list_price_usd']:,.0f}"
        for r in costs.unique("gpu_family").sort("gpu_family").iter_rows(named=True)
    )
    caption = html.escape(
        "Owner's cost at 100 % utilization = list price written off over the useful life + power (TDP × PUE × "
        f"electricity price), from bi.gpu_unit_economics; {financing}no resale value. List prices: {models}. "
        f"Useful lives from the assumptions seed: {', '.join(f'{life:g}' for life in lives)} years. "
        f"Not drawn, no list price in the warehouse: {listing(f for f in FAMILIES if f not in families)}.{rentals}"
    )
    return charts.figure(fig, "owner-cost", caption, height=460)


def _break_even(economics: pl.DataFrame, charts: Charts, facts: dict) -> str:
    import plotly.graph_objects as go

    keys = [k for k in ("gpu_family", "provider", "pricing") if k in economics.columns]
    frame = economics.filter(pl.col("gpu_family").is_in(FAMILIES))
    latest_day = frame.group_by(keys).agg(latest=pl.col("observed_on").max())
    latest = frame.join(latest_day, on=keys).filter(pl.col("observed_on") == pl.col("latest"))
    unpriced = latest.filter(pl.col("break_even_utilization").is_null()).select(keys).unique().sort(keys)
    latest = latest.drop_nulls("break_even_utilization").sort(*keys, "useful_life_years")
    if not latest.height:
        return "<p class='note'>No break-even utilization: no H100, H200 or B200 price with a list price.</p>"
    # Never pays back: the price does not cover the owner's cost even rented every hour, or (where the mart says
    # so) the margin over power does not earn the capital back with interest within the useful life.
    never = pl.col("break_even_utilization") > 1
    if "pays_back" in latest.columns:
        never = never | ~pl.col("pays_back")
    latest = latest.with_columns(never=never.fill_null(False), label=pl.concat_str(keys, separator=" · "))
    labels = latest["label"].unique(maintain_order=True).to_list()
    lives = sorted(latest["useful_life_years"].unique().to_list())
    symbols = ["circle", "square", "diamond", "triangle-up", "star", "hexagon"]
    fig = go.Figure()
    for i, life in enumerate(lives):
        rows = latest.filter(pl.col("useful_life_years") == life)
        fig.add_trace(
            go.Scatter(
                x=[NEVER if n else v for v, n in rows.select("break_even_utilization", "never").iter_rows()],
                y=rows["label"].to_list(),
                mode="markers",
                name=f"{life:g}-year life",
                marker={
                    "symbol": symbols[i % len(symbols)],
                    "size": 11,
                    "color": PALETTE[i % len(PALETTE)],
                    "line": {"color": "#1f2933", "width": 1},
                },
                customdata=[str(d) for d in rows["observed_on"].to_list()],
                text=[
                    "never pays back (break-even %.0f%% of all hours)" % (v * 100)
                    if n
                    else "pays back if rented %.0f%% of hours" % (v * 100)
                    for v, n in rows.select("break_even_utilization", "never").iter_rows()
                ],
                hovertemplate="%{y}, " + f"{life:g}-year life" + " (%{customdata}): %{text}<extra></extra>",
            )
        )
    fig.add_vline(x=1.0, line_dash="dash", line_color="#9b1c1c")
    fig.add_vrect(x0=1.02, x1=1.2, fillcolor="#fde2e1", opacity=0.5, line_width=0)
    fig.update_xaxes(
        range=[0, 1.2],
        tickvals=[0, 0.25, 0.5, 0.75, 1.0, NEVER],
        ticktext=["0%", "25%", "50%", "75%", "100%", "never pays back"],
        title_text="share of all hours the GPU must be rented at that price to pay for itself",
    )
    fig.update_yaxes(categoryorder="array", categoryarray=list(reversed(labels)), automargin=True)
    fig.update_layout(
        title="Break-even utilization of a bought GPU at the latest rental price of each series"
    )
    middle = lives[len(lives) // 2]
    at_middle = latest.filter(pl.col("useful_life_years") == middle)
    facts["break_even"] = (
        at_middle.filter(~pl.col("never")).height,
        at_middle.filter(pl.col("never")).height,
        middle,
        " · ".join(keys[1:]),
    )
    caption = html.escape(
        f"From bi.gpu_unit_economics at each {', '.join(keys)} series' latest capture day. A break-even above "
        "100 % means the price does not cover the owner's cost even if rented every hour"
        + (
            " (or, per the mart's pays_back, the capital is not earned back within the useful life)"
            if "pays_back" in latest.columns
            else ""
        )
        + ": drawn in the shaded column as never pays back, its figure in the hover. Families without a list price "
        f"have no break-even: {listing(f for f in FAMILIES if f not in set(latest['gpu_family'].to_list()))}. "
        f"Series without a price that day: {listing(' '.join(r) for r in unpriced.iter_rows())}."
    )
    return charts.figure(fig, "break-even", caption, height=max(380, 30 * len(labels) + 180))
