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


def add_snapshot_file(
    src: Path,
    source: str,
    kind: str,
    entity: str,
    as_of: str,
    origin: str,
    name: str | None = None,
    root: Path = SNAPSHOT_DIR,
) -> SnapshotFile:
    """Copy a captured body into data/snapshot/<source>/ (gzipped, bytes unchanged) and record it.

    A source file that is already .gz is stored as is (its decompressed bytes are the body).
    Re-adding the same path replaces its manifest row. Used by data/snapshot/add.py.
    """
    import hashlib

    raw = src.read_bytes()
    body = gzip.decompress(raw) if src.suffix == ".gz" else raw
    folder = root / source
    folder.mkdir(parents=True, exist_ok=True)
    stored_name = name or (src.name if src.suffix == ".gz" else src.name + ".gz")
    if not stored_name.endswith(".gz"):
        stored_name += ".gz"
    dest = folder / stored_name
    # mtime=0: the same body always gives the same .gz bytes, so re-running the script changes nothing.
    dest.write_bytes(raw if src.suffix == ".gz" else gzip.compress(body, compresslevel=9, mtime=0))
    entry = SnapshotFile(
        path=f"{source}/{stored_name}",
        kind=kind,
        entity=entity,
        as_of=as_of,
        origin=origin,
        sha256=hashlib.sha256(body).hexdigest(),
        bytes=len(body),
    )
    manifest = folder / "MANIFEST.csv"
    rows: list[dict] = []
    if manifest.exists():
        with manifest.open(newline="", encoding="utf-8") as f:
            rows = [r for r in csv.DictReader(f) if r["path"] != entry.path]
    rows.append({k: getattr(entry, k) for k in MANIFEST_COLUMNS})
    rows.sort(key=lambda r: r["path"])
    with manifest.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=MANIFEST_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return entry
