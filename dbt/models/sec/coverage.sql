-- What is held per company of the seed; `missing` = no filing in the landing zone (a gap, never a zero).
select
    ticker,
    cik,
    first_period_end,
    last_period_end,
    first_fiscal_year,
    last_fiscal_year,
    last_fiscal_period,
    filings,
    accessions,
    missing,
    years_not_filed
from {{ source('core_sec', 'coverage') }}
