{#- The grain of a view: no two rows share these columns (dbt's built-in `unique` takes one column only).
    A NULL in a grain column counts as a value here, as it does when a BI tool groups by the columns. -#}
{% test unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as rows_sharing_the_grain
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
