"""Epoch AI "Machine Learning Hardware" CSV (`https://epoch.ai/data/ml_hardware.zip` -> ml_hardware.csv,
CC BY 4.0) -> `core.gpu_hardware`. The body may be the CSV, gzipped, or the zip as served.

Columns are found by name (the export has ~40 and gains new ones over time). Quirks: quoted fields
with newlines (Notes, "Source for the price", "Link to datasheet"); numbers as floats in FLOP/s
("989400000000000.0"); a blank cell means not known. Tensor-FP16/BF16 is the dense tensor-core rate
(Epoch lists figures without sparsity), the one that prices training; the plain "FP16 (half
precision)" column is the much lower vector rate on NVIDIA parts and is kept apart.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date

import polars as pl

from assets.gpu.names import canonical_gpu
from pipelines.errors import SourceFormatError
from pipelines.parsed import Parsed, gunzipped, rejects_frame

SOURCE = "Epoch AI, Machine Learning Hardware (CC BY 4.0)"
NAME = "Hardware name"
REQUIRED = [NAME, "Release date"]  # and at least one of the NUMBERS columns
# (output column, Epoch column, scale: output = value * scale)
NUMBERS = [
    ("list_price_usd", "Release price (USD)", 1.0),
    ("tdp_watts", "TDP (W)", 1.0),
    ("fp16_bf16_tensor_tflops", "Tensor-FP16/BF16 performance (FLOP/s)", 1e-12),
    ("fp8_tflops", "FP8 performance (FLOP/s)", 1e-12),
    ("fp4_tflops", "FP4 performance (FLOP/s)", 1e-12),
    ("fp16_vector_tflops", "FP16 (half precision) performance (FLOP/s)", 1e-12),
    ("memory_gb", "Memory (bytes)", 1e-9),
    ("memory_bandwidth_gb_per_s", "Memory bandwidth (byte/s)", 1e-9),
]
HARDWARE_SCHEMA = {
    "hardware_name": pl.String,
    "manufacturer": pl.String,
    "hardware_type": pl.String,
    "gpu_family": pl.String,
    "gpu_model": pl.String,
    "release_date": pl.Date,
    **{name: pl.Float64 for name, _, _ in NUMBERS},
    "last_modified": pl.String,
    "source": pl.String,
    "origin": pl.String,
    "row_number": pl.Int64,
}


def parse_epoch_hardware(raw: bytes, origin: str, *, gpu_models: pl.DataFrame) -> Parsed:
    """The hardware CSV -> `core.gpu_hardware`: one row per chip, with the canonical GPU name where
    the seed knows the chip (NULL for TPUs, NPUs and the like). A non-empty cell that is not a date
    or number is held out with its row."""
    raw = gunzipped(raw, origin)
    if raw[:4] == b"PK\x03\x04":
        raw = _csv_from_zip(raw, origin)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise SourceFormatError(origin, f"not UTF-8 text ({e.reason} at byte {e.start})") from e
    if not text.strip():
        raise SourceFormatError(origin, "empty body")
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as e:
        raise SourceFormatError(origin, f"not a readable CSV ({e}): a truncated download?") from e
    header = [c.strip() for c in records[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing or not any(column in header for _, column, _ in NUMBERS):
        raise SourceFormatError(
            origin,
            f"not the Epoch ML hardware CSV: columns {missing or 'of prices, TDP and throughput'} missing "
            f"(has {header[:6]}...)",
        )
    body = [r for r in records[1:] if any(cell.strip() for cell in r)]
    # A body cut off mid-row still parses; its last record is then short.
    if body and len(body[-1]) < len(header):
        raise SourceFormatError(
            origin, f"last row has {len(body[-1])} of {len(header)} cells: a truncated download?"
        )
    rows, rejects = [], []
    for n, cells in enumerate(body, start=1):
        record = dict(zip(header, (c.strip() for c in cells)))
        row, problem = {"hardware_name": record.get(NAME) or None}, None
        if len(cells) != len(header):
            problem = (NAME, f"row has {len(cells)} cells, the header {len(header)}")
        elif not row["hardware_name"]:
            problem = (NAME, f"row without a {NAME}")
        release = record.get("Release date") or ""
        row["release_date"] = _iso_date(release)
        if problem is None and release and row["release_date"] is None:
            problem = ("Release date", f"Release date {release!r} is not an ISO date")
        for name, column, scale in NUMBERS:
            text = (record.get(column) or "").replace(",", "")
            try:
                value = float(text) * scale if text else None
                # a price, power or count of 0 (or less) is a blank cell written as 0, never a figure
                row[name] = value if value is not None and value > 0 else None
            except ValueError:
                row[name] = None
                problem = problem or (column, f"{column} {text!r} is not a number")
        if problem:
            field, message = problem
            rejects.append(
                {
                    "origin": origin,
                    "row_number": n,
                    "field": field,
                    "problem": f"epoch {row['hardware_name'] or '?'}: {message}",
                    "record": json.dumps(record),
                }
            )
            continue
        rows.append(
            {
                **row,
                "manufacturer": record.get("Manufacturer") or None,
                "hardware_type": record.get("Type") or None,
                "last_modified": record.get("Last modified") or None,
                "source": SOURCE,
                "origin": origin,
                "row_number": n,
            }
        )
    gpu = canonical_gpu(pl.col("hardware_name"), gpu_models)
    rows = pl.DataFrame(rows, schema=HARDWARE_SCHEMA).with_columns(
        gpu_family=gpu.struct.field("gpu_family"), gpu_model=gpu.struct.field("gpu_model")
    )
    return Parsed(rows, rejects_frame(rejects))


def _csv_from_zip(raw: bytes, origin: str) -> bytes:
    """Epoch serves the dataset as ml_hardware.zip; the table is its ml_hardware.csv."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            names = [n for n in archive.namelist() if n.lower().endswith(".csv")]
            name = next(
                (n for n in names if n.lower().endswith("ml_hardware.csv")),
                names[0] if len(names) == 1 else None,
            )
            if name is None:
                raise SourceFormatError(
                    origin, f"zip without ml_hardware.csv (holds {archive.namelist()[:5]})"
                )
            return archive.read(name)
    except (zipfile.BadZipFile, EOFError) as e:
        raise SourceFormatError(origin, f"zip is cut off or corrupt ({e})") from e


def _iso_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None
