"""The embedded snapshot: real captured bodies shipped in data/snapshot/<source>/, gzipped.

Each source folder has a MANIFEST.csv with one row per body:
    path,kind,entity,as_of,origin,sha256,bytes
`path` is relative to data/snapshot/ (a .gz file holding the body exactly as served), `sha256` and
`bytes` describe the decompressed body, `origin` is the URL it was served from (or the public
repository file it was taken from), `as_of` the capture date (ISO).
"""

from __future__ import annotations

import csv
import gzip
from dataclasses import dataclass
from pathlib import Path

from pipelines.config import SNAPSHOT_DIR

MANIFEST_COLUMNS = ["path", "kind", "entity", "as_of", "origin", "sha256", "bytes"]


@dataclass(frozen=True)
class SnapshotFile:
    path: str
    kind: str
    entity: str
    as_of: str
    origin: str
    sha256: str
    bytes: int


def read_snapshot_bytes(path: str | Path, root: Path = SNAPSHOT_DIR) -> bytes:
    """The body as served, decompressing the .gz the snapshot stores it in."""
    full = root / path
    data = full.read_bytes()
    return gzip.decompress(data) if full.suffix == ".gz" else data


def snapshot_manifest(root: Path = SNAPSHOT_DIR) -> list[SnapshotFile]:
    files: list[SnapshotFile] = []
    for manifest in sorted(root.glob("*/MANIFEST.csv")):
        with manifest.open(newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                files.append(SnapshotFile(**{**row, "bytes": int(row["bytes"])}))
    return files
