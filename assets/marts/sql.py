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
from assets.marts.revenue_gap import COHORT, CONTRACT_COLUMNS, SEQUOIA_SPEND_TICKER, TRACE_COLUMNS

# DuckDB: list of tickers (comma-separated text) -> sorted distinct list without the empty string.
_TICKER_LIST = "list_sort(list_distinct(list_filter(string_split(coalesce({}, ''), ','), lambda s: s <> '')))"


def spend_ratio_duckdb(
    con: duckdb.DuckDBPyConnection,
    financials: str = "core.financials",
    layoff_events: str = "core.layoff_events",
    layoff_coverage: str | None = "core.layoff_coverage",
) -> pl.DataFrame:
    """= spend_ratio(financials, layoff_events, layoff_coverage), computed by DuckDB; without
    `layoff_coverage` (None) the coverage is derived from the events, as in Polars."""
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


def revenue_gap_duckdb(
    con: duckdb.DuckDBPyConnection,
    financials: str = "core.financials",
    companies: str = "companies",
    assumptions: str = "assumptions",
) -> pl.DataFrame:
    """= revenue_gap(financials, companies, assumptions), computed by DuckDB (same calendarization by days,
    same coverage rule); `companies` and `assumptions` are the seeds as relations."""

    def cohort_totals(members: str, column: str) -> str:
        """Per calendar year: `column` of `members` calendarized, with the _reported/_companies/_missing set."""
        return f"""
            select y.calendar_year,
                   sum(t.{column}) filter (where coalesce(t.{column}_days, 0) >= y.calendar_days) as reported,
                   count(*) filter (where coalesce(t.{column}_days, 0) >= y.calendar_days) as companies,
                   string_agg(m.ticker, ',' order by m.ticker)
                       filter (where coalesce(t.{column}_days, 0) < y.calendar_days) as missing,
                   (select count(*) from {members}) as members
            from years y cross join {members} m
            left join per_ticker t on t.ticker = m.ticker and t.calendar_year = y.calendar_year
            group by y.calendar_year"""

    def total(alias: str) -> str:
        return (
            f"case when {alias}.members > 0 and {alias}.companies = {alias}.members then {alias}.reported end"
        )

    missing = "list_concat(list_concat({}, {}), {})".format(
        _TICKER_LIST.format("spend.missing"),
        _TICKER_LIST.format("revenue.missing"),
        _TICKER_LIST.format("base.missing"),
    )
    return (
        con.sql(f"""
        with a as (select name, cast(value as double) as value from {assumptions}),
        params as (
            select (select value from a where name = 'target_gross_margin') as target_gross_margin,
                   (select value from a where name = 'cost_multiplier_capex') as cost_multiplier_capex,
                   (select value from a where name = 'cost_multiplier_sequoia') as cost_multiplier_sequoia,
                   cast((select value from a where name = 'base_year') as integer) as base_year
        ),
        fy as (
            select ticker, period_start, period_end,
                   cast(capex_usd as double) as capex_usd, cast(revenue_usd as double) as revenue_usd
            from {financials} where fiscal_period = 'FY'
        ),
        years as (
            select cast(calendar_year as integer) as calendar_year,
                   datediff('day', make_date(calendar_year, 1, 1), make_date(calendar_year, 12, 31)) + 1
                       as calendar_days
            from (select unnest(range(base_year, greatest(base_year + 3,
                                      coalesce((select max(year(period_end)) from fy), base_year)) + 1))
                         as calendar_year
                  from params)
        ),
        spans as (
            select *, datediff('day', greatest(period_start, make_date(calendar_year, 1, 1)),
                               least(period_end, make_date(calendar_year, 12, 31))) + 1 as overlap_days,
                      datediff('day', period_start, period_end) + 1 as fiscal_days
            from (select *, unnest(range(year(period_start), year(period_end) + 1)) as calendar_year from fy)
        ),
        per_ticker as (
            select ticker, calendar_year,
                   sum(capex_usd * overlap_days / fiscal_days) as capex_usd,
                   sum(overlap_days) filter (where capex_usd is not null) as capex_usd_days,
                   sum(revenue_usd * overlap_days / fiscal_days) as revenue_usd,
                   sum(overlap_days) filter (where revenue_usd is not null) as revenue_usd_days
            from spans group by ticker, calendar_year
        ),
        -- members with filings in the warehouse (as in the Polars mart: a seed row with no data yet is left out)
        cohort as (select distinct ticker from {companies} where cohort = '{COHORT}'
                   and ticker in (select ticker from fy)),
        spender as (select '{SEQUOIA_SPEND_TICKER}' as ticker),
        cohort_capex as ({cohort_totals("cohort", "capex_usd")}),
        cohort_revenue as ({cohort_totals("cohort", "revenue_usd")}),
        nvidia_revenue as ({cohort_totals("spender", "revenue_usd")}),
        methods as (
            select calendar_year, 'capex' as method, {total("c")} as spend_usd, c.reported as spend_reported,
                   c.companies as spend_companies, c.missing,
                   (select string_agg(ticker, ',' order by ticker) from cohort) as spend_tickers,
                   (select cost_multiplier_capex from params) as cost_multiplier
            from cohort_capex c
            union all
            select calendar_year, 'sequoia', {total("n")}, n.reported, n.companies, n.missing,
                   '{SEQUOIA_SPEND_TICKER}', (select cost_multiplier_sequoia from params)
            from nvidia_revenue n
        ),
        rows as (
            select spend.calendar_year, spend.method, '{COHORT}' as cohort, spend.spend_usd, spend.cost_multiplier,
                   params.target_gross_margin, params.base_year,
                   {total("revenue")} - {total("base")} as incremental_revenue_usd,
                   spend.spend_tickers,
                   (select count(*) from cohort) as companies_in_cohort,
                   {missing} as missing_list,
                   case when spend.spend_companies > 0 then spend.spend_reported end as spend_reported_usd,
                   {total("revenue")} as cohort_revenue_usd,
                   {total("base")} as base_year_revenue_usd
            from methods spend cross join params
            join cohort_revenue revenue on revenue.calendar_year = spend.calendar_year
            join cohort_revenue base on base.calendar_year = params.base_year
        )
        select calendar_year, method, cohort, spend_usd, cost_multiplier, target_gross_margin,
               spend_usd * cost_multiplier / (1 - target_gross_margin) as required_revenue_usd,
               base_year, incremental_revenue_usd,
               spend_usd * cost_multiplier / (1 - target_gross_margin) - incremental_revenue_usd as revenue_gap_usd,
               spend_tickers, companies_in_cohort::bigint as companies_in_cohort,
               (companies_in_cohort - len(list_intersect(list_distinct(missing_list),
                    (select list(ticker) from cohort))))::bigint as companies_reported,
               nullif(array_to_string(list_sort(list_distinct(missing_list)), ','), '') as missing_tickers,
               case when len(missing_list) = 0 then 'complete' else 'incomplete' end as coverage,
               spend_reported_usd, cohort_revenue_usd, base_year_revenue_usd
        from rows
        order by calendar_year, method
    """)
        .pl()
        .select(*CONTRACT_COLUMNS, *TRACE_COLUMNS)
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
