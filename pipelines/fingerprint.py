"""What a published warehouse was built from, as one hash: the code and the landed bodies in force.

`capex refresh --offline` skips the whole run when the bodies in force now hash to the published
fingerprint (the warm path: no Dagster imported); the publish step records the fingerprint of the
bodies its build was made from. Both hash the same records with `warehouse_fingerprint`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path

import duckdb

from pipelines.config import PROJECT_ROOT
from pipelines.warehouse import read_published

BODY_FIELDS = ("kind", "entity", "as_of", "sha256")  # what identifies a body in force


def published_fingerprint(warehouse: Path) -> str | None:
    try:
        rows = read_published(warehouse, "select fingerprint from meta.refresh")
    except duckdb.Error:
        return None
    return rows[0][0] if rows else None


def code_fingerprint() -> str:
    """Hash of everything that shapes the warehouse besides the data: code, seeds, dbt models."""
    digest = hashlib.sha256()
    for folder in ("pipelines", "assets", "dbt/seeds", "dbt/models", "dbt/macros"):
        root = PROJECT_ROOT / folder
        for path in sorted(root.rglob("*")) if root.exists() else []:
            if path.is_file() and path.suffix in {".py", ".csv", ".sql", ".yml", ".yaml"}:
                digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def warehouse_fingerprint(bodies: Iterable[Mapping], code: str | None = None) -> str:
    """The fingerprint of a warehouse built by this code (`code_fingerprint()` unless given) from
    these bodies in force (mappings with BODY_FIELDS: landing records, rows of raw.landing_*)."""
    keys = sorted("|".join(str(body[f]) for f in BODY_FIELDS) for body in bodies)
    return hashlib.sha256(json.dumps([code or code_fingerprint(), keys]).encode()).hexdigest()
