"""Live mode against a local server (pytest-httpserver on 127.0.0.1): NVIDIA's real submissions JSON, its real
FY2025 10-K body, and SYNTHETIC bodies (tests/assets/sec/synthetic_filings.py) for the other filings it lists
(no other real NVIDIA filing is in the data). Every 10-K since FY2018 and the last eight 10-Qs are requested
once; a second live refresh requests none of them, not even conditionally."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from functools import partial
from urllib.parse import urlsplit

import dagster as dg
import polars as pl
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

import pipelines.sources
from assets.sec import live as sec_live
from assets.sec.kinds import KINDS
from pipelines.fetch import Fetcher
from pipelines.landing import LandingZone
from pipelines.snapshot import read_snapshot_bytes
from pipelines.sources import CapexSettings, landing_asset
from tests.assets.sec.synthetic_filings import REVENUE, Fact, synthetic_filing

NVDA = pl.DataFrame({"ticker": ["NVDA"], "cik": ["0001045810"]})
REAL_10K = "https://www.sec.gov/Archives/edgar/data/1045810/000104581025000023/nvda-20250126.htm"


class LocalFetcher(Fetcher):
    """The framework's Fetcher, pointed at the local server (path = the real host and path)."""

    base_url = ""

    def __init__(self, **kwargs):
        super().__init__(backoff_factor=0.01, timeout_s=(1.0, 5.0), host_min_interval_s={"127.0.0.1": 0.0})

    def get(self, url: str, **kwargs):
        parts = urlsplit(url)
        return super().get(f"{self.base_url}/{parts.netloc}{parts.path}", **kwargs)


def synthetic_body(filing: sec_live.TenKFiling) -> bytes:
    days = 364 if filing.kind == "sec-10k" else 90
    start = filing.period_end - timedelta(days=days)
    return synthetic_filing(
        form=filing.form,
        cik=filing.cik,
        period_end=filing.period_end,
        fiscal_year=filing.period_end.year,
        fiscal_period="FY" if filing.kind == "sec-10k" else "Q1",
        facts=[Fact(REVENUE, start, filing.period_end, 1, "nvda:DataCenterMember", axis="srt:ProductOrServiceAxis")],
    )


@pytest.fixture
def server():
    submissions = read_snapshot_bytes("sec/submissions_CIK0001045810.json.gz")
    filings = sec_live.filings_to_fetch(submissions, "nvda")
    bodies = {sec_live.companyfacts_url("1045810"): read_snapshot_bytes("sec/companyfacts_CIK0001045810.json.gz"),
              sec_live.submissions_url("1045810"): submissions}  # fmt: skip
    bodies |= {f.url: synthetic_body(f) for f in filings}
    bodies[REAL_10K] = read_snapshot_bytes("sec/10k_nvda-20250126.htm.gz")
    hits: Counter[str] = Counter()
    conditional: Counter[str] = Counter()

    def handler(request: Request) -> Response:
        url = "https://" + request.path.lstrip("/")
        hits[url] += 1
        if request.headers.get("If-None-Match") or request.headers.get("If-Modified-Since"):
            conditional[url] += 1
        body = bodies.get(url)
        # no ETag: the JSON bodies come back whole each time, so only the landing zone can spare a filing
        return Response(body, status=200) if body is not None else Response("not found", status=404)

    httpserver = HTTPServer(host="127.0.0.1", port=0)
    httpserver.expect_request(re.compile(".*")).respond_with_handler(handler)
    httpserver.start()
    yield httpserver, filings, hits, conditional
    httpserver.clear()
    httpserver.stop()


def test_every_filing_since_fy2018_once_and_never_again(server, tmp_path, monkeypatch):
    httpserver, filings, hits, conditional = server
    monkeypatch.setattr(LocalFetcher, "base_url", httpserver.url_for("").rstrip("/"))
    monkeypatch.setattr(pipelines.sources, "Fetcher", LocalFetcher)
    step = landing_asset("sec", KINDS, partial(sec_live.fetch_live, companies=NVDA))
    settings = CapexSettings(home=str(tmp_path), offline=False, live_sources="sec")

    ten_ks = [f for f in filings if f.kind == "sec-10k"]
    ten_qs = [f for f in filings if f.kind == "sec-10q"]
    # The recent listing reaches back to FY2020; FY2018-FY2019 are on an older page, not captured (404 here).
    assert sorted((f.period_end - timedelta(days=7)).year for f in ten_ks) == list(range(2020, 2027))
    assert len(ten_qs) == 8 and max(f.period_end for f in ten_qs).isoformat() == "2025-10-26"
    assert REAL_10K in {f.url for f in ten_ks}

    first = step(dg.build_asset_context(), settings=settings)
    assert str(first.metadata["fetch_status"]) == f"live: {2 + len(filings)} new bodies"
    assert {url: hits[url] for url in (f.url for f in filings)} == {f.url: 1 for f in filings}
    landed = LandingZone(tmp_path / "landing")
    assert {b.origin for b in landed.bodies() if b.kind in ("sec-10k", "sec-10q") and b.via == "fetch"} == {
        f.url for f in filings
    }
    real = next(b for b in landed.bodies() if b.origin == REAL_10K and b.via == "fetch")
    assert (real.entity, real.as_of) == ("CIK0001045810-10K-2025-01-26", "2025-02-26")

    hits.clear()
    second = step(dg.build_asset_context(), settings=settings)
    assert str(second.metadata["fetch_status"]) == "live: 0 new bodies"
    assert not [url for url in hits if "/Archives/" in url]  # no filing asked for again
    assert not [url for url in conditional if "/Archives/" in url]
    assert hits[sec_live.submissions_url("1045810")] == 1  # the listing itself is asked for each time
