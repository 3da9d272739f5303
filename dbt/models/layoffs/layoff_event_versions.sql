-- A notice's or event's history: one row per download that listed it, oldest first.
select event_id, source, as_of, employees_affected, effective_date, origin, row_number
from {{ source('core_layoffs', 'layoff_event_versions') }}
