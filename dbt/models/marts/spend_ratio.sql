-- Capex against revenue, operating cash flow, headcount, stock-based compensation and layoffs, per company and fiscal year.
select
    ticker,
    fiscal_year,
    period_start,
    period_end,
    capex_usd,
    revenue_usd,
    operating_cash_flow_usd,
    employees,
    capex_to_revenue,
    capex_to_operating_cash_flow,
    capex_per_employee_usd,
    capex_yoy_growth,
    employees_yoy_change,
    stock_based_compensation_usd,
    capex_per_sbc_usd,
    research_development_usd,
    layoff_events,
    employees_laid_off,
    accession
from {{ source('marts_marts', 'spend_ratio') }}
