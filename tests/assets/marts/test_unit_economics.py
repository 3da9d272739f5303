from __future__ import annotations

import math
from datetime import date

import polars as pl
import pytest

from assets.marts.unit_economics import HOURS_PER_MONTH, HOURS_PER_YEAR, gpu_unit_economics


def seed_value(assumptions: pl.DataFrame, name: str) -> float:
    return assumptions.filter(pl.col("name") == name)["value"].item()


def one(mart: pl.DataFrame, **keys) -> dict:
    (row,) = mart.filter(**keys).to_dicts()
    return row


def test_h100_five_year_row_recomputed_by_hand(gpu_prices, gpu_hardware, gpu_list_prices, assumptions):
    mart = gpu_unit_economics(gpu_prices, gpu_hardware, gpu_list_prices, assumptions)
    aws = one(mart, gpu_family="H100", provider="aws", observed_on=date(2026, 9, 29), useful_life_years=5.0)
    pue, kwh, rate = (
        seed_value(assumptions, n) for n in ("pue", "electricity_usd_per_kwh", "cost_of_capital")
    )
    # Epoch: NVIDIA H100 SXM5 80GB, Release price 33600 = a DGX H100 / 8: the seed says the host is included
    assert (aws["gpu_model"], aws["list_price_usd"], aws["includes_host"], aws["tdp_watts"]) == (
        "H100 SXM", 33_600, True, 700)  # fmt: skip
    capital = 33_600  # no host share added
    recovery = rate / (1 - (1 + rate) ** -5)  # annuity factor at 9 % over 5 years
    capital_per_hour = capital * recovery / 8760
    power_per_hour = 700 / 1000 * pue * kwh
    owner_cost = capital_per_hour + power_per_hour
    market = 55.04 / 8  # AWS p5.48xlarge on-demand, us-east-1, 8 H100
    monthly = (1 + rate) ** (1 / 12) - 1
    margin = (market - power_per_hour) * 730
    payback = -math.log(1 - monthly * capital / margin) / math.log(1 + monthly)
    # rel 1e-12, not ==: Polars may fold the constants (x / 1000 as x * 0.001), a last-bit difference
    assert aws["capital_usd"] == capital
    assert aws["capital_usd_per_gpu_hour"] == pytest.approx(capital_per_hour, rel=1e-12)
    assert aws["power_usd_per_gpu_hour"] == pytest.approx(power_per_hour, rel=1e-12)
    assert aws["owner_cost_usd_per_gpu_hour"] == pytest.approx(owner_cost, rel=1e-12)
    assert aws["break_even_utilization"] == pytest.approx(owner_cost / market, rel=1e-12)
    assert aws["payback_months"] == pytest.approx(payback, rel=1e-12)
    # with the shipped seed (9 %, PUE 1.58, $0.0892/kWh): $1.085 per GPU-hour, 15.8 % utilization, 5.8 months
    assert aws["owner_cost_usd_per_gpu_hour"] == pytest.approx(1.0848, abs=1e-4)
    assert aws["break_even_utilization"] == pytest.approx(0.1577, abs=1e-4)
    assert aws["pays_back"] is True
    assert (HOURS_PER_YEAR, HOURS_PER_MONTH) == (8760, 730)


def test_like_with_like_sxm_rentals_only_and_one_provider_per_row(
    gpu_prices, gpu_hardware, gpu_list_prices, assumptions
):
    mart = gpu_unit_economics(gpu_prices, gpu_hardware, gpu_list_prices, assumptions)
    h100 = mart.filter(gpu_family="H100", useful_life_years=5.0)
    # AWS, Azure, RunPod secure and community: the H100 PCIe (2.89) and NVL (3.19) rentals are not an SXM server
    assert sorted(zip(h100["provider"], h100["pricing"])) == [
        ("aws", "on_demand"), ("azure", "on_demand"), ("runpod", "community"), ("runpod", "secure")]  # fmt: skip
    assert set(h100["gpu_model"]) == {"H100 SXM"}
    assert one(h100, pricing="secure")["median_usd_per_gpu_hour"] == 3.49
    assert (
        mart.select("observed_on", "provider", "gpu_family", "pricing", "useful_life_years")
        .is_duplicated()
        .sum()
        == 0
    )
    assert sorted(mart["useful_life_years"].unique()) == [3.0, 4.0, 5.0, 6.0]


def test_host_share_added_only_where_the_list_price_excludes_it(
    gpu_prices, gpu_hardware, gpu_list_prices, assumptions
):
    mart = gpu_unit_economics(gpu_prices, gpu_hardware, gpu_list_prices, assumptions)
    share = seed_value(assumptions, "host_overhead_share")
    assert share == 0.38  # 269k DGX / 195k GPUs + baseboard - 1 (Epoch's H100 price note)
    b200 = one(mart, gpu_family="B200", useful_life_years=5.0)
    assert b200["list_price_usd"] == 30_000 and "CNBC" in b200["list_price_source"]  # seed: per chip
    assert b200["includes_host"] is False and b200["capital_usd"] == pytest.approx(30_000 * 1.38)
    assert b200["tdp_watts"] == 1000  # Epoch's B200 TDP: the seed has none
    assert set(mart.filter(gpu_family="H100")["capital_usd"]) == {33_600}
    assert "H200" not in mart["gpu_family"].to_list()  # no H200 price in Epoch nor in the seed


def test_a_placeholder_price_sets_no_break_even(gpu_prices, gpu_hardware, gpu_list_prices, assumptions):
    mi300x = gpu_unit_economics(gpu_prices, gpu_hardware, gpu_list_prices, assumptions).filter(
        gpu_family="MI300X", useful_life_years=5.0
    )
    # RunPod's community 0.50 (against secure 2.39) is a placeholder: only the secure row is there
    assert mi300x.select("pricing", "median_usd_per_gpu_hour").to_dicts() == [
        {"pricing": "secure", "median_usd_per_gpu_hour": 2.39}
    ]


def test_a_price_below_the_cost_never_pays_back(gpu_prices, gpu_hardware, gpu_list_prices, assumptions):
    cheap = gpu_prices.filter(provider="aws").with_columns(usd_per_gpu_hour=pl.lit(0.05))
    rows = gpu_unit_economics(cheap, gpu_hardware, gpu_list_prices, assumptions).to_dicts()
    assert rows and all(r["payback_months"] is None and r["pays_back"] is False for r in rows)
    assert all(r["break_even_utilization"] > 1 for r in rows)
    # above the power cost but below the owner's cost: a break-even above 100 % does not pay back either
    dear = gpu_prices.filter(provider="aws").with_columns(usd_per_gpu_hour=pl.lit(0.6))
    for r in gpu_unit_economics(dear, gpu_hardware, gpu_list_prices, assumptions).to_dicts():
        assert r["break_even_utilization"] > 1 and r["pays_back"] is False
        assert r["payback_months"] is None or r["payback_months"] > r["useful_life_years"] * 12


def test_editing_an_assumption_changes_the_mart(gpu_prices, gpu_hardware, gpu_list_prices, assumptions):
    before = gpu_unit_economics(gpu_prices, gpu_hardware, gpu_list_prices, assumptions)

    def edited(name: str, value: float) -> pl.DataFrame:
        seed = assumptions.with_columns(value=pl.when(pl.col("name") == name).then(value).otherwise("value"))
        return gpu_unit_economics(gpu_prices, gpu_hardware, gpu_list_prices, seed)

    pricier_power = edited("electricity_usd_per_kwh", 0.20)
    assert (pricier_power["power_usd_per_gpu_hour"] > before["power_usd_per_gpu_hour"]).all()
    assert (pricier_power["break_even_utilization"] > before["break_even_utilization"]).all()
    free_money = edited("cost_of_capital", 0.0)
    assert (free_money["capital_recovery_factor"] == 1 / free_money["useful_life_years"]).all()
    assert (free_money["owner_cost_usd_per_gpu_hour"] < before["owner_cost_usd_per_gpu_hour"]).all()
    aws = one(free_money, provider="aws", useful_life_years=5.0)
    assert aws["payback_months"] == pytest.approx(
        33_600 / ((55.04 / 8 - aws["power_usd_per_gpu_hour"]) * 730), rel=1e-12
    )
