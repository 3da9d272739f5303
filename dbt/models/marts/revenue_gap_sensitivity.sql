-- The revenue gap over a grid of target gross margins and useful lives.
select
    calendar_year,
    method,
    comparator,
    cohort,
    target_gross_margin,
    useful_life_years,
    spend_usd,
    required_revenue_usd,
    comparator_revenue_usd,
    revenue_gap_usd,
    gap_multiple,
    annual_depreciation_usd,
    required_revenue_depreciated_usd,
    revenue_gap_depreciated_usd,
    coverage,
    cost_multiplier,
    missing_tickers,
    gap_multiple_depreciated
from {{ source('marts_marts', 'revenue_gap_sensitivity') }}
