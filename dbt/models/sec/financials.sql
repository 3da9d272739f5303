-- Company financials per fiscal year and discrete quarter, in US dollars, with the filing each figure came from.
select
    ticker,
    cik,
    fiscal_year,
    fiscal_period,
    period_start,
    period_end,
    capex_usd,
    revenue_usd,
    operating_cash_flow_usd,
    depreciation_usd,
    finance_lease_additions_usd,
    employees,
    accession,
    filed,
    source
from {{ source('core_sec', 'financials') }}
