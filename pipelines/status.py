"""`capex status`: one line per asset from Dagster's instance, plus what is published."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import dagster as dg

from pipelines.config import capex_home
from pipelines.warehouse import read_published


def _age(timestamp: float) -> str:
    hours = (datetime.now(timezone.utc).timestamp() - timestamp) / 3600
    return f"{hours:.1f} h ago" if hours < 48 else f"{hours / 24:.0f} d ago"


def status_lines(warehouse: Path) -> list[str]:
    from pipelines.definitions import defs

    lines = []
    try:
        published = read_published(warehouse, "select published_at, fingerprint from meta.refresh")
    except Exception:  # noqa: BLE001 - an unreadable warehouse is itself a status
        published = None
    if published:
        at, fingerprint = published[0]
        lines.append(f"warehouse {warehouse}: published {at:%Y-%m-%d %H:%M:%S %Z} (fingerprint {fingerprint[:12]})")
    else:
        lines.append(f"warehouse {warehouse}: nothing published yet (run `capex refresh --offline`)")
    docs = capex_home() / "gx" / "data_docs" / "index.html"
    if docs.exists():
        lines.append(f"data quality: Great Expectations data docs of the last checks at file://{docs}")
    with dg.DagsterInstance.get() as instance:
        graph = defs.resolve_asset_graph()
        for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
            event = instance.get_latest_materialization_event(key)
            if event is None or event.asset_materialization is None:
                lines.append(f"{key.to_user_string():<34} never materialized")
                continue
            metadata = event.asset_materialization.metadata
            rows = metadata.get("dagster/row_count")
            fetch = metadata.get("fetch_status")
            checks = []
            for check_key in graph.get_check_keys_for_assets({key}) if hasattr(graph, "get_check_keys_for_assets") else []:
                record = instance.event_log_storage.get_latest_asset_check_execution_by_key([check_key]).get(check_key)
                if record is not None and record.event is not None:
                    evaluation = record.event.dagster_event.event_specific_data
                    checks.append(f"{check_key.name} {'ok' if evaluation.passed else 'FAILED'}")
            line = f"{key.to_user_string():<34} {datetime.fromtimestamp(event.timestamp, timezone.utc):%Y-%m-%d %H:%M} UTC ({_age(event.timestamp)})"
            if rows is not None:
                line += f", {rows.value:,} rows"
            if checks:
                line += "; checks: " + ", ".join(checks)
            if fetch is not None:
                line += f"; {fetch.value}"
            lines.append(line)
    return lines
