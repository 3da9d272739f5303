"""`marts.gpu_price_index` and price-performance from `core.gpu_prices` and `core.gpu_hardware`.

The index is one row per (day, GPU family, pricing): on-demand, spot, reservations, capacity blocks
and marketplace prices are different goods and are never pooled. Only `comparable` rows count (no
Windows licences, no Dev/Test subscription rates). Quantiles are linear-interpolated over the day's
per-GPU prices, so p10 <= median <= p90 holds by construction.
"""

from __future__ import annotations

import polars as pl

INDEX_SCHEMA = {
    "observed_on": pl.Date,
    "gpu_family": pl.String,
    "pricing": pl.String,
    "offers": pl.Int64,
    "providers": pl.Int64,
    "p10_usd_per_gpu_hour": pl.Float64,
    "median_usd_per_gpu_hour": pl.Float64,
    "p90_usd_per_gpu_hour": pl.Float64,
    "min_usd_per_gpu_hour": pl.Float64,
    "max_usd_per_gpu_hour": pl.Float64,
    "provider_list": pl.String,
}


def _indexed(prices: pl.LazyFrame | pl.DataFrame) -> pl.LazyFrame:
    return prices.lazy().filter(
        pl.col("comparable").fill_null(True)
        & pl.col("gpu_family").is_not_null()
        & (pl.col("usd_per_gpu_hour") > 0)
    )


def _quantiles(price: pl.Expr) -> list[pl.Expr]:
    return [
        price.quantile(0.1, interpolation="linear").alias("p10_usd_per_gpu_hour"),
        price.quantile(0.5, interpolation="linear").alias("median_usd_per_gpu_hour"),
        price.quantile(0.9, interpolation="linear").alias("p90_usd_per_gpu_hour"),
    ]


def gpu_price_index(prices: pl.LazyFrame | pl.DataFrame) -> pl.DataFrame:
    """Per (observed_on, gpu_family, pricing): offers, providers and p10/median/p90 $/GPU-hour."""
    price = pl.col("usd_per_gpu_hour")
    return (
        _indexed(prices)
        .group_by("observed_on", "gpu_family", "pricing")
        .agg(
            pl.len().cast(pl.Int64).alias("offers"),
            pl.col("provider").n_unique().cast(pl.Int64).alias("providers"),
            *_quantiles(price),
            price.min().alias("min_usd_per_gpu_hour"),
            price.max().alias("max_usd_per_gpu_hour"),
            pl.col("provider").unique().sort().str.join(",").alias("provider_list"),
        )
        .sort("observed_on", "gpu_family", "pricing")
        .collect()
        .cast(INDEX_SCHEMA)
        .select(list(INDEX_SCHEMA))
    )


def hardware_by_model(hardware: pl.LazyFrame | pl.DataFrame) -> pl.LazyFrame:
    """One spec per canonical gpu_model: several Epoch rows can name one model (the SXM2 16 GB and
    32 GB V100s); the one with a tensor FP16 figure and the latest edit wins."""
    return (
        hardware.lazy()
        .filter(pl.col("gpu_model").is_not_null())
        .sort(
            pl.col("fp16_bf16_tensor_tflops").is_not_null(),
            pl.col("last_modified").fill_null(""),
            nulls_last=False,
        )
        .unique("gpu_model", keep="last")
        .select(
            "gpu_model",
            "hardware_name",
            "fp16_bf16_tensor_tflops",
            "fp8_tflops",
            "list_price_usd",
            "tdp_watts",
        )
    )


def gpu_price_performance(
    prices: pl.LazyFrame | pl.DataFrame, hardware: pl.LazyFrame | pl.DataFrame
) -> pl.DataFrame:
    """Per (observed_on, gpu_family, gpu_model, pricing): the median $/GPU-hour and what a dense
    FP16/BF16 PFLOP/s of that chip costs per hour, where Epoch gives the chip's tensor rate.

    `usd_per_fp16_pflops_hour` = median $/GPU-hour / (tensor TFLOP/s / 1000). Per model, not per
    family: an H100 PCIe and an H100 SXM differ by a third in throughput.
    """
    price = pl.col("usd_per_gpu_hour")
    return (
        _indexed(prices)
        .group_by("observed_on", "gpu_family", "gpu_model", "pricing")
        .agg(pl.len().cast(pl.Int64).alias("offers"), *_quantiles(price))
        .join(hardware_by_model(hardware), on="gpu_model", how="inner")
        .filter(pl.col("fp16_bf16_tensor_tflops") > 0)
        .with_columns(
            usd_per_fp16_pflops_hour=pl.col("median_usd_per_gpu_hour")
            / (pl.col("fp16_bf16_tensor_tflops") / 1000),
            usd_per_fp8_pflops_hour=pl.col("median_usd_per_gpu_hour") / (pl.col("fp8_tflops") / 1000),
        )
        .sort("observed_on", "gpu_family", "gpu_model", "pricing")
        .collect()
    )
