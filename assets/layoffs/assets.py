"""Layoffs as Dagster assets: landing -> raw.layoff_events (every version of every download) and
raw.layoffs_rejects -> core.layoff_events (one row per event, ticker set) with
core.layoff_event_versions (each listing), and core.layoff_coverage (the dates the downloads cover),
with blocking checks.

Every landed download stays in the landing zone (history kinds), so each refresh rebuilds the
events from all of them: overlapping layoffs.fyi exports and successive WARN reports fold into one
row per event in `event_history` (rules: docs/layoffs.md), and a later import only adds what is new.
"""

import dagster as dg
import polars as pl

from assets.layoffs.companies import match_companies, match_rate
from assets.layoffs.coverage import layoff_coverage
from assets.layoffs.dedup import event_history
from assets.layoffs.events import EVENT_SCHEMA, SOURCES
from assets.layoffs.kinds import PARSERS
from assets.layoffs.source import SOURCE
from pipelines.checks import row_count_check, table_check
from pipelines.config import SEEDS_DIR
from pipelines.errors import CapexError
from pipelines.landing_asset import landing_asset
from pipelines.parse_loop import parse_bodies
from pipelines.parsed import REJECT_SCHEMA

landing_layoffs = landing_asset(
    SOURCE,
    description="The layoffs.fyi and WARN bodies in force: every landed download of every kind (history).",
)


@dg.multi_asset(
    outs={
        "raw_layoff_events": dg.AssetOut(
            key=["raw", "layoff_events"],
            kinds={"polars"},
            description="Every row of every landed layoffs.fyi and WARN download, parsed to the common shape "
            "(an event appears once per download that carries it).",
        ),
        "raw_layoffs_rejects": dg.AssetOut(
            key=["raw", "layoffs_rejects"],
            kinds={"polars"},
            description="Rows held out of the layoff bodies with origin, row, column and why (unparseable date "
            "or count, ambiguous spreadsheet-mangled date, percentage outside 0-100%), and bodies refused whole.",
        ),
    },
    group_name="layoffs",
)
def layoffs_parsed(context: dg.AssetExecutionContext, landing_layoffs: pl.DataFrame):
    parsed = [parse_bodies(context, landing_layoffs, kind, parse) for kind, parse in PARSERS.items()]
    frames = [p.rows for p in parsed if p.rows.height]
    rows = pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame(schema=EVENT_SCHEMA)
    rejects = pl.concat([p.rejects for p in parsed]) if parsed else pl.DataFrame(schema=REJECT_SCHEMA)
    repaired = rows.filter(pl.col("date_note").is_not_null()).group_by("origin").len()
    for origin, count in repaired.iter_rows():
        context.log.warning(
            f"layoffs-fyi {origin}: {count:,} dates a spreadsheet rewrote (mm-dd-yyyy mixed with m/d/yyyy) "
            "were repaired because the file's date order proves the reading; see date_note"
        )
    context.log.info(
        f"layoffs: {landing_layoffs.height} bodies, {rows.height:,} rows, {rejects.height} held out"
    )
    return rows, rejects


def read_company_seeds() -> tuple[pl.DataFrame, pl.DataFrame]:
    """The aliases seed and the tracked companies seed, as strings."""
    frames = []
    for name in ("company_aliases.csv", "companies.csv"):
        path = SEEDS_DIR / name
        if not path.exists():
            raise CapexError(f"dbt/seeds/{name} is missing: layoff events cannot be matched to tickers")
        frames.append(pl.read_csv(path, infer_schema_length=0))
    return frames[0], frames[1]


@dg.multi_asset(
    outs={
        "core_layoff_events": dg.AssetOut(
            key=["core", "layoff_events"],
            kinds={"polars"},
            description="One row per layoff event or WARN notice across all downloads: the newest download of a "
            "report is the truth for what it lists (a revised head count or date replaces the older one under the "
            "same event_id); a notice a newer download no longer lists is kept with last_listed_as_of set; "
            "layoffs.fyi's own duplicate rows are merged (source_duplicates). Ticker set for tracked companies.",
        ),
        "core_layoff_event_versions": dg.AssetOut(
            key=["core", "layoff_event_versions"],
            kinds={"polars"},
            description="A notice's or event's history: one row per download that listed it (event_id, as_of, "
            "employees_affected, effective_date, origin).",
        ),
    },
    ins={"raw_layoff_events": dg.AssetIn(key=["raw", "layoff_events"])},
    group_name="layoffs",
)
def core_layoff_events(context: dg.AssetExecutionContext, raw_layoff_events: pl.DataFrame):
    aliases, companies = read_company_seeds()
    deduplicated, versions = event_history(raw_layoff_events)
    events = match_companies(deduplicated, aliases, companies)
    report = match_rate(events)
    merged = int(events.filter(pl.col("source") == "layoffs_fyi")["source_duplicates"].sum() or 0)
    delisted = (
        events.filter(pl.col("last_listed_as_of").is_not_null()).group_by("source").len().sort("source")
    )
    context.log.info(
        f"core.layoff_events: {report['events']:,} events from {raw_layoff_events.height:,} rows; "
        f"{report['matched']:,} matched to a ticker ({report['by_ticker']}); {merged} layoffs.fyi source "
        f"duplicates merged; no longer listed: {dict(delisted.iter_rows())}"
    )
    context.add_output_metadata(
        {
            "events": report["events"],
            "matched": report["matched"],
            "layoffs_fyi_duplicates_merged": merged,
            "match_rate_by_source": dg.MetadataValue.json(report["by_source"]),
            "unmatched_brand_names": dg.MetadataValue.json(report["unmatched_brand_names"]),
        },
        output_name="core_layoff_events",
    )
    return events, versions


def layoff_events_expectations(frame: pl.DataFrame) -> list[tuple[str, dict]]:
    tracked = read_company_seeds()[1]["ticker"].to_list()
    return [
        *[
            ("expect_column_values_to_not_be_null", {"column": c})
            for c in ("event_id", "source", "company", "event_date")
        ],
        ("expect_column_values_to_be_unique", {"column": "event_id"}),
        ("expect_column_values_to_be_in_set", {"column": "source", "value_set": list(SOURCES)}),
        ("expect_column_values_to_be_between", {"column": "versions", "min_value": 1}),
        ("expect_column_values_to_be_between", {"column": "employees_affected", "min_value": 0}),
        ("expect_column_values_to_be_between", {"column": "percentage", "min_value": 0, "max_value": 1}),
        ("expect_column_values_to_be_in_set", {"column": "ticker", "value_set": tracked}),
    ]


layoff_events_valid = table_check(
    ["core", "layoff_events"],
    "layoff_events_valid",
    layoff_events_expectations,
    description="every event has an id (unique), a known source, a company and a date; counts are not "
    "negative, percentages are fractions 0-1, tickers are tracked companies",
)
layoff_events_rows = row_count_check(["core", "layoff_events"])

LAYOFF_EVENT_VERSIONS_EXPECTATIONS = [
    *[
        ("expect_column_values_to_not_be_null", {"column": c})
        for c in ("event_id", "source", "as_of", "origin")
    ],
    ("expect_compound_columns_to_be_unique", {"column_list": ["event_id", "origin", "row_number"]}),
    ("expect_column_values_to_be_in_set", {"column": "source", "value_set": list(SOURCES)}),
    ("expect_column_values_to_be_between", {"column": "employees_affected", "min_value": 0}),
]
layoff_event_versions_valid = table_check(
    ["core", "layoff_event_versions"],
    "layoff_event_versions_valid",
    LAYOFF_EVENT_VERSIONS_EXPECTATIONS,
    description="core.layoff_event_versions: every listing names its event, source, download (origin) and as_of; "
    "one listing per event and download row; counts not negative",
)
layoff_event_versions_rows = row_count_check(["core", "layoff_event_versions"])


@dg.asset(
    key=["core", "layoff_coverage"],
    ins={"raw_layoff_events": dg.AssetIn(key=["raw", "layoff_events"])},
    group_name="layoffs",
    kinds={"polars"},
    description="Per source and state, each continuous stretch of dates the downloads held cover "
    "(first_date..last_date): a day outside every stretch is not covered, which is not the same as no layoffs.",
)
def core_layoff_coverage(raw_layoff_events: pl.DataFrame) -> pl.DataFrame:
    return layoff_coverage(raw_layoff_events)


LAYOFF_COVERAGE_EXPECTATIONS = [
    *[
        ("expect_column_values_to_not_be_null", {"column": c})
        for c in ("source", "first_date", "last_date", "downloads")
    ],
    ("expect_column_values_to_be_in_set", {"column": "source", "value_set": list(SOURCES)}),
    ("expect_compound_columns_to_be_unique", {"column_list": ["source", "first_date"]}),
    (
        "expect_column_pair_values_a_to_be_greater_than_b",
        {"column_A": "last_date", "column_B": "first_date", "or_equal": True},
    ),
]
layoff_coverage_valid = table_check(
    ["core", "layoff_coverage"],
    "layoff_coverage_valid",
    LAYOFF_COVERAGE_EXPECTATIONS,
    description="core.layoff_coverage: every stretch has a known source, a first and last date (first <= last) "
    "and the downloads behind it; one stretch per source and first date",
)
layoff_coverage_rows = row_count_check(["core", "layoff_coverage"])
