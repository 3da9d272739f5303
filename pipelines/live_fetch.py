"""A source's live fetch with the platform's fetch and store: `fetch_live(fetch, store, ...)`.

`fetch` is a conditional GET through one `Fetcher` (rate limits of the source's hosts, retries, size
cap); `store` validates a body with its import kind's parser before it is landed, so a changed schema
is refused before anything is stored.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence

from pipelines.errors import SourceFormatError
from pipelines.fetch import Fetcher
from pipelines.kinds import Kind
from pipelines.landing import Body, LandingZone


def run_live_fetch(
    landing: LandingZone,
    kinds: Sequence[Kind],
    fetch_live: Callable[..., None],
    host_min_interval_s: dict[str, float] | None = None,
    **kwargs,
) -> int:
    """Call a source's fetch_live with the framework's fetch and store; returns how many bodies landed."""
    fetcher = Fetcher(host_min_interval_s=host_min_interval_s)
    by_name = {k.name: k for k in kinds}
    served: dict[str, tuple[str | None, str | None]] = {}
    landed = 0

    def fetch(url: str, *, kind: str, entity: str = "", expect: str = "json", **request) -> bytes | None:
        last = landing.last_fetch(url)
        result = fetcher.get(
            url,
            expect=expect,
            etag=last.etag if last else None,
            last_modified=last.last_modified if last else None,
            **request,
        )
        served[url] = (result.etag, result.last_modified)
        return result.body  # None on 304: the landed copy is current

    def store(
        raw: bytes, *, kind: str, entity: str | None = None, origin: str, as_of: str | None = None
    ) -> Body:
        nonlocal landed
        try:
            identified = by_name[kind].identify(
                raw, origin
            )  # a changed schema is refused here, before landing
        except SourceFormatError:
            raise
        except Exception as e:  # noqa: BLE001 - a parser bug on a live body is that source's failure only
            raise SourceFormatError(origin, f"could not be read as {kind} ({type(e).__name__}: {e})") from e
        etag, last_modified = served.get(origin, (None, None))
        body, stored = landing.store(
            raw,
            kind=kind,
            entity=entity or identified.entity,
            origin=origin,
            via="fetch",
            as_of=as_of or identified.as_of,
            etag=etag,
            last_modified=last_modified,
        )
        landed += stored
        return body

    if "landed" in inspect.signature(fetch_live).parameters:
        # A source that keeps immutable documents (SEC filings) asks whether a URL's body is landed already.
        origins = {b.origin for b in landing.bodies() if b.via != "snapshot"}
        kwargs.setdefault("landed", origins.__contains__)
    fetch_live(fetch, store, **kwargs)
    return landed
