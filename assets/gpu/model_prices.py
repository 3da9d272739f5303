"""Rental prices per GPU *model* and provider, the like-with-like input of marts.gpu_unit_economics.

An H100 PCIe or NVL rental is a different good from an H100 SXM (a third less throughput, a cheaper
card), so the owner's cost of an SXM server is set only against SXM rentals; and one provider per
series, so a break-even never changes because another provider happened to be captured that day.
"""

from __future__ import annotations

import polars as pl

from assets.gpu.index import Frame, _indexed, _quantiles

MODEL_PRICES_SCHEMA = {
    "observed_on": pl.Date,
    "provider": pl.String,
    "gpu_family": pl.String,
    "gpu_model": pl.String,
    "pricing": pl.String,
    "offers": pl.Int64,
    "p10_usd_per_gpu_hour": pl.Float64,
    "median_usd_per_gpu_hour": pl.Float64,
    "p90_usd_per_gpu_hour": pl.Float64,
}


def gpu_model_prices(prices: Frame) -> pl.DataFrame:
    """Per (observed_on, provider, gpu_family, gpu_model, pricing): offers and p10/median/p90 $/GPU-hour
    over the comparable, non-placeholder offers (the rows marts.gpu_price_index counts), all regions."""
    return (
        _indexed(prices)
        .filter(pl.col("gpu_model").is_not_null())
        .group_by("observed_on", "provider", "gpu_family", "gpu_model", "pricing")
        .agg(pl.len().cast(pl.Int64).alias("offers"), *_quantiles(pl.col("usd_per_gpu_hour")))
        .sort("observed_on", "provider", "gpu_family", "gpu_model", "pricing")
        .collect()
        .cast(MODEL_PRICES_SCHEMA)
        .select(list(MODEL_PRICES_SCHEMA))
    )
