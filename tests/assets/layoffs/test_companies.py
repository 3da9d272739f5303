"""Company matching: normalization, the alias seed, and the tracked companies' layoffs.fyi events."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from assets.layoffs.companies import match_companies, match_rate, normalize_company
from assets.layoffs.dedup import deduplicate_events
from pipelines.errors import SourceFormatError
from tests.assets.layoffs.conftest import ALL_FILES, CA_CSV, TRACKED


@pytest.fixture(scope="module")
def matched(parsed, aliases, companies) -> pl.DataFrame:
    return match_companies(
        deduplicate_events(pl.concat([parsed[p].rows for p in ALL_FILES])), aliases, companies
    )


@pytest.mark.parametrize(
    "published, core",
    [
        ("Meta Platforms, Inc. (1 Hacker Way)", "meta platforms"),
        ("Meta Platforms, Inc.(W,6th)", "meta platforms"),
        ("Google US-MTV-1900", "google"),
        ("Google LA 1", "google"),
        ("Microsoft - 1045", "microsoft"),
        ("Amazon.com Services Inc. - DLA4 facility", "amazon com"),
        ("Amazon LAX 35", "amazon"),
        ("Twitch Interactive, Inc. SFO19 Facility", "twitch interactive"),
        ("International Business Machines-Coppell", "international business machines"),
        ("Vmware Inc. River Place)", "vmware"),
        ("Flagship Facility Services Inc. at Meta Platforms Inc.", "flagship facility"),  # a contractor
        ("L.A. Live Theater, LLC, DBA Microsoft Theater", "l a live theater"),  # a trade name
        ("Apple Bank", "apple bank"),
        ("Meta Company", "meta company"),
        ("AT&T", "at and t"),
    ],
)
def test_normalize_company(published, core):
    assert normalize_company(published) == core


def test_every_tracked_company_in_layoffs_fyi_2022_2026_resolves(matched):
    fyi = matched.filter(
        (pl.col("source") == "layoffs_fyi") & pl.col("event_date").dt.year().is_between(2022, 2026)
    )
    brands = {
        "Microsoft": "MSFT",
        "Google": "GOOGL",
        "Amazon": "AMZN",
        "Meta": "META",
        "Oracle": "ORCL",
        "AMD": "AMD",
        "Broadcom": "AVGO",
        "Apple": "AAPL",
        "Tesla": "TSLA",
        "IBM": "IBM",
    }
    for company, ticker in brands.items():
        rows = fyi.filter(pl.col("company") == company)
        assert rows.height > 0, company
        assert rows["ticker"].to_list() == [ticker] * rows.height, company
    # NVIDIA and CoreWeave have no layoffs.fyi rows in the snapshot
    assert fyi.filter(pl.col("company").str.to_lowercase().is_in(["nvidia", "coreweave"])).height == 0
    meta = fyi.filter(pl.col("ticker") == "META")
    assert (
        meta.filter(pl.col("company") == "Meta")["employees_affected"].sum() == 35_700
    )  # 11,000+10,000+4,300+10,400


def test_the_acceptance_row(matched):
    meta = matched.filter(
        (pl.col("source") == "layoffs_fyi")
        & (pl.col("company") == "Meta")
        & (pl.col("event_date") == date(2022, 11, 9))
    )
    assert meta.select("employees_affected", "ticker").rows() == [(11_000, "META")]


def test_warn_legal_entities_and_sites_resolve_contractors_do_not(matched):
    ca = matched.filter(pl.col("source") == "warn_ca")
    meta_2022 = ca.filter((pl.col("ticker") == "META") & (pl.col("event_date").dt.year() == 2022))
    # 26 rows name Meta Platforms in 2022; one is a contractor working at a Meta site
    assert (meta_2022.height, meta_2022["employees_affected"].sum()) == (25, 2726)
    contractors = ca.filter(pl.col("company").str.contains(" at Meta Platforms"))
    assert contractors.height > 0 and contractors["ticker"].is_null().all()
    assert (
        ca.filter(pl.col("company") == "L.A. Live Theater, LLC, DBA Microsoft Theater")["ticker"]
        .is_null()
        .all()
    )
    assert ca.filter(pl.col("company") == "Apple Bank")["ticker"].is_null().all()
    ny_meta = matched.filter((pl.col("source") == "warn_ny") & (pl.col("ticker") == "META"))
    assert ny_meta["employees_affected"].sum() == 1160
    wa = matched.filter((pl.col("source") == "warn_wa") & (pl.col("event_date") == date(2026, 3, 31)))
    assert wa.filter(pl.col("ticker").is_not_null()).select("company", "ticker").sort("ticker").rows() == [
        ("Meta Platforms, Inc", "META"),
        ("Oracle America, Inc.", "ORCL"),
    ]


def test_an_alias_applies_from_its_valid_from_date(aliases, companies):
    events = pl.DataFrame(
        {
            "company": ["VMware", "VMware", "Meta", "Meta"],
            "event_date": [date(2023, 2, 7), date(2024, 2, 1), date(2019, 6, 1), date(2022, 11, 9)],
            "ticker": [None] * 4,
        },
        schema_overrides={"ticker": pl.String},
    )
    assert match_companies(events, aliases, companies)["ticker"].to_list() == [None, "AVGO", None, "META"]


def test_only_tracked_tickers_are_set_and_conflicting_aliases_are_refused(aliases, companies):
    events = pl.DataFrame({"company": ["Microsoft", "Salesforce"], "event_date": [date(2025, 1, 1)] * 2})
    without_msft = companies.filter(pl.col("ticker") != "MSFT")
    assert match_companies(events, aliases, without_msft)["ticker"].to_list() == [None, None]
    clash = pl.concat(
        [
            aliases,
            pl.DataFrame(
                {"alias": ["Microsoft Corp."], "ticker": ["ORCL"], "note": ["wrong"], "valid_from": [None]},
                schema=aliases.schema,
            ),
        ]
    )
    with pytest.raises(SourceFormatError, match="microsoft"):
        match_companies(events, clash, companies)


def test_match_rate_reports_per_source_and_ticker(matched):
    report = match_rate(matched)
    assert report["events"] == matched.height
    assert report["matched"] == matched["ticker"].is_not_null().sum()
    assert set(report["by_source"]) == {"layoffs_fyi", "warn_ca", "warn_ny", "warn_wa", "warn_tx"}
    assert report["by_ticker"]["META"] == matched.filter(pl.col("ticker") == "META").height
    assert set(report["by_ticker"]) <= set(TRACKED)
    assert "Flagship Facility Services Inc. at Meta Platforms Inc." in report["unmatched_brand_names"]


def test_match_keeps_rows_and_order(parsed, aliases, companies):
    rows = parsed[CA_CSV].rows
    out = match_companies(rows, aliases, companies)
    assert out.columns == rows.columns and out["event_id"].equals(rows["event_id"])
