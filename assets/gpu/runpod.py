"""RunPod GraphQL `gpuTypes` reply (`POST https://api.runpod.io/graphql`).

`{"data": {"gpuTypes": [{id, displayName, memoryInGb, securePrice, communityPrice}, ...]}}`; prices
are $/GPU-hour for the Secure Cloud and the Community Cloud, and 0 (or null) means the GPU is not
offered there, so it makes no row. A GraphQL error comes back with status 200 as `{"errors": [...]}`.
The `id` is the precise name ("NVIDIA H100 80GB HBM3"); `displayName` ("H100 SXM") is the fallback.
"""

from __future__ import annotations

import json
from datetime import date

import polars as pl

from assets.gpu.names import canonical_gpu
from assets.gpu.prices import as_date, as_number, candidates_frame, finish_prices, load_json
from pipelines.errors import SourceFormatError
from pipelines.parsed import Parsed

PRICE_FIELDS = {"secure": "securePrice", "community": "communityPrice"}


def parse_runpod_gpu_types(
    raw: bytes, origin: str, *, observed_on: date | str, gpu_models: pl.DataFrame
) -> Parsed:
    """gpuTypes -> `core.gpu_prices` rows (provider runpod, pricing secure / community, 1 GPU each)."""
    observed = as_date(observed_on, origin, "observed_on")
    reply = load_json(raw, origin)
    data = reply.get("data") if isinstance(reply, dict) else None
    gpu_types = data.get("gpuTypes") if isinstance(data, dict) else None
    if isinstance(reply, dict) and reply.get("errors") and not gpu_types:
        errors = reply["errors"] if isinstance(reply["errors"], list) else [reply["errors"]]
        messages = "; ".join(str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors)
        raise SourceFormatError(origin, f"GraphQL error reply: {messages[:300]}")
    if not isinstance(gpu_types, list):
        raise SourceFormatError(origin, "no data.gpuTypes list: not a RunPod gpuTypes reply")
    candidates, display_names = [], []
    for n, gpu_type in enumerate(gpu_types, start=1):
        if not isinstance(gpu_type, dict):
            raise SourceFormatError(origin, f"gpuTypes[{n - 1}] is {type(gpu_type).__name__}, not an object")
        for pricing, price_field in PRICE_FIELDS.items():
            published = gpu_type.get(price_field)
            price = as_number(published)
            if published is None or price == 0:
                continue  # not offered in this cloud
            field, problem = None, None
            if price is None:
                field, problem = price_field, f"{price_field} {published!r} is not a number"
            elif price < 0:
                field, problem = price_field, f"{price_field} {published!r} is not a price (negative)"
            display_names.append(str(gpu_type.get("displayName") or ""))
            candidates.append(
                {
                    "observed_on": observed,
                    "provider": "runpod",
                    "gpu_count": 1,
                    "pricing": pricing,
                    "usd_per_gpu_hour": price,
                    "usd_per_instance_hour": price,
                    "provider_gpu_name": gpu_type.get("id"),
                    "sku": gpu_type.get("id"),
                    "offer_id": f"{gpu_type.get('id')}|{pricing}",
                    "comparable": True,
                    "origin": origin,
                    "row_number": n,
                    "label": f"'{gpu_type.get('id')}' ({gpu_type.get('displayName')}) {pricing}",
                    "record": json.dumps(gpu_type),
                    "field": field,
                    "problem": problem,
                }
            )
    frame = candidates_frame(candidates)
    # The id names the chip precisely; the display name only when the id matches no pattern.
    by_id = canonical_gpu(pl.col("provider_gpu_name").fill_null(""), gpu_models)
    by_display = canonical_gpu(pl.Series("display_name", display_names, dtype=pl.String), gpu_models)
    frame = (
        frame.with_columns(gpu=pl.coalesce(by_id, pl.lit(by_display)))
        .with_columns(
            gpu_family=pl.col("gpu").struct.field("gpu_family"),
            gpu_model=pl.col("gpu").struct.field("gpu_model"),
        )
        .drop("gpu")
    )
    return finish_prices(frame, gpu_models=gpu_models, name_field="id", price_field="securePrice")
