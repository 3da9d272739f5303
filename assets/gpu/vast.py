"""Vast.ai marketplace offers (`https://console.vast.ai/api/v0/bundles/`).

Three shapes carry the same offer objects (96 fields: id, gpu_name, num_gpus, dph_total,
reliability2, rented, geolocation, machine_id, host_id, ...):
- the API reply `{"offers": [...]}`;
- `vastai search offers --raw`: a bare list;
- the daily archive envelope of ccir-index/cri-h100, `{collected_utc, collection_date, description,
  models_queried, offers_by_model: {model: [offer, ...]}, source}`, whose collection_date is the
  observation date.
`dph_total` is the whole offer's $/hour (GPUs plus the default disk), so per GPU it is divided by
num_gpus.
"""

from __future__ import annotations

import json
from datetime import date

import polars as pl

from assets.gpu.prices import as_date, as_number, candidates_frame, finish_prices, load_json
from pipelines.errors import SourceFormatError
from pipelines.parsed import Parsed


def vast_offers(reply, origin: str) -> tuple[list, str | None]:
    """(offers, the envelope's collection date or None) from any of the three shapes."""
    if isinstance(reply, list):
        return reply, None
    if isinstance(reply, dict) and isinstance(reply.get("offers"), list):
        return reply["offers"], None
    if isinstance(reply, dict) and isinstance(reply.get("offers_by_model"), dict):
        offers = []
        for model, listed in reply["offers_by_model"].items():
            if not isinstance(listed, list):
                raise SourceFormatError(origin, f"offers_by_model[{model!r}] is not a list")
            offers.extend(listed)
        return offers, reply.get("collection_date") or reply.get("collected_utc")
    raise SourceFormatError(
        origin,
        "neither {'offers': [...]}, a list of offers, nor an archive with 'offers_by_model': not a Vast.ai reply",
    )


def parse_vast_offers(
    raw: bytes, origin: str, *, gpu_models: pl.DataFrame, observed_on: date | str | None = None
) -> Parsed:
    """Vast offers -> `core.gpu_prices` rows (provider vast, pricing marketplace), one per offer.

    The observation date is the archive's collection_date when the body has one, else `observed_on`
    (the landing's as-of date: an API reply does not say when it was served).
    """
    offers, stated = vast_offers(load_json(raw, origin), origin)
    observed = as_date(stated, origin, "collection_date") or as_date(observed_on, origin, "observed_on")
    if observed is None:
        raise SourceFormatError(origin, "the reply has no collection date and no observation date was given")
    candidates = []
    for n, offer in enumerate(offers, start=1):
        if not isinstance(offer, dict):
            raise SourceFormatError(origin, f"offer {n} is {type(offer).__name__}, not an object")
        offer_id = offer.get("id", offer.get("ask_contract_id"))
        gpus = offer.get("num_gpus")
        if isinstance(gpus, float) and gpus.is_integer():
            gpus = int(gpus)
        reliability = as_number(offer.get("reliability2", offer.get("reliability")))
        field, problem = None, None
        if offer_id is None:
            field, problem = "id", "offer id missing"
        elif not isinstance(gpus, int) or isinstance(gpus, bool):
            field, problem = "num_gpus", f"num_gpus {gpus!r} is not a whole number"
        elif as_number(offer.get("dph_total")) is None and offer.get("dph_total") is not None:
            field, problem = "dph_total", f"dph_total {offer.get('dph_total')!r} is not a number"
        candidates.append(
            {
                "observed_on": observed,
                "provider": "vast",
                "gpu_count": gpus if field != "num_gpus" else None,
                "pricing": "marketplace",
                "region": offer.get("geolocation"),
                "usd_per_instance_hour": as_number(offer.get("dph_total")),
                "provider_gpu_name": offer.get("gpu_name"),
                "sku": None if offer_id is None else str(offer_id),
                "offer_id": None if offer_id is None else str(offer_id),
                "seller": None if offer.get("host_id") is None else str(offer.get("host_id")),
                "comparable": True,
                "reliability": reliability,
                "rented": offer.get("rented") if isinstance(offer.get("rented"), bool) else None,
                "origin": origin,
                "row_number": n,
                "label": f"offer {offer_id} ({offer.get('gpu_name')} x{gpus})",
                "record": json.dumps(offer),
                "field": field,
                "problem": problem,
            }
        )
    return finish_prices(
        candidates_frame(candidates), gpu_models=gpu_models, name_field="gpu_name", price_field="dph_total"
    )
