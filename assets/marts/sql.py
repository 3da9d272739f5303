"""Three marts again in DuckDB SQL, for the benchmark that compares Polars with DuckDB on the same data.

`spend_ratio_duckdb`, `revenue_gap_duckdb` and `gpu_price_index_duckdb` return the same rows and columns
as `spend_ratio`, `revenue_gap` (assets/marts/) and `gpu_price_index` (assets/gpu/index.py). Their inputs
are relation names in the connection: the warehouse tables (`core.financials`, the default), views, or
Polars frames registered with `con.register(name, frame)`. Sums of more than two floats and interpolated
quantiles may differ from Polars in the last bits (a different summation order), nothing more.

Optional columns of core.financials / core.gpu_prices that a relation lacks read as NULL, as in Polars.
"""

from __future__ import annotations

import duckdb
import polars as pl

from assets.gpu.index import PLACEHOLDER_RATIO, PLACEHOLDER_USD_PER_GPU_HOUR
from assets.marts.calendarize import WHOLE_YEAR_DAYS
from assets.marts.revenue_gap import (
    CAPEX_METHODS,
    COHORT,
    COMPARATORS,
    DATA_CENTER_MEMBER,
    METHODS,
    MULTIPLIER,
    PUBLIC_COLUMNS,
    RUN_RATE,
    SEQUOIA_SPEND_TICKER,
    TRACE_COLUMNS,
)


def spend_ratio_duckdb(
    con: duckdb.DuckDBPyConnection,
    financials: str = "core.financials",
    layoff_events: str = "core.layoff_events",
    layoff_coverage: str | None = None,
) -> pl.DataFrame:
    """= spend_ratio(financials, layoff_events, layoff_coverage), computed by DuckDB. `layoff_coverage` is a
    relation such as core.layoff_coverage; without it (None) the windows are derived from the events, as in Polars."""
    sbc, rnd = _optional(con, financials, "stock_based_compensation_usd", "research_development_usd")
    coverage = (
        f"select source, state, first_date, last_date from {layoff_coverage}"
        if layoff_coverage
        else f"""select source,
                        case when source <> 'layoffs_fyi' then upper(replace(source, 'warn_', '')) end as state,
                        min(event_date) as first_date, max(event_date) as last_date
                 from {layoff_events} group by source"""
    )
    gaps = ", ".join(
        f"{_growth('capex_usd')} - ({_growth(c)}) as {name}"
        for name, c in (
            ("capex_minus_employees_growth", "employees"),
            ("capex_minus_sbc_growth", "stock_based_compensation_usd"),
            ("capex_minus_research_development_growth", "research_development_usd"),
        )
    )
    return con.sql(f"""
        with fy as (
            select ticker, cast(fiscal_year as integer) as fiscal_year,
                   coalesce(period_start, cast(period_end - interval 1 year + interval 1 day as date))
                       as period_start,
                   period_end, period_start is null and period_end is not null as period_start_inferred,
                   accession,
                   cast(capex_usd as double) as capex_usd, cast(revenue_usd as double) as revenue_usd,
                   cast(operating_cash_flow_usd as double) as operating_cash_flow_usd,
                   cast(employees as bigint) as employees,
                   {sbc} as stock_based_compensation_usd, {rnd} as research_development_usd
            from {financials} where fiscal_period = 'FY'
        ),
        ratios as (
            select *,
                   case when revenue_usd <> 0 then capex_usd / revenue_usd end as capex_to_revenue,
                   case when operating_cash_flow_usd <> 0 then capex_usd / operating_cash_flow_usd end
                       as capex_to_operating_cash_flow,
                   case when employees <> 0 then capex_usd / employees end as capex_per_employee_usd,
                   case when stock_based_compensation_usd <> 0 then capex_usd / stock_based_compensation_usd end
                       as capex_per_sbc_usd
            from fy
        ),
        periods as (select ticker, fiscal_year, period_start, period_end from fy where period_end is not null),
        coverage as ({coverage}),
        covered as (
            select p.ticker, p.fiscal_year,
                   bool_or(c.source = 'layoffs_fyi') as fyi_covered,
                   bool_or(c.source = 'layoffs_fyi' and c.first_date <= p.period_start
                           and c.last_date >= p.period_end) as fyi_whole,
                   nullif(string_agg(distinct c.state, ',' order by c.state)
                          filter (where c.source <> 'layoffs_fyi'), '') as warn_states_covered
            from periods p join coverage c on c.first_date <= p.period_end and c.last_date >= p.period_start
            group by p.ticker, p.fiscal_year
        ),
        matched as (
            select p.ticker, p.fiscal_year,
                   count(*) filter (where e.source = 'layoffs_fyi') as fyi_events,
                   coalesce(sum(e.employees_affected) filter (where e.source = 'layoffs_fyi'), 0) as fyi_people,
                   count(*) filter (where e.source <> 'layoffs_fyi') as warn_events,
                   coalesce(sum(e.employees_affected) filter (where e.source <> 'layoffs_fyi'), 0) as warn_people
            from periods p join {layoff_events} e
              on e.ticker = p.ticker and e.event_date between p.period_start and p.period_end
            group by p.ticker, p.fiscal_year
        ),
        layoffs as (
            select p.ticker, p.fiscal_year,
                   case when o.fyi_covered then coalesce(m.fyi_events, 0) end::bigint as layoff_events,
                   case when o.fyi_covered then coalesce(m.fyi_people, 0) end::bigint as employees_laid_off,
                   case when o.warn_states_covered is not null then coalesce(m.warn_events, 0) end::bigint
                       as warn_notices,
                   case when o.warn_states_covered is not null then coalesce(m.warn_people, 0) end::bigint
                       as warn_employees_affected,
                   case when o.fyi_whole then 'complete' when o.fyi_covered then 'partial' end
                       as layoffs_fyi_coverage,
                   o.warn_states_covered
            from periods p
            left join covered o on o.ticker = p.ticker and o.fiscal_year = p.fiscal_year
            left join matched m on m.ticker = p.ticker and m.fiscal_year = p.fiscal_year
        )
        select r.ticker, r.fiscal_year, r.capex_usd, r.revenue_usd, r.operating_cash_flow_usd, r.employees,
               r.capex_to_revenue, r.capex_to_operating_cash_flow, r.capex_per_employee_usd,
               {_growth("capex_usd")} as capex_yoy_growth,
               {_growth("employees")} as employees_yoy_change,
               l.layoff_events, l.employees_laid_off, l.warn_notices, l.warn_employees_affected,
               r.stock_based_compensation_usd, r.capex_per_sbc_usd, r.research_development_usd,
               {_growth("stock_based_compensation_usd")} as stock_based_compensation_yoy_growth,
               {_growth("research_development_usd")} as research_development_yoy_growth,
               {_growth("capex_per_employee_usd")} as capex_per_employee_yoy_growth,
               {_growth("capex_per_sbc_usd")} as capex_per_sbc_yoy_growth,
               {gaps},
               l.layoff_events as layoffs_fyi_events, l.employees_laid_off as layoffs_fyi_employees_laid_off,
               l.layoffs_fyi_coverage, l.warn_states_covered,
               r.period_start, r.period_end, r.period_start_inferred, r.accession
        from ratios r
        left join ratios p on p.ticker = r.ticker and p.fiscal_year = r.fiscal_year - 1
        left join layoffs l on l.ticker = r.ticker and l.fiscal_year = r.fiscal_year
        order by r.ticker, r.fiscal_year
    """).pl()


def _calendar_year_values_sql(long: str) -> str:
    """= assets.marts.calendarize.calendar_year_values over a relation of (ticker, fiscal_period,
    period_start, period_end, metric, value): a SELECT of (ticker, calendar_year, metric, value, as_of, basis)."""
    rows = f"""(select * from {long} where value is not null and period_start is not null and period_end is not null)"""
    return f"""
        with q as (
            select ticker, calendar_year, metric, sum(value order by period_start) as value, max(period_end) as as_of
            from (select *, cast(year(mid) as integer) as calendar_year, (month(mid) - 1) // 3 + 1 as calendar_quarter
                  from (select *, period_start + cast((datediff('day', period_start, period_end) + 1) // 2 as integer)
                                      as mid
                        from {rows} r where fiscal_period in ('Q1', 'Q2', 'Q3', 'Q4')))
            group by ticker, calendar_year, metric
            having count(*) = 4 and count(distinct calendar_quarter) = 4
        ),
        y as (
            select ticker, calendar_year, metric, arg_max(value, period_end) as value, max(period_end) as as_of
            from (select *, cast(unnest(range(year(period_start), year(period_end) + 1)) as integer) as calendar_year
                  from {rows} r where fiscal_period = 'FY')
            where datediff('day', greatest(period_start, make_date(calendar_year, 1, 1)),
                           least(period_end, make_date(calendar_year, 12, 31))) + 1 >= {WHOLE_YEAR_DAYS}
            group by ticker, calendar_year, metric
        )
        select *, 'quarters' as basis from q
        union all
        select y.*, 'fiscal_year' from y anti join q using (ticker, calendar_year, metric)"""


def revenue_gap_duckdb(
    con: duckdb.DuckDBPyConnection,
    financials: str = "core.financials",
    companies: str = "companies",
    assumptions: str = "assumptions",
    segment_revenue: str | None = None,
    ai_segments: str | None = None,
    disclosures: str | None = None,
) -> pl.DataFrame:
    """= revenue_gap(financials, companies, assumptions, segment_revenue, ai_segments, disclosures), computed
    by DuckDB (the same calendar years from fiscal quarters, the same matched companies and coverage);
    the seeds are relations of text columns, as read from their CSV."""
    (leases,) = _optional(con, financials, "finance_lease_additions_usd")
    empty_periods = "select null::varchar as ticker, null::varchar as fiscal_period, null::date as period_start, " \
                    "null::date as period_end, null::double as value where false"  # fmt: skip
    segments = (
        f"select ticker, fiscal_period, cast(period_start as date) as period_start, cast(period_end as date) as period_end,"
        f" axis, member, cast(revenue_usd as double) as revenue_usd from {segment_revenue}"
        if segment_revenue
        else "select null::varchar as ticker, null::varchar as fiscal_period, null::date as period_start, "
        "null::date as period_end, null::varchar as axis, null::varchar as member, null::double as revenue_usd where false"
    )
    ai_periods = (
        f"""select s.ticker, s.fiscal_period, s.period_start, s.period_end, sum(s.revenue_usd order by s.member) as value
            from segments s join (select distinct ticker, axis, member from {ai_segments}) a using (ticker, axis, member)
            group by s.ticker, s.fiscal_period, s.period_start, s.period_end
            having count(*) = (select count(*) from (select distinct ticker, axis, member from {ai_segments}) w
                               where w.ticker = s.ticker)"""
        if ai_segments and segment_revenue
        else empty_periods
    )
    disclosed = (
        f"""select ticker, cast(year(cast(period_end as date)) as integer) as calendar_year,
                   first(cast(value_usd as double) order by cast(period_end as date) desc, cast(as_of as date) desc)
                       as value
            from {disclosures}
            where metric = '{RUN_RATE}' and ticker in (select ticker from members) and value_usd is not null
            group by ticker, calendar_year"""
        if disclosures
        else "select null::varchar as ticker, null::integer as calendar_year, null::double as value where false"
    )
    multipliers = " union all ".join(
        f"select '{m}' as method, (select value from a where name = '{MULTIPLIER[m]}') as cost_multiplier"
        for m in METHODS
    )
    capex_methods = " union all ".join(
        f"select '{m}' as method, '{c}' as metric" for m, c in CAPEX_METHODS.items()
    )
    comparators = " union all ".join(f"select '{c}' as comparator" for c in COMPARATORS)
    return (
        con.sql(f"""
        with a as (select name, cast(value as double) as value from {assumptions}),
        params as (
            select (select value from a where name = 'target_gross_margin') as target_gross_margin,
                   cast((select value from a where name = 'base_year') as integer) as base_year
        ),
        members as (select distinct ticker from {companies} where cohort = '{COHORT}'),
        years as (
            select cast(unnest(range(base_year, greatest(base_year + 3,
                        coalesce((select max(year(period_end)) from {financials}), base_year)) + 1)) as integer)
                       as calendar_year
            from params
        ),
        fin as (
            select ticker, fiscal_period, period_start, period_end, cast(capex_usd as double) as capex_usd,
                   cast(capex_usd as double) + {leases} as capex_incl_finance_leases_usd,
                   cast(revenue_usd as double) as revenue_usd
            from {financials} where ticker in (select ticker from members)
        ),
        fin_long as (
            select ticker, fiscal_period, period_start, period_end, 'capex_usd' as metric, capex_usd as value from fin
            union all
            select ticker, fiscal_period, period_start, period_end, 'capex_incl_finance_leases_usd',
                   capex_incl_finance_leases_usd from fin
            union all
            select ticker, fiscal_period, period_start, period_end, 'revenue_usd', revenue_usd from fin
        ),
        money as ({_calendar_year_values_sql("fin_long")}),
        segments as ({segments}),
        ai_long as (select *, 'ai_segments' as metric from ({ai_periods})),
        ai as ({_calendar_year_values_sql("ai_long")}),
        dc_periods as (
            select ticker, fiscal_period, period_start, period_end, revenue_usd as value, 'data_center' as metric
            from segments where ticker = '{SEQUOIA_SPEND_TICKER}' and member = '{DATA_CENTER_MEMBER}'
        ),
        dc as ({_calendar_year_values_sql("dc_periods")}),
        disclosed as ({disclosed}),
        base as (select ticker, value as base_revenue from money
                 where metric = 'revenue_usd' and calendar_year = (select base_year from params)),
        comparator_values as (
            select ticker, calendar_year, 'ai_segments' as comparator, value from ai
            union all
            select ticker, calendar_year, 'disclosed_ai_revenue', value from disclosed
            union all
            select m.ticker, m.calendar_year, 'revenue_growth', m.value - b.base_revenue
            from money m join base b using (ticker) where m.metric = 'revenue_usd'
        ),
        grid as (
            select y.calendar_year, c.comparator, m.ticker, v.value as comparator_value
            from years y cross join ({comparators}) c cross join members m
            left join comparator_values v
              on v.calendar_year = y.calendar_year and v.comparator = c.comparator and v.ticker = m.ticker
        ),
        capex_grid as (
            select g.calendar_year, k.method, g.comparator, g.ticker, g.comparator_value, s.value as spend, s.as_of,
                   s.value is not null and g.comparator_value is not null as used
            from grid g cross join ({capex_methods}) k
            left join money s on s.ticker = g.ticker and s.calendar_year = g.calendar_year and s.metric = k.metric
        ),
        capex as (
            select calendar_year, method, comparator,
                   sum(spend order by ticker) filter (where used) as spend_usd,
                   sum(comparator_value order by ticker) filter (where used) as comparator_revenue_usd,
                   max(as_of) filter (where used) as spend_as_of,
                   string_agg(ticker, ',' order by ticker) filter (where used) as spend_tickers,
                   string_agg(ticker, ',' order by ticker) filter (where used) as comparator_tickers,
                   string_agg(ticker, ',' order by ticker) filter (where not used) as missing_tickers,
                   count(*) filter (where used) as companies_reported
            from capex_grid group by calendar_year, method, comparator
        ),
        run_rate as (
            select calendar_year, arg_max(value, period_end) * 4 as spend_usd, max(period_end) as spend_as_of
            from (select *, cast(year(period_start + cast((datediff('day', period_start, period_end) + 1) // 2
                                                          as integer)) as integer) as calendar_year
                  from dc_periods where fiscal_period in ('Q1', 'Q2', 'Q3', 'Q4') and value is not null)
            group by calendar_year
        ),
        nvidia as (
            select y.calendar_year, 'sequoia' as method, d.value as spend_usd, d.as_of as spend_as_of
            from years y left join dc d on d.calendar_year = y.calendar_year
            union all
            select y.calendar_year, 'sequoia_run_rate', r.spend_usd, r.spend_as_of
            from years y left join run_rate r on r.calendar_year = y.calendar_year
        ),
        comparator_totals as (
            select calendar_year, comparator,
                   sum(comparator_value order by ticker) filter (where comparator_value is not null)
                       as comparator_revenue_usd,
                   string_agg(ticker, ',' order by ticker) filter (where comparator_value is not null)
                       as comparator_tickers,
                   list(ticker) filter (where comparator_value is null) as comparator_missing,
                   count(*) filter (where comparator_value is not null) as companies_reported
            from grid group by calendar_year, comparator
        ),
        sequoia as (
            select t.calendar_year, n.method, t.comparator, n.spend_usd, t.comparator_revenue_usd, n.spend_as_of,
                   '{SEQUOIA_SPEND_TICKER}' as spend_tickers, t.comparator_tickers,
                   nullif(array_to_string(list_sort(list_concat(
                       case when n.spend_usd is null then ['{SEQUOIA_SPEND_TICKER}'] else [] end,
                       coalesce(t.comparator_missing, []))), ','), '') as missing_tickers,
                   t.companies_reported
            from comparator_totals t join nvidia n using (calendar_year)
        ),
        gap as (
            select calendar_year, method, comparator, spend_usd,
                   case when companies_reported > 0 then comparator_revenue_usd end as comparator_revenue_usd,
                   spend_as_of, spend_tickers, comparator_tickers, missing_tickers, companies_reported
            from (select calendar_year, method, comparator, spend_usd, comparator_revenue_usd, spend_as_of,
                         spend_tickers, comparator_tickers, missing_tickers, companies_reported from capex
                  union all
                  select calendar_year, method, comparator, spend_usd, comparator_revenue_usd, spend_as_of,
                         spend_tickers, comparator_tickers, missing_tickers, companies_reported from sequoia)
        ),
        rows as (
            select g.*, m.cost_multiplier, p.target_gross_margin, p.base_year,
                   g.spend_usd * m.cost_multiplier / (1 - p.target_gross_margin) as required_revenue_usd
            from gap g join ({multipliers}) m using (method) cross join params p
        )
        select calendar_year, method, comparator, '{COHORT}' as cohort, spend_usd, cost_multiplier,
               target_gross_margin, required_revenue_usd, comparator_revenue_usd,
               required_revenue_usd - comparator_revenue_usd as revenue_gap_usd,
               case when comparator_revenue_usd <> 0 then required_revenue_usd / comparator_revenue_usd end
                   as gap_multiple,
               case when missing_tickers is null then 'complete' else 'incomplete' end as coverage,
               missing_tickers, base_year,
               case when comparator = 'revenue_growth' then comparator_revenue_usd end as incremental_revenue_usd,
               spend_tickers, comparator_tickers,
               (select count(*) from members) as companies_in_cohort,
               companies_reported::bigint as companies_reported, spend_as_of
        from rows
        order by calendar_year, method, comparator
    """)
        .pl()
        .select(*PUBLIC_COLUMNS, *TRACE_COLUMNS)
    )


def _usable_gpu_prices_sql(con: duckdb.DuckDBPyConnection, gpu_prices: str) -> str:
    """CTEs `base` and `usable` (= assets.gpu.index._usable): comparable priced rows with `placeholder`."""
    (comparable,) = _optional(con, gpu_prices, "comparable", cast="boolean")
    (offer_id,) = _optional(con, gpu_prices, "offer_id", cast="varchar")
    values = ", ".join(f"('{p}', {v!r})" for p, v in PLACEHOLDER_USD_PER_GPU_HOUR.items())
    return f"""
        base as (
            select *, {offer_id} as offer_key from {gpu_prices}
            where coalesce({comparable}, true) and gpu_family is not null and usd_per_gpu_hour > 0
        ),
        placeholder_values(provider, usd) as (values {values}),
        flagged as (
            select distinct b.provider, b.observed_on, b.offer_key
            from base b
            join placeholder_values v on v.provider = b.provider and b.usd_per_gpu_hour = v.usd
            join base o on o.provider = b.provider and o.observed_on = b.observed_on
                       and o.gpu_model = b.gpu_model and o.pricing <> b.pricing
            where o.usd_per_gpu_hour > b.usd_per_gpu_hour * {PLACEHOLDER_RATIO}
               or o.usd_per_gpu_hour * {PLACEHOLDER_RATIO} < b.usd_per_gpu_hour
        ),
        usable as (
            select b.*, f.provider is not null as placeholder
            from base b left join flagged f
              on f.provider = b.provider and f.observed_on = b.observed_on
             and f.offer_key is not distinct from b.offer_key
        )"""


def gpu_provider_prices_duckdb(
    con: duckdb.DuckDBPyConnection, gpu_prices: str = "core.gpu_prices"
) -> pl.DataFrame:
    """= assets.gpu.index.gpu_provider_prices(gpu_prices), computed by DuckDB."""
    return con.sql(f"""
        with {_usable_gpu_prices_sql(con, gpu_prices)}
        select observed_on, provider, gpu_family, pricing, region,
               count(*) filter (where not placeholder)::bigint as offers,
               quantile_cont(usd_per_gpu_hour, 0.1) filter (where not placeholder) as p10_usd_per_gpu_hour,
               quantile_cont(usd_per_gpu_hour, 0.5) filter (where not placeholder) as median_usd_per_gpu_hour,
               quantile_cont(usd_per_gpu_hour, 0.9) filter (where not placeholder) as p90_usd_per_gpu_hour,
               min(usd_per_gpu_hour) filter (where not placeholder) as min_usd_per_gpu_hour,
               max(usd_per_gpu_hour) filter (where not placeholder) as max_usd_per_gpu_hour,
               string_agg(distinct gpu_model, ',' order by gpu_model) filter (where not placeholder) as gpu_models,
               count(*) filter (where placeholder)::bigint as placeholder_offers
        from usable
        group by observed_on, provider, gpu_family, pricing, region
        having count(*) filter (where not placeholder) > 0
        order by observed_on, provider, gpu_family, pricing, region nulls last
    """).pl()


def gpu_price_index_duckdb(
    con: duckdb.DuckDBPyConnection, gpu_prices: str = "core.gpu_prices"
) -> pl.DataFrame:
    """= assets.gpu.index.gpu_price_index(gpu_prices), computed by DuckDB: linear-interpolated quantiles
    (quantile_cont, like Polars' interpolation="linear") over the comparable rows priced above 0 that are
    not placeholders, and the same matched-panel chain (a windowed product per link of the chain)."""
    series = "gpu_family, pricing"
    return con.sql(f"""
        with {_usable_gpu_prices_sql(con, gpu_prices)},
        offers as (select observed_on, gpu_family, pricing, provider, usd_per_gpu_hour
                   from usable where not placeholder),
        days as (
            select observed_on, gpu_family, pricing,
                   count(*)::bigint as offers,
                   count(distinct provider)::bigint as providers,
                   quantile_cont(usd_per_gpu_hour, 0.1) as p10_usd_per_gpu_hour,
                   quantile_cont(usd_per_gpu_hour, 0.5) as median_usd_per_gpu_hour,
                   quantile_cont(usd_per_gpu_hour, 0.9) as p90_usd_per_gpu_hour,
                   min(usd_per_gpu_hour) as min_usd_per_gpu_hour,
                   max(usd_per_gpu_hour) as max_usd_per_gpu_hour,
                   string_agg(distinct provider, ',' order by provider) as provider_list
            from offers group by observed_on, gpu_family, pricing
        ),
        series_days as (
            select *, lag(observed_on) over (partition by {series} order by observed_on) as previous_observed_on
            from days
        ),
        providers as (select distinct observed_on, gpu_family, pricing, provider from offers),
        panel as (
            select d.observed_on, d.gpu_family, d.pricing, d.previous_observed_on, p.provider
            from series_days d
            join providers p using (observed_on, gpu_family, pricing)
            join providers q on q.observed_on = d.previous_observed_on and q.gpu_family = d.gpu_family
                            and q.pricing = d.pricing and q.provider = p.provider
        ),
        today as (
            select o.observed_on, o.gpu_family, o.pricing,
                   string_agg(distinct o.provider, ',' order by o.provider) as panel_providers,
                   count(*)::bigint as panel_offers,
                   quantile_cont(o.usd_per_gpu_hour, 0.5) as panel_median_usd_per_gpu_hour
            from offers o join panel p using (observed_on, gpu_family, pricing, provider)
            group by o.observed_on, o.gpu_family, o.pricing
        ),
        before as (
            select p.observed_on, p.gpu_family, p.pricing,
                   quantile_cont(o.usd_per_gpu_hour, 0.5) as previous_panel_median_usd_per_gpu_hour
            from offers o join panel p on o.observed_on = p.previous_observed_on and o.gpu_family = p.gpu_family
                                      and o.pricing = p.pricing and o.provider = p.provider
            group by p.observed_on, p.gpu_family, p.pricing
        ),
        linked as (
            select d.*, t.panel_providers, t.panel_offers, t.panel_median_usd_per_gpu_hour,
                   b.previous_panel_median_usd_per_gpu_hour, t.panel_providers is null as index_rebased,
                   sum(case when t.panel_providers is null then 1 else 0 end)
                       over (partition by d.gpu_family, d.pricing order by d.observed_on
                             rows between unbounded preceding and current row) as link
            from series_days d
            left join today t using (observed_on, gpu_family, pricing)
            left join before b using (observed_on, gpu_family, pricing)
        )
        select observed_on, gpu_family, pricing, offers, providers, p10_usd_per_gpu_hour,
               median_usd_per_gpu_hour, p90_usd_per_gpu_hour, min_usd_per_gpu_hour, max_usd_per_gpu_hour,
               provider_list, previous_observed_on, panel_providers, panel_offers,
               panel_median_usd_per_gpu_hour, previous_panel_median_usd_per_gpu_hour,
               first_value(median_usd_per_gpu_hour) over w
                 * product(case when index_rebased then 1.0
                                else panel_median_usd_per_gpu_hour / previous_panel_median_usd_per_gpu_hour end)
                   over w as index_usd_per_gpu_hour,
               index_rebased
        from linked
        window w as (partition by {series}, link order by observed_on
                     rows between unbounded preceding and current row)
        order by observed_on, gpu_family, pricing
    """).pl()


def _growth(column: str) -> str:
    return f"(case when p.{column} <> 0 then r.{column} / p.{column} end) - 1"


def _optional(
    con: duckdb.DuckDBPyConnection, relation: str, *columns: str, cast: str = "double"
) -> list[str]:
    """Each column as a SQL expression: the column when the relation has it, else a typed NULL."""
    present = {row[0] for row in con.sql(f"describe select * from {relation}").fetchall()}
    return [f"cast({c} as {cast})" if c in present else f"cast(null as {cast})" for c in columns]
