"""The HTTP fetch layer every source uses in live mode.

One `requests` session with:
- a descriptive User-Agent (SEC asks for "Company Name contact@email": set CAPEX_USER_AGENT);
- a per-host minimum interval between requests (a source's spec sets its hosts': SEC at most 10 requests/s);
- retries with exponential backoff and jitter on 429/5xx, connection resets and read timeouts,
  honouring Retry-After (capped) — urllib3's `Retry`, not a hand-written loop;
- one short retry when no connection can be made (refused, name not resolved, connect timeout): that
  is no network or no server, which backing off will not fix, and a host that failed so is not asked
  again by this fetcher, so a run without network falls back to the last good copies in seconds;
- conditional GET from the landing zone's last fetch of the same URL (ETag / Last-Modified), so an
  unchanged source answers 304 and is not downloaded again;
- a maximum body size, and content checks: an HTML page served with 200 where data was expected is
  an error, not data.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError
from urllib3.util.retry import Retry

from pipelines.errors import FetchError

DEFAULT_USER_AGENT = (
    "ai-capex-pipeline/0.1 (open-source research pipeline; set CAPEX_USER_AGENT to 'Name email')"
)
MAX_BODY_BYTES = 200 * 1024 * 1024  # the largest real body (AWS EC2 price list) is far below this
# Minimum seconds between requests to one host, unless the source's spec sets its hosts' own
# (SourceSpec.host_min_interval_s: SEC's fair-access policy, say).
DEFAULT_MIN_INTERVAL_S = 0.2


class CappedRetry(Retry):
    """urllib3 Retry whose Retry-After wait is capped: a server asking for an hour fails fast instead."""

    max_retry_after_s: float = 60.0

    def parse_retry_after(self, retry_after: str) -> float:
        return min(super().parse_retry_after(retry_after), self.max_retry_after_s)

    def new(self, **kwargs) -> CappedRetry:
        # urllib3 makes a new Retry after every attempt; keep the cap configured on this one.
        retry = super().new(**kwargs)
        retry.max_retry_after_s = self.max_retry_after_s
        return retry


@dataclass(frozen=True)
class FetchResult:
    status: int  # 200, or 304 when the server says the landed copy is still current
    body: bytes | None
    etag: str | None
    last_modified: str | None
    content_type: str | None


class Fetcher:
    def __init__(
        self,
        user_agent: str | None = None,
        retries: int = 4,
        connect_retries: int = 1,
        backoff_factor: float = 1.0,
        timeout_s: tuple[float, float] = (10.0, 60.0),
        max_body_bytes: int = MAX_BODY_BYTES,
        max_retry_after_s: float = 60.0,
        host_min_interval_s: dict[str, float] | None = None,
    ):
        self.timeout_s = timeout_s
        self.max_body_bytes = max_body_bytes
        self.host_min_interval_s = dict(host_min_interval_s or {})
        self._next_slot: dict[str, float] = {}
        self._lock = threading.Lock()
        self._unreachable: dict[str, str] = {}  # host -> why no connection could be made to it
        retry = CappedRetry(
            total=retries,
            connect=min(connect_retries, retries),
            read=retries,
            status=retries,
            backoff_factor=backoff_factor,
            backoff_jitter=backoff_factor / 2,
            backoff_max=60,
            status_forcelist=(429, 500, 502, 503, 504),
            allowed_methods=None,  # retry POST too: our POSTs (GraphQL queries) are reads
            respect_retry_after_header=True,
            raise_on_status=False,
        )
        retry.max_retry_after_s = max_retry_after_s
        self.session = requests.Session()
        self.session.max_redirects = 5
        self.session.headers["User-Agent"] = (
            user_agent or os.environ.get("CAPEX_USER_AGENT") or DEFAULT_USER_AGENT
        )
        self.session.headers["Accept-Encoding"] = "gzip, deflate"
        adapter = HTTPAdapter(max_retries=retry)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def _wait_for_slot(self, host: str) -> None:
        interval = self.host_min_interval_s.get(host, DEFAULT_MIN_INTERVAL_S)
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next_slot.get(host, 0.0))
            self._next_slot[host] = slot + interval
        if slot > now:
            time.sleep(slot - now)

    def get(
        self,
        url: str,
        *,
        expect: str = "json",
        etag: str | None = None,
        last_modified: str | None = None,
        method: str = "GET",
        headers: dict | None = None,
        json_body: dict | None = None,
        params: dict | None = None,
        data: dict | None = None,
    ) -> FetchResult:
        """Fetch a URL; `expect` is "json", "csv", "xlsx", "html" or "any" (what a good body looks like).
        `json_body` posts JSON (GraphQL), `data` posts a form (ASP.NET postbacks of state WARN pages)."""
        request_headers = dict(headers or {})
        if etag:
            request_headers["If-None-Match"] = etag
        if last_modified:
            request_headers["If-Modified-Since"] = last_modified
        host = urlsplit(url).netloc
        if host in self._unreachable:
            raise FetchError(
                url, f"not tried: {host} could not be reached earlier ({self._unreachable[host]})"
            )
        self._wait_for_slot(urlsplit(url).hostname or "")
        try:
            with self.session.request(
                method,
                url,
                headers=request_headers,
                json=json_body,
                params=params,
                data=data,
                timeout=self.timeout_s,
                stream=True,
            ) as response:
                if response.status_code == 304:
                    return FetchResult(304, None, etag, last_modified, None)
                if response.status_code != 200:
                    raise FetchError(url, f"HTTP {response.status_code} {response.reason} after retries")
                declared = response.headers.get("Content-Length")
                if declared and declared.isdigit() and int(declared) > self.max_body_bytes:
                    raise FetchError(
                        url, f"body of {int(declared):,} bytes exceeds the {self.max_body_bytes:,}-byte cap"
                    )
                chunks, size = [], 0
                for chunk in response.iter_content(chunk_size=1 << 16):
                    size += len(chunk)
                    if size > self.max_body_bytes:
                        raise FetchError(url, f"body exceeds the {self.max_body_bytes:,}-byte cap")
                    chunks.append(chunk)
                body = b"".join(chunks)
                content_type = response.headers.get("Content-Type")
                result = FetchResult(
                    200,
                    body,
                    response.headers.get("ETag"),
                    response.headers.get("Last-Modified"),
                    content_type,
                )
        except requests.exceptions.RetryError as e:
            raise FetchError(url, f"gave up after retries ({_reason(e)})") from e
        except requests.exceptions.TooManyRedirects as e:
            raise FetchError(url, "redirect loop (more than 5 redirects)") from e
        except requests.exceptions.ConnectTimeout as e:
            self._unreachable[host] = _reason(e)
            raise FetchError(url, f"could not connect ({_reason(e)})") from e
        except requests.exceptions.Timeout as e:
            raise FetchError(url, f"timed out after retries ({_reason(e)})") from e
        except requests.exceptions.ChunkedEncodingError as e:
            raise FetchError(url, f"body cut off mid-transfer ({_reason(e)})") from e
        except requests.exceptions.ConnectionError as e:
            if _no_connection(e):
                self._unreachable[host] = _reason(e)
                raise FetchError(url, f"could not connect ({_reason(e)})") from e
            raise FetchError(url, f"connection failed after retries ({_reason(e)})") from e
        except requests.exceptions.RequestException as e:
            raise FetchError(url, _reason(e)) from e
        check_content(url, result.body or b"", result.content_type, expect)
        return result


def _no_connection(error: requests.exceptions.ConnectionError) -> bool:
    """Whether no connection could be made at all (refused, name not resolved, connect timeout), as
    opposed to one that was made and then reset."""
    cause = error.args[0] if error.args else None
    if isinstance(cause, MaxRetryError):
        cause = cause.reason
    return isinstance(cause, ConnectTimeoutError)  # NewConnectionError and NameResolutionError are ones


def _reason(error: Exception) -> str:
    text = str(error.args[0] if error.args else error)
    return text.split("(Caused by ")[-1].rstrip(")")[:200]


def check_content(url: str, body: bytes, content_type: str | None, expect: str) -> None:
    """Refuse bodies that cannot be the data asked for, before anything is landed."""
    if not body.strip():
        raise FetchError(url, "empty body with status 200")
    head = body.lstrip()[:512].lower()
    looks_html = head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:200]
    if expect != "html" and looks_html:
        raise FetchError(
            url, f"served an HTML page where {expect} was expected (an error or maintenance page)"
        )
    if expect == "json" and not head.startswith((b"{", b"[")):
        raise FetchError(
            url, f"expected JSON, got {content_type or 'unknown content'} starting {body[:40]!r}"
        )
    if expect == "xlsx" and not body.startswith(b"PK"):
        raise FetchError(url, f"expected an .xlsx workbook (zip), got {content_type or 'unknown content'}")
