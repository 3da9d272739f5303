-- The dates each layoff source covers: a date outside every stretch is "not covered", not "no layoffs".
select source, state, first_date, last_date, downloads
from {{ source('core_layoffs', 'layoff_coverage') }}
