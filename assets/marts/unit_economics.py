"""marts.gpu_unit_economics: what an hour of a GPU costs its owner, against what the market pays for it.

Per GPU family, day, pricing type (from marts.gpu_price_index) and assumption set (one per useful life in
the assumptions seed):
    capital_usd                  = list_price_usd × (1 + host_overhead_share)
    capital_usd_per_gpu_hour     = capital_usd / (useful_life_years × 8,760 h)
    power_usd_per_gpu_hour       = tdp_watts / 1000 × pue × electricity_usd_per_kwh
    owner_cost_usd_per_gpu_hour  = capital_usd_per_gpu_hour + power_usd_per_gpu_hour   (100 % utilization)
    break_even_utilization       = owner_cost_usd_per_gpu_hour / median_usd_per_gpu_hour
    payback_months               = capital_usd / ((median_usd_per_gpu_hour − power_usd_per_gpu_hour) × 730 h)
and the same two against the p10 price (`_p10`). Break-even utilization is the share of hours a bought GPU
must be rented at that price to pay for itself (above 1: it never does); it counts power for every hour,
rented or not, which is what an idle GPU in a powered hall costs. Payback is at full rental and NULL when
the price does not cover the power. No financing cost, no resale value.

The list price of a family is the highest-priced model of that family in core.gpu_hardware (Epoch AI;
normally the SXM flagship clouds rent out, e.g. H100 SXM5 $33,600), else the gpu_list_prices seed; TDP is
that model's, else the family's highest in core.gpu_hardware, else the seed's. A family with no price
anywhere has no rows (add a published price to dbt/seeds/gpu_list_prices.csv).
"""

from __future__ import annotations

import polars as pl

from assets.marts.assumptions import assumption, assumption_grid
from assets.marts.inputs import (
    GPU_HARDWARE,
    GPU_LIST_PRICES,
    GPU_LIST_PRICES_EXTRAS,
    GPU_PRICE_INDEX,
    Frame,
    divide,
    input_table,
)

HOURS_PER_YEAR = 8760  # 365 × 24: a leap day is noise next to the price assumptions
HOURS_PER_MONTH = HOURS_PER_YEAR / 12


def gpu_unit_economics(
    gpu_price_index: Frame, gpu_hardware: Frame, gpu_list_prices: Frame, assumptions: Frame
) -> pl.DataFrame:
    """= marts.gpu_unit_economics: one row per (observed_on, gpu_family, pricing, useful_life_years)."""
    hardware = input_table(gpu_hardware, "core.gpu_hardware", GPU_HARDWARE).rename(
        {"source": "list_price_source"}
    )
    seed = input_table(
        gpu_list_prices, "dbt/seeds/gpu_list_prices.csv", GPU_LIST_PRICES, GPU_LIST_PRICES_EXTRAS
    ).rename({"source": "list_price_source"})
    family_tdp = hardware.group_by("gpu_family").agg(family_tdp_watts=pl.col("tdp_watts").max())
    priced = (
        hardware.filter(pl.col("list_price_usd").is_not_null())
        .sort("gpu_family", "list_price_usd", "release_date", descending=[False, True, True], nulls_last=True)
        .group_by("gpu_family", maintain_order=True)
        .first()
        .select("gpu_family", "gpu_model", "list_price_usd", "list_price_source", model_tdp_watts="tdp_watts")
    )
    from_seed = seed.join(priced, on="gpu_family", how="anti").select(
        "gpu_family", "gpu_model", "list_price_usd", "list_price_source", seed_tdp_watts="tdp_watts"
    )
    costs = (
        pl.concat([priced, from_seed], how="diagonal")
        .join(family_tdp, on="gpu_family", how="left")
        .with_columns(tdp_watts=pl.coalesce("model_tdp_watts", "family_tdp_watts", "seed_tdp_watts"))
    )
    settings = {
        name: assumption(assumptions, name)
        for name in ("pue", "electricity_usd_per_kwh", "host_overhead_share")
    }
    lives = pl.LazyFrame({"useful_life_years": assumption_grid(assumptions, "useful_life_years")})
    index = input_table(gpu_price_index, "marts.gpu_price_index", GPU_PRICE_INDEX)
    return (
        index.join(costs, on="gpu_family", how="inner")
        .join(lives, how="cross")
        .with_columns(
            assumption_set=pl.format(
                "useful life {} years", pl.col("useful_life_years").cast(pl.String).str.strip_suffix(".0")
            ),
            **{name: pl.lit(value, pl.Float64) for name, value in settings.items()},
        )
        .with_columns(capital_usd=pl.col("list_price_usd") * (1 + pl.col("host_overhead_share")))
        .with_columns(
            capital_usd_per_gpu_hour=pl.col("capital_usd") / (pl.col("useful_life_years") * HOURS_PER_YEAR),
            power_usd_per_gpu_hour=pl.col("tdp_watts")
            / 1000
            * pl.col("pue")
            * pl.col("electricity_usd_per_kwh"),
        )
        .with_columns(
            owner_cost_usd_per_gpu_hour=pl.col("capital_usd_per_gpu_hour") + pl.col("power_usd_per_gpu_hour")
        )
        .with_columns(
            break_even_utilization=divide(
                pl.col("owner_cost_usd_per_gpu_hour"), pl.col("median_usd_per_gpu_hour")
            ),
            break_even_utilization_p10=divide(
                pl.col("owner_cost_usd_per_gpu_hour"), pl.col("p10_usd_per_gpu_hour")
            ),
            payback_months=_payback("median_usd_per_gpu_hour"),
            payback_months_p10=_payback("p10_usd_per_gpu_hour"),
        )
        .select(
            "observed_on",
            "gpu_family",
            "pricing",
            "useful_life_years",
            "assumption_set",
            "gpu_model",
            "list_price_usd",
            "list_price_source",
            "tdp_watts",
            "pue",
            "electricity_usd_per_kwh",
            "host_overhead_share",
            "capital_usd",
            "capital_usd_per_gpu_hour",
            "power_usd_per_gpu_hour",
            "owner_cost_usd_per_gpu_hour",
            "offers",
            "providers",
            "median_usd_per_gpu_hour",
            "p10_usd_per_gpu_hour",
            "break_even_utilization",
            "break_even_utilization_p10",
            "payback_months",
            "payback_months_p10",
        )
        .sort("gpu_family", "observed_on", "pricing", "useful_life_years")
        .collect()
    )


def _payback(price: str) -> pl.Expr:
    margin_per_hour = pl.col(price) - pl.col("power_usd_per_gpu_hour")
    return pl.when(margin_per_hour > 0).then(pl.col("capital_usd") / (margin_per_hour * HOURS_PER_MONTH))
