"""marts.headline_figures: the numbers people quote, measured, and the claims users bring, checked.

One row per figure: `figure` (a stable name), `label`, `value`, `unit`, `as_of` (the last day the figure
covers), `coverage` (`complete`, `partial` or `incomplete: ...` naming what is missing) and `based_on`
(the filings or events it rests on). Claim rows also carry `claim`, `verdict` and `reason`.

Verdicts (TOLERANCE = 10 %): a claim is `consistent` when the nearest measured figure is within 10 % of
it, `inconsistent` when it is not and the measure is complete, or when even a partial measure (a lower
bound: the cohort members that did file) already exceeds the claim by more than 10 %, and
`not measurable yet` otherwise, with the filings that are missing.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from assets.marts.calendarize import QUARTERS, calendar_year_values
from assets.marts.inputs import LAYOFF_EVENTS, Frame, cohort_tickers, input_table
from assets.marts.revenue_gap import COHORT, financial_rows, segment_rows
from assets.marts.spend_ratio import LAYOFFS_FYI, layoff_coverage_windows

TOLERANCE = 0.10
SCHEMA = {
    "figure": pl.String,
    "label": pl.String,
    "value": pl.Float64,
    "unit": pl.String,
    "as_of": pl.Date,
    "coverage": pl.String,
    "based_on": pl.String,
    "claim": pl.String,
    "verdict": pl.String,
    "reason": pl.String,
}
# The claims this product's users bring, with the figure each is measured against and the calendar year it
# speaks of (None: no year stated, every measured year is a candidate).
CLAIMS = [
    {"claim": "$725 billion in capex", "value": 725e9, "against": "hyperscaler_capex", "year": 2026,
     "about": "the hyperscalers' capex for 2026 (the year the figure is quoted for)"},
    {"claim": "110,000 tech layoffs", "value": 110_000, "against": "layoffs_fyi", "year": None,
     "about": "tech employees laid off in a calendar year (layoffs.fyi)"},
    {"claim": "Meta's AI spending reached $65 billion", "value": 65e9, "against": "meta_capex", "year": 2025,
     "about": "Meta's capex for 2025 (Meta reports no AI-only spending: capex, all purposes, is the nearest measure)"},
]  # fmt: skip


def _money(value: float | None) -> str:
    return "n/a" if value is None else f"${value / 1e9:,.1f} billion"


def _quarter_key(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def _trailing_four(rows: pl.DataFrame, column: str) -> dict[tuple[int, int], tuple[float, date, str]]:
    """Per calendar quarter (year, quarter) a company's trailing twelve months end in: (value, last
    period_end, accessions). Four consecutive fiscal quarters, or a fiscal year (its last quarter's
    midpoint, period_end − 45 days, names the calendar quarter)."""
    out: dict[tuple[int, int], tuple[float, date, str]] = {}
    years = rows.filter((pl.col("fiscal_period") == "FY") & pl.col(column).is_not_null()).sort("period_end")
    for r in years.iter_rows(named=True):
        out[_quarter_key(r["period_end"] - timedelta(days=45))] = (r[column], r["period_end"], r["accession"])
    quarters = rows.filter(pl.col("fiscal_period").is_in(QUARTERS) & pl.col(column).is_not_null()).sort(
        "period_end"
    )
    q = quarters.to_dicts()
    for i in range(3, len(q)):
        four = q[i - 3 : i + 1]
        if all(abs((b["period_start"] - a["period_end"]).days - 1) <= 3 for a, b in zip(four, four[1:])):
            middle = four[-1]["period_start"] + (four[-1]["period_end"] - four[-1]["period_start"]) / 2
            accessions = ",".join(sorted({r["accession"] for r in four if r["accession"]}))
            out[_quarter_key(middle)] = (sum(r[column] for r in four), four[-1]["period_end"], accessions)
    return out


def headline_figures(
    financials: Frame,
    companies: Frame,
    layoff_events: Frame,
    revenue_gap: Frame,
    layoff_coverage: Frame | None = None,
    segment_revenue: Frame | None = None,
) -> pl.DataFrame:
    """= marts.headline_figures."""
    rows = financial_rows(financials).collect()
    members = cohort_tickers(companies, COHORT)
    filed = sorted(set(rows["ticker"]) & set(members))
    no_filings = [t for t in members if t not in filed]
    figures: list[dict] = []

    # The cohort's capex per calendar year (with and without finance leases), over the members that filed.
    values = calendar_year_values(
        rows.lazy().filter(pl.col("ticker").is_in(filed)), ["capex_usd", "capex_incl_finance_leases_usd"]
    ).collect()
    accession = dict(((t, d), a) for t, d, a in rows.select("ticker", "period_end", "accession").iter_rows())
    cohort_years: dict[str, dict[int, tuple[float, date, str]]] = {}
    for metric, name in (("capex_usd", "capex"), ("capex_incl_finance_leases_usd", "capex_with_leases")):
        per_year = values.filter(pl.col("metric") == metric)
        complete_years = {}
        for (year,), group in per_year.group_by("calendar_year"):
            if sorted(group["ticker"]) == filed and filed:
                based = "; ".join(
                    f"{r['ticker']} {r['basis'].replace('_', ' ')} to {r['as_of']} ({accession.get((r['ticker'], r['as_of']))})"
                    for r in group.sort("ticker").iter_rows(named=True)
                )
                complete_years[year] = (group["value"].sum(), group["as_of"].max(), based)
        cohort_years[name] = complete_years
        coverage = (
            "complete"
            if not no_filings
            else f"incomplete: no filings of {','.join(no_filings)} (cohort {COHORT})"
        )
        if complete_years:
            year = max(complete_years)
            value, as_of, based = complete_years[year]
            figures.append({"figure": f"hyperscaler_{name}_calendar_year", "value": value, "unit": "USD",
                            "label": f"Hyperscaler {name.replace('_', ' ')}, calendar {year}",
                            "as_of": date(year, 12, 31), "coverage": coverage, "based_on": based})  # fmt: skip
            if year - 1 in complete_years:
                before = complete_years[year - 1][0]
                figures.append({"figure": f"hyperscaler_{name}_growth", "value": value / before - 1, "unit": "fraction",
                                "label": f"Hyperscaler {name.replace('_', ' ')} growth, {year} over {year - 1}",
                                "as_of": date(year, 12, 31), "coverage": coverage,
                                "based_on": f"{_money(value)} against {_money(before)}, same companies"})  # fmt: skip
        # trailing twelve months at the latest calendar quarter every filer reaches
        column = "capex_usd" if name == "capex" else "capex_incl_finance_leases_usd"
        trailing = {t: _trailing_four(rows.filter(pl.col("ticker") == t), column) for t in filed}
        common = set.intersection(*(set(v) for v in trailing.values())) if filed else set()
        if common:
            key = max(common)
            picked = {t: trailing[t][key] for t in filed}
            figures.append({"figure": f"hyperscaler_{name}_ttm", "value": sum(v for v, _, _ in picked.values()), "unit": "USD",
                            "label": f"Hyperscaler {name.replace('_', ' ')}, twelve months to {key[0]} Q{key[1]}",
                            "as_of": max(d for _, d, _ in picked.values()), "coverage": coverage,
                            "based_on": "; ".join(f"{t} to {d} ({a})" for t, (_, d, a) in sorted(picked.items()))})  # fmt: skip

    # Meta's capex: its latest fiscal year and trailing twelve months.
    meta = rows.filter(pl.col("ticker") == "META")
    meta_years = meta.filter((pl.col("fiscal_period") == "FY") & pl.col("capex_usd").is_not_null()).sort(
        "period_end"
    )
    if meta_years.height:
        last = meta_years.row(-1, named=True)
        figures.append({"figure": "meta_capex_fiscal_year", "value": last["capex_usd"], "unit": "USD",
                        "label": f"Meta capex, fiscal {last['fiscal_year']}", "as_of": last["period_end"],
                        "coverage": "complete", "based_on": f"10-K {last['accession']}"})  # fmt: skip
        meta_ttm = _trailing_four(meta, "capex_usd")
        key = max(meta_ttm)
        value, as_of, based = meta_ttm[key]
        figures.append({"figure": "meta_capex_ttm", "value": value, "unit": "USD", "as_of": as_of,
                        "label": f"Meta capex, twelve months to {as_of}", "coverage": "complete", "based_on": based})  # fmt: skip

    # NVIDIA's Data Center revenue: the latest quarter × 4, and the latest fiscal year.
    _, data_center = segment_rows(segment_revenue, None)
    data_center = data_center.collect().sort("period_end")
    dc_quarters = data_center.filter(pl.col("fiscal_period").is_in(QUARTERS))
    if dc_quarters.height:
        last = dc_quarters.row(-1, named=True)
        figures.append({"figure": "nvidia_data_center_run_rate", "value": last["value_usd"] * 4, "unit": "USD",
                        "label": f"NVIDIA Data Center revenue run rate (fiscal {last['fiscal_period']} to {last['period_end']} × 4)",
                        "as_of": last["period_end"], "coverage": "complete",
                        "based_on": "core.segment_revenue nvda:DataCenterMember"})  # fmt: skip
    else:
        figures.append({"figure": "nvidia_data_center_run_rate", "value": None, "unit": "USD",
                        "label": "NVIDIA Data Center revenue run rate (latest quarter × 4)", "as_of": None,
                        "coverage": "incomplete: no quarterly Data Center revenue (10-Q) in core.segment_revenue",
                        "based_on": None})  # fmt: skip
    dc_years = data_center.filter(pl.col("fiscal_period") == "FY")
    if dc_years.height:
        last = dc_years.row(-1, named=True)
        figures.append({"figure": "nvidia_data_center_revenue_fiscal_year", "value": last["value_usd"], "unit": "USD",
                        "label": f"NVIDIA Data Center revenue, fiscal year to {last['period_end']}",
                        "as_of": last["period_end"], "coverage": "complete",
                        "based_on": "core.segment_revenue nvda:DataCenterMember"})  # fmt: skip

    # Required AI revenue against disclosed AI revenue: the gap multiple of the latest year that has one.
    gap = revenue_gap.lazy().collect() if revenue_gap is not None else pl.DataFrame()
    if gap.height:
        for method in ("capex", "sequoia"):
            rows_with = gap.filter(
                (pl.col("method") == method) & (pl.col("comparator") == "disclosed_ai_revenue") & pl.col("gap_multiple").is_not_null()
            ).sort("calendar_year")  # fmt: skip
            if rows_with.height:
                r = rows_with.row(-1, named=True)
                figures.append({"figure": f"required_vs_disclosed_ai_revenue_{method}", "value": r["gap_multiple"],
                                "unit": "multiple", "as_of": date(r["calendar_year"], 12, 31),
                                "label": f"Required AI revenue ({method} method, {r['calendar_year']}) ÷ disclosed AI revenue",
                                "coverage": r["coverage"] if r["coverage"] == "complete" else f"incomplete: {r['missing_tickers']} missing",
                                "based_on": f"required {_money(r['required_revenue_usd'])} from {r['spend_tickers']}; "
                                            f"disclosed {_money(r['comparator_revenue_usd'])} from {r['comparator_tickers']} "
                                            "(dbt/seeds/ai_revenue_disclosures.csv)"})  # fmt: skip

    # Tech employees laid off per calendar year (layoffs.fyi), inside the tracker's coverage.
    events = (
        input_table(layoff_events, "core.layoff_events", LAYOFF_EVENTS)
        .filter(pl.col("source") == LAYOFFS_FYI)
        .collect()
    )
    windows = (
        layoff_coverage_windows(layoff_events, layoff_coverage)
        .filter(pl.col("source") == LAYOFFS_FYI)
        .collect()
    )
    layoff_years: dict[int, dict] = {}
    for w in windows.iter_rows(named=True):
        for year in range(w["first_date"].year, w["last_date"].year + 1):
            start, end = max(w["first_date"], date(year, 1, 1)), min(w["last_date"], date(year, 12, 31))
            inside = events.filter(pl.col("event_date").is_between(start, end))
            whole = start == date(year, 1, 1) and end == date(year, 12, 31)
            to_date = end.year == w["last_date"].year and not whole
            layoff_years[year] = {
                "figure": f"tech_employees_laid_off_{year}" + ("_to_date" if to_date else ""),
                "label": f"Tech employees laid off, {year}" + (f" to {end}" if to_date else "") + " (layoffs.fyi)",
                "value": float(inside["employees_affected"].sum()), "unit": "people", "as_of": end,
                "coverage": "complete" if whole else f"partial: {start} to {end}",
                "based_on": f"{inside.height} layoffs.fyi events, {inside['employees_affected'].count()} with a count",
            }  # fmt: skip
    figures.extend(layoff_years[y] for y in sorted(layoff_years))

    figures.extend(_claims(cohort_years, no_filings, filed, meta_years, layoff_years))
    return pl.DataFrame(figures, schema=SCHEMA).select(list(SCHEMA))


def _verdict(measured: float, claimed: float, complete: bool) -> str:
    off = measured / claimed - 1
    if abs(off) <= TOLERANCE:
        return "consistent"
    if complete or off > TOLERANCE:  # a partial sum is a lower bound: above the claim is decided
        return "inconsistent"
    return "not measurable yet"


def _claims(cohort_years, no_filings, filed, meta_years, layoff_years) -> list[dict]:
    out = []
    for c in CLAIMS:
        row = {"claim": c["claim"], "label": f"Claim: {c['claim']} ({c['about']})", "unit": "USD"}
        if c["against"] == "hyperscaler_capex":
            years = cohort_years["capex"]
            measured = years.get(c["year"])
            latest = max(years) if years else None
            row["figure"] = "claim_hyperscaler_capex"
            if measured is None:
                row.update(value=years[latest][0] if latest else None, as_of=date(latest, 12, 31) if latest else None,
                           coverage="incomplete", based_on=years[latest][2] if latest else None,
                           verdict="not measurable yet",
                           reason=f"no filings cover all of {c['year']} yet for {','.join(filed) or 'the cohort'}"
                                  + (f" and none at all of {','.join(no_filings)}" if no_filings else "")
                                  + (f"; latest measured: {latest}, {_money(years[latest][0])} for {','.join(filed)}" if latest else ""))  # fmt: skip
            else:
                value, as_of, based = measured
                verdict = _verdict(value, c["value"], not no_filings)
                row.update(value=value, as_of=as_of, coverage="complete" if not no_filings else "incomplete",
                           based_on=based, verdict=verdict,
                           reason=f"{c['year']}: {_money(value)} for {','.join(filed)} ({value / c['value'] - 1:+.0%} against the claim)"
                                  + (f"; no filings of {','.join(no_filings)}" if no_filings else ""))  # fmt: skip
        elif c["against"] == "layoffs_fyi":
            row.update(figure="claim_tech_layoffs", unit="people")
            candidates = [f for f in layoff_years.values()]
            if not candidates:
                row.update(verdict="not measurable yet", reason="no layoffs.fyi download held")
            else:
                nearest = min(candidates, key=lambda f: abs(f["value"] / c["value"] - 1))
                verdict = _verdict(nearest["value"], c["value"], True)
                listed = ", ".join(
                    f"{f['label'].split(',')[1].split('(')[0].strip()}: {f['value']:,.0f}" for f in candidates
                )
                row.update(value=nearest["value"], as_of=nearest["as_of"], coverage=nearest["coverage"],
                           based_on=nearest["based_on"], verdict=verdict,
                           reason=f"no year stated; nearest measured: {nearest['label']} {nearest['value']:,.0f} "
                                  f"({nearest['value'] / c['value'] - 1:+.0%}), a lower bound (events without a count add "
                                  f"nothing); per year: {listed}")  # fmt: skip
        else:
            row["figure"] = "claim_meta_ai_spending"
            measured = meta_years.filter(pl.col("period_end").dt.year() == c["year"])
            latest = meta_years.row(-1, named=True) if meta_years.height else None
            if measured.height:
                r = measured.row(-1, named=True)
                value = r["capex_usd"]
                verdict = "consistent" if value >= c["value"] * (1 - TOLERANCE) else "inconsistent"
                row.update(value=value, as_of=r["period_end"], coverage="complete", based_on=f"10-K {r['accession']}",
                           verdict=verdict,
                           reason=f"Meta's capex for fiscal {r['fiscal_year']}: {_money(value)} ({value / c['value'] - 1:+.0%}); "
                                  "capex covers every purpose, Meta states no AI-only figure")  # fmt: skip
            else:
                row.update(value=latest["capex_usd"] if latest else None, as_of=latest["period_end"] if latest else None,
                           coverage="incomplete", based_on=f"10-K {latest['accession']}" if latest else None,
                           verdict="not measurable yet",
                           reason=f"Meta's 10-K for {c['year']} is not in the data"
                                  + (f"; latest: fiscal {latest['fiscal_year']} capex {_money(latest['capex_usd'])}" if latest else "")
                                  + "; Meta states no AI-only spending, capex is the nearest measure")  # fmt: skip
        out.append(row)
    return out
