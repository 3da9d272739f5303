-- Every assumption the marts use, with its unit and source (edit dbt/seeds/assumptions.csv).
select
    name,
    value,
    unit,
    source,
    note,
    used_by
from {{ source('marts_marts', 'assumptions') }}
