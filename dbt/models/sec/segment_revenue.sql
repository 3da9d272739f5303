-- Revenue per segment or product line, per fiscal year and discrete quarter; `ai_relevant` per the seed ai_segments.
select
    ticker,
    cik,
    fiscal_year,
    fiscal_period,
    period_start,
    period_end,
    axis,
    member,
    segment,
    revenue_usd,
    concept,
    accession,
    filed,
    ai_relevant,
    covers
from {{ source('core_sec', 'segment_revenue') }}
