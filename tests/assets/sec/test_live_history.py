"""Live mode against a local server (pytest-httpserver on 127.0.0.1): NVIDIA's and Apple's real submissions JSON,
their real 10-K bodies of the snapshot (NVIDIA FY2025, Apple FY2024), and SYNTHETIC bodies
(tests/assets/sec/synthetic_filings.py) for the other filings they list (no other real filing of theirs is in
the data). Every 10-K since FY2018 and the last eight 10-Qs are requested once; a second live refresh
requests none of them, not even conditionally. Apple's FY2018 10-K predates inline XBRL: it lands as
sec-10k-text and gives its headcount."""

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

import assets.sec.assets as sec_assets
import pipelines.live_fetch
from assets.sec import live as sec_live
from assets.sec.kinds import KINDS
from pipelines.fetch import Fetcher
from pipelines.landing import LandingZone
from pipelines.landing_asset import landing_asset
from pipelines.settings import CapexSettings
from pipelines.snapshot import read_snapshot_bytes
from tests.assets.sec.synthetic_filings import REVENUE, Fact, synthetic_filing, synthetic_plain_10k

COMPANIES = {
    "NVDA": ("0001045810", "https://www.sec.gov/Archives/edgar/data/1045810/000104581025000023/nvda-20250126.htm",
             "sec/10k_nvda-20250126.htm.gz"),
    "AAPL": ("0000320193", "https://www.sec.gov/Archives/edgar/data/320193/000032019324000123/aapl-20240928.htm",
             "sec/10k_aapl-20240928.htm.gz"),
}  # fmt: skip


class LocalFetcher(Fetcher):
    """The framework's Fetcher, pointed at the local server (path = the real host and path)."""

    base_url = ""

    def __init__(self, **kwargs):
        super().__init__(backoff_factor=0.01, timeout_s=(1.0, 5.0), host_min_interval_s={"127.0.0.1": 0.0})

    def get(self, url: str, **kwargs):
        parts = urlsplit(url)
        return super().get(f"{self.base_url}/{parts.netloc}{parts.path}", **kwargs)


def synthetic_body(filing: sec_live.TenKFiling) -> bytes:
    if filing.kind == "sec-10k-text":
        return synthetic_plain_10k(filing.period_end, f"As of {filing.period_end:%B} {filing.period_end.day}, "
                                   f"{filing.period_end.year}, we had approximately 1,000 employees.")  # fmt: skip
    days = 364 if filing.kind == "sec-10k" else 90
    start = filing.period_end - timedelta(days=days)
    return synthetic_filing(
        form=filing.form,
        cik=filing.cik,
        period_end=filing.period_end,
        fiscal_year=filing.period_end.year,
        fiscal_period="FY" if filing.kind == "sec-10k" else "Q1",
        facts=[
            Fact(
                REVENUE, start, filing.period_end, 1, "nvda:DataCenterMember", axis="srt:ProductOrServiceAxis"
            )
        ],
    )


@pytest.fixture(params=list(COMPANIES))
def server(request):
    ticker = request.param
    cik, real_url, real_path = COMPANIES[ticker]
    submissions = read_snapshot_bytes(f"sec/submissions_CIK{cik}.json.gz")
    filings = sec_live.filings_to_fetch(submissions, ticker)
    bodies = {sec_live.submissions_url(cik): submissions}
    if ticker == "NVDA":  # Apple's companyfacts is not in the snapshot: 404, which fails only that body
        bodies[sec_live.companyfacts_url(cik)] = read_snapshot_bytes("sec/companyfacts_CIK0001045810.json.gz")
    bodies |= {f.url: synthetic_body(f) for f in filings}
    bodies[real_url] = read_snapshot_bytes(real_path)
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
    yield ticker, httpserver, filings, hits, conditional
    httpserver.clear()
    httpserver.stop()


def test_every_filing_since_fy2018_once_and_never_again(server, tmp_path, monkeypatch):
    ticker, httpserver, filings, hits, conditional = server
    cik, real_url, _ = COMPANIES[ticker]
    monkeypatch.setattr(LocalFetcher, "base_url", httpserver.url_for("").rstrip("/"))
    monkeypatch.setattr(pipelines.live_fetch, "Fetcher", LocalFetcher)
    companies = pl.DataFrame({"ticker": [ticker], "cik": [cik]})
    step = landing_asset("sec", KINDS, partial(sec_live.fetch_live, companies=companies))
    settings = CapexSettings(home=str(tmp_path), offline=False, live_sources="sec")

    ten_ks = [f for f in filings if f.form == "10-K"]
    ten_qs = [f for f in filings if f.kind == "sec-10q"]
    fiscal_years = sorted((f.period_end - timedelta(days=7)).year for f in ten_ks)
    if (
        ticker == "NVDA"
    ):  # its recent listing reaches back to FY2020; FY2018-19 are on an older page (404 here)
        assert fiscal_years == list(range(2020, 2027))
        assert max(f.period_end for f in ten_qs).isoformat() == "2025-10-26"
    else:  # Apple's recent listing reaches 2015: FY2018 (not inline XBRL) to FY2025
        assert fiscal_years == list(range(2018, 2026))
        assert [f.kind for f in ten_ks if f.period_end.year == 2018] == ["sec-10k-text"]
    assert len(ten_qs) == 8 and real_url in {f.url for f in ten_ks}

    first = step(dg.build_asset_context(), settings=settings)
    if ticker == "NVDA":
        assert str(first.metadata["fetch_status"]) == f"live: {2 + len(filings)} new bodies"
    else:
        assert "1 failed, the rest landed: AAPL companyfacts" in str(first.metadata["fetch_status"])
    assert {url: hits[url] for url in (f.url for f in filings)} == {f.url: 1 for f in filings}
    landed = LandingZone(tmp_path / "landing")
    fetched = {b.origin: b for b in landed.bodies() if b.via == "fetch"}
    assert {f.url for f in filings} <= set(fetched)
    for filing in filings:
        assert (fetched[filing.url].kind, fetched[filing.url].entity) == (filing.kind, filing.entity)
        assert fetched[filing.url].as_of == filing.filed.isoformat()

    if ticker == "AAPL":  # the FY2018 10-K (plain HTML) parses to that year's headcount
        fy2018 = next(b for b in fetched.values() if b.kind == "sec-10k-text")
        document = (
            sec_assets._parse_filing(fy2018.read(), fy2018.origin, body=fy2018)
            .tables["documents"]
            .row(0, named=True)
        )
        assert (document["cik"], document["fiscal_period_end"].isoformat(), document["employees"]) == (
            cik,
            "2018-09-29",
            1_000,
        )

    hits.clear()
    second = step(dg.build_asset_context(), settings=settings)
    assert ticker != "NVDA" or str(second.metadata["fetch_status"]) == "live: 0 new bodies"
    assert not [url for url in hits if "/Archives/" in url]  # no filing asked for again
    assert not [url for url in conditional if "/Archives/" in url]
    assert hits[sec_live.submissions_url(cik)] == 1  # the listing itself is asked for each time
