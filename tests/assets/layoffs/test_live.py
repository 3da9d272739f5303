"""Live mode: the URLs, the paging helpers, and fetch_live with a fake fetch and store."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from assets.layoffs import live
from assets.layoffs.kinds import KINDS
from pipelines.errors import FetchError
from pipelines.snapshot import read_snapshot_bytes
from tests.assets.layoffs.conftest import CA_SEP, FYI_API_DUMP, NY_2026, TX_JSON, WA_HTML

BODIES = {
    live.LAYOFFS_FYI_MIRROR: FYI_API_DUMP,
    live.CA_WORKBOOK_URL: CA_SEP,
    live.NY_TABLEAU_CSV_URL: NY_2026,
    live.WA_SEARCH_URL: WA_HTML,
}


def fake_fetch(bodies: dict[str, bytes], calls: list):
    def fetch(url, *, kind, entity, expect="json", **request):
        calls.append((url, kind, entity, expect))
        if url not in bodies:
            raise FetchError(url, "HTTP 503 Service Unavailable after retries")
        return bodies[url]

    return fetch


def validating_store(stored: list):
    by_name = {k.name: k for k in KINDS}

    def store(raw, *, kind, entity, origin, as_of=None):
        by_name[kind].identify(raw, origin)  # what the framework's store does before landing
        stored.append((kind, entity, origin))

    return store


def test_layoffs_fyi_url_is_configurable(monkeypatch):
    monkeypatch.delenv(live.LAYOFFS_FYI_URL_ENV, raising=False)
    assert live.layoffs_fyi_url() == live.LAYOFFS_FYI_MIRROR
    monkeypatch.setenv(live.LAYOFFS_FYI_URL_ENV, "https://example.org/layoffs.csv")
    assert live.layoffs_fyi_url() == "https://example.org/layoffs.csv"


def test_tx_page_url_and_paging():
    query = parse_qs(urlsplit(live.tx_page_url(50_000)).query)
    assert query == {"$order": ["notice_date DESC, job_site_name"], "$limit": ["50000"], "$offset": ["50000"]}
    assert live.tx_next_offset([{}] * 3, 0, limit=3) == 3
    assert live.tx_next_offset([{}] * 2, 3, limit=3) is None


def test_fetch_live_lands_every_source(monkeypatch):
    monkeypatch.delenv(live.LAYOFFS_FYI_URL_ENV, raising=False)
    bodies = {url: read_snapshot_bytes(path) for url, path in BODIES.items()}
    bodies[live.tx_page_url(0)] = read_snapshot_bytes(TX_JSON)  # 5 records: shorter than a page, the last
    calls, stored = [], []
    live.fetch_live(fake_fetch(bodies, calls), validating_store(stored))
    assert [kind for kind, _, _ in stored] == ["layoffs-fyi", "warn-ca", "warn-ny", "warn-wa", "warn-tx"]
    assert [(kind, expect) for _, kind, _, expect in calls] == [
        ("layoffs-fyi", "csv"),
        ("warn-ca", "xlsx"),
        ("warn-ny", "csv"),
        ("warn-wa", "html"),
        ("warn-tx", "json"),
    ]


def test_one_failing_state_does_not_stop_the_others():
    bodies = {url: read_snapshot_bytes(path) for url, path in BODIES.items() if url != live.CA_WORKBOOK_URL}
    bodies[live.tx_page_url(0)] = read_snapshot_bytes(TX_JSON)
    stored = []
    with pytest.raises(FetchError, match="warn-ca: .*503"):
        live.fetch_live(fake_fetch(bodies, []), validating_store(stored))
    assert [kind for kind, _, _ in stored] == ["layoffs-fyi", "warn-ny", "warn-wa", "warn-tx"]


def test_a_changed_format_is_refused_before_landing():
    bodies = {url: read_snapshot_bytes(path) for url, path in BODIES.items()}
    bodies[live.NY_TABLEAU_CSV_URL] = b"<!doctype html><html><body>Tableau is down</body></html>"
    bodies[live.tx_page_url(0)] = json.dumps([]).encode()  # an empty reply is no body to land
    stored = []
    with pytest.raises(FetchError) as e:
        live.fetch_live(fake_fetch(bodies, []), validating_store(stored))
    assert "warn-ny" in str(e.value) and "warn-tx" in str(e.value)
    assert [kind for kind, _, _ in stored] == ["layoffs-fyi", "warn-ca", "warn-wa"]


def test_304_lands_nothing():
    stored = []
    live.fetch_live(lambda url, **kw: None, validating_store(stored))
    assert stored == []
