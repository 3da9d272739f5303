"""The common shape of a parser's answer: the rows it could read and the rows it held out, with why."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

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


@dataclass(frozen=True)
class Parsed:
    rows: pl.DataFrame
    rejects: pl.DataFrame
