"""What every source shares: the settings resource, the landing step, and the parse loop.

A source package (`assets/<source>/`) declares itself in `source.py` (`SOURCE = SourceSpec(...)`: its
import kinds, its live-mode fetch `fetch_live(fetch, store, ...)`, its hosts' rate limits) and its
assets in `assets.py`, built from:

    landing_sec = landing_asset(SOURCE)                             # raw.landing_sec
    @dg.asset(key=["raw", "sec_facts"], ...)
    def raw_sec_facts(context, landing_sec: pl.DataFrame) -> pl.DataFrame:
        return parse_bodies(context, landing_sec, "sec-companyfacts", parse_companyfacts).rows

The landing step is the only place that touches the network; everything after it reads landed
bodies, so an offline refresh and a live one run the same code.
"""

import inspect
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import dagster as dg
import polars as pl

from pipelines.config import capex_home
from pipelines.errors import CapexError, SourceFormatError
from pipelines.fetch import Fetcher
from pipelines.kinds import Kind
from pipelines.landing import Body, LandingZone
from pipelines.parsed import Parsed, empty_rejects, reject_body
from pipelines.spec import SourceSpec

LANDING_COLUMNS = {
    "kind": pl.String,
    "entity": pl.String,
    "as_of": pl.String,
    "origin": pl.String,
    "sha256": pl.String,
    "bytes": pl.Int64,
    "landed_at": pl.String,
    "via": pl.String,
    "etag": pl.String,
    "last_modified": pl.String,
    "location": pl.String,
}
MAX_WARNINGS_LOGGED = 20


class CapexSettings(dg.ConfigurableResource):
    """Where the refresh reads and writes, and whether it may use the network."""

    home: str = ""  # CAPEX_HOME; empty = the environment's (default ./var)
    offline: bool = False  # True: embedded snapshot + landed/imported files only, no network at all
    live_sources: str = (
        ""  # sources fetched live when not offline (comma-separated); empty = every data source
    )
    warehouse: str = ""  # published file; empty = $CAPEX_HOME/warehouse/capex.duckdb

    @property
    def home_path(self) -> Path:
        return Path(self.home).resolve() if self.home else capex_home()

    @property
    def warehouse_path(self) -> Path:
        return (
            Path(self.warehouse).resolve()
            if self.warehouse
            else self.home_path / "warehouse" / "capex.duckdb"
        )

    def landing(self) -> LandingZone:
        return LandingZone(self.home_path / "landing")

    def fetches_live(self, source: str) -> bool:
        if self.offline:
            return False
        chosen = {s.strip() for s in self.live_sources.split(",") if s.strip()}
        return not chosen or source in chosen


def landing_frame(bodies: list[Body]) -> pl.DataFrame:
    return pl.DataFrame([{**b.record(), "location": b.location} for b in bodies], schema=LANDING_COLUMNS)


def bodies_of(landing: pl.DataFrame, kind: str) -> list[Body]:
    """The landed bodies of one kind, from a landing step's frame."""
    return [Body(**row) for row in landing.filter(pl.col("kind") == kind).iter_rows(named=True)]


def landing_asset(
    source: SourceSpec | str,
    kinds: Sequence[Kind] = (),
    fetch_live: Callable[..., None] | None = None,
    description: str = "",
    host_min_interval_s: dict[str, float] | None = None,
) -> dg.AssetsDefinition:
    """raw.landing_<source>: fetch the source live (unless offline) into the landing zone, then list
    the bodies in force. A failing live fetch falls back to the last good landed copy with a warning;
    it never fails the refresh, and never touches other sources.

    Takes the source's `SourceSpec` (or, for tests, its name, kinds and fetch_live one by one)."""
    if isinstance(source, SourceSpec):
        kinds, fetch_live = source.kinds, source.fetch_live
        host_min_interval_s = {**source.host_min_interval_s, **(host_min_interval_s or {})}
        source = source.name

    @dg.asset(
        key=["raw", f"landing_{source}"],
        group_name=source,
        description=description
        or f"The {source} bodies in force for this refresh (fetched live unless offline).",
        kinds={"python"},
    )
    def _landing(context: dg.AssetExecutionContext, settings: CapexSettings) -> dg.MaterializeResult:
        landing = settings.landing()
        status = "offline: embedded snapshot and imported files"
        if settings.fetches_live(source) and fetch_live is not None:
            try:
                landed = run_live_fetch(landing, kinds, fetch_live, host_min_interval_s=host_min_interval_s)
                status = f"live: {landed} new bodies"
            except (CapexError, OSError) as e:
                status = f"live fetch failed, using the last good copy: {e}"
                context.log.warning(f"{source}: {status}")
        bodies = [b for kind in kinds for b in landing.current(kind.name, kind.history)]
        frame = landing_frame(bodies)
        used = "; ".join(
            f"{b.kind} {b.entity} {b.as_of} ({b.via}: {Path(b.origin).name})" for b in bodies[:50]
        )
        context.log.info(f"{source}: {len(bodies)} bodies in force. {used}")
        return dg.MaterializeResult(
            value=frame,
            metadata={
                "fetch_status": status,
                "bodies": len(bodies),
                "origins": dg.MetadataValue.md(
                    "\n".join(f"- `{b.kind}` {b.entity} {b.as_of}: {b.origin}" for b in bodies)
                ),
            },
        )

    return _landing


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


def parse_bodies(
    context: dg.AssetExecutionContext | None,
    landing: pl.DataFrame,
    kind: str | Sequence[str],
    parse: Callable[..., Parsed | pl.DataFrame],
) -> Parsed:
    """Parse every body of a kind (or of several kinds, in that order), tagging rows with where they came from.

    `parse(raw, origin)` returns a frame or a `Parsed` (rows, held-out rows, side tables); a parser that
    takes a `body` keyword also gets the landed `Body` (its kind, entity, as-of). A body that fails to
    parse, for whatever reason, is held out whole (one reject row naming it) and logged; the other bodies
    still load. Rows gain `landed_sha256` and `observed_as_of` for lineage, side tables `landed_sha256`.
    """
    kinds = [kind] if isinstance(kind, str) else list(kind)
    wants_body = "body" in inspect.signature(parse).parameters
    frames, rejects, tables = [], [], {}
    for body in [b for k in kinds for b in bodies_of(landing, k)]:
        try:
            try:
                raw = body.read()
                parsed = parse(raw, body.origin, body=body) if wants_body else parse(raw, body.origin)
            except SourceFormatError:
                raise
            except Exception as e:  # noqa: BLE001 - a parser bug holds out that body, not the whole source
                raise SourceFormatError(
                    body.origin, f"could not be read as {body.kind} ({type(e).__name__}: {e})"
                ) from e
        except SourceFormatError as e:
            _warn(context, f"{body.kind}: {e}; this body is skipped, the rest loads")
            rejects.append(reject_body(body.origin, str(e)))
            continue
        if isinstance(parsed, pl.DataFrame):
            parsed = Parsed(parsed, empty_rejects())
        frames.append(
            parsed.rows.with_columns(landed_sha256=pl.lit(body.sha256), observed_as_of=pl.lit(body.as_of))
        )
        for name, table in parsed.tables.items():
            tables.setdefault(name, []).append(table.with_columns(landed_sha256=pl.lit(body.sha256)))
        if parsed.rejects.height:
            rejects.append(parsed.rejects)
            for row in parsed.rejects.head(MAX_WARNINGS_LOGGED).iter_rows(named=True):
                _warn(
                    context,
                    f"{body.kind}: {row['origin']} row {row['row_number']} field {row['field']}: {row['problem']}",
                )
            if parsed.rejects.height > MAX_WARNINGS_LOGGED:
                _warn(
                    context, f"{body.kind}: {parsed.rejects.height - MAX_WARNINGS_LOGGED} more rows held out"
                )
    rows = pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame()
    return Parsed(
        rows,
        pl.concat(rejects) if rejects else empty_rejects(),
        {name: pl.concat(parts, how="diagonal_relaxed") for name, parts in tables.items()},
    )


def _warn(context: dg.AssetExecutionContext | None, message: str) -> None:
    if context is not None:
        context.log.warning(message)
    elif os.environ.get("CAPEX_VERBOSE"):
        print(f"warning: {message}")
