"""What `capex status` says about the layoff tables of the published warehouse."""

from __future__ import annotations

from pathlib import Path

from pipelines.warehouse import read_published


def status_lines(warehouse: Path) -> list[str]:
    """What the layoffs deduplication merged (docs/layoffs.md), from the published tables."""
    try:
        rows = read_published(
            warehouse,
            "select sum(source_duplicates) filter (where source = 'layoffs_fyi'),"
            " count(*) filter (where last_listed_as_of is not null) from core.layoff_events",
        )
    except Exception:  # noqa: BLE001 - a warehouse published before these columns existed
        return []
    if not rows or rows[0][0] is None:
        return []
    merged, delisted = rows[0]
    return [
        f"layoffs: {merged:,} layoffs.fyi source duplicates merged; {delisted:,} events no longer listed by a newer download (kept)"
    ]
