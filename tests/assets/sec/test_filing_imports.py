"""`capex import sec-10q` and a 10-K of a company outside the seed, through the SEC assets (offline).

The 10-Qs are SYNTHETIC (tests/assets/sec/synthetic_filings.py: no real 10-Q is in the data); the 10-K is
Meta's real one, with Meta taken out of the seed.
"""

from __future__ import annotations

from datetime import date

import dagster as dg
import duckdb
import polars as pl

import assets.sec.assets as sec_assets
from assets.sec.companies import read_companies
from assets.sec.kinds import KINDS
from pipelines.io_manager import BuildWarehouseIOManager
from pipelines.landing import LandingZone
from pipelines.settings import CapexSettings
from pipelines.warehouse import build_path
from tests.assets.sec.conftest import ten_k_body
from tests.assets.sec.synthetic_filings import amzn_10q

SEC_10Q = next(k for k in KINDS if k.name == "sec-10q")


def test_imported_10qs_add_discrete_quarters_and_an_unseeded_10k_its_segments(tmp_path, monkeypatch):
    home = tmp_path / "home"
    landing = LandingZone(home / "landing")
    for quarter in (1, 2):
        origin = f"/imports/amzn-2025q{quarter}-synthetic.htm"
        body = amzn_10q(quarter)
        entity = SEC_10Q.identify(body, origin).entity
        landing.store(body, kind="sec-10q", entity=entity, origin=origin, via="import", as_of="2026-12-01")
    monkeypatch.setattr(
        sec_assets, "read_companies", lambda: read_companies().filter(pl.col("ticker") != "META")
    )

    warehouse = home / "warehouse" / "capex.duckdb"
    result = dg.materialize(
        [
            sec_assets.landing_sec,
            sec_assets.sec_parsed,
            sec_assets.sec_financials,
            sec_assets.core_segment_revenue,
        ],
        resources={
            "settings": CapexSettings(home=str(home), offline=True),
            "io_manager": BuildWarehouseIOManager(warehouse=str(warehouse)),
        },
    )
    assert result.success
    with duckdb.connect(str(build_path(warehouse, result.run_id)), read_only=True) as con:
        fin = con.sql("select * from core.financials where ticker = 'AMZN' and fiscal_year = 2025").pl()
        segments = con.sql("select * from core.segment_revenue").pl()
        documents = con.sql("select * from raw.sec_10k_documents").pl()

    quarters = fin.sort("fiscal_period").select(
        "fiscal_period", "period_start", "period_end", "capex_usd", "revenue_usd"
    )
    assert quarters.rows() == [
        ("Q1", date(2025, 1, 1), date(2025, 3, 31), 500e6, 9_000e6),
        ("Q2", date(2025, 4, 1), date(2025, 6, 30), 800e6, 9_500e6),  # capex: half year 1,300 - Q1 500
    ]
    aws = segments.filter(ticker="AMZN", member="amzn:AmazonWebServicesSegmentMember", fiscal_year=2025).sort(
        "fiscal_period"
    )
    assert aws.select("fiscal_period", "revenue_usd").rows() == [("Q1", 1_000e6), ("Q2", 1_200e6)]
    # The real 2024 AWS figure from the 10-K is still there beside the imported quarters.
    assert segments.filter(ticker="AMZN", member="amzn:AmazonWebServicesSegmentMember", fiscal_year=2024)[
        "revenue_usd"
    ].to_list() == [107_556e6]
    # Meta, not in the seed, is named from the SEC ticker map and its segments are read all the same.
    meta = segments.filter(member="meta:RealityLabsMember", fiscal_year=2024)
    assert meta.select("ticker", "cik", "revenue_usd").rows() == [("META", "0001326801", 2_146e6)]
    # A 10-Q states no headcount and makes no FY row.
    assert documents.filter(form="10-Q")["employees"].null_count() == 2
    assert fin.filter(fiscal_period="FY").height == 0
    assert ten_k_body("META")[1].endswith("meta-20241231.htm")
