"""The refresh's validation worker: a second process that imports Great Expectations while the
main one imports Dagster and parses the sources, then runs every check's suite."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import polars as pl

from pipelines.gx_runner import Expectation, Failure, build_data_docs_here, validate_frame

# GX takes ~10 s to import on this kind of machine. `capex refresh` starts one worker process at the
# beginning, which imports GX on the second core while the main process imports Dagster and parses
# the sources; checks then send their frame (Arrow IPC bytes) to it. Runs launched from the Dagster UI
# or tests, with no worker, validate in process.
_WORKER = None


def _warm_up() -> None:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations  # noqa: F401 - the import is the slow part


def _exit_with_parent(parent_pid: int) -> None:
    """Worker initializer: a refresh killed with SIGKILL cannot stop its worker, so the worker watches
    for its parent to go and exits too (instead of holding ~400 MB until the machine restarts)."""
    import threading

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def start_validation_worker() -> None:
    global _WORKER
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if _WORKER is None:
        _WORKER = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_exit_with_parent,
            initargs=(os.getpid(),),
        )
        _WORKER.submit(_warm_up)


def stop_validation_worker() -> None:
    global _WORKER
    if _WORKER is not None:
        _WORKER.shutdown(wait=True, cancel_futures=True)
        _WORKER = None


def _validate_ipc(
    ipc: bytes, suite_name: str, expectations: list[Expectation], docs_dir: str
) -> tuple[list[Failure], int]:
    return validate_frame(pl.read_ipc(ipc), suite_name, expectations, Path(docs_dir))


def validate(
    frame: pl.DataFrame, suite_name: str, expectations: list[Expectation], docs_dir: Path
) -> tuple[list[Failure], int]:
    """validate_frame, in the refresh's validation worker when there is one."""
    if _WORKER is None:
        return validate_frame(frame, suite_name, expectations, docs_dir)
    buffer = io.BytesIO()
    frame.write_ipc(buffer)
    return _WORKER.submit(_validate_ipc, buffer.getvalue(), suite_name, expectations, str(docs_dir)).result()


def build_data_docs() -> list[str]:
    """Render GX's data docs for every validation this refresh ran (called once, at publish):
    one site build instead of one per check."""
    if _WORKER is not None:
        return _WORKER.submit(build_data_docs_here).result()
    return build_data_docs_here()
