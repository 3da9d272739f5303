"""`capex status`: one line per asset — last materialization, age, rows, checks, fetch fallbacks —
from the refresh history `capex refresh` appends to $CAPEX_HOME/status/refreshes.jsonl, plus what
is published. Reads no Dagster storage, so it answers at once."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from pipelines.config import capex_home
from pipelines.registry import source_specs
from pipelines.warehouse import read_published


def _age(timestamp: float) -> str:
    hours = (datetime.now(UTC).timestamp() - timestamp) / 3600
    return f"{hours:.1f} h ago" if hours < 48 else f"{hours / 24:.0f} d ago"


def _when(timestamp: float) -> str:
    return f"{datetime.fromtimestamp(timestamp, UTC):%Y-%m-%d %H:%M} UTC ({_age(timestamp)})"


def read_history(path: Path) -> list[dict]:
    if not path.exists():
        return []
    runs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            runs.append(json.loads(line))
        except json.JSONDecodeError:
            continue  # a refresh killed while appending its line
    return runs


def status_lines(warehouse: Path) -> list[str]:
    lines = []
    try:
        published = read_published(warehouse, "select published_at, fingerprint from meta.refresh")
    except Exception:  # noqa: BLE001 - an unreadable warehouse is itself a status
        published = None
    if published:
        at, fingerprint = published[0]
        lines.append(
            f"warehouse {warehouse}: published {at:%Y-%m-%d %H:%M:%S %Z} (fingerprint {fingerprint[:12]})"
        )
        for spec in source_specs():  # what each source has to say about its published tables
            lines.extend(spec.status_lines(warehouse) if spec.status_lines else [])
    else:
        lines.append(f"warehouse {warehouse}: nothing published yet (run `capex refresh --offline`)")
    runs = read_history(capex_home() / "status" / "refreshes.jsonl")
    if not runs:
        lines.append("no refresh recorded in this CAPEX_HOME yet")
        return lines
    last = runs[-1]
    state = (
        "published"
        if last.get("published")
        else "FAILED, nothing published: " + "; ".join(last.get("problems", []))[:500]
    )
    lines.append(f"last refresh {_when(last['finished'])}: {state}")
    docs = capex_home() / "gx" / "data_docs" / "index.html"
    if docs.exists():
        lines.append(f"data quality: Great Expectations data docs of the last checks at file://{docs}")

    latest: dict[str, dict] = {}
    checks: dict[str, dict[str, dict]] = {}
    for run in runs:  # oldest first: later runs overwrite
        latest.update(run.get("assets", {}))
        for check in run.get("checks", []):
            checks.setdefault(check["asset"], {})[check["check"]] = check
    for asset in sorted(latest):
        info = latest[asset]
        line = f"{asset:<34} {_when(info['at'])}"
        if info.get("dagster/row_count") is not None:
            line += f", {info['dagster/row_count']:,} rows"
        asset_checks = checks.get(asset, {})
        if asset_checks:
            line += "; checks: " + ", ".join(
                f"{name} {'ok' if c['passed'] else 'FAILED'}" for name, c in sorted(asset_checks.items())
            )
        if info.get("fetch_status"):
            line += f"; {info['fetch_status']}"
        lines.append(line)
    for asset, asset_checks in sorted(checks.items()):
        for name, c in sorted(asset_checks.items()):
            if not c["passed"]:
                lines.append(f"FAILED check {asset}:{name}: {c['description']}")
    return lines
