"""Import kinds: what `capex import KIND FILE` accepts and how the landing zone files each body.

Every source package declares its kinds in `assets/<source>/kinds.py` as `KINDS = [Kind(...), ...]`;
`pipelines.registry` collects them. A kind's `identify` validates the whole body with the source's
real parser (so a truncated or foreign file is refused before anything is stored) and says which
entity it belongs to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Identified:
    """What `identify` found in a body."""

    entity: str  # the thing this body is a version of: "CIK0000789019", "warn_ca", "vast"
    summary: str  # one line for `capex import`: "Microsoft Corp companyfacts, 2,311 USD facts, newest filed 2026-01-28"
    as_of: str | None = None  # observation date (ISO) when the body itself states one (a capture date)


@dataclass(frozen=True)
class Kind:
    name: str  # "sec-companyfacts": the KIND of `capex import`, and the kind in the landing manifest
    source: str  # "sec" | "layoffs" | "gpu": the group `capex refresh --sources` selects
    description: str
    identify: Callable[[bytes, str], Identified]  # (body, origin) -> Identified; raises SourceFormatError
    # history=False: only the newest body per entity is current (a companyfacts file replaces the last one).
    # history=True: every body is an observation kept forever, the newest per (entity, as_of) day wins
    # (GPU prices, overlapping layoff exports, successive WARN downloads).
    history: bool = False
