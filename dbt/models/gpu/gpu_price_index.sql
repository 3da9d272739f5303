-- Daily GPU price index per family and pricing type (on-demand, spot, reservations, marketplace never pooled).
select
    observed_on,
    gpu_family,
    pricing,
    offers,
    providers,
    p10_usd_per_gpu_hour,
    median_usd_per_gpu_hour,
    p90_usd_per_gpu_hour
from {{ source('marts_gpu', 'gpu_price_index') }}
