"""The one row shape every GPU price parser returns (`core.gpu_prices`), and the price history.

A parser turns its format into candidate rows (one per observed price, with the record as published
and any format-specific problem); `finish_prices` then applies the rules every provider shares: a
canonical GPU name from the seed, a positive price, a per-GPU price. Rows that break a rule are held
out with a message naming provider, SKU and field, and the rest loads.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from datetime import date, datetime

import polars as pl

from assets.gpu.names import canonical_gpu
from pipelines.errors import SourceFormatError
from pipelines.parsed import REJECT_SCHEMA, Parsed, gunzipped

# core.gpu_prices. The first nine columns are the contract; the rest keep traceability and the
# provider's own detail.
PRICE_SCHEMA = {
    "observed_on": pl.Date,
    "provider": pl.String,  # azure, aws, aws_capacity_blocks, vast, runpod, primeintellect
    "gpu_family": pl.String,  # H100, H200, B200, A100, ...
    "gpu_model": pl.String,  # canonical finer name: H100 SXM, H100 PCIe, H100 NVL, ...
    "gpu_count": pl.Int64,  # GPUs in the offer or instance; NULL when the price mixes sizes (Prime Intellect)
    "pricing": pl.String,  # on_demand, spot, reserved_1y, reserved_3y, capacity_block, marketplace, secure, community
    "region": pl.String,  # provider region code where one exists (eastus, us-east-1); Vast: geolocation as published
    "instance_type": pl.String,
    "usd_per_gpu_hour": pl.Float64,  # reservations as the hourly equivalent of the term total
    "usd_per_instance_hour": pl.Float64,  # the offer's own hourly price (all its GPUs)
    "provider_gpu_name": pl.String,  # the GPU or product name as the provider spells it
    "sku": pl.String,  # the provider's SKU label (Azure skuName, AWS instance type, Vast offer id, RunPod id)
    "offer_id": pl.String,  # identity of the offer within (provider, observed_on): the history's dedup key
    "seller": pl.String,  # who rents it out on a marketplace (Vast host id, Prime Intellect's underlying cloud)
    "os": pl.String,  # linux / windows where the price depends on it
    "comparable": pl.Boolean,  # the plain Linux compute price anyone can buy; False for Windows (licence
    # included) and Dev/Test subscription rates. marts.gpu_price_index uses comparable rows only.
    "reliability": pl.Float64,  # Vast reliability2 (0-1)
    "rented": pl.Boolean,  # Vast: the offer was rented out when seen
    "effective_from": pl.Date,  # Azure effectiveStartDate: since when the price applies
    "origin": pl.String,  # file name or URL of the body
    "row_number": pl.Int64,  # 1-based position of the record in the body
}
# What a parser adds to a candidate row: the record as published, a human label naming the offer
# for messages, and (when the parser already found one) the field at fault and the problem.
CANDIDATE_SCHEMA = {
    **PRICE_SCHEMA,
    "label": pl.String,
    "record": pl.String,
    "field": pl.String,
    "problem": pl.String,
}
OFFER_KEY = ["provider", "observed_on", "offer_id"]


def load_json(raw: bytes, origin: str):
    """A JSON body, gunzipped when it is gzip. Truncation and foreign content raise SourceFormatError."""
    raw = gunzipped(raw, origin)
    if not raw.strip():
        raise SourceFormatError(origin, "empty body")
    try:
        return json.loads(raw)
    except json.JSONDecodeError as e:
        raise SourceFormatError(
            origin, f"not JSON ({e.msg} at char {e.pos} of {len(raw):,}): a truncated download?"
        ) from e
    except UnicodeDecodeError as e:
        raise SourceFormatError(origin, f"not JSON text ({e.reason})") from e


def as_date(value: date | str | None, origin: str, what: str) -> date | None:
    """An ISO date or timestamp ('2026-02-27', '2026-07-22T07:14:56Z') as a date."""
    if value is None or isinstance(value, date):
        return value.date() if isinstance(value, datetime) else value
    try:
        return datetime.fromisoformat(str(value)).date()
    except ValueError as e:
        raise SourceFormatError(origin, f"{what} {value!r} is not an ISO date") from e


def as_number(value) -> float | None:
    """A price as published (a number, or a string such as AWS's "55.0400000000"); None if it is neither."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value) if isinstance(value, (int, float)) else float(str(value).strip())
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None  # NaN or Infinity is no price


def candidates_frame(rows: list[dict]) -> pl.DataFrame:
    try:
        return pl.DataFrame(rows, schema=CANDIDATE_SCHEMA, strict=False)
    except (
        pl.exceptions.PolarsError,
        TypeError,
        ValueError,
    ) as e:  # a list or object where text was expected
        origin = rows[0].get("origin") or "GPU price reply"
        raise SourceFormatError(
            origin, f"a field holds a value of the wrong type ({str(e).splitlines()[0]})"
        ) from e


def finish_prices(
    candidates: pl.DataFrame,
    *,
    gpu_models: pl.DataFrame,
    name_field: str,
    price_field: str,
    extra_rejects: pl.DataFrame | None = None,
) -> Parsed:
    """Apply the rules every provider shares and split rows from rejects.

    `name_field` / `price_field` are the provider's own field names, so a message says where to look
    ("vast offer 123 (H100 SXM): dph_total 0.0 is not a price").
    """
    gpu = canonical_gpu(pl.col("provider_gpu_name"), gpu_models)
    per_gpu = pl.coalesce("usd_per_gpu_hour", pl.col("usd_per_instance_hour") / pl.col("gpu_count"))
    price_shown = pl.coalesce("usd_per_instance_hour", "usd_per_gpu_hour")
    checked = (
        candidates.with_columns(
            gpu_family=pl.coalesce("gpu_family", gpu.struct.field("gpu_family")),
            gpu_model=pl.coalesce("gpu_model", gpu.struct.field("gpu_model")),
        )
        .with_columns(usd_per_gpu_hour=per_gpu)
        .with_columns(
            pl.when(pl.col("problem").is_not_null())
            .then(pl.struct("field", "problem"))
            .when(pl.col("gpu_family").is_null())
            .then(
                pl.struct(
                    field=pl.lit(name_field),
                    problem=pl.format(
                        "unknown GPU name '{}' (no pattern in dbt/seeds/gpu_models.csv matches it)",
                        pl.col("provider_gpu_name").fill_null(""),
                    ),
                )
            )
            .when(pl.col("gpu_count").is_not_null() & (pl.col("gpu_count") <= 0))
            .then(
                pl.struct(
                    field=pl.lit("gpu_count"), problem=pl.format("GPU count {} is not positive", "gpu_count")
                )
            )
            .when(price_shown.is_null())
            .then(pl.struct(field=pl.lit(price_field), problem=pl.lit("no price")))
            .when(pl.col("usd_per_gpu_hour").is_null())
            .then(
                pl.struct(field=pl.lit("gpu_count"), problem=pl.lit("GPU count unknown, so no per-GPU price"))
            )
            .when(pl.col("usd_per_gpu_hour") <= 0)
            .then(
                pl.struct(
                    field=pl.lit(price_field),
                    problem=pl.format(
                        "{} {} is not a price (zero or negative)", pl.lit(price_field), price_shown
                    ),
                )
            )
            .alias("fault")
        )
        .with_columns(
            field=pl.col("fault").struct.field("field"), problem=pl.col("fault").struct.field("problem")
        )
    )
    rows = checked.filter(pl.col("problem").is_null()).select(list(PRICE_SCHEMA))
    rejects = checked.filter(pl.col("problem").is_not_null()).select(
        "origin",
        "row_number",
        "field",
        problem=pl.format("{} {}: {}", "provider", pl.col("label").fill_null(pl.col("sku")), "problem"),
        record=pl.col("record"),
    )
    if extra_rejects is not None and extra_rejects.height:
        rejects = pl.concat([extra_rejects.select(list(REJECT_SCHEMA)), rejects])
    return Parsed(rows, rejects.cast(REJECT_SCHEMA))


def combine_observations(frames: Iterable[pl.DataFrame]) -> pl.DataFrame:
    """`core.gpu_prices`: every observation from every landed body, one row per offer per day.

    Pass the frames in landing order: when two bodies of a provider describe the same offer on the
    same day (a re-fetch, an import of a day already captured), the later landed one wins. Other days
    and other offers are never touched, so a new day only adds rows.
    """
    frames = [f.select(list(PRICE_SCHEMA)) for f in frames if f.height]
    if not frames:
        return pl.DataFrame(schema=PRICE_SCHEMA)
    return (
        pl.concat(frames, how="vertical_relaxed")
        .unique(subset=OFFER_KEY, keep="last", maintain_order=True)
        .sort("observed_on", "provider", "gpu_family", "usd_per_gpu_hour", nulls_last=True)
    )
