"""What `capex status` says about the SEC tables of the published warehouse."""

from __future__ import annotations

from pathlib import Path

from pipelines.warehouse import read_published


def status_lines(warehouse: Path) -> list[str]:
    """What core.coverage says is missing: companies of the seed with no filing, fiscal years not filed yet."""
    try:
        rows = read_published(
            warehouse,
            "select ticker, missing, years_not_filed, last_fiscal_period from core.coverage order by ticker",
        )
    except Exception:  # noqa: BLE001 - a warehouse published before core.coverage existed
        return []
    if not rows:
        return []
    lines = []
    missing = [ticker for ticker, is_missing, _, _ in rows if is_missing]
    if missing:
        lines.append(f"coverage: no filings in the landing zone for {', '.join(missing)} (gaps, not zeros)")
    for ticker, is_missing, not_filed, last in rows:
        if not is_missing and not_filed:
            lines.append(f"coverage: {ticker} newest period held {last}; not filed (held) yet: {not_filed}")
    return lines
