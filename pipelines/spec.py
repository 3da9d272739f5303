"""What a source package declares about itself, so that the platform needs no list of sources.

Each folder under `assets/` with a `source.py` is a source package; its module-level `SOURCE` is a
`SourceSpec`. `pipelines.registry` finds them; nothing in `pipelines/` names a source.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.kinds import Kind


@dataclass(frozen=True)
class SourceSpec:
    name: (
        str  # the asset group, the prefix of raw.landing_<name>, and the name `capex refresh --sources` takes
    )
    home_url: str  # where its figures come from: shown on every asset of the group in the Dagster UI
    kinds: Sequence[Kind] = ()  # what `capex import KIND` accepts for it (empty: it lands nothing)
    # fetch_live(fetch, store, ...): the live-mode requests; None for a package that only derives (marts)
    fetch_live: Callable[..., None] | None = None
    # Minimum seconds between two requests to a host (a provider's fair-access policy); others get the default.
    host_min_interval_s: Mapping[str, float] = field(default_factory=dict)
    # status_lines(published warehouse path) -> lines `capex status` prints about this source's tables
    status_lines: Callable[[Path], list[str]] | None = None
    # Reporting order (`capex status`, the default --sources list): lower first; ties by name.
    order: int = 100

    @property
    def lands_data(self) -> bool:
        """A data source: it has bodies to land (snapshot, import or live) and can be fetched live."""
        return bool(self.kinds)
