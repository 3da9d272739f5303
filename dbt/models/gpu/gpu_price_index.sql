-- Daily GPU price index per family and pricing type (on-demand, spot, reservations, marketplace never pooled): the day's pooled quantiles and the cross-provider index chained over the providers seen that day and the previous capture day.
select
    observed_on,
    gpu_family,
    pricing,
    offers,
    providers,
    provider_list,
    p10_usd_per_gpu_hour,
    median_usd_per_gpu_hour,
    p90_usd_per_gpu_hour,
    previous_observed_on,
    panel_providers,
    index_usd_per_gpu_hour,
    index_rebased
from {{ source('marts_gpu', 'gpu_price_index') }}
