from __future__ import annotations

import polars as pl
import pytest

from assets.marts.assumptions import GRIDS, SINGLE, assumption, assumption_grid, assumptions_table
from pipelines.errors import SourceFormatError


def test_the_shipped_seed_is_complete_and_sourced(assumptions):
    table = assumptions_table(assumptions)
    assert set(SINGLE) | set(GRIDS) <= set(table["name"])
    assert table["used_by"].null_count() == 0
    # every value has a source or an explicit "assumption" note
    unsourced = table.filter(
        pl.col("source").is_null() & ~pl.col("note").fill_null("").str.starts_with("assumption")
    )
    assert unsourced.is_empty(), unsourced
    assert assumption(assumptions, "target_gross_margin") == 0.5
    assert assumption(assumptions, "cost_multiplier_sequoia") == 2
    assert assumption(assumptions, "base_year") == 2022
    assert assumption_grid(assumptions, "useful_life_years") == [3, 4, 5, 6]
    assert assumption_grid(assumptions, "sensitivity_target_gross_margin") == [0.3, 0.4, 0.5, 0.6, 0.7]


def test_values_are_checked(assumptions):
    def edited(name, value):
        return assumptions.with_columns(value=pl.when(pl.col("name") == name).then(value).otherwise("value"))

    with pytest.raises(SourceFormatError, match="pue"):
        assumptions_table(edited("pue", 0.9))
    with pytest.raises(SourceFormatError, match="useful_life_years"):
        assumptions_table(edited("useful_life_years", 0.0))
    with pytest.raises(SourceFormatError, match="exactly one row named 'pue'"):
        assumptions_table(pl.concat([assumptions, assumptions.filter(pl.col("name") == "pue")]))
    with pytest.raises(SourceFormatError, match="not a number"):
        assumptions_table(assumptions.with_columns(pl.col("value").cast(pl.String).replace("1.58", "1,58")))
