"""Run the refresh job in process and turn its outcome into lines a person reads."""

import json
import logging
import os
import sys
import time
from pathlib import Path

import dagster as dg


@dg.logger(description="Concise progress on stderr: one line per finished step, warnings, failures.")
def progress_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.getLogger("capex.progress")
    logger.handlers.clear()
    logger.propagate = False
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(ProgressFormatter())
    handler.addFilter(ProgressFilter())
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    return logger


def _event(record: logging.LogRecord):
    meta = getattr(record, "dagster_meta", None) or {}
    return meta.get("dagster_event"), meta


class ProgressFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        event, _ = _event(record)
        if event is None:
            return record.levelno >= logging.WARNING
        return event.event_type_value in {"STEP_SUCCESS", "STEP_FAILURE", "ASSET_CHECK_EVALUATION"}


class ProgressFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        event, meta = _event(record)
        if event is None:
            return f"  warning: {meta.get('orig_message', record.getMessage())}"
        step = event.step_key or ""
        if event.event_type_value == "STEP_SUCCESS":
            seconds = event.event_specific_data.duration_ms / 1000
            return f"  done {step} ({seconds:.1f} s)"
        if event.event_type_value == "STEP_FAILURE":
            error = event.event_specific_data.error
            return f"  FAILED {step}: {error.message.strip().splitlines()[-1] if error else ''}"
        evaluation = event.event_specific_data
        if evaluation.passed:
            return f"  check ok {evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
        return f"  CHECK FAILED {evaluation.asset_key.to_user_string()}:{evaluation.check_name}: {evaluation.description}"


def run_refresh(
    history: Path, run_id: str | None = None, settings: dict | None = None
) -> tuple[bool, list[str]]:
    """Execute the `refresh` job; returns (published, lines explaining what failed).

    The run uses an in-memory Dagster instance: Dagster's SQLite event log commits every event (hundreds
    per refresh) and doubled the time of a cold refresh on a 2-core machine. What `capex status` needs
    (materializations, row counts, check results, fetch fallbacks) is appended to `history` instead.
    Runs launched from `dagster dev` or the schedule keep their full event log in the UI as usual.

    `settings` is the run's CapexSettings config (home, offline, live_sources, warehouse, ...); the IO
    manager gets the same warehouse.
    """
    from pipelines.definitions import defs

    # The CLI shows one line per step instead of Dagster's debug log.
    job = defs.resolve_job_def("refresh").with_logger_defs({"progress": progress_logger})
    with dg.DagsterInstance.ephemeral() as instance:
        # A logger is used only when the run config names it; otherwise Dagster falls back to its console logger.
        result = job.execute_in_process(
            instance=instance, raise_on_error=False, run_id=run_id, run_config=run_config(settings or {})
        )
        failed_checks = [
            f"blocking check {e.check_name} failed on {e.asset_key.to_user_string()}: {e.description}"
            for e in result.get_asset_check_evaluations()
            if not e.passed
        ]
        failed_steps = []
        for event in result.all_events:
            if event.event_type_value == "STEP_FAILURE":
                error = event.event_specific_data.error
                cause = error.cause if error and error.cause else error
                message = (cause.message if cause else "unknown error").strip().splitlines()
                failed_steps.append(f"step {event.step_key} failed: {message[-1] if message else ''}")
        # A failed blocking check also fails its step; the check's own line (table, rows) is the reason
        # a person needs, so it comes last: the CLI's one-line summary quotes the last line.
        lines = failed_steps + failed_checks
        published = _node_ran(result, "warehouse__published")
        if not published and not lines:
            lines.append("the publish step did not run")
        ok = published and result.success
        record_run(history, result, ok, lines)
        return ok, lines


def run_config(settings: dict) -> dict:
    """The refresh job's run config: the settings resource's and the IO manager's fields, the CLI's logger."""
    resources = {"settings": {"config": settings}}
    if settings.get("warehouse"):
        resources["io_manager"] = {"config": {"warehouse": settings["warehouse"]}}
    return {"loggers": {"progress": {}}, "resources": resources}


def record_run(history: Path, result: dg.ExecuteInProcessResult, ok: bool, lines: list[str]) -> None:
    """Append one JSON line per refresh: what each asset produced and what each check said."""
    finished = time.time()
    assets = {}
    for materialization in result.get_asset_materialization_events():
        m = materialization.event_specific_data.materialization
        metadata = {
            k: v.value for k, v in m.metadata.items() if k in ("dagster/row_count", "fetch_status", "bodies")
        }
        assets[m.asset_key.to_user_string()] = {"at": finished, **metadata}
    checks = [
        {
            "asset": e.asset_key.to_user_string(),
            "check": e.check_name,
            "passed": e.passed,
            "description": e.description,
        }
        for e in result.get_asset_check_evaluations()
    ]
    line = json.dumps(
        {
            "run_id": result.run_id,
            "finished": finished,
            "published": ok,
            "problems": lines,
            "assets": assets,
            "checks": checks,
        },
        default=str,
    )
    history.parent.mkdir(parents=True, exist_ok=True)
    with history.open("a", encoding="utf-8") as f:
        f.write(line + "\n")
        f.flush()
        os.fsync(f.fileno())


def _node_ran(result: dg.ExecuteInProcessResult, node: str) -> bool:
    return any(e.step_key == node and e.event_type_value == "STEP_SUCCESS" for e in result.all_events)
