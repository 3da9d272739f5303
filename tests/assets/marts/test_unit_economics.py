from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from assets.marts.unit_economics import HOURS_PER_MONTH, HOURS_PER_YEAR, gpu_unit_economics


def seed_value(assumptions: pl.DataFrame, name: str) -> float:
    return assumptions.filter(pl.col("name") == name)["value"].item()


def test_h100_five_year_row_recomputed_by_hand(gpu_price_index, gpu_hardware, gpu_list_prices, assumptions):
    mart = gpu_unit_economics(gpu_price_index, gpu_hardware, gpu_list_prices, assumptions)
    (aws,) = mart.filter(
        (pl.col("gpu_family") == "H100")
        & (pl.col("observed_on") == date(2026, 9, 29))
        & (pl.col("pricing") == "on_demand")
        & (pl.col("useful_life_years") == 5)
    ).to_dicts()
    pue, kwh, overhead = (
        seed_value(assumptions, n) for n in ("pue", "electricity_usd_per_kwh", "host_overhead_share")
    )
    # Epoch: "NVIDIA H100 SXM5 80GB", Release price 33600.0, TDP 700 W (epoch_ml_hardware.csv)
    assert (aws["gpu_model"], aws["list_price_usd"], aws["tdp_watts"]) == (
        "NVIDIA H100 SXM5 80GB",
        33_600,
        700,
    )
    capital = 33_600 * (1 + overhead)
    capital_per_hour = capital / (5 * 8760)
    power_per_hour = 700 / 1000 * pue * kwh
    owner_cost = capital_per_hour + power_per_hour
    market = 55.04 / 8  # AWS p5.48xlarge on-demand, us-east-1, 8 H100
    # rel 1e-12, not ==: Polars may fold the constants (x / 1000 as x * 0.001), a last-bit difference
    assert aws["capital_usd_per_gpu_hour"] == pytest.approx(capital_per_hour, rel=1e-12)
    assert aws["power_usd_per_gpu_hour"] == pytest.approx(power_per_hour, rel=1e-12)
    assert aws["owner_cost_usd_per_gpu_hour"] == pytest.approx(owner_cost, rel=1e-12)
    assert aws["break_even_utilization"] == pytest.approx(owner_cost / market, rel=1e-12)
    assert aws["payback_months"] == pytest.approx(capital / ((market - power_per_hour) * 730), rel=1e-12)
    # with the shipped seed (PUE 1.58, $0.0892/kWh, no overhead): $0.8658 per GPU-hour, 12.6 % utilization
    assert aws["owner_cost_usd_per_gpu_hour"] == pytest.approx(0.8658, abs=1e-4)
    assert aws["break_even_utilization"] == pytest.approx(0.1258, abs=1e-4)
    assert (HOURS_PER_YEAR, HOURS_PER_MONTH) == (8760, 730)


def test_one_row_per_assumption_set_and_break_even_against_each_market(
    gpu_price_index, gpu_hardware, gpu_list_prices, assumptions
):
    mart = gpu_unit_economics(gpu_price_index, gpu_hardware, gpu_list_prices, assumptions)
    h100 = mart.filter(pl.col("gpu_family") == "H100")
    assert h100.height == 4 * 4  # AWS, Azure, RunPod secure + community × lives 3, 4, 5, 6
    assert sorted(h100["useful_life_years"].unique()) == [3.0, 4.0, 5.0, 6.0]
    assert "useful life 5 years" in h100["assumption_set"].to_list()
    five = {
        r["pricing"] + str(r["observed_on"]): r
        for r in h100.filter(pl.col("useful_life_years") == 5).to_dicts()
    }
    community = five["community2026-09-29"]  # RunPod community 2.69 $/GPU-h
    assert community["break_even_utilization"] == pytest.approx(
        community["owner_cost_usd_per_gpu_hour"] / 2.69
    )
    # the cheaper the market, the more hours a bought GPU must be rented
    assert community["break_even_utilization"] > five["secure2026-09-29"]["break_even_utilization"]
    assert (
        five["on_demand2026-08-03"]["break_even_utilization"]
        < five["on_demand2026-09-29"]["break_even_utilization"]
    )
    shorter_life = h100.filter((pl.col("useful_life_years") == 3) & (pl.col("pricing") == "community"))
    assert shorter_life["owner_cost_usd_per_gpu_hour"].item() > community["owner_cost_usd_per_gpu_hour"]
    assert "break_even_utilization" in mart.columns and "gpu_family" in mart.columns


def test_list_price_falls_back_to_the_seed_and_unpriced_families_have_no_rows(
    gpu_price_index, gpu_hardware, gpu_list_prices, assumptions
):
    b200_index = gpu_price_index.head(1).with_columns(
        gpu_family=pl.lit("B200"), median_usd_per_gpu_hour=pl.lit(5.98)
    )
    mart = gpu_unit_economics(
        pl.concat([gpu_price_index, b200_index]), gpu_hardware, gpu_list_prices, assumptions
    )
    b200 = mart.filter(pl.col("gpu_family") == "B200").to_dicts()[0]
    assert b200["list_price_usd"] == 30_000  # seed: low end of "$30,000 and $40,000 per unit" (CNBC)
    assert "CNBC" in b200["list_price_source"]
    assert b200["tdp_watts"] == 1000  # Epoch's B200 TDP: the seed has none
    assert "H200" not in mart["gpu_family"].to_list()  # Epoch has no H200 price, nor the seed


def test_a_price_below_the_power_cost_never_pays_back(
    gpu_price_index, gpu_hardware, gpu_list_prices, assumptions
):
    cheap = gpu_price_index.head(1).with_columns(
        median_usd_per_gpu_hour=pl.lit(0.05), p10_usd_per_gpu_hour=pl.lit(0.05)
    )
    row = gpu_unit_economics(cheap, gpu_hardware, gpu_list_prices, assumptions).row(0, named=True)
    assert row["payback_months"] is None
    assert row["break_even_utilization"] > 1


def test_editing_an_assumption_changes_the_mart(gpu_price_index, gpu_hardware, gpu_list_prices, assumptions):
    before = gpu_unit_economics(gpu_price_index, gpu_hardware, gpu_list_prices, assumptions)
    pricier_power = assumptions.with_columns(
        value=pl.when(pl.col("name") == "electricity_usd_per_kwh").then(0.20).otherwise("value")
    )
    after = gpu_unit_economics(gpu_price_index, gpu_hardware, gpu_list_prices, pricier_power)
    assert (after["power_usd_per_gpu_hour"] > before["power_usd_per_gpu_hour"]).all()
    assert (after["break_even_utilization"] > before["break_even_utilization"]).all()
