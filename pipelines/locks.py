"""The locks of the warehouse folder: one refresh at a time, and each run's claim on its build file.

Both are `flock`s, which die with their process: a kill -9 never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from pipelines.errors import CapexError

# Build locks this process holds, by path: a run's steps (one process under the in-process executor)
# claim the same build many times; the first claim opens and locks, the others find it here.
_claimed: dict[Path, int] = {}


def claim_build(build_dir: Path, run_id: str) -> None:
    """Mark run `run_id`'s build as in use until it is released or this process ends, so that another
    refresh's clean-up (`remove_stale_builds`) does not delete it."""
    path = build_dir / f"{run_id}.lock"
    if path in _claimed:
        return
    build_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise CapexError(f"build {run_id} is claimed by another process") from None
    _claimed[path] = fd


def release_build(build_dir: Path, run_id: str) -> None:
    fd = _claimed.pop(build_dir / f"{run_id}.lock", None)
    if fd is not None:
        os.close(fd)  # closing the descriptor drops the flock
    (build_dir / f"{run_id}.lock").unlink(missing_ok=True)


def build_lock_is_free(build_dir: Path, run_id: str) -> bool:
    """True when no live process claims run `run_id`'s build (it was killed, or never claimed it)."""
    path = build_dir / f"{run_id}.lock"
    if path in _claimed:
        return False
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


@contextmanager
def refresh_lock(warehouse: Path) -> Iterator[None]:
    """One refresh at a time per warehouse. The lock dies with its process, so a kill -9 never leaves
    a stale lock behind."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    path = warehouse.parent / ".refresh.lock"
    with open(path, "a+") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.seek(0)
            holder = f.read().strip() or "another process"
            raise CapexError(
                f"another refresh is running on {warehouse} ({holder}); try again when it has finished"
            ) from None
        f.seek(0)
        f.truncate()
        f.write(f"pid {os.getpid()} since {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC")
        f.flush()
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)
