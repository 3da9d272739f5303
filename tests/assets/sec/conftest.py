"""The SEC bodies of the embedded snapshot (data/snapshot/sec/PROVENANCE.md), parsed once per test session."""

from __future__ import annotations

import warnings
from pathlib import Path

import polars as pl
import pytest

from assets.sec.companies import read_companies
from assets.sec.companyfacts import parse_companyfacts
from assets.sec.financials import financials_from_10ks, financials_from_facts
from assets.sec.ixbrl import parse_10k
from pipelines.snapshot import read_snapshot_bytes, snapshot_manifest

CIKS = {"MSFT": "0000789019", "NVDA": "0001045810", "GOOGL": "0001652044"}
TEN_KS = {
    "AAPL": "aapl-20240928",
    "AMZN": "amzn-20241231",
    "GOOGL": "goog-20241231",
    "IBM": "ibm-20241231",
    "META": "meta-20241231",
    "NVDA": "nvda-20250126",
}
REFERENCE_FIGURES = Path(__file__).parent / "reference_figures.csv"


def companyfacts_body(ticker: str, as_of: str | None = None) -> bytes:
    """The current capture of a company's companyfacts, or the earlier one of that date."""
    suffix = f"_{as_of}" if as_of else ""
    return read_snapshot_bytes(f"sec/companyfacts_CIK{CIKS[ticker]}{suffix}.json.gz")


def ten_k_body(ticker: str) -> tuple[bytes, str]:
    """A 10-K document and the Archives URL it was served from (its accession is in the URL)."""
    path = f"sec/10k_{TEN_KS[ticker]}.htm.gz"
    origin = next(e.origin for e in snapshot_manifest() if e.path == path)
    return read_snapshot_bytes(path), origin


@pytest.fixture(scope="session")
def companies() -> pl.DataFrame:
    return read_companies()


@pytest.fixture(scope="session")
def facts() -> pl.DataFrame:
    return pl.concat([parse_companyfacts(companyfacts_body(t), f"{t} companyfacts") for t in CIKS])


@pytest.fixture(scope="session")
def tenks() -> dict:
    parsed = {}
    for ticker in TEN_KS:
        raw, origin = ten_k_body(ticker)
        parsed[ticker] = parse_10k(raw, origin)
    return parsed


@pytest.fixture(scope="session")
def companyfacts_fin(facts, companies) -> pl.DataFrame:
    return financials_from_facts(facts, companies)


@pytest.fixture(scope="session")
def ixbrl_fin(tenks, companies) -> pl.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # IBM's 10-K has no capex: tested on its own
        return financials_from_10ks(
            pl.concat([t.facts for t in tenks.values()]),
            pl.concat([t.document() for t in tenks.values()]),
            companies,
        )


@pytest.fixture(scope="session")
def reference_figures() -> pl.DataFrame:
    return pl.read_csv(
        REFERENCE_FIGURES, schema_overrides={"cik": pl.String, "value_usd": pl.Float64}, try_parse_dates=True
    )
