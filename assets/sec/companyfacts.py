"""SEC companyfacts (`https://data.sec.gov/api/xbrl/companyfacts/CIK##########.json`) to tidy facts.

The body is `{"cik", "entityName", "facts": {taxonomy: {concept: {"label", "description",
"units": {unit: [fact, ...]}}}}}`; a fact is `{start?, end, val, accn, fy, fp, form, filed, frame?}`
(`start` is absent for instants, `frame` for facts SEC did not assign to a calendar frame). Every
filing that reported a value is listed, so one period appears once per 10-K/10-Q that repeated it:
that is the restatement history, kept here and resolved in `financials.py`.

DuckDB reads the nested JSON with an explicit MAP schema and unnests it in SQL: ~5x faster than
Python loops and far faster than Polars' read_json + explode (see docs/performance.md).
"""

from __future__ import annotations

import io
import re

import duckdb
import polars as pl

from pipelines.errors import SourceFormatError
from pipelines.parsed import gunzipped

# The tidy shape both SEC paths produce (companyfacts here, inline XBRL in ixbrl.py).
FACT_SCHEMA = {
    "cik": pl.String,  # 10 digits, zero-padded
    "entity_name": pl.String,
    "taxonomy": pl.String,  # us-gaap, dei, srt, ifrs-full, or a filer prefix such as amzn (iXBRL only)
    "concept": pl.String,
    "unit": pl.String,  # USD, shares, USD/shares, pure
    "period_start": pl.Date,  # NULL for instants
    "period_end": pl.Date,
    "value": pl.Float64,
    "accession": pl.String,
    "fiscal_year_of_filing": pl.Int32,  # `fy`: the filing's fiscal year focus, not the fact's period
    "fiscal_period_of_filing": pl.String,  # `fp`: FY, Q1..Q4 of the filing
    "form": pl.String,  # 10-K, 10-Q, 10-K/A, 8-K, ...
    "filed": pl.Date,
    "frame": pl.String,  # SEC's calendar frame (CY2024Q3); absent on many facts, never a dedup key
}

_FACT = 'STRUCT(start VARCHAR, "end" VARCHAR, val DOUBLE, accn VARCHAR, fy VARCHAR, fp VARCHAR, form VARCHAR, filed VARCHAR, frame VARCHAR)'
_COLUMNS = {
    "cik": "VARCHAR",  # a number in SEC's bodies; VARCHAR also takes the quoted form some re-serialisations use
    "entityName": "VARCHAR",
    "facts": f"MAP(VARCHAR, MAP(VARCHAR, STRUCT(units MAP(VARCHAR, {_FACT}[]))))",
}
_TIDY_SQL = """
with taxonomies as (
    select cik, entityName as entity_name, unnest(map_entries(facts)) as t from doc
), concepts as (
    select cik, entity_name, t.key as taxonomy, unnest(map_entries(t.value)) as c from taxonomies
), units as (
    select cik, entity_name, taxonomy, c.key as concept, unnest(map_entries(c.value.units)) as u from concepts
), facts as (
    select cik, entity_name, taxonomy, concept, u.key as unit, unnest(u.value) as f from units
)
select
    lpad(cik, 10, '0') as cik, entity_name, taxonomy, concept, unit,
    try_cast(f.start as date) as period_start,
    try_cast(f."end" as date) as period_end,
    f.val as value,
    f.accn as accession,
    try_cast(f.fy as integer) as fiscal_year_of_filing,
    f.fp as fiscal_period_of_filing,
    f.form as form,
    try_cast(f.filed as date) as filed,
    f.frame as frame
from facts
"""


def parse_companyfacts(raw: bytes, origin: str) -> pl.DataFrame:
    """Every fact of a companyfacts body, one row per (concept, unit, period, filing), in FACT_SCHEMA."""
    body = gunzipped(raw, origin)
    if not body.strip():
        raise SourceFormatError(origin, "empty body, expected a companyfacts JSON object")
    if not body.lstrip().startswith(b"{"):
        raise SourceFormatError(origin, f"not a companyfacts JSON object (starts {body.lstrip()[:30]!r})")
    con = duckdb.connect()
    try:
        con.register(
            "doc",
            con.read_json(io.BytesIO(body), columns=_COLUMNS, format="auto", maximum_object_size=1 << 30),
        )
        table = con.sql(_TIDY_SQL).to_arrow_table()
        # Only an empty answer needs a second look: it is a valid body with no facts, or not companyfacts at all.
        shape = (
            con.execute("select count(*), count(cik), count(facts) from doc").fetchone()
            if not table.num_rows
            else (1, 1, 1)
        )
    except duckdb.Error as e:
        # DuckDB names the byte offset of a truncated or malformed document; keep its first line.
        reason = re.sub(r' in file "[^"]*",?', "", str(e).splitlines()[0])[:300]
        raise SourceFormatError(origin, f"not a readable companyfacts JSON ({reason})") from e
    finally:
        con.close()
    if shape[0] != 1:
        raise SourceFormatError(origin, f"expected one companyfacts object, found {shape[0]}")
    if not (shape[1] and shape[2]):
        raise SourceFormatError(origin, "not a companyfacts body: no 'cik' or no 'facts' key")
    facts = pl.from_arrow(table).cast(FACT_SCHEMA).select(list(FACT_SCHEMA))
    if facts["cik"].null_count():
        raise SourceFormatError(origin, "not a companyfacts body: 'cik' is null")
    if facts["cik"].n_unique() > 1:
        raise SourceFormatError(
            origin, f"expected one companyfacts object, found CIKs {facts['cik'].unique().to_list()}"
        )
    if facts.height and facts["value"].null_count() == facts.height:
        # Every fact without a value: the layout changed (the 'val' key renamed or gone), not a company
        # that reported nothing. Landing it would replace good figures with NULLs.
        raise SourceFormatError(origin, f"none of its {facts.height:,} facts has a 'val': changed layout?")
    # NaN or infinity is never a reported figure (a JSON 'NaN' or 1e400 read as a number): no value.
    return facts.with_columns(value=pl.when(pl.col("value").is_finite()).then(pl.col("value")))
