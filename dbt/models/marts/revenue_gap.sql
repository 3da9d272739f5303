-- The revenue the AI spend would need against AI segment revenue, disclosed AI revenue and revenue growth, per calendar year, method and comparator.
select
    calendar_year,
    method,
    comparator,
    cohort,
    spend_usd,
    cost_multiplier,
    target_gross_margin,
    required_revenue_usd,
    comparator_revenue_usd,
    revenue_gap_usd,
    gap_multiple,
    coverage,
    missing_tickers,
    spend_tickers,
    comparator_tickers,
    spend_as_of,
    base_year,
    incremental_revenue_usd,
    companies_in_cohort,
    companies_reported
from {{ source('marts_marts', 'revenue_gap') }}
