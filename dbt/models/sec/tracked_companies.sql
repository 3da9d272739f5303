-- The companies the warehouse tracks (the companies seed), with the cohort each belongs to: the list every ticker in bi.* comes from.
select
    ticker,
    lpad(cast(cik as varchar), 10, '0') as cik,
    name,
    cohort,
    fiscal_year_end_month,
    note
from {{ ref('companies') }}
