"""GPU prices as Dagster assets: landing -> raw.gpu_prices / raw.gpu_rejects / core.gpu_hardware ->
core.gpu_prices -> marts.gpu_price_index and marts.gpu_price_performance, with their blocking checks.

Prices are point-in-time: every landed body is an observation of its day and stays in the landing
zone, so each refresh rebuilds the whole history from it.
"""

from functools import partial

import dagster as dg
import polars as pl

from assets.gpu.epoch import HARDWARE_SCHEMA
from assets.gpu.index import gpu_price_index, gpu_price_performance
from assets.gpu.kinds import gpu_parsers
from assets.gpu.prices import PRICE_SCHEMA, combine_observations
from assets.gpu.source import SOURCE
from pipelines.checks import row_count_check, table_check
from pipelines.landing_asset import landing_asset
from pipelines.parse_loop import parse_bodies
from pipelines.parsed import REJECT_SCHEMA

RAW_PRICES = dg.AssetIn(key=["raw", "gpu_prices"])
CORE_PRICES = dg.AssetIn(key=["core", "gpu_prices"])
CORE_HARDWARE = dg.AssetIn(key=["core", "gpu_hardware"])
PRICING = [
    "on_demand",
    "spot",
    "reserved_1y",
    "reserved_3y",
    "reserved_5y",
    "capacity_block",
    "marketplace",
    "secure",
    "community",
]

landing_gpu = landing_asset(
    SOURCE,
    description="The GPU price and hardware bodies in force: every landed day of every price source, the newest Epoch table.",
)


@dg.multi_asset(
    outs={
        "raw_gpu_prices": dg.AssetOut(
            key=["raw", "gpu_prices"],
            kinds={"polars"},
            description="Every price of every landed body, as parsed (a day re-fetched appears once per body).",
        ),
        "raw_gpu_rejects": dg.AssetOut(
            key=["raw", "gpu_rejects"],
            kinds={"polars"},
            description="Rows held out of the GPU bodies, with origin, row, field and why (zero or negative "
            "price, unknown GPU name, size missing from the seed, scraper artefacts).",
        ),
        "core_gpu_hardware": dg.AssetOut(
            key=["core", "gpu_hardware"],
            kinds={"polars"},
            description="Epoch AI ML hardware: release date, list price, TDP, FP16/BF16 and FP8 TFLOP/s per chip, "
            "with the canonical GPU name.",
        ),
    },
    group_name="gpu",
)
def gpu_parsed(context: dg.AssetExecutionContext, landing_gpu: pl.DataFrame):
    parsers = gpu_parsers()
    prices, hardware, rejects = [], [], []
    # One body at a time, in landing order: each parser gets its body's as-of date, and the later
    # landed body wins when core.gpu_prices resolves the same offer seen twice on one day.
    bodies = landing_gpu.filter(pl.col("kind").is_in(list(parsers))).sort("landed_at", "entity", "as_of")
    for i, body in enumerate(bodies.iter_rows(named=True)):
        parse = partial(parsers[body["kind"]], as_of=body["as_of"])
        parsed = parse_bodies(context, bodies.slice(i, 1), body["kind"], parse)
        rejects.append(parsed.rejects)
        if parsed.rows.height:
            target = hardware if body["kind"] == "epoch-hardware" else prices
            target.append(
                parsed.rows.with_columns(landed_at=pl.lit(body["landed_at"]), kind=pl.lit(body["kind"]))
            )
    price_rows = pl.concat(prices, how="diagonal_relaxed") if prices else pl.DataFrame(schema=PRICE_SCHEMA)
    hardware_rows = (
        pl.concat(hardware, how="diagonal_relaxed") if hardware else pl.DataFrame(schema=HARDWARE_SCHEMA)
    )
    reject_rows = pl.concat(rejects) if rejects else pl.DataFrame(schema=REJECT_SCHEMA)
    context.log.info(
        f"gpu: {bodies.height} bodies, {price_rows.height:,} price rows, {hardware_rows.height} chips, "
        f"{reject_rows.height} rows held out"
    )
    return price_rows, reject_rows, hardware_rows.select(list(HARDWARE_SCHEMA))


@dg.asset(
    key=["core", "gpu_prices"],
    ins={"raw_gpu_prices": RAW_PRICES},
    group_name="gpu",
    kinds={"polars"},
    description="One row per observed GPU price per day and offer, all providers, the full history "
    "(the later landed body wins for an offer seen twice on one day).",
)
def core_gpu_prices(raw_gpu_prices: pl.DataFrame) -> pl.DataFrame:
    return combine_observations(
        [raw_gpu_prices.sort("landed_at", "origin", "row_number", maintain_order=True)]
    )


@dg.asset(
    key=["marts", "gpu_price_index"],
    ins={"core_gpu_prices": CORE_PRICES},
    group_name="gpu",
    kinds={"polars"},
    description="Per day, GPU family and pricing type: offers, providers, p10/median/p90 $/GPU-hour "
    "(on-demand, spot, reservations, capacity blocks and marketplaces never pooled; Windows and Dev/Test left out).",
)
def marts_gpu_price_index(core_gpu_prices: pl.DataFrame) -> pl.DataFrame:
    return gpu_price_index(core_gpu_prices)


@dg.asset(
    key=["marts", "gpu_price_performance"],
    ins={"core_gpu_prices": CORE_PRICES, "core_gpu_hardware": CORE_HARDWARE},
    group_name="gpu",
    kinds={"polars"},
    description="Median $/GPU-hour per day, model and pricing, and $ per FP16/BF16 PFLOP/s-hour where Epoch "
    "gives the chip's dense tensor throughput.",
)
def marts_gpu_price_performance(
    core_gpu_prices: pl.DataFrame, core_gpu_hardware: pl.DataFrame
) -> pl.DataFrame:
    return gpu_price_performance(core_gpu_prices, core_gpu_hardware)


PRICE_EXPECTATIONS = [
    *[
        ("expect_column_values_to_not_be_null", {"column": c})
        for c in ("observed_on", "provider", "gpu_family", "pricing", "offer_id")
    ],
    (
        "expect_column_values_to_be_between",
        {"column": "usd_per_gpu_hour", "min_value": 0, "strict_min": True},
    ),
    ("expect_column_values_to_be_in_set", {"column": "pricing", "value_set": PRICING}),
    ("expect_compound_columns_to_be_unique", {"column_list": ["provider", "observed_on", "offer_id"]}),
]
INDEX_EXPECTATIONS = [
    ("expect_compound_columns_to_be_unique", {"column_list": ["observed_on", "gpu_family", "pricing"]}),
    ("expect_column_values_to_be_between", {"column": "offers", "min_value": 1}),
    (
        "expect_column_pair_values_a_to_be_greater_than_b",
        {"column_A": "median_usd_per_gpu_hour", "column_B": "p10_usd_per_gpu_hour", "or_equal": True},
    ),
    (
        "expect_column_pair_values_a_to_be_greater_than_b",
        {"column_A": "p90_usd_per_gpu_hour", "column_B": "median_usd_per_gpu_hour", "or_equal": True},
    ),
]
HARDWARE_EXPECTATIONS = [
    ("expect_column_values_to_not_be_null", {"column": "hardware_name"}),
    ("expect_column_values_to_be_between", {"column": "list_price_usd", "min_value": 0, "strict_min": True}),
    (
        "expect_column_values_to_be_between",
        {"column": "fp16_bf16_tensor_tflops", "min_value": 0, "strict_min": True},
    ),
]

gpu_prices_valid = table_check(
    ["core", "gpu_prices"],
    "gpu_prices_valid",
    PRICE_EXPECTATIONS,
    description="every price has a day, provider, GPU family and pricing type, is positive, and is one row per "
    "offer and day",
)
gpu_prices_rows = row_count_check(["core", "gpu_prices"])
gpu_price_index_valid = table_check(
    ["marts", "gpu_price_index"],
    "gpu_price_index_valid",
    INDEX_EXPECTATIONS,
    description="one row per day, family and pricing; p10 <= median <= p90",
)
gpu_hardware_valid = table_check(
    ["core", "gpu_hardware"],
    "gpu_hardware_valid",
    HARDWARE_EXPECTATIONS,
    description="every chip is named; list prices and throughputs are positive where known",
)
