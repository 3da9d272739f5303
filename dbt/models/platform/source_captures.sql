-- What each source was built from: per source and kind of body, the bodies held in its landing table, the
-- first and latest capture date they state (as_of) and how they arrived (snapshot, live, import).
-- Every raw.landing_<source> table is included as found when dbt runs, so a new source needs no change here.
{%- set landing_tables = [] -%}
{%- if execute -%}
    {%- set found = run_query(
        "select table_name from information_schema.tables where table_catalog = current_database() "
        ~ "and table_schema = 'raw' and table_name like 'landing\\_%' escape '\\' order by table_name"
    ) -%}
    {%- set landing_tables = found.columns[0].values() -%}
{%- endif %}
{%- if landing_tables | length == 0 %}
select
    cast(null as varchar) as source,
    cast(null as varchar) as kind,
    cast(null as bigint) as bodies,
    cast(null as varchar) as first_as_of,
    cast(null as varchar) as latest_as_of,
    cast(null as varchar) as via
where false
{%- else %}
with bodies as (
    {%- for table in landing_tables %}
    select '{{ table[8:] }}' as source, kind, as_of, via from raw."{{ table }}"
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select
    source,
    kind,
    count(*) as bodies,
    min(as_of) as first_as_of,
    max(as_of) as latest_as_of,
    string_agg(distinct via, ', ' order by via) as via
from bodies
group by source, kind
{%- endif %}
