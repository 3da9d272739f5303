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
