"""Layoff trackers (layoffs.fyi, state WARN notices) as a source package (found by pipelines.registry)."""

from assets.layoffs.kinds import KINDS
from assets.layoffs.live import fetch_live
from assets.layoffs.status import status_lines
from pipelines.spec import SourceSpec

SOURCE = SourceSpec(
    name="layoffs",
    home_url="https://layoffs.fyi",
    kinds=KINDS,
    fetch_live=fetch_live,
    status_lines=status_lines,
    order=20,
)
