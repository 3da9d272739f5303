-- Observed GPU rental prices, per GPU-hour, one row per offer or instance price per day.
select
    observed_on,
    provider,
    gpu_family,
    gpu_model,
    gpu_count,
    pricing,
    region,
    instance_type,
    usd_per_gpu_hour,
    usd_per_instance_hour,
    offer_id,
    comparable,
    origin
from {{ source('core_gpu', 'gpu_prices') }}
