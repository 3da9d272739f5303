"""`marts.gpu_price_index`, `marts.gpu_provider_prices` and price-performance from `core.gpu_prices`
and `core.gpu_hardware`.

On-demand, spot, reservations, capacity blocks and marketplace prices are different goods and are
never pooled. Only `comparable` rows count (no Windows licences, no Dev/Test subscription rates), and
no provider placeholder price (`flag_placeholders`). Quantiles are linear-interpolated over the per-GPU
prices, so p10 <= median <= p90 holds by construction.

- `gpu_provider_prices`: one series per (provider, family, pricing, region): a figure read from it never
  changes provider.
- `gpu_price_index`: the pooled quantiles of each day as captured (which providers were captured
  changes from day to day, so the pooled median jumps when e.g. only Azure's list price was captured),
  and beside them the cross-provider index `index_usd_per_gpu_hour`, chained over a matched panel: on each
  day, only the providers captured both that day and on the series' previous capture day
  (`panel_providers`) move it, by the change of their pooled median between the two days. A day
  sharing no provider with the previous one restarts the chain at that day's pooled median and says so
  (`index_rebased`), so a chart never switches provider silently.
"""

from __future__ import annotations

import polars as pl

Frame = pl.LazyFrame | pl.DataFrame

# Known placeholder prices: RunPod's gpuTypes reply gives 0.50 $/GPU-h for tiers it does not actually
# stock (MI300X community 0.50 against secure 2.39; H200 NVL community 0.50 against secure 3.79 in the
# 2026-09-29 capture). A price equal to its provider's placeholder value is a placeholder when the same
# model's price at another pricing tier of that provider on that day is more than PLACEHOLDER_RATIO
# times higher or lower (RunPod's real community prices are 12-30 % below secure: H100 SXM 2.69/3.49).
PLACEHOLDER_USD_PER_GPU_HOUR = {"runpod": 0.5}
PLACEHOLDER_RATIO = 2.0

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
    "previous_observed_on": pl.Date,
    "panel_providers": pl.String,
    "panel_offers": pl.Int64,
    "panel_median_usd_per_gpu_hour": pl.Float64,
    "previous_panel_median_usd_per_gpu_hour": pl.Float64,
    "index_usd_per_gpu_hour": pl.Float64,
    "index_rebased": pl.Boolean,
}
PROVIDER_PRICES_SCHEMA = {
    "observed_on": pl.Date,
    "provider": pl.String,
    "gpu_family": pl.String,
    "pricing": pl.String,
    "region": pl.String,
    "offers": pl.Int64,
    "p10_usd_per_gpu_hour": pl.Float64,
    "median_usd_per_gpu_hour": pl.Float64,
    "p90_usd_per_gpu_hour": pl.Float64,
    "min_usd_per_gpu_hour": pl.Float64,
    "max_usd_per_gpu_hour": pl.Float64,
    "gpu_models": pl.String,
    "placeholder_offers": pl.Int64,
}
SERIES = ["gpu_family", "pricing"]


def flag_placeholders(prices: Frame) -> pl.LazyFrame:
    """`prices` with `placeholder` (Boolean): the provider's known placeholder value, far from the same
    model's other tier that day (rule above)."""
    lazy = prices.lazy()
    placeholder_value = pl.col("provider").replace_strict(
        PLACEHOLDER_USD_PER_GPU_HOUR, default=None, return_dtype=pl.Float64
    )
    key = ["provider", "observed_on", "offer_id"]
    candidates = lazy.filter(pl.col("usd_per_gpu_hour") == placeholder_value).select(
        *key, "gpu_model", "pricing", "usd_per_gpu_hour"
    )
    others = lazy.filter(pl.col("usd_per_gpu_hour") > 0).select(
        "provider", "observed_on", "gpu_model", other_pricing="pricing", other_usd="usd_per_gpu_hour"
    )
    flagged = (
        candidates.join(others, on=["provider", "observed_on", "gpu_model"])
        .filter(
            (pl.col("other_pricing") != pl.col("pricing"))
            & (
                (pl.col("other_usd") > pl.col("usd_per_gpu_hour") * PLACEHOLDER_RATIO)
                | (pl.col("other_usd") * PLACEHOLDER_RATIO < pl.col("usd_per_gpu_hour"))
            )
        )
        .select(key)
        .unique()
        .with_columns(placeholder=pl.lit(True))
    )
    return lazy.join(flagged, on=key, how="left", nulls_equal=True).with_columns(
        pl.col("placeholder").fill_null(False)
    )


def _usable(prices: Frame) -> pl.LazyFrame:
    """Comparable, priced, named rows, with the placeholder flag (a frame without `comparable` or
    `offer_id`, e.g. a parser's own rows, reads them as NULL)."""
    lazy = prices.lazy()
    present = lazy.collect_schema().names()
    lazy = lazy.with_columns(
        pl.lit(None, dtype).alias(c)
        for c, dtype in (("comparable", pl.Boolean), ("offer_id", pl.String))
        if c not in present
    )
    return flag_placeholders(
        lazy.filter(
            pl.col("comparable").fill_null(True)
            & pl.col("gpu_family").is_not_null()
            & (pl.col("usd_per_gpu_hour") > 0)
        )
    )


def _indexed(prices: Frame) -> pl.LazyFrame:
    return _usable(prices).filter(~pl.col("placeholder"))


def _quantiles(price: pl.Expr) -> list[pl.Expr]:
    return [
        price.quantile(0.1, interpolation="linear").alias("p10_usd_per_gpu_hour"),
        price.quantile(0.5, interpolation="linear").alias("median_usd_per_gpu_hour"),
        price.quantile(0.9, interpolation="linear").alias("p90_usd_per_gpu_hour"),
    ]


def gpu_provider_prices(prices: Frame) -> pl.DataFrame:
    """= marts.gpu_provider_prices: per (observed_on, provider, gpu_family, pricing, region) the offers
    and p10/median/p90 $/GPU-hour without placeholders (counted in `placeholder_offers`)."""
    price = pl.col("usd_per_gpu_hour").filter(~pl.col("placeholder"))
    return (
        _usable(prices)
        .group_by("observed_on", "provider", "gpu_family", "pricing", "region")
        .agg(
            (~pl.col("placeholder")).sum().cast(pl.Int64).alias("offers"),
            *_quantiles(price),
            price.min().alias("min_usd_per_gpu_hour"),
            price.max().alias("max_usd_per_gpu_hour"),
            pl.col("gpu_model")
            .filter(~pl.col("placeholder"))
            .unique()
            .sort()
            .str.join(",")
            .alias("gpu_models"),
            pl.col("placeholder").sum().cast(pl.Int64).alias("placeholder_offers"),
        )
        .filter(pl.col("offers") > 0)
        .sort("observed_on", "provider", "gpu_family", "pricing", "region", nulls_last=True)
        .collect()
        .cast(PROVIDER_PRICES_SCHEMA)
        .select(list(PROVIDER_PRICES_SCHEMA))
    )


def gpu_price_index(prices: Frame) -> pl.DataFrame:
    """= marts.gpu_price_index: per (observed_on, gpu_family, pricing) the day's pooled offers, providers
    and p10/median/p90 $/GPU-hour, and the matched-panel chained index (module docstring)."""
    offers = _indexed(prices).select("observed_on", *SERIES, "provider", "usd_per_gpu_hour")
    price = pl.col("usd_per_gpu_hour")
    days = (
        offers.group_by("observed_on", *SERIES)
        .agg(
            pl.len().cast(pl.Int64).alias("offers"),
            pl.col("provider").n_unique().cast(pl.Int64).alias("providers"),
            *_quantiles(price),
            price.min().alias("min_usd_per_gpu_hour"),
            price.max().alias("max_usd_per_gpu_hour"),
            pl.col("provider").unique().sort().str.join(",").alias("provider_list"),
        )
        .sort(*SERIES, "observed_on")
        .with_columns(previous_observed_on=pl.col("observed_on").shift(1).over(SERIES))
    )
    providers = offers.select("observed_on", *SERIES, "provider").unique()
    panel = (
        days.select("observed_on", *SERIES, "previous_observed_on")
        .join(providers, on=["observed_on", *SERIES])
        .join(
            providers.rename({"observed_on": "previous_observed_on"}),
            on=["previous_observed_on", *SERIES, "provider"],
        )
    )
    today = (
        offers.join(panel, on=["observed_on", *SERIES, "provider"])
        .group_by("observed_on", *SERIES)
        .agg(
            panel_providers=pl.col("provider").unique().sort().str.join(","),
            panel_offers=pl.len().cast(pl.Int64),
            panel_median_usd_per_gpu_hour=price.quantile(0.5, interpolation="linear"),
        )
    )
    before = (
        offers.rename({"observed_on": "previous_observed_on"})
        .join(panel, on=["previous_observed_on", *SERIES, "provider"])
        .group_by("observed_on", *SERIES)
        .agg(previous_panel_median_usd_per_gpu_hour=price.quantile(0.5, interpolation="linear"))
    )
    chained = (
        days.join(today, on=["observed_on", *SERIES], how="left")
        .join(before, on=["observed_on", *SERIES], how="left")
        .sort(*SERIES, "observed_on")
        .with_columns(index_rebased=pl.col("panel_providers").is_null())
        .with_columns(link=pl.col("index_rebased").cast(pl.Int64).cum_sum().over(SERIES))
        .with_columns(
            index_usd_per_gpu_hour=pl.col("median_usd_per_gpu_hour").first().over(*SERIES, "link")
            * pl.when(pl.col("index_rebased"))
            .then(1.0)
            .otherwise(
                pl.col("panel_median_usd_per_gpu_hour") / pl.col("previous_panel_median_usd_per_gpu_hour")
            )
            .cum_prod()
            .over(*SERIES, "link")
        )
    )
    return chained.sort("observed_on", *SERIES).collect().cast(INDEX_SCHEMA).select(list(INDEX_SCHEMA))


def hardware_by_model(hardware: Frame) -> pl.LazyFrame:
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


def gpu_price_performance(prices: Frame, hardware: Frame) -> pl.DataFrame:
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
