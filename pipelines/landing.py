"""The landing zone: every fetched or imported body stored as served, content-addressed.

    $CAPEX_HOME/landing/objects/ab/ab12...ef     the body, named by its SHA-256
    $CAPEX_HOME/landing/manifest.jsonl           one JSON line per landing: kind, entity, as_of,
                                                 origin (URL or import path), fetch time, ETag ...

The embedded snapshot (data/snapshot/) is read as a layer beneath it, so a fresh clone has bodies
to parse without copying anything. Parsers only ever read bodies through `Body.read()`, so every
refresh can be replayed offline from here.

Crash safety: a body is written to a temporary name, fsynced and renamed into place before its
manifest line is appended (and fsynced), so a manifest line never points at a half-written file; a
torn last line left by a crash is skipped when reading. Paths come only from SHA-256 hex digests:
nothing a source serves (URL, file name, entity) ever becomes a path.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from pipelines.errors import SourceFormatError
from pipelines.snapshot import SNAPSHOT_DIR, read_snapshot_bytes, snapshot_manifest


@dataclass(frozen=True)
class Body:
    """One landed body and where it came from."""

    kind: str
    entity: str
    as_of: str  # ISO date the data was observed (capture date for snapshots, --as-of for imports)
    origin: str  # URL fetched, path imported, or the snapshot's original URL
    sha256: str
    bytes: int
    landed_at: str  # ISO timestamp (UTC) it entered the landing zone
    via: str  # "snapshot" | "fetch" | "import"
    etag: str | None = None
    last_modified: str | None = None
    location: str = field(default="", compare=False)  # object path, or snapshot path for via=snapshot

    def read(self) -> bytes:
        raw = (
            read_snapshot_bytes(self.location) if self.via == "snapshot" else Path(self.location).read_bytes()
        )
        if hashlib.sha256(raw).hexdigest() != self.sha256:
            raise SourceFormatError(self.origin, f"landed body {self.sha256[:12]} is corrupt (hash mismatch)")
        return raw

    def record(self) -> dict:
        """The manifest/lineage fields, without the machine-specific location."""
        return {k: v for k, v in asdict(self).items() if k != "location"}


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(dest: Path, data: bytes) -> None:
    """Write to a temp name in the same folder, fsync, rename: readers see all of it or nothing."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".tmp-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(dest.parent)


class LandingZone:
    def __init__(self, root: Path, snapshot_root: Path | None = SNAPSHOT_DIR):
        self.root = root
        self.snapshot_root = snapshot_root
        self.manifest_path = root / "manifest.jsonl"

    def _object_path(self, sha256: str) -> Path:
        return self.root / "objects" / sha256[:2] / sha256

    def _landed(self) -> list[Body]:
        if not self.manifest_path.exists():
            return []
        bodies = []
        for line in self.manifest_path.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue  # torn last line of a crashed append: that landing never completed
            path = self._object_path(entry["sha256"])
            if path.exists():
                bodies.append(Body(**entry, location=str(path)))
        return bodies

    def _snapshot(self) -> list[Body]:
        if self.snapshot_root is None:
            return []
        return [
            Body(
                kind=s.kind,
                entity=s.entity,
                as_of=s.as_of,
                origin=s.origin,
                sha256=s.sha256,
                bytes=s.bytes,
                landed_at=f"{s.as_of}T00:00:00+00:00",
                via="snapshot",
                location=s.path,
            )
            for s in snapshot_manifest(self.snapshot_root)
        ]

    def bodies(self) -> list[Body]:
        """Every body ever landed, the embedded snapshot first."""
        return self._snapshot() + self._landed()

    def current(self, kind: str, history: bool) -> list[Body]:
        """The bodies in force for a kind: the newest landing per entity, or per (entity, as_of day)
        for history kinds (point-in-time observations keep every day)."""
        newest: dict[tuple, Body] = {}
        for body in self.bodies():
            if body.kind != kind:
                continue
            key = (body.entity, body.as_of) if history else (body.entity,)
            if key not in newest or body.landed_at >= newest[key].landed_at:
                newest[key] = body
        return sorted(newest.values(), key=lambda b: (b.entity, b.as_of, b.landed_at))

    def last_fetch(self, origin: str) -> Body | None:
        """The newest body fetched from a URL: its ETag/Last-Modified make the next GET conditional."""
        fetched = [b for b in self._landed() if b.origin == origin and b.via == "fetch"]
        return max(fetched, key=lambda b: b.landed_at) if fetched else None

    def store(
        self,
        raw: bytes,
        *,
        kind: str,
        entity: str,
        origin: str,
        via: str,
        as_of: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> tuple[Body, bool]:
        """Land a body. Returns (body, stored); stored is False when the newest landing of the same
        kind/entity/day already holds these exact bytes (importing the same file twice changes nothing)."""
        sha256 = hashlib.sha256(raw).hexdigest()
        as_of = as_of or date.today().isoformat()
        for body in reversed(self._landed()):
            if (body.kind, body.entity, body.as_of) == (kind, entity, as_of):
                if body.sha256 == sha256:
                    return body, False
                break
        path = self._object_path(sha256)
        if not path.exists():
            atomic_write(path, raw)
        body = Body(
            kind=kind,
            entity=entity,
            as_of=as_of,
            origin=origin,
            sha256=sha256,
            bytes=len(raw),
            landed_at=datetime.now(UTC).isoformat(timespec="microseconds"),
            via=via,
            etag=etag,
            last_modified=last_modified,
            location=str(path),
        )
        line = json.dumps(body.record(), sort_keys=True) + "\n"
        self.root.mkdir(parents=True, exist_ok=True)
        # One write() of one line with O_APPEND: concurrent imports never interleave within a line.
        fd = os.open(self.manifest_path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                line = "\n" + line  # a crash tore the last line: start ours on a line of its own
            os.write(fd, line.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
        return body, True
