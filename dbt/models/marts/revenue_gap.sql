-- The revenue the AI spend would need against the revenue growth since the base year, per calendar year and method (capex, sequoia).
select
    calendar_year,
    method,
    cohort,
    spend_usd,
    cost_multiplier,
    target_gross_margin,
    required_revenue_usd,
    base_year,
    incremental_revenue_usd,
    revenue_gap_usd,
    companies_in_cohort,
    companies_reported,
    missing_tickers,
    coverage
from {{ source('marts_marts', 'revenue_gap') }}
