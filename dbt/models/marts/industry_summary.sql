-- Per calendar year: hyperscaler capex, revenue and headcount, layoffs (layoffs.fyi and WARN), median H100 price.
select
    calendar_year,
    hyperscaler_capex_usd,
    hyperscaler_revenue_usd,
    hyperscaler_capex_reported_usd,
    hyperscaler_companies_reported,
    hyperscaler_employees,
    layoffs_fyi_events,
    layoffs_fyi_employees_laid_off,
    warn_notices,
    warn_employees_affected,
    h100_on_demand_median_usd_per_gpu_hour,
    h100_all_pricing_median_usd_per_gpu_hour
from {{ source('marts_marts', 'industry_summary') }}
