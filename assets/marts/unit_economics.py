"""marts.gpu_unit_economics: what an hour of a GPU costs its owner, against what the market pays for it.

Per day, provider, GPU family, pricing type and useful life (one row per life in the assumptions seed),
against the rentals of the *same model* the list price is for (an H100 SXM server is set against H100 SXM
rentals, never PCIe or NVL ones) and of one provider (assets/gpu/model_prices.py):
    capital_usd                  = list_price_usd × (1 + host_overhead_share)   if the price excludes the host
                                 = list_price_usd                               if it includes it
    capital_recovery_factor      = r / (1 − (1 + r)^−useful_life_years)   (r = cost_of_capital; 1 / life at r = 0)
    capital_usd_per_gpu_hour     = capital_usd × capital_recovery_factor / 8,760 h
    power_usd_per_gpu_hour       = tdp_watts / 1000 × pue × electricity_usd_per_kwh
    owner_cost_usd_per_gpu_hour  = capital_usd_per_gpu_hour + power_usd_per_gpu_hour   (100 % utilization)
    break_even_utilization       = owner_cost_usd_per_gpu_hour / median_usd_per_gpu_hour
    payback_months               = −ln(1 − i × capital_usd / m) / ln(1 + i)   (discounted; capital_usd / m at r = 0)
        with m = (median_usd_per_gpu_hour − power_usd_per_gpu_hour) × 730 h and i = (1 + r)^(1/12) − 1
    pays_back                    = break_even_utilization <= 1 and payback_months <= useful_life_years × 12
and the same two against the p10 price (`_p10`). Break-even utilization is the share of hours a bought GPU
must be rented at that price to earn its capital back with interest over its life (above 1: it never
does); it counts power for every hour, rented or not. Payback is at full rental and NULL ("never") when
the margin over power does not even cover the interest. No resale value, no staff.

The list price of a model comes from dbt/seeds/gpu_list_prices.csv, which also says whether it includes
the host (`includes_host`): a blank price there is the model's price in core.gpu_hardware (Epoch AI). A
family the seed does not name gets its highest-priced model in core.gpu_hardware, read as a GPU-only
price (Epoch's release prices are card prices; the H100's, a DGX price per GPU, is the exception the seed
states). TDP: the seed's, else the model's in core.gpu_hardware, else the family's highest there.
"""

from __future__ import annotations

import math

import polars as pl

from assets.gpu.model_prices import gpu_model_prices
from assets.marts.assumptions import assumption, assumption_grid
from assets.marts.inputs import (
    GPU_HARDWARE,
    GPU_LIST_PRICES,
    GPU_LIST_PRICES_EXTRAS,
    Frame,
    divide,
    input_table,
)

HOURS_PER_YEAR = 8760  # 365 × 24: a leap day is noise next to the price assumptions
HOURS_PER_MONTH = HOURS_PER_YEAR / 12
SEED = "dbt/seeds/gpu_list_prices.csv"


def list_prices(gpu_hardware: Frame, gpu_list_prices: Frame) -> pl.LazyFrame:
    """One priced model per (gpu_family, gpu_model): list_price_usd, includes_host, tdp_watts, source."""
    hardware = input_table(gpu_hardware, "core.gpu_hardware", GPU_HARDWARE).filter(
        pl.col("gpu_model").is_not_null()
    )
    seed = input_table(gpu_list_prices, SEED, GPU_LIST_PRICES, GPU_LIST_PRICES_EXTRAS).with_columns(
        includes_host=pl.col("includes_host")
        .str.to_lowercase()
        .replace_strict({"true": True, "false": False}, default=None, return_dtype=pl.Boolean)
    )
    family_tdp = hardware.group_by("gpu_family").agg(family_tdp_watts=pl.col("tdp_watts").max())
    epoch = (
        hardware.filter(pl.col("list_price_usd").is_not_null())
        .sort("gpu_family", "gpu_model", "list_price_usd", "release_date",
              descending=[False, False, True, True], nulls_last=True)
        .group_by("gpu_family", "gpu_model", maintain_order=True)
        .first()
        .select("gpu_family", "gpu_model", epoch_price_usd="list_price_usd", epoch_source="source",
                model_tdp_watts="tdp_watts")
    )  # fmt: skip
    model_tdp = hardware.group_by("gpu_family", "gpu_model").agg(
        any_model_tdp_watts=pl.col("tdp_watts").max()
    )
    from_seed = seed.join(epoch, on=["gpu_family", "gpu_model"], how="left").select(
        "gpu_family",
        "gpu_model",
        list_price_usd=pl.coalesce("list_price_usd", "epoch_price_usd"),
        list_price_source=pl.when(pl.col("list_price_usd").is_not_null())
        .then(pl.col("source"))
        .otherwise(pl.col("epoch_source")),
        includes_host=pl.col("includes_host").fill_null(False),
        seed_tdp_watts="tdp_watts",
    )
    from_epoch = (
        epoch.join(seed.select("gpu_family").unique(), on="gpu_family", how="anti")
        .sort("gpu_family", "epoch_price_usd", descending=[False, True])
        .group_by("gpu_family", maintain_order=True)
        .first()
        .select("gpu_family", "gpu_model", list_price_usd="epoch_price_usd", list_price_source="epoch_source",
                includes_host=pl.lit(False))
    )  # fmt: skip
    return (
        pl.concat([from_seed, from_epoch], how="diagonal")
        .filter(pl.col("list_price_usd").is_not_null())
        .join(model_tdp, on=["gpu_family", "gpu_model"], how="left")
        .join(family_tdp, on="gpu_family", how="left")
        .with_columns(tdp_watts=pl.coalesce("seed_tdp_watts", "any_model_tdp_watts", "family_tdp_watts"))
        .select(
            "gpu_family", "gpu_model", "list_price_usd", "list_price_source", "includes_host", "tdp_watts"
        )
    )


def gpu_unit_economics(
    gpu_prices: Frame, gpu_hardware: Frame, gpu_list_prices: Frame, assumptions: Frame
) -> pl.DataFrame:
    """= marts.gpu_unit_economics: one row per (observed_on, provider, gpu_family, pricing, useful_life_years)."""
    settings = {
        name: assumption(assumptions, name)
        for name in ("pue", "electricity_usd_per_kwh", "host_overhead_share", "cost_of_capital")
    }
    rate = settings["cost_of_capital"]
    monthly_rate = (1 + rate) ** (1 / 12) - 1
    lives = assumption_grid(assumptions, "useful_life_years")
    recovery = pl.LazyFrame(
        {
            "useful_life_years": lives,
            # the annuity that pays back 1 dollar with interest over the life (1 / life without interest)
            "capital_recovery_factor": [
                rate / (1 - (1 + rate) ** -life) if rate else 1 / life for life in lives
            ],
        }
    )
    rentals = gpu_model_prices(gpu_prices).lazy()
    return (
        rentals.join(list_prices(gpu_hardware, gpu_list_prices), on=["gpu_family", "gpu_model"], how="inner")
        .join(recovery, how="cross")
        .with_columns(
            assumption_set=pl.format(
                "useful life {} years, cost of capital {}",
                pl.col("useful_life_years").cast(pl.String).str.strip_suffix(".0"),
                pl.lit(f"{rate:.0%}" if rate * 100 == int(rate * 100) else f"{rate:.1%}"),
            ),
            **{name: pl.lit(value, pl.Float64) for name, value in settings.items()},
        )
        .with_columns(
            capital_usd=pl.when(pl.col("includes_host"))
            .then(pl.col("list_price_usd"))
            .otherwise(pl.col("list_price_usd") * (1 + pl.col("host_overhead_share")))
        )
        .with_columns(
            capital_usd_per_gpu_hour=pl.col("capital_usd")
            * pl.col("capital_recovery_factor")
            / HOURS_PER_YEAR,
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
            payback_months=_payback("median_usd_per_gpu_hour", monthly_rate),
            payback_months_p10=_payback("p10_usd_per_gpu_hour", monthly_rate),
        )
        .with_columns(
            # NULL only when the cost is unknown (no TDP); a payback that never comes is False
            pays_back=pl.when(pl.col("break_even_utilization").is_not_null()).then(
                (pl.col("break_even_utilization") <= 1)
                & (pl.col("payback_months") <= pl.col("useful_life_years") * 12).fill_null(False)
            )
        )
        .select(
            "observed_on",
            "provider",
            "gpu_family",
            "pricing",
            "useful_life_years",
            "assumption_set",
            "gpu_model",
            "list_price_usd",
            "list_price_source",
            "includes_host",
            "tdp_watts",
            "pue",
            "electricity_usd_per_kwh",
            "host_overhead_share",
            "cost_of_capital",
            "capital_recovery_factor",
            "capital_usd",
            "capital_usd_per_gpu_hour",
            "power_usd_per_gpu_hour",
            "owner_cost_usd_per_gpu_hour",
            "offers",
            "median_usd_per_gpu_hour",
            "p10_usd_per_gpu_hour",
            "break_even_utilization",
            "break_even_utilization_p10",
            "payback_months",
            "payback_months_p10",
            "pays_back",
        )  # fmt: skip
        .sort("gpu_family", "observed_on", "provider", "pricing", "useful_life_years")
        .collect()
    )


def _payback(price: str, monthly_rate: float) -> pl.Expr:
    """Months of full rental until the margin over power, discounted at the cost of capital, repays the
    capital; NULL when it never does."""
    margin = (pl.col(price) - pl.col("power_usd_per_gpu_hour")) * HOURS_PER_MONTH
    if monthly_rate == 0:
        return pl.when(margin > 0).then(pl.col("capital_usd") / margin)
    interest = monthly_rate * pl.col("capital_usd")
    return pl.when(margin > interest).then(-(1 - interest / margin).log() / math.log(1 + monthly_rate))
