"""AWS EC2 prices: the on-demand price documents and the Capacity Blocks price table.

On-demand: the pricing console's per-location documents
`b0.p.awsstatic.com/pricing/2.0/meteredUnitMaps/ec2/USD/current/ec2-ondemand-without-sec-sel/{Location}/Linux/index.json`,
`{..., "regions": {Location: {"<name>": {"Instance Type", "price": "55.0400000000", "Location",
"Operating System", "Instance Family", ...}}}}`. A body is either one such document or several keyed
by location (`{Location: {"regions": ...}}`, as the captured fixture stores them). Prices are strings
with ten decimals. A document lists every instance type of the location; only GPU ones are kept.

Capacity Blocks: AWS publishes them only as an HTML page; the captured bodies are a public scraper's
JSON (`{metadata: {last_updated}, instance_types: {type: {accelerator_type, accelerator_count,
pricing: [{region, region_code, hourly_rate_usd, accelerator_hourly_rate_usd}]}}}`). Older versions
carry scraper artefacts: rows with region_code "unknown", an accelerator rate of 0.0, or the
per-accelerator rate in the instance column. They are held out, not loaded.
"""

from __future__ import annotations

import json
from datetime import date

import polars as pl

from assets.gpu.prices import as_date, as_number, candidates_frame, finish_prices, load_json
from pipelines.errors import SourceFormatError
from pipelines.parsed import Parsed

# Console location names -> region codes (docs.aws.amazon.com/general/latest/gr/rande.html).
AWS_REGION_CODES = {
    "US East (N. Virginia)": "us-east-1",
    "US East (Ohio)": "us-east-2",
    "US West (N. California)": "us-west-1",
    "US West (Oregon)": "us-west-2",
    "Africa (Cape Town)": "af-south-1",
    "Asia Pacific (Hong Kong)": "ap-east-1",
    "Asia Pacific (Hyderabad)": "ap-south-2",
    "Asia Pacific (Jakarta)": "ap-southeast-3",
    "Asia Pacific (Malaysia)": "ap-southeast-5",
    "Asia Pacific (Melbourne)": "ap-southeast-4",
    "Asia Pacific (Mumbai)": "ap-south-1",
    "Asia Pacific (Osaka)": "ap-northeast-3",
    "Asia Pacific (Seoul)": "ap-northeast-2",
    "Asia Pacific (Singapore)": "ap-southeast-1",
    "Asia Pacific (Sydney)": "ap-southeast-2",
    "Australia (Sydney)": "ap-southeast-2",  # the Capacity Blocks page's newer name
    "Australia (Melbourne)": "ap-southeast-4",
    "Asia Pacific (Thailand)": "ap-southeast-7",
    "Asia Pacific (Tokyo)": "ap-northeast-1",
    "Canada (Central)": "ca-central-1",
    "Canada West (Calgary)": "ca-west-1",
    "Europe (Frankfurt)": "eu-central-1",
    "Europe (Ireland)": "eu-west-1",
    "Europe (London)": "eu-west-2",
    "Europe (Milan)": "eu-south-1",
    "Europe (Paris)": "eu-west-3",
    "Europe (Spain)": "eu-south-2",
    "Europe (Stockholm)": "eu-north-1",
    "Europe (Zurich)": "eu-central-2",
    "Israel (Tel Aviv)": "il-central-1",
    "Mexico (Central)": "mx-central-1",
    "Middle East (Bahrain)": "me-south-1",
    "Middle East (UAE)": "me-central-1",
    "South America (Sao Paulo)": "sa-east-1",
    "AWS GovCloud (US-East)": "us-gov-east-1",
    "AWS GovCloud (US-West)": "us-gov-west-1",
}
# The fields that name a row (looked up in sets and dicts): text or absent in every real document.
LABEL_KEYS = ("Instance Type", "Instance Family", "Location", "Operating System", "plc:OperatingSystem")
GPU_FAMILIES = {
    "GPU instance",
    "Machine Learning ASIC Instances",
}  # "Instance Family" values of accelerator instances
# A capacity block's instance rate over its accelerator count must agree with the per-accelerator
# rate the table states; the scraper's column mix-ups break this by orders of magnitude.
RATE_TOLERANCE = 0.01


def location_documents(reply, origin: str) -> dict[str, dict]:
    """{location: {name: row}} from either one document or several keyed by location."""
    if isinstance(reply, dict) and isinstance(reply.get("regions"), dict):
        docs = [reply]
    elif (
        isinstance(reply, dict)
        and reply
        and all(isinstance(v, dict) and isinstance(v.get("regions"), dict) for v in reply.values())
    ):
        docs = list(reply.values())
    else:
        raise SourceFormatError(
            origin, "no 'regions' object: not an AWS EC2 price document (meteredUnitMaps)"
        )
    locations: dict[str, dict] = {}
    for doc in docs:
        for location, rows in doc["regions"].items():
            if not isinstance(rows, dict):
                raise SourceFormatError(
                    origin, f"regions[{location!r}] is {type(rows).__name__}, not an object"
                )
            locations.setdefault(location, {}).update(rows)
    return locations


def parse_aws_ondemand(
    raw: bytes,
    origin: str,
    *,
    observed_on: date | str,
    instance_types: pl.DataFrame,
    gpu_models: pl.DataFrame,
) -> Parsed:
    """EC2 on-demand price document(s) -> `core.gpu_prices` rows (provider aws, pricing on_demand).

    GPUs per instance from `instance_types` (provider aws). A GPU instance type missing from that
    seed is held out; non-GPU instance types are skipped.
    """
    observed = as_date(observed_on, origin, "observed_on")
    seed = {
        r["instance_type"]: r
        for r in instance_types.filter(pl.col("provider") == "aws").iter_rows(named=True)
    }
    candidates = []
    n = 0
    for location, rows in location_documents(load_json(raw, origin), origin).items():
        for name, row in rows.items():
            n += 1
            if not isinstance(row, dict):
                raise SourceFormatError(origin, f"regions[{location!r}][{name!r}] is not an object")
            label = next((k for k in LABEL_KEYS if not isinstance(row.get(k), (str, type(None)))), None)
            if label:
                raise SourceFormatError(origin, f"regions[{location!r}][{name!r}][{label!r}] is not text")
            itype = row.get("Instance Type")
            gpu = seed.get(itype)
            if gpu is None and row.get("Instance Family") not in GPU_FAMILIES:
                continue  # a CPU instance type: every location document lists them all
            region = AWS_REGION_CODES.get(row.get("Location") or location, row.get("Location") or location)
            os = (row.get("Operating System") or row.get("plc:OperatingSystem") or "Linux").lower()
            plain = (
                row.get("Pre Installed S/W", "NA") == "NA"
                and row.get("License Model", "No License required") == "No License required"
            )
            field, problem = None, None
            if not itype:
                field, problem = "Instance Type", "Instance Type missing"
            elif gpu is None:
                field, problem = (
                    "Instance Type",
                    f"GPU count unknown: {itype} is not in dbt/seeds/gpu_instance_types.csv",
                )
            elif as_number(row.get("price")) is None:
                field, problem = "price", f"price {row.get('price')!r} is not a number"
            candidates.append(
                {
                    "observed_on": observed,
                    "provider": "aws",
                    "gpu_family": gpu and gpu["gpu_family"],
                    "gpu_model": gpu and gpu["gpu_model"],
                    "gpu_count": gpu and gpu["gpu_count"],
                    "pricing": "on_demand",
                    "region": region,
                    "instance_type": itype,
                    "usd_per_instance_hour": as_number(row.get("price")),
                    "provider_gpu_name": gpu and gpu["gpu_model"],
                    "sku": itype,
                    "offer_id": f"{region}|{itype}|{os}|{row.get('Pre Installed S/W', 'NA')}",
                    "os": os,
                    "comparable": os == "linux" and plain,
                    "origin": origin,
                    "row_number": n,
                    "label": f"{itype} {region} ({name})",
                    "record": json.dumps(row),
                    "field": field,
                    "problem": problem,
                }
            )
    return finish_prices(
        candidates_frame(candidates), gpu_models=gpu_models, name_field="Instance Type", price_field="price"
    )


def parse_aws_capacity_blocks(
    raw: bytes,
    origin: str,
    *,
    instance_types: pl.DataFrame,
    gpu_models: pl.DataFrame,
    observed_on: date | str | None = None,
) -> Parsed:
    """EC2 Capacity Blocks price table -> `core.gpu_prices` rows (provider aws_capacity_blocks).

    The observation date is the table's `metadata.last_updated` (`observed_on` only when it has none).
    """
    reply = load_json(raw, origin)
    if not isinstance(reply, dict) or not isinstance(reply.get("instance_types"), dict):
        raise SourceFormatError(origin, "no 'instance_types' object: not an EC2 Capacity Blocks price table")
    stated = (
        (reply.get("metadata") or {}).get("last_updated") if isinstance(reply.get("metadata"), dict) else None
    )
    observed = as_date(stated, origin, "metadata.last_updated") or as_date(observed_on, origin, "observed_on")
    if observed is None:
        raise SourceFormatError(origin, "no metadata.last_updated and no observation date given")
    seed = {
        r["instance_type"]: r
        for r in instance_types.filter(pl.col("provider") == "aws").iter_rows(named=True)
    }
    candidates = []
    n = 0
    for itype, spec in reply["instance_types"].items():
        if not isinstance(spec, dict) or not isinstance(spec.get("pricing"), list):
            raise SourceFormatError(origin, f"instance_types[{itype!r}] has no 'pricing' list")
        gpu = seed.get(itype)
        count = gpu["gpu_count"] if gpu else spec.get("accelerator_count")
        for price in spec["pricing"]:
            n += 1
            price = price if isinstance(price, dict) else {"value": price}
            code = str(price.get("region_code") or "").strip()
            hourly = as_number(price.get("hourly_rate_usd"))
            per_accelerator = as_number(price.get("accelerator_hourly_rate_usd"))
            field, problem = None, None
            if not code or code.lower() == "unknown":
                field, problem = (
                    "region_code",
                    f"region code {code or 'missing'!r} for {price.get('region')!r} (scraper artefact)",
                )
            elif per_accelerator is not None and per_accelerator <= 0:
                field, problem = (
                    "accelerator_hourly_rate_usd",
                    f"accelerator rate {per_accelerator} (scraper artefact)",
                )
            elif (
                hourly
                and per_accelerator
                and isinstance(count, int)
                and count > 0
                and abs(hourly / count - per_accelerator) > RATE_TOLERANCE * per_accelerator
            ):
                field, problem = (
                    "hourly_rate_usd",
                    (
                        f"instance rate {hourly} over {count} accelerators disagrees with the accelerator rate "
                        f"{per_accelerator} (scraper artefact)"
                    ),
                )
            candidates.append(
                {
                    "observed_on": observed,
                    "provider": "aws_capacity_blocks",
                    "gpu_family": gpu and gpu["gpu_family"],
                    "gpu_model": gpu and gpu["gpu_model"],
                    "gpu_count": count,
                    "pricing": "capacity_block",
                    "region": code,
                    "instance_type": itype,
                    "usd_per_instance_hour": hourly,
                    "provider_gpu_name": spec.get("accelerator_type"),
                    "sku": itype,
                    "offer_id": f"{code}|{itype}",
                    "os": "linux",
                    "comparable": True,
                    "origin": origin,
                    "row_number": n,
                    "label": f"{itype} {code or '?'} ({str(price.get('region')).replace(chr(10), ' ')})",
                    "record": json.dumps(
                        {"instance_type": itype, **{k: v for k, v in spec.items() if k != "pricing"}, **price}
                    ),
                    "field": field,
                    "problem": problem,
                }
            )
    return finish_prices(
        candidates_frame(candidates),
        gpu_models=gpu_models,
        name_field="accelerator_type",
        price_field="hourly_rate_usd",
    )
