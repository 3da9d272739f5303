-- Fiscal quarters on the calendar: use these for totals across companies (fiscal years differ by company).
select
    ticker,
    calendar_year,
    calendar_quarter,
    fiscal_year,
    fiscal_period,
    period_start,
    period_end,
    capex_usd,
    capex_incl_finance_leases_usd,
    revenue_usd,
    operating_cash_flow_usd,
    ttm_capex_usd,
    ttm_capex_incl_finance_leases_usd,
    ttm_revenue_usd,
    ttm_operating_cash_flow_usd,
    days_in_calendar_quarter,
    accession,
    filed,
    finance_lease_additions_usd
from {{ source('core_sec', 'financials_calendar') }}
