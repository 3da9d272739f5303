"""Azure Retail Prices API pages (`https://prices.azure.com/api/retail/prices`).

A page is `{BillingCurrency, CustomerEntityId, CustomerEntityType, Items: [...], NextPageLink, Count}`
(compact JSON from the API; captured fixtures may be pretty-printed or drop the Customer* keys; the
2023-01-01-preview api-version adds `savingsPlan[]` to items, which is not read here). Quirks:
- one VM size comes as several meters: Linux (product "... Series" or "... Series Linux") and Windows
  ("... Series Windows"); Spot and Low Priority are told apart only by skuName/meterName;
- `type` is Consumption, DevTestConsumption (Dev/Test subscription rate) or Reservation, and a
  Reservation's retailPrice is the whole term's total even though unitOfMeasure says "1 Hour";
- the same meter can be listed more than once with different effectiveStartDate; the newest one in
  force on the observation day is the price;
- the API has been seen answering without a usable NextPageLink (learn.microsoft.com Q&A 1188465),
  so a page without the key is flagged rather than trusted to be the last.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import date

import polars as pl

from assets.gpu.names import canonical_gpu
from assets.gpu.prices import as_date, as_number, candidates_frame, finish_prices, load_json
from pipelines.errors import SourceFormatError
from pipelines.parsed import Parsed, rejects_frame

log = logging.getLogger(__name__)

# A reservation term is priced as whole years of 365 days: hourly equivalent = total / (years * 8760).
HOURS_PER_YEAR = 8760
RESERVATION_TERM = re.compile(r"^\s*(\d+)\s+years?\s*$", re.IGNORECASE)
PRICED_TYPES = {"Consumption", "DevTestConsumption", "Reservation"}
REQUIRED_ITEM_KEYS = ("retailPrice", "armSkuName", "armRegionName", "type", "skuName", "productName")


def next_page_url(reply: dict) -> str | None:
    """The NextPageLink of a page; None on the last page. A page without the key is treated as the
    last one with a warning (the API has served pages with paging broken)."""
    if "NextPageLink" not in reply:
        log.warning("azure retail prices: page has no NextPageLink key; not following further pages")
        return None
    return reply["NextPageLink"] or None


def azure_pricing(item: dict) -> tuple[str | None, int | None]:
    """(pricing, reservation years) from the price type and the SKU name; pricing None if unknown."""
    if item.get("type") == "Reservation":
        term = RESERVATION_TERM.match(str(item.get("reservationTerm") or ""))
        return (f"reserved_{term.group(1)}y", int(term.group(1))) if term else (None, None)
    name = f"{item.get('skuName') or ''} {item.get('meterName') or ''}".lower()
    return ("spot" if "spot" in name or "low priority" in name else "on_demand"), None


def parse_azure_prices(
    raw: bytes,
    origin: str,
    *,
    observed_on: date | str,
    instance_types: pl.DataFrame,
    gpu_models: pl.DataFrame,
) -> Parsed:
    """One page of the Retail Prices API -> `core.gpu_prices` rows for GPU VM sizes.

    GPUs per size come from `instance_types` (the gpu_instance_types seed, provider azure). A size
    that is not in the seed but whose name decodes to a GPU (Standard_NV36ads_A10_v5) is held out
    (its GPU count is unknown); a size that decodes to no GPU (Standard_D2s_v3) is not a GPU VM and
    is skipped.
    """
    observed = as_date(observed_on, origin, "observed_on")
    reply = load_json(raw, origin)
    if not isinstance(reply, dict) or not isinstance(reply.get("Items"), list):
        raise SourceFormatError(origin, "no 'Items' list: not an Azure Retail Prices API page")
    page_rejects = []
    if "NextPageLink" not in reply:
        page_rejects.append(
            {
                "origin": origin,
                "row_number": None,
                "field": "NextPageLink",
                "problem": "azure page: the NextPageLink key is missing, so whether more pages follow is unknown "
                "(a cut-off or re-shaped reply?); the page's items still load",
                "record": json.dumps({k: v for k, v in reply.items() if k != "Items"}),
            }
        )

    seed = instance_types.filter(pl.col("provider") == "azure").drop("provider", "note")
    candidates = []
    for n, item in enumerate(reply["Items"], start=1):
        if not isinstance(item, dict):
            raise SourceFormatError(origin, f"Items[{n - 1}] is {type(item).__name__}, not an object")
        pricing, years = azure_pricing(item)
        retail = as_number(item.get("retailPrice"))
        missing = next((k for k in REQUIRED_ITEM_KEYS if item.get(k) in (None, "")), None)
        field, problem = None, None
        if missing:
            field, problem = missing, f"{missing} missing"
        elif item.get("currencyCode", "USD") != "USD":
            field, problem = "currencyCode", f"price in {item['currencyCode']}, not USD"
        elif not isinstance(item.get("type"), str) or item.get("type") not in PRICED_TYPES:
            field, problem = "type", f"unknown price type {item.get('type')!r}"
        elif pricing is None:
            field, problem = "reservationTerm", f"unreadable reservation term {item.get('reservationTerm')!r}"
        elif item.get("unitOfMeasure", "1 Hour") != "1 Hour":
            field, problem = "unitOfMeasure", f"priced per {item['unitOfMeasure']!r}, not per hour"
        elif retail is None:
            field, problem = "retailPrice", f"retailPrice {item.get('retailPrice')!r} is not a number"
        hourly = retail / (years * HOURS_PER_YEAR) if retail is not None and years else retail
        product = str(item.get("productName") or "")
        os = "windows" if product.rstrip().lower().endswith("windows") else "linux"
        candidates.append(
            {
                "observed_on": observed,
                "provider": "azure",
                "pricing": pricing,
                "region": item.get("armRegionName"),
                "instance_type": item.get("armSkuName"),
                "usd_per_instance_hour": hourly,
                "provider_gpu_name": product,
                "sku": item.get("skuName"),
                "offer_id": "|".join(
                    str(item.get(k) or "") for k in ("armRegionName", "skuId", "type", "reservationTerm")
                ),
                "os": os,
                "comparable": os == "linux" and item.get("type") != "DevTestConsumption",
                "effective_from": _effective_date(item.get("effectiveStartDate")),
                "origin": origin,
                "row_number": n,
                "label": f"{item.get('armSkuName')} '{item.get('skuName')}' {item.get('type')} "
                f"{item.get('armRegionName')} ({os})",
                "record": json.dumps(item),
                "field": field,
                "problem": problem,
            }
        )
    frame = candidates_frame(candidates)
    decoded = canonical_gpu(pl.col("instance_type").fill_null(""), gpu_models).struct.field("gpu_family")
    frame = (
        frame.drop("gpu_family", "gpu_model", "gpu_count")
        .join(seed, on="instance_type", how="left")
        .select(frame.columns)
        # Not in the seed and no GPU in its name: a CPU size that came with the page.
        .filter(pl.col("gpu_count").is_not_null() | decoded.is_not_null() | pl.col("problem").is_not_null())
        .with_columns(
            field=pl.when(pl.col("problem").is_null() & pl.col("gpu_count").is_null())
            .then(pl.lit("armSkuName"))
            .otherwise("field"),
            problem=pl.when(pl.col("problem").is_null() & pl.col("gpu_count").is_null())
            .then(
                pl.format("GPU count unknown: {} is not in dbt/seeds/gpu_instance_types.csv", "instance_type")
            )
            .otherwise("problem"),
        )
    )
    # The same meter listed with several effectiveStartDate values: the newest in force wins.
    valid = pl.col("problem").is_null()
    in_force = pl.col("effective_from").is_null() | (pl.col("effective_from") <= pl.col("observed_on"))
    current = (
        frame.filter(valid)
        .filter(in_force | ~in_force.any().over("offer_id"))
        .sort("effective_from", nulls_last=False, maintain_order=True)
        .unique("offer_id", keep="last", maintain_order=True)
        .sort("row_number")
    )
    frame = pl.concat([current, frame.filter(~valid)]).sort("row_number")
    return finish_prices(
        frame,
        gpu_models=gpu_models,
        name_field="armSkuName",
        price_field="retailPrice",
        extra_rejects=rejects_frame(page_rejects),
    )


def _effective_date(value) -> date | None:
    try:
        return as_date(value, "", "effectiveStartDate")
    except SourceFormatError:
        return None
