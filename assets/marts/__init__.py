"""The marts: pure Polars functions over the core tables and the seeds (no files, no database inside).

Each function takes frames (DataFrame or LazyFrame) and returns the mart as a DataFrame; the Dagster
assets read `core.*` and the seeds, call these, and the IO manager writes the result to `marts.*`.
`assets/marts/sql.py` computes three of them again in DuckDB SQL for the Polars-vs-DuckDB benchmark.
"""
