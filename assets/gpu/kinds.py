"""Import kinds of the GPU source and each kind's parser; `identify` runs it on the whole body.

Price bodies are point-in-time observations (`history=True`): every day is kept, and the newest
body per (entity, day) wins. The entity says what a body is a version of, so that bodies that
complement each other on one day (two Azure pages, two AWS locations, Vast per-model replies) do
not replace each other.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date

import polars as pl

from assets.gpu.aws import AWS_REGION_CODES, location_documents, parse_aws_capacity_blocks, parse_aws_ondemand
from assets.gpu.azure import parse_azure_prices
from assets.gpu.epoch import parse_epoch_hardware
from assets.gpu.names import read_gpu_models, read_instance_types
from assets.gpu.prices import as_date, load_json
from assets.gpu.primeintellect import parse_primeintellect_series
from assets.gpu.runpod import parse_runpod_gpu_types
from assets.gpu.vast import parse_vast_offers, vast_offers
from pipelines.errors import SourceFormatError
from pipelines.kinds import Identified, Kind
from pipelines.parsed import Parsed

Parse = Callable[[bytes, str, str], Parsed]  # (raw, origin, as_of) -> rows and rejects


def gpu_parsers() -> dict[str, Parse]:
    """Each kind's parser, given the body's as-of date: an API reply does not say when it was served,
    so the landing's date is its observation date (a body that states one, such as a Vast archive's
    collection_date, keeps its own)."""
    models, instances = read_gpu_models(), read_instance_types()
    return {
        "azure-prices": lambda raw, origin, as_of: parse_azure_prices(
            raw, origin, observed_on=as_of, instance_types=instances, gpu_models=models
        ),
        "aws-ec2-prices": lambda raw, origin, as_of: parse_aws_ondemand(
            raw, origin, observed_on=as_of, instance_types=instances, gpu_models=models
        ),
        "aws-capacity-blocks": lambda raw, origin, as_of: parse_aws_capacity_blocks(
            raw, origin, observed_on=as_of, instance_types=instances, gpu_models=models
        ),
        "vast-offers": lambda raw, origin, as_of: parse_vast_offers(
            raw, origin, observed_on=as_of, gpu_models=models
        ),
        "runpod-gpu-types": lambda raw, origin, as_of: parse_runpod_gpu_types(
            raw, origin, observed_on=as_of, gpu_models=models
        ),
        "primeintellect-prices": lambda raw, origin, as_of: parse_primeintellect_series(
            raw, origin, gpu_models=models
        ),
        "epoch-hardware": lambda raw, origin, as_of: parse_epoch_hardware(raw, origin, gpu_models=models),
    }


def _parse(kind: str, raw: bytes, origin: str) -> Parsed:
    """Validate a body with its real parser (the observation date does not matter for that)."""
    return gpu_parsers()[kind](raw, origin, date.today().isoformat())


def _found(parsed: Parsed, what: str) -> str:
    """'51 GPU instance prices: L40S x15, H100 x14, ... (2 held out: <first reason>)'."""
    rows = parsed.rows
    families = (
        rows.group_by("gpu_family")
        .len()
        .sort("len", "gpu_family", descending=[True, False])
        .head(6)
        .iter_rows()
        if rows.height
        else []
    )
    text = f"{rows.height:,} {what}" + (
        ": " + ", ".join(f"{f} x{n}" for f, n in families) if rows.height else ""
    )
    held = parsed.rejects.height
    return text + (f" ({held} held out: {parsed.rejects['problem'][0]})" if held else "")


def _h100_median(rows: pl.DataFrame) -> str:
    h100 = rows.filter(pl.col("gpu_model") == "H100 SXM")["usd_per_gpu_hour"]
    return f"; H100 SXM median {h100.median():.2f} $/GPU-h" if h100.len() else ""


def identify_vast(raw: bytes, origin: str) -> Identified:
    offers, stated = vast_offers(load_json(raw, origin), origin)
    if not offers:
        raise SourceFormatError(origin, "no offers in it")
    parsed = _parse("vast-offers", raw, origin)
    as_of = as_date(stated, origin, "collection_date").isoformat() if stated else None
    names = {o.get("gpu_name") for o in offers}
    # A per-model reply (one GPU name) is its own entity, so the day's replies for other models stay.
    entity = f"vast:{names.pop()}" if len(names) == 1 and stated is None else "vast"
    summary = "Vast.ai offers" + (f" collected {as_of}" if as_of else "") + ": " + _found(parsed, "offers")
    return Identified(entity=entity, summary=summary + _h100_median(parsed.rows), as_of=as_of)


def identify_azure(raw: bytes, origin: str) -> Identified:
    parsed = _parse("azure-prices", raw, origin)
    reply = load_json(raw, origin)
    items = [i for i in reply["Items"] if isinstance(i, dict)]
    if not items:
        raise SourceFormatError(origin, "the page has no Items")
    regions = sorted({str(i.get("armRegionName")) for i in items})
    # Pages of one query hold different meters: the entity is the page's content, so a re-fetch of
    # the same page replaces it and the day's other pages stay.
    meters = sorted(
        "|".join(str(i.get(k)) for k in ("armRegionName", "skuId", "type", "reservationTerm")) for i in items
    )
    digest = hashlib.sha256("\n".join(meters).encode()).hexdigest()[:12]
    entity = f"azure:{'+'.join(regions[:3])}{'+more' if len(regions) > 3 else ''}:{digest}"
    if "NextPageLink" not in reply:
        link = "NextPageLink key missing"
    else:
        link = "more pages follow" if reply["NextPageLink"] else "last page"
    summary = f"Azure retail prices page ({len(items)} items, {link}): " + _found(parsed, "GPU VM prices")
    return Identified(entity=entity, summary=summary)


def identify_aws(raw: bytes, origin: str) -> Identified:
    parsed = _parse("aws-ec2-prices", raw, origin)
    if parsed.rows.height + parsed.rejects.height == 0:
        raise SourceFormatError(origin, "no GPU instance types in it")
    regions = sorted(
        AWS_REGION_CODES.get(name, name) for name in location_documents(load_json(raw, origin), origin)
    )
    entity = f"aws:{regions[0]}" if len(regions) == 1 else "aws"
    summary = f"AWS EC2 on-demand prices, {len(regions)} regions: " + _found(parsed, "GPU instance prices")
    return Identified(entity=entity, summary=summary)


def identify_capacity_blocks(raw: bytes, origin: str) -> Identified:
    parsed = _parse("aws-capacity-blocks", raw, origin)
    if parsed.rows.height == 0:
        raise SourceFormatError(origin, "no usable prices in it")
    as_of = parsed.rows["observed_on"][0].isoformat()
    summary = f"AWS EC2 Capacity Blocks prices updated {as_of}: " + _found(parsed, "prices")
    return Identified(entity="aws_capacity_blocks", summary=summary, as_of=as_of)


def identify_runpod(raw: bytes, origin: str) -> Identified:
    parsed = _parse("runpod-gpu-types", raw, origin)
    if parsed.rows.height + parsed.rejects.height == 0:
        raise SourceFormatError(origin, "no GPU type with a price in it")
    return Identified(
        entity="runpod", summary="RunPod gpuTypes: " + _found(parsed, "prices (secure and community)")
    )


def identify_primeintellect(raw: bytes, origin: str) -> Identified:
    parsed = _parse("primeintellect-prices", raw, origin)
    if parsed.rows.height == 0:
        raise SourceFormatError(origin, "no usable prices in it")
    days = parsed.rows["observed_on"]
    series = parsed.rows["provider_gpu_name"][0]
    summary = f"Prime Intellect {series} price statistics {days.min()} to {days.max()}: " + _found(
        parsed, "daily seller prices"
    )
    return Identified(entity=f"primeintellect:{series}", summary=summary, as_of=days.max().isoformat())


def identify_epoch(raw: bytes, origin: str) -> Identified:
    parsed = _parse("epoch-hardware", raw, origin)
    rows = parsed.rows
    if rows.height == 0:
        raise SourceFormatError(origin, "no hardware rows in it")
    known = rows.filter(pl.col("gpu_family").is_not_null()).height
    priced = rows.filter(pl.col("list_price_usd").is_not_null()).height
    summary = (
        f"Epoch AI ML hardware: {rows.height} chips ({known} with a canonical GPU name, {priced} with a list price)"
        + (f", {parsed.rejects.height} held out" if parsed.rejects.height else "")
    )
    return Identified(entity="epoch-hardware", summary=summary)


def _kind(
    name: str, description: str, identify: Callable[[bytes, str], Identified], history: bool = True
) -> Kind:
    return Kind(name=name, source="gpu", description=description, identify=identify, history=history)


KINDS: list[Kind] = [
    _kind(
        "vast-offers",
        "Vast.ai bundles reply ({'offers': [...]} or a bare list) or a daily archive envelope",
        identify_vast,
    ),
    _kind("azure-prices", "one page of the Azure Retail Prices API reply", identify_azure),
    _kind("aws-ec2-prices", "AWS EC2 on-demand price document(s) (meteredUnitMaps)", identify_aws),
    _kind("aws-capacity-blocks", "EC2 Capacity Blocks price table (JSON)", identify_capacity_blocks),
    _kind("runpod-gpu-types", "RunPod GraphQL gpuTypes reply", identify_runpod),
    _kind(
        "primeintellect-prices",
        "Prime Intellect price statistics series (JSON lines)",
        identify_primeintellect,
    ),
    _kind("epoch-hardware", "Epoch AI Machine Learning Hardware CSV", identify_epoch, history=False),
]
