from datetime import date

import polars as pl
import pytest

from assets.gpu.azure import parse_azure_prices
from assets.gpu.epoch import parse_epoch_hardware
from assets.gpu.index import gpu_price_index, gpu_price_performance
from assets.gpu.prices import combine_observations
from assets.gpu.runpod import parse_runpod_gpu_types
from assets.gpu.vast import parse_vast_offers
from pipelines.snapshot import read_snapshot_bytes
from tests.assets.gpu.conftest import AZURE_H100_PAGE, AZURE_ND_PAGE, EPOCH, RUNPOD, VAST_DAYS, vast_archive


@pytest.fixture(scope="module")
def prices(gpu_models, instance_types):
    azure = [
        parse_azure_prices(
            read_snapshot_bytes(page),
            page,
            observed_on=day,
            instance_types=instance_types,
            gpu_models=gpu_models,
        ).rows
        for page, day in ((AZURE_ND_PAGE, "2026-07-27"), (AZURE_H100_PAGE, "2026-08-03"))
    ]
    vast = [parse_vast_offers(vast_archive(day), day, gpu_models=gpu_models).rows for day in VAST_DAYS]
    runpod = parse_runpod_gpu_types(
        read_snapshot_bytes(RUNPOD), "runpod", observed_on="2026-09-29", gpu_models=gpu_models
    ).rows
    return combine_observations([*azure, *vast, runpod])


def test_vast_h100_index_of_a_day(prices):
    index = gpu_price_index(prices)
    day = index.filter(observed_on=date(2026, 2, 27), gpu_family="H100", pricing="marketplace").row(
        0, named=True
    )
    h100 = prices.filter(observed_on=date(2026, 2, 27), gpu_family="H100")["usd_per_gpu_hour"]
    assert (day["offers"], day["providers"]) == (31, 1)
    assert day["median_usd_per_gpu_hour"] == pytest.approx(h100.median())
    assert day["p10_usd_per_gpu_hour"] == pytest.approx(h100.quantile(0.1, "linear"))


def test_p10_median_p90_are_ordered_on_every_row(prices):
    index = gpu_price_index(prices.lazy())
    assert index.height > 50
    assert index.filter(
        (pl.col("p10_usd_per_gpu_hour") > pl.col("median_usd_per_gpu_hour"))
        | (pl.col("median_usd_per_gpu_hour") > pl.col("p90_usd_per_gpu_hour"))
    ).is_empty()


def test_on_demand_spot_and_reservations_are_never_pooled_and_windows_is_left_out(prices):
    azure = gpu_price_index(prices).filter(observed_on=date(2026, 8, 3), gpu_family="H100")
    by_pricing = {r["pricing"]: r for r in azure.iter_rows(named=True)}
    assert set(by_pricing) == {"on_demand", "reserved_1y", "spot"}
    assert by_pricing["on_demand"]["offers"] == 1 and by_pricing["on_demand"][
        "median_usd_per_gpu_hour"
    ] == pytest.approx(12.29)
    assert by_pricing["reserved_1y"]["median_usd_per_gpu_hour"] == pytest.approx(551221 / 8760 / 8)
    # Linux spot 18.169536 and Linux low priority 19.664 per 8 GPUs; the four Windows spot rows are out
    assert by_pricing["spot"]["offers"] == 2
    runpod = gpu_price_index(prices).filter(observed_on=date(2026, 9, 29), gpu_family="H100")
    assert set(runpod["pricing"]) == {"secure", "community"}


def test_price_performance_per_fp16_pflops(prices, gpu_models):
    hardware = parse_epoch_hardware(read_snapshot_bytes(EPOCH), "epoch", gpu_models=gpu_models).rows
    perf = gpu_price_performance(prices, hardware)
    runpod = perf.filter(observed_on=date(2026, 9, 29), gpu_model="H100 SXM", pricing="secure").row(
        0, named=True
    )
    assert runpod["fp16_bf16_tensor_tflops"] == pytest.approx(989.4)
    assert runpod["usd_per_fp16_pflops_hour"] == pytest.approx(3.49 / 0.9894)
    # no tensor FP16 figure for the H100 NVL in Epoch: no price-performance rather than a wrong one
    assert perf.filter(gpu_model="H100 NVL").is_empty()


# --- the cross-provider index, the provider series and placeholder prices ---------------

from assets.gpu.index import flag_placeholders, gpu_provider_prices  # noqa: E402


def two_days_of_h100_on_demand(aws_on_second_day: bool) -> pl.DataFrame:
    """Real list prices on two days (synthetic only in which days they were captured): AWS p5.48xlarge
    55.04 $/h for 8 H100 in us-east-1 and Azure ND96isr_H100_v5 98.32 $/h for 8 in eastus (GPU PROVENANCE)."""
    aws = {"provider": "aws", "region": "us-east-1", "usd_per_gpu_hour": 55.04 / 8, "offer_id": "p5.48xlarge"}
    azure = {
        "provider": "azure",
        "region": "eastus",
        "usd_per_gpu_hour": 98.32 / 8,
        "offer_id": "ND96isr_H100_v5",
    }
    days = [
        (date(2026, 8, 3), [aws, azure]),
        (date(2026, 8, 4), [aws, azure] if aws_on_second_day else [azure]),
    ]
    return pl.DataFrame(
        [
            {
                "observed_on": day,
                "gpu_family": "H100",
                "gpu_model": "H100 SXM",
                "pricing": "on_demand",
                **offer,
            }
            for day, offers in days
            for offer in offers
        ]
    )


def test_a_day_with_only_one_provider_captured_does_not_move_the_cross_provider_index():
    index = gpu_price_index(two_days_of_h100_on_demand(aws_on_second_day=False))
    first, second = index.sort("observed_on").to_dicts()
    # the pooled median jumps from the mean of the two prices to Azure's alone ...
    assert first["median_usd_per_gpu_hour"] == pytest.approx((55.04 + 98.32) / 16)
    assert second["median_usd_per_gpu_hour"] == pytest.approx(98.32 / 8)
    # ... the index does not: Azure, the only provider seen both days, did not change its price
    assert (
        second["index_usd_per_gpu_hour"]
        == first["index_usd_per_gpu_hour"]
        == first["median_usd_per_gpu_hour"]
    )
    assert (first["provider_list"], first["panel_providers"], first["index_rebased"]) == (
        "aws,azure",
        None,
        True,
    )
    assert (second["provider_list"], second["panel_providers"], second["index_rebased"]) == (
        "azure",
        "azure",
        False,
    )
    assert second["previous_observed_on"] == date(2026, 8, 3)


def test_the_index_moves_with_the_panel_price_change():
    prices = two_days_of_h100_on_demand(aws_on_second_day=True).with_columns(
        usd_per_gpu_hour=pl.when((pl.col("observed_on") == date(2026, 8, 4)) & (pl.col("provider") == "aws"))
        .then(55.04 / 8 * 1.1)  # AWS raises its price by 10 % on the second day
        .otherwise("usd_per_gpu_hour")
    )
    first, second = gpu_price_index(prices).sort("observed_on").to_dicts()
    assert second["panel_providers"] == "aws,azure"
    ratio = ((55.04 * 1.1 + 98.32) / 16) / ((55.04 + 98.32) / 16)
    assert second["index_usd_per_gpu_hour"] == pytest.approx(
        first["index_usd_per_gpu_hour"] * ratio, rel=1e-12
    )


def test_every_index_row_names_its_providers_on_the_snapshot(prices):
    index = gpu_price_index(prices)
    assert index["provider_list"].null_count() == 0
    # the panel is named on every row that is not a restart of the chain
    assert index.filter(~pl.col("index_rebased"))["panel_providers"].null_count() == 0
    assert (index["index_rebased"] == index["panel_providers"].is_null()).all()
    # Azure H100 on demand, eastus, 2026-07-27 and 2026-08-03: 12.29 $/GPU-h on both days, index unchanged
    azure = index.filter(gpu_family="H100", pricing="on_demand").sort("observed_on")
    assert azure["index_usd_per_gpu_hour"].to_list() == pytest.approx([12.29, 12.29])


def test_placeholder_prices_are_flagged_and_held_out(prices):
    flagged = flag_placeholders(prices.filter(provider="runpod")).collect()
    held = {(r["gpu_model"], r["pricing"]) for r in flagged.filter("placeholder").to_dicts()}
    # RunPod 2026-09-29: MI300X community 0.50 against secure 2.39, H200 NVL community 0.50 against secure 3.79
    assert {("MI300X", "community"), ("H200 NVL", "community")} <= held
    # a real 0.50-ish price close to its other tier is kept (RTX PRO 4000 community 0.50, secure 0.57)
    assert ("RTX PRO 4000", "community") not in held
    assert all(price == 0.5 for price in flagged.filter("placeholder")["usd_per_gpu_hour"])
    mi300x = gpu_provider_prices(prices).filter(provider="runpod", gpu_family="MI300X")
    assert mi300x.select("pricing", "median_usd_per_gpu_hour").to_dicts() == [
        {"pricing": "secure", "median_usd_per_gpu_hour": 2.39}
    ]


def test_provider_prices_are_one_series_per_provider_and_region(prices):
    series = gpu_provider_prices(prices)
    assert (
        series.select("observed_on", "provider", "gpu_family", "pricing", "region").is_duplicated().sum() == 0
    )
    azure = series.filter(
        provider="azure", gpu_family="H100", pricing="on_demand", observed_on=date(2026, 8, 3)
    )
    assert azure.select("region", "offers", "median_usd_per_gpu_hour").to_dicts() == [
        {"region": "eastus", "offers": 1, "median_usd_per_gpu_hour": pytest.approx(12.29)}
    ]
    vast = series.filter(provider="vast", gpu_family="H100", observed_on=date(2026, 2, 27))
    assert vast["offers"].sum() == 31  # the 31 offers of the pooled index, split by region
    assert (series["p10_usd_per_gpu_hour"] <= series["median_usd_per_gpu_hour"]).all()
    assert (series["median_usd_per_gpu_hour"] <= series["p90_usd_per_gpu_hour"]).all()
