"""Live mode for GPU prices: where each provider's prices are served and how to page through them.

Pure request builders and reply readers, plus `fetch_live(fetch, store)`, which the framework calls
with its fetcher (retries, rate limits, conditional GET) and its landing step. Every body is landed
as served; parsing happens later from the landing zone, the same way as offline.

What each provider needs from `fetch`:
- Azure, AWS, Vast, Prime Intellect, Epoch, Capacity Blocks: plain GET.
- RunPod: a GraphQL POST, `fetch(url, kind=..., entity=..., method="POST", json_body={"query": ...})`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from urllib.parse import quote, urlencode

import polars as pl

from assets.gpu.aws import AWS_REGION_CODES
from assets.gpu.azure import next_page_url
from assets.gpu.names import read_instance_types
from assets.gpu.prices import load_json
from assets.gpu.vast import vast_offers
from pipelines.errors import CapexError, FetchError

log = logging.getLogger(__name__)

AZURE_PRICES_URL = "https://prices.azure.com/api/retail/prices"
AZURE_MAX_PAGES = 500  # a runaway NextPageLink chain stops here (the GPU filter needs a few dozen pages)
AWS_ONDEMAND_URL = "https://b0.p.awsstatic.com/pricing/2.0/meteredUnitMaps/ec2/USD/current/ec2-ondemand-without-sec-sel/{location}/Linux/index.json"
# The scraped Capacity Blocks table the snapshot comes from (AWS publishes the prices only as HTML).
AWS_CAPACITY_BLOCKS_URL = "https://raw.githubusercontent.com/koyakimu/ec2-capacity-blocks-for-ml-pricing-json/main/data/pricing.json"
# Each location document lists every instance type (megabytes); these are the locations where AWS
# offers its big GPU instances, the seven of the captured document plus the large European and Asian ones.
AWS_LOCATIONS = [
    "US East (N. Virginia)",
    "US East (Ohio)",
    "US West (N. California)",
    "US West (Oregon)",
    "Europe (Frankfurt)",
    "Europe (Ireland)",
    "Europe (London)",
    "Europe (Stockholm)",
    "Asia Pacific (Tokyo)",
    "Asia Pacific (Seoul)",
    "Asia Pacific (Singapore)",
    "Asia Pacific (Mumbai)",
    "Asia Pacific (Sydney)",
    "Asia Pacific (Jakarta)",
    "South America (Sao Paulo)",
]
VAST_BUNDLES_URL = "https://console.vast.ai/api/v0/bundles/"
# Vast's search answers 64 offers unless told otherwise (the archive's counts stop at exactly 64),
# so each model is asked for on its own with a higher limit.
VAST_LIMIT = 1000
VAST_MODELS = [
    "H100 SXM",
    "H100 PCIE",
    "H100 NVL",
    "H200",
    "H200 NVL",
    "B200",
    "A100 SXM4",
    "A100 PCIE",
    "L40S",
    "RTX 6000Ada",
    "RTX 5090",
    "RTX 4090",
    "Tesla V100",
]
RUNPOD_GRAPHQL_URL = "https://api.runpod.io/graphql"
RUNPOD_QUERY = {"query": "query { gpuTypes { id displayName memoryInGb securePrice communityPrice } }"}
# Prime Intellect's availability API needs an account key; the public series the snapshot comes
# from (tugot17/gpu-price-tracker, MIT) is re-read instead.
PRIMEINTELLECT_SERIES_URL = (
    "https://raw.githubusercontent.com/tugot17/gpu-price-tracker/main/data/summary/{series}.jsonl"
)
PRIMEINTELLECT_SERIES = [
    "A100_80GB_PCIe",
    "A100_80GB_SXM4",
    "B200_180GB",
    "GH200_96GB",
    "H100_80GB_PCIe",
    "H100_80GB_SXM5",
    "H200_141GB",
]
EPOCH_HARDWARE_URL = "https://epoch.ai/data/ml_hardware.zip"

Fetch = Callable[..., bytes | None]
Store = Callable[..., object]


def azure_gpu_filter(instance_types: pl.DataFrame) -> str:
    """OData $filter for the VM sizes of the instance-type seed: exactly the sizes whose GPU count
    is known, so no page brings an unknown size."""
    sizes = sorted(instance_types.filter(pl.col("provider") == "azure")["instance_type"].unique().to_list())
    if not sizes:
        raise ValueError("gpu_instance_types seed has no azure rows")
    return (
        "serviceName eq 'Virtual Machines' and (" + " or ".join(f"armSkuName eq '{s}'" for s in sizes) + ")"
    )


def azure_prices_url(odata_filter: str) -> str:
    # The API wants the literal `$filter` key; spaces and quotes are percent-encoded.
    return f"{AZURE_PRICES_URL}?currencyCode='USD'&$filter={quote(odata_filter, safe='')}"


def aws_ondemand_url(location: str) -> str:
    return AWS_ONDEMAND_URL.format(location=quote(location, safe=""))


def vast_offers_url(gpu_name: str, limit: int = VAST_LIMIT) -> str:
    """The bundles search for one GPU model, all rentable offers, cheapest first."""
    query = {
        "gpu_name": {"eq": gpu_name},
        "rentable": {"eq": True},
        "order": [["dph_total", "asc"]],
        "limit": limit,
    }
    return f"{VAST_BUNDLES_URL}?{urlencode({'q': json.dumps(query, separators=(',', ':'))}, quote_via=quote)}"


def azure_pages(fetch: Fetch, store: Store, first_url: str) -> int:
    """Follow NextPageLink from the first page, landing each page; returns pages landed."""
    url, seen, pages = first_url, set(), 0
    while url and url not in seen and pages < AZURE_MAX_PAGES:
        seen.add(url)
        raw = fetch(url, kind="azure-prices", entity=f"azure:page{pages + 1}")
        if raw is None:
            # 304: this page is unchanged since it was landed; its successors cannot be reached from
            # here without its body, and they were landed with it last time.
            break
        store(raw, kind="azure-prices", origin=url)
        pages += 1
        url = next_page_url(load_json(raw, url))
    return pages


def fetch_live(fetch: Fetch, store: Store, *, instance_types: pl.DataFrame | None = None) -> None:
    """Fetch every GPU price source and land each body. A failing provider does not stop the others;
    the failures are raised together at the end, so the refresh warns and keeps the last good copy
    of what could not be fetched."""
    instance_types = read_instance_types() if instance_types is None else instance_types
    failures: list[str] = []

    def attempt(what: str, step: Callable[[], object]) -> None:
        try:
            step()
        except (CapexError, OSError, ValueError) as e:
            failures.append(f"{what}: {e}")
            log.warning("gpu live fetch, %s failed: %s", what, e)

    def land(url: str, kind: str, entity: str, **request) -> None:
        raw = fetch(url, kind=kind, entity=entity, **request)
        if raw is not None:
            store(raw, kind=kind, entity=entity, origin=url)

    def land_vast(model: str) -> None:
        url = vast_offers_url(model)
        raw = fetch(url, kind="vast-offers", entity=f"vast:{model}")
        if raw is not None and vast_offers(load_json(raw, url), url)[0]:  # no offers today: nothing to land
            store(raw, kind="vast-offers", entity=f"vast:{model}", origin=url)

    attempt("azure", lambda: azure_pages(fetch, store, azure_prices_url(azure_gpu_filter(instance_types))))
    for location in AWS_LOCATIONS:
        code = AWS_REGION_CODES[location]
        attempt(
            f"aws {code}",
            lambda location=location, code=code: land(
                aws_ondemand_url(location), "aws-ec2-prices", f"aws:{code}"
            ),
        )
    attempt(
        "aws capacity blocks",
        lambda: land(AWS_CAPACITY_BLOCKS_URL, "aws-capacity-blocks", "aws_capacity_blocks"),
    )
    for model in VAST_MODELS:
        attempt(f"vast {model}", lambda model=model: land_vast(model))
    attempt(
        "runpod",
        lambda: land(RUNPOD_GRAPHQL_URL, "runpod-gpu-types", "runpod", method="POST", json_body=RUNPOD_QUERY),
    )
    for series in PRIMEINTELLECT_SERIES:
        attempt(
            f"primeintellect {series}",
            lambda series=series: land(
                PRIMEINTELLECT_SERIES_URL.format(series=series),
                "primeintellect-prices",
                f"primeintellect:{series}",
                expect="any",
            ),
        )
    attempt(
        "epoch hardware", lambda: land(EPOCH_HARDWARE_URL, "epoch-hardware", "epoch-hardware", expect="any")
    )
    if failures:
        raise FetchError(
            "gpu live sources", f"{len(failures)} failed, the rest landed: " + "; ".join(failures)
        )
