-- What an hour of an owned GPU costs against the market rental price: break-even utilization and payback, per family, day, pricing type and useful life.
select
    observed_on,
    gpu_family,
    pricing,
    useful_life_years,
    list_price_usd,
    list_price_source,
    owner_cost_usd_per_gpu_hour,
    median_usd_per_gpu_hour,
    p10_usd_per_gpu_hour,
    break_even_utilization,
    payback_months
from {{ source('marts_marts', 'gpu_unit_economics') }}
