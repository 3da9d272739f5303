"""What every parser shares: the shape of its answer (the rows it could read, the rows it held out
with why, and any side tables) and reading a body that may be gzipped."""

from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass, field

import polars as pl

from pipelines.errors import SourceFormatError

GZIP_MAGIC = b"\x1f\x8b"

# A held-out row: which body it came from, where in it, which field, what was wrong, and the row as
# published (JSON) so nothing is lost. Assets write these to raw.<source>_rejects and log a warning.
REJECT_SCHEMA = {
    "origin": pl.String,  # file name or URL of the body
    "row_number": pl.Int64,  # 1-based data row (or list index) inside the body; NULL when not row-based
    "field": pl.String,  # column / JSON key at fault
    "problem": pl.String,  # "unparseable date '13/45/2023'", "price 0.0 (parser artefact)"
    "record": pl.String,  # the raw row, JSON-encoded
}


def empty_rejects() -> pl.DataFrame:
    return pl.DataFrame(schema=REJECT_SCHEMA)


def rejects_frame(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=REJECT_SCHEMA) if rows else empty_rejects()


def reject_body(origin: str, problem: str) -> pl.DataFrame:
    """The one reject row of a body refused whole (not row-based: no row number, field or record)."""
    return rejects_frame(
        [{"origin": origin, "row_number": None, "field": None, "problem": problem, "record": None}]
    )


def gunzipped(raw: bytes, origin: str) -> bytes:
    """The body itself: servers send gzip-encoded bodies and people save them as .gz, so accept both.
    A cut-off or corrupt gzip body is refused naming its origin."""
    if raw[:2] != GZIP_MAGIC:
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as e:
        raise SourceFormatError(origin, f"gzip body is cut off or corrupt ({e})") from e


@dataclass(frozen=True)
class Parsed:
    rows: pl.DataFrame
    rejects: pl.DataFrame
    # Side tables a body yields besides its rows (a 10-K's document row and segment facts), by name.
    tables: dict[str, pl.DataFrame] = field(default_factory=dict)
