"""The assumptions seed (dbt/seeds/assumptions.csv): what each name means, reading it, publishing it.

The seed is `name,value,unit,source,note`, one row per value. A name in SINGLE has exactly one row; a
name in GRIDS has one row per value of a sensitivity grid (one row per useful life in
gpu_unit_economics, one band per margin in revenue_gap_sensitivity). Every value a mart uses comes from
here, so editing the CSV and refreshing changes the marts; `marts.assumptions` republishes the seed so a
BI user sees what was assumed, next to the numbers.
"""

from __future__ import annotations

import polars as pl

from assets.marts.inputs import Frame, input_table
from pipelines.errors import SourceFormatError

SEED = "dbt/seeds/assumptions.csv"

# name -> the marts that use it (published as `used_by`).
SINGLE = {
    "target_gross_margin": "revenue_gap",
    "cost_multiplier_capex": "revenue_gap, revenue_gap_sensitivity",
    "cost_multiplier_sequoia": "revenue_gap, revenue_gap_sensitivity",
    "base_year": "revenue_gap, revenue_gap_sensitivity",
    "pue": "gpu_unit_economics",
    "electricity_usd_per_kwh": "gpu_unit_economics",
    "host_overhead_share": "gpu_unit_economics",
    "cost_of_capital": "gpu_unit_economics",
}
GRIDS = {
    "useful_life_years": "gpu_unit_economics, revenue_gap_sensitivity, revenue_gap_depreciation",
    "sensitivity_target_gross_margin": "revenue_gap_sensitivity",
}
# A value outside these makes a formula meaningless (a margin of 1 divides by zero, a life of 0 too).
_MARGIN = (lambda v: 0 <= v < 1, "at least 0 and below 1")
_NOT_NEGATIVE = (lambda v: v >= 0, "0 or more")
VALID = {
    "target_gross_margin": _MARGIN,
    "sensitivity_target_gross_margin": _MARGIN,
    "useful_life_years": (lambda v: v > 0, "above 0"),
    "pue": (lambda v: v >= 1, "1 or more (total facility power / IT power)"),
    "base_year": (lambda v: v == int(v), "a whole year"),
    "cost_multiplier_capex": _NOT_NEGATIVE,
    "cost_multiplier_sequoia": _NOT_NEGATIVE,
    "electricity_usd_per_kwh": _NOT_NEGATIVE,
    "host_overhead_share": _NOT_NEGATIVE,
    "cost_of_capital": (lambda v: 0 <= v < 1, "at least 0 and below 1 (a fraction per year)"),
}
COLUMNS = {"name": pl.String, "value": pl.Float64, "unit": pl.String, "source": pl.String, "note": pl.String}


def assumptions_table(assumptions: Frame) -> pl.DataFrame:
    """= marts.assumptions: the seed, checked (every name present, values in range), with `used_by`."""
    table = _checked(assumptions)
    used_by = {**SINGLE, **GRIDS}
    return table.with_columns(
        used_by=pl.col("name").replace_strict(used_by, default=None, return_dtype=pl.String)
    )


def assumption(assumptions: Frame, name: str) -> float:
    """The value of a single-valued assumption."""
    return _values(assumptions, name)[0]


def assumption_grid(assumptions: Frame, name: str) -> list[float]:
    """The distinct values of a grid assumption, ascending."""
    return sorted(set(_values(assumptions, name)))


def _values(assumptions: Frame, name: str) -> list[float]:
    return _checked(assumptions).filter(pl.col("name") == name)["value"].to_list()


def _checked(assumptions: Frame) -> pl.DataFrame:
    try:
        table = input_table(assumptions, SEED, COLUMNS).collect()
    except pl.exceptions.InvalidOperationError as e:
        raise SourceFormatError(SEED, f"a value is not a number ({e})") from None
    counts = dict(table.group_by("name").len().iter_rows())
    for name in SINGLE:
        if counts.get(name, 0) != 1:
            raise SourceFormatError(SEED, f"needs exactly one row named {name!r}, has {counts.get(name, 0)}")
    for name in GRIDS:
        if not counts.get(name):
            raise SourceFormatError(SEED, f"needs at least one row named {name!r}")
    for name, value in table.select("name", "value").iter_rows():
        if name not in VALID:
            continue
        valid, expected = VALID[name]
        if value is None or not valid(value):
            raise SourceFormatError(SEED, f"{name!r} = {value}: must be {expected}")
    return table
