"""The fetch layer against a local HTTP server on 127.0.0.1 serving real captured bodies."""

from __future__ import annotations

import socket
import time

import pytest
import urllib3
from werkzeug import Response

from pipelines.errors import FetchError
from pipelines.fetch import Fetcher


def fast_fetcher(**kwargs) -> Fetcher:
    # Real backoff would make the suite slow; the policy (which statuses, Retry-After) is what is tested.
    options = {
        "retries": 3,
        "backoff_factor": 0.01,
        "timeout_s": (2.0, 1.0),
        "host_min_interval_s": {"127.0.0.1": 0.0},
    }
    return Fetcher(**{**options, **kwargs})


def test_200_returns_the_body_as_served_with_its_validators(httpserver, msft_companyfacts):
    httpserver.expect_request("/companyfacts/CIK0000789019.json").respond_with_data(
        msft_companyfacts,
        content_type="application/json",
        headers={"ETag": '"abc"', "Last-Modified": "Wed, 28 Jan 2026 10:00:00 GMT"},
    )
    result = fast_fetcher().get(httpserver.url_for("/companyfacts/CIK0000789019.json"))
    assert result.status == 200
    assert result.body == msft_companyfacts
    assert result.etag == '"abc"'
    assert result.last_modified == "Wed, 28 Jan 2026 10:00:00 GMT"


def test_user_agent_is_descriptive_and_configurable(httpserver, monkeypatch, msft_companyfacts):
    monkeypatch.setenv("CAPEX_USER_AGENT", "Example Research ops@example.org")
    httpserver.expect_request(
        "/f", headers={"User-Agent": "Example Research ops@example.org"}
    ).respond_with_data(msft_companyfacts)
    assert fast_fetcher().get(httpserver.url_for("/f")).body == msft_companyfacts


def test_conditional_get_304_downloads_nothing(httpserver):
    httpserver.expect_request("/f", headers={"If-None-Match": '"abc"'}).respond_with_data("", status=304)
    result = fast_fetcher().get(httpserver.url_for("/f"), etag='"abc"')
    assert result.status == 304 and result.body is None


def test_429_with_retry_after_is_retried_after_the_wait(httpserver, msft_companyfacts):
    httpserver.expect_ordered_request("/f").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "1"}
    )
    httpserver.expect_ordered_request("/f").respond_with_data(msft_companyfacts)
    started = time.monotonic()
    result = fast_fetcher().get(httpserver.url_for("/f"))
    assert result.body == msft_companyfacts
    assert time.monotonic() - started >= 0.9  # the server's Retry-After was honoured


def test_503_burst_then_success(httpserver, msft_companyfacts):
    for _ in range(2):
        httpserver.expect_ordered_request("/f").respond_with_data("busy", status=503)
    httpserver.expect_ordered_request("/f").respond_with_data(msft_companyfacts)
    assert fast_fetcher().get(httpserver.url_for("/f")).body == msft_companyfacts


def test_persistent_500_gives_up_after_bounded_retries(httpserver):
    httpserver.expect_request("/f").respond_with_data("down", status=500)
    with pytest.raises(FetchError, match="500"):
        fast_fetcher(retries=2).get(httpserver.url_for("/f"))
    assert len(httpserver.log) == 3  # the first try and two retries, then it stops


def test_read_timeout_is_an_error_after_retries(httpserver):
    def slow(request):
        time.sleep(1.5)
        return Response("{}", content_type="application/json")

    httpserver.expect_request("/f").respond_with_handler(slow)
    with pytest.raises(FetchError, match="timed out|connection failed"):
        fast_fetcher(retries=1, timeout_s=(1.0, 0.3)).get(httpserver.url_for("/f"))


def test_body_over_the_size_cap_is_refused(httpserver, msft_companyfacts):
    httpserver.expect_request("/f").respond_with_data(msft_companyfacts)
    with pytest.raises(FetchError, match="cap"):
        fast_fetcher(max_body_bytes=1_000_000).get(httpserver.url_for("/f"))


def test_html_error_page_served_with_200_is_not_data(httpserver):
    page = (
        b"<!DOCTYPE html><html><head><title>Maintenance</title></head><body>We'll be back soon.</body></html>"
    )
    httpserver.expect_request("/f").respond_with_data(page, content_type="text/html")
    with pytest.raises(FetchError, match="HTML page"):
        fast_fetcher().get(httpserver.url_for("/f"))


def test_empty_reply_is_an_error(httpserver):
    httpserver.expect_request("/f").respond_with_data(b"")
    with pytest.raises(FetchError, match="empty"):
        fast_fetcher().get(httpserver.url_for("/f"))


def test_redirect_loop_is_an_error(httpserver):
    httpserver.expect_request("/a").respond_with_data("", status=302, headers={"Location": "/b"})
    httpserver.expect_request("/b").respond_with_data("", status=302, headers={"Location": "/a"})
    with pytest.raises(FetchError, match="redirect"):
        fast_fetcher().get(httpserver.url_for("/a"))


def closed_port() -> int:
    """A port on 127.0.0.1 nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def counting_connections(monkeypatch) -> list[tuple]:
    """Every TCP connection urllib3 tries to open, recorded."""
    tried: list[tuple] = []
    real = urllib3.util.connection.create_connection

    def create_connection(address, *args, **kwargs):
        tried.append(address)
        return real(address, *args, **kwargs)

    monkeypatch.setattr(urllib3.util.connection, "create_connection", create_connection)
    return tried


def test_connection_refused_is_retried_once_then_the_host_is_not_asked_again(monkeypatch):
    tried = counting_connections(monkeypatch)
    fetcher = Fetcher(host_min_interval_s={"127.0.0.1": 0.0})  # the default policy: 4 retries, 1 s backoff
    url = f"http://127.0.0.1:{closed_port()}"
    with pytest.raises(FetchError, match="could not connect"):
        fetcher.get(f"{url}/companyfacts.json")
    assert len(tried) == 2  # the first try and one short retry (no backoff before it), not four with backoff
    with pytest.raises(FetchError, match="not tried: .* could not be reached earlier"):
        fetcher.get(f"{url}/submissions.json")
    assert len(tried) == 2


def test_rate_limits_and_server_errors_keep_their_retries():
    retry = Fetcher().session.get_adapter("https://data.sec.gov/").max_retries
    assert (retry.total, retry.status, retry.read, retry.connect) == (4, 4, 4, 1)
    assert retry.backoff_factor == 1.0 and {429, 500, 502, 503, 504} <= set(retry.status_forcelist)
