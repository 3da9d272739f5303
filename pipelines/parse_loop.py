"""The parse loop every source shares: each landed body of a kind through its pure parser, one at a
time, so a body that fails is held out (one reject row naming it) and the rest still loads.

    @dg.asset(key=["raw", "sec_facts"], ...)
    def raw_sec_facts(context, landing_sec: pl.DataFrame) -> pl.DataFrame:
        return parse_bodies(context, landing_sec, "sec-companyfacts", parse_companyfacts).rows
"""

import inspect
import os
from collections.abc import Callable, Sequence

import dagster as dg
import polars as pl

from pipelines.errors import SourceFormatError
from pipelines.landing_asset import bodies_of
from pipelines.parsed import Parsed, empty_rejects, reject_body

MAX_WARNINGS_LOGGED = 20


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
