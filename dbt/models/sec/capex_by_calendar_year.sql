-- Capex per company and calendar year, comparable across companies whose fiscal years end in different months.
-- A company's calendar year is the sum of its four calendar quarters (bi.financials_calendar: the discrete
-- fiscal quarter holding most of its days in each); without four, a fiscal year with at least 335 of its days in
-- the calendar year stands for it (a December or late-January year-end filer's 10-K); otherwise capex_usd is NULL
-- (basis NULL, the quarters found counted): a gap, never a partial sum passed off as a year.
with quarters as (
    select
        ticker,
        cast(calendar_year as integer) as calendar_year,
        sum(capex_usd) as quarter_capex_usd,
        count(distinct calendar_quarter) as quarters,
        string_agg(distinct accession, '; ' order by accession) as quarter_accessions
    from {{ source('core_sec', 'financials_calendar') }}
    where capex_usd is not null
    group by ticker, cast(calendar_year as integer)
),

fiscal_years as (
    select
        f.ticker,
        cast(y.calendar_year as integer) as calendar_year,
        f.fiscal_year,
        f.period_end,
        f.capex_usd,
        f.accession
    from {{ source('core_sec', 'financials') }} as f,
        range(year(f.period_start), year(f.period_end) + 1) as y (calendar_year)
    where
        f.fiscal_period = 'FY'
        and f.capex_usd is not null
        and f.period_start is not null
        and datediff(
            'day',
            greatest(f.period_start, make_date(cast(y.calendar_year as integer), 1, 1)),
            least(f.period_end, make_date(cast(y.calendar_year as integer), 12, 31))
        ) + 1 >= 335
),

whole_years as (
    -- the latest-ending such fiscal year, should two qualify
    select
        ticker,
        calendar_year,
        arg_max(capex_usd, period_end) as year_capex_usd,
        arg_max(fiscal_year, period_end) as fiscal_year,
        arg_max(accession, period_end) as year_accession
    from fiscal_years
    group by ticker, calendar_year
),

years as (
    select
        coalesce(q.ticker, w.ticker) as ticker,
        coalesce(q.calendar_year, w.calendar_year) as calendar_year,
        coalesce(q.quarters, 0) as quarters,
        q.quarter_capex_usd,
        q.quarter_accessions,
        w.year_capex_usd,
        w.fiscal_year,
        w.year_accession
    from quarters as q
    full outer join whole_years as w
        on q.ticker = w.ticker and q.calendar_year = w.calendar_year
)

select
    y.ticker,
    c.cohort,
    y.calendar_year,
    case when y.quarters = 4 then y.quarter_capex_usd else y.year_capex_usd end as capex_usd,
    case
        when y.quarters = 4 then 'quarters'
        when y.year_capex_usd is not null then 'fiscal_year'
    end as basis,
    y.quarters,
    y.fiscal_year,
    case when y.quarters = 4 then y.quarter_accessions else y.year_accession end as accessions
from years as y
left join {{ ref('companies') }} as c on y.ticker = c.ticker
