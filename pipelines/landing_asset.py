"""raw.landing_<source>: the step of each source that fetches it live (unless offline) and lists the
bodies in force for the rest of the refresh. It is the only step that touches the network; everything
after it reads landed bodies, so an offline refresh and a live one run the same code.

    landing_sec = landing_asset(SOURCE)                             # raw.landing_sec
"""

from collections.abc import Callable, Sequence
from pathlib import Path

import dagster as dg
import polars as pl

from pipelines.errors import CapexError
from pipelines.kinds import Kind
from pipelines.landing import Body
from pipelines.live_fetch import run_live_fetch
from pipelines.settings import CapexSettings
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
