"""One canonical GPU name across providers, from the seeds a user edits.

Providers name the same chip in their own way: Vast "H100 SXM", RunPod "NVIDIA H100 80GB HBM3",
Prime Intellect "H100_80GB_SXM5", Azure "ND96isr_H100_v5" / "NDsr H100 v5 Series". The seed
`dbt/seeds/gpu_models.csv` holds case-insensitive regular expressions tried in file order (the first
match wins, so "H100 NVL" sits above plain "H100"); `dbt/seeds/gpu_instance_types.csv` says how many
GPUs of which model a cloud instance type carries (a VM size name does not say how many GPUs it has).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipelines.config import SEEDS_DIR
from pipelines.errors import SourceFormatError

GPU_MODELS_SEED = SEEDS_DIR / "gpu_models.csv"
INSTANCE_TYPES_SEED = SEEDS_DIR / "gpu_instance_types.csv"
GPU_MODELS_SCHEMA = {
    "provider_name_pattern": pl.String,
    "gpu_family": pl.String,
    "gpu_model": pl.String,
    "note": pl.String,
}
INSTANCE_TYPES_SCHEMA = {
    "provider": pl.String,
    "instance_type": pl.String,
    "gpu_family": pl.String,
    "gpu_model": pl.String,
    "gpu_count": pl.Int64,
    "note": pl.String,
}
GPU_STRUCT = pl.Struct({"gpu_family": pl.String, "gpu_model": pl.String})


def read_gpu_models(path: Path = GPU_MODELS_SEED) -> pl.DataFrame:
    """The name patterns in file order (order is precedence). A pattern that is not a valid regex
    is refused here, naming the row, rather than failing later inside a query."""
    seed = pl.read_csv(path, schema=GPU_MODELS_SCHEMA)
    for i, pattern in enumerate(seed["provider_name_pattern"].to_list(), start=2):
        try:
            pl.select(pl.lit("x").str.contains(f"(?i){pattern}"))
        except pl.exceptions.ComputeError as e:
            raise SourceFormatError(
                f"{path.name} line {i}", f"pattern {pattern!r} is not a regular expression: {e}"
            ) from e
    return seed


def read_instance_types(path: Path = INSTANCE_TYPES_SEED) -> pl.DataFrame:
    return pl.read_csv(path, schema=INSTANCE_TYPES_SCHEMA)


def normalized_gpu_name(names: pl.Expr) -> pl.Expr:
    """ "NVIDIA A100-SXM4-80GB" -> "NVIDIA A100 SXM4 80GB", "H100_80GB_SXM5" -> "H100 80GB SXM5":
    separators become spaces so one `\\b`-delimited pattern fits every provider's spelling."""
    return names.str.replace_all(r"[_\-\s]+", " ").str.strip_chars()


def canonical_gpu(names: pl.Expr | pl.Series, gpu_models: pl.DataFrame) -> pl.Expr | pl.Series:
    """Struct {gpu_family, gpu_model} of the first seed pattern matching each name; null if none does.

    Takes an expression (use inside with_columns, then unnest) or a Series (returns a Series).
    """
    if isinstance(names, pl.Series):
        return pl.select(canonical_gpu(pl.lit(names), gpu_models)).to_series().alias(names.name)
    name = normalized_gpu_name(names)
    chain = None
    for pattern, family, model in gpu_models.select(
        "provider_name_pattern", "gpu_family", "gpu_model"
    ).iter_rows():
        value = pl.lit({"gpu_family": family, "gpu_model": model}, dtype=GPU_STRUCT)
        condition = name.str.contains(f"(?i){pattern}")
        chain = pl.when(condition).then(value) if chain is None else chain.when(condition).then(value)
    if chain is None:
        return pl.lit(None, dtype=GPU_STRUCT)
    return chain.otherwise(pl.lit(None, dtype=GPU_STRUCT))
