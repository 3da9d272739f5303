-- GPU prices per day, provider, family, pricing type and region: one provider per series, placeholders held out.
select
    observed_on,
    provider,
    gpu_family,
    pricing,
    region,
    offers,
    p10_usd_per_gpu_hour,
    median_usd_per_gpu_hour,
    p90_usd_per_gpu_hour,
    gpu_models,
    placeholder_offers,
    min_usd_per_gpu_hour,
    max_usd_per_gpu_hour
from {{ source('marts_marts', 'gpu_provider_prices') }}
