-- Per cohort and calendar year: capex, revenue, stock pay, R&D and headcount with their growth, and the cohort's layoffs (layoffs.fyi and WARN apart).
select
    cohort,
    calendar_year,
    capex_usd,
    revenue_usd,
    stock_based_compensation_usd,
    research_development_usd,
    employees,
    capex_yoy_growth,
    employees_yoy_change,
    stock_based_compensation_yoy_growth,
    research_development_yoy_growth,
    layoff_events,
    employees_laid_off,
    warn_notices,
    warn_employees_affected,
    coverage,
    missing_tickers,
    members,
    capex_reported_usd,
    capex_minus_employees_growth,
    capex_minus_sbc_growth
from {{ source('marts_marts', 'spend_ratio_cohort') }}
