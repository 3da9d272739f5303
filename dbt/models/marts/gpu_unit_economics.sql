-- What an hour of an owned GPU costs against the same model's rental price per provider: break-even utilization, payback and pays_back, per day, provider, family, pricing type and useful life.
select
    observed_on,
    provider,
    gpu_family,
    gpu_model,
    pricing,
    useful_life_years,
    list_price_usd,
    list_price_source,
    includes_host,
    capital_usd,
    cost_of_capital,
    owner_cost_usd_per_gpu_hour,
    median_usd_per_gpu_hour,
    p10_usd_per_gpu_hour,
    break_even_utilization,
    payback_months,
    pays_back
from {{ source('marts_marts', 'gpu_unit_economics') }}
