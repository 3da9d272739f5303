from datetime import date

import polars as pl
import pytest

from assets.sec.live import (
    companyfacts_url,
    fetch_live,
    filings,
    latest_10k,
    submission_pages,
    submissions_url,
)
from pipelines.errors import FetchError, SourceFormatError
from pipelines.snapshot import read_snapshot_bytes

NVDA_SUBMISSIONS = "https://data.sec.gov/submissions/CIK0001045810.json"


def submissions(name: str) -> bytes:
    return read_snapshot_bytes(f"sec/submissions_{name}.json.gz")


def test_urls_pad_the_cik():
    assert companyfacts_url("789019") == "https://data.sec.gov/api/xbrl/companyfacts/CIK0000789019.json"
    assert submissions_url("0001045810") == NVDA_SUBMISSIONS


def test_latest_10k_archives_url():
    nvda = latest_10k(submissions("CIK0001045810"), NVDA_SUBMISSIONS)
    assert (nvda.accession, nvda.filed, nvda.period_end, nvda.entity) == (
        "0001045810-26-000021",
        date(2026, 2, 25),
        date(2026, 1, 25),
        "CIK0001045810-10K-2026-01-25",
    )
    assert nvda.url == "https://www.sec.gov/Archives/edgar/data/1045810/000104581026000021/nvda-20260125.htm"
    msft = latest_10k(submissions("CIK0000789019"), "msft")
    assert msft.url == "https://www.sec.gov/Archives/edgar/data/789019/000095017025100235/msft-20250630.htm"


def test_older_pages_listed_and_readable():
    assert submission_pages(submissions("CIK0000789019"), "msft") == [
        "https://data.sec.gov/submissions/CIK0000789019-submissions-001.json",
        "https://data.sec.gov/submissions/CIK0000789019-submissions-002.json",
    ]
    page = filings(submissions("CIK0001318605-submissions-001"), "tsla page 1")
    tenk = page.filter(pl.col("accession") == "0001564590-17-003118").row(0, named=True)
    assert (tenk["form"], tenk["period_end"], tenk["primary_document"], tenk["inline_xbrl"]) == (
        "10-K",
        date(2016, 12, 31),
        "tsla-10k_20161231.htm",
        0,
    )
    with pytest.raises(SourceFormatError, match="no cik"):
        latest_10k(submissions("CIK0001318605-submissions-001"), "page")


def test_a_body_that_is_not_submissions():
    with pytest.raises(SourceFormatError, match="no filing columns"):
        filings(b'{"cik": "1", "filings": {}}', "x.json")
    with pytest.raises(SourceFormatError, match="not a submissions JSON"):
        filings(b'{"cik": "1", "filin', "x.json")


def fake_server(bodies: dict[str, bytes | None], failing: set[str] = frozenset()):
    fetched, stored = [], []

    def fetch(url, *, kind, entity="", expect="json", **request):
        fetched.append((url, kind, entity, expect))
        if url in failing:
            raise FetchError(url, "HTTP 404 Not Found after retries")
        return bodies.get(url)

    def store(raw, *, kind, entity=None, origin, as_of=None):
        stored.append((kind, entity, origin, as_of, len(raw)))

    return fetch, store, fetched, stored


def test_fetch_live_lands_companyfacts_submissions_and_the_newest_10k():
    tenk_url = "https://www.sec.gov/Archives/edgar/data/1045810/000104581026000021/nvda-20260125.htm"
    fetch, store, fetched, stored = fake_server(
        {
            companyfacts_url("1045810"): b'{"cik": 1045810}',
            NVDA_SUBMISSIONS: submissions("CIK0001045810"),
            tenk_url: b"<html>10-K</html>",
        }
    )
    fetch_live(fetch, store, pl.DataFrame({"ticker": ["NVDA"], "cik": ["1045810"]}))
    assert [(kind, entity, as_of) for kind, entity, _, as_of, _ in stored] == [
        ("sec-companyfacts", "CIK0001045810", None),
        ("sec-submissions", "CIK0001045810", None),
        ("sec-10k", "CIK0001045810-10K-2026-01-25", "2026-02-25"),
    ]
    # the newest filing first; then every older 10-K since FY2018 and the last eight 10-Qs (not served here)
    assert fetched[2][0] == "https://data.sec.gov/submissions/CIK0001045810-submissions-001.json"  # FY2018-19
    assert fetched[3] == (tenk_url, "sec-10k", "CIK0001045810-10K-2026-01-25", "html")
    asked = [(kind, entity) for _, kind, entity, _ in fetched[3:]]
    assert sum(kind == "sec-10k" for kind, _ in asked) == 7  # FY2020..FY2026 (FY2018-19 are on an older page)
    assert sum(kind == "sec-10q" for kind, _ in asked) == 8


def test_not_modified_submissions_skip_the_10k():
    fetch, store, fetched, stored = fake_server({NVDA_SUBMISSIONS: None, companyfacts_url("1045810"): None})
    fetch_live(fetch, store, pl.DataFrame({"ticker": ["NVDA"], "cik": ["0001045810"]}))
    assert stored == [] and len(fetched) == 2  # two 304s, no 10-K request


def test_a_failing_company_does_not_stop_the_others():
    msft_10k = "https://www.sec.gov/Archives/edgar/data/789019/000095017025100235/msft-20250630.htm"
    fetch, store, _, stored = fake_server(
        {
            msft_10k: b"<html/>",
            companyfacts_url("789019"): b"{}",
            submissions_url("789019"): submissions("CIK0000789019"),
        },
        failing={companyfacts_url("1769628"), submissions_url("1769628")},
    )
    companies = pl.DataFrame({"ticker": ["CRWV", "MSFT"], "cik": ["1769628", "789019"]})
    with pytest.raises(
        FetchError, match=r"2 failed, the rest landed: CRWV companyfacts: .*404.*; CRWV submissions"
    ):
        fetch_live(fetch, store, companies)
    assert [(k, e) for k, e, *_ in stored] == [
        ("sec-companyfacts", "CIK0000789019"),
        ("sec-submissions", "CIK0000789019"),
        ("sec-10k", "CIK0000789019-10K-2025-06-30"),
    ]
