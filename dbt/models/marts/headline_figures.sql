-- The figures people quote and the claims users bring, each measured, with its coverage and what it rests on.
select
    figure,
    label,
    value,
    unit,
    as_of,
    coverage,
    based_on,
    claim,
    verdict,
    reason
from {{ source('marts_marts', 'headline_figures') }}
