-- Layoff events and WARN notices, one row each, matched to tracked tickers where the employer is one.
select
    event_id,
    source,
    company,
    ticker,
    event_date,
    effective_date,
    employees_affected,
    percentage,
    location,
    region,
    country,
    industry,
    source_url,
    versions,
    first_listed_as_of,
    last_listed_as_of,
    source_duplicates
from {{ source('core_layoffs', 'layoff_events') }}
