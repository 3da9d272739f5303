"""The settings resource: where a refresh reads and writes, and whether it may use the network.

Set per run through Dagster's run config, not the process environment: `capex refresh` passes
`{"resources": {"settings": {"config": {"offline": true, ...}}}}` to the job (pipelines/runner.py);
the UI's launchpad shows the same fields. The defaults are what the nightly schedule runs: live, every
data source, the warehouse under CAPEX_HOME.
"""

from pathlib import Path

import dagster as dg
from pydantic import Field

from pipelines.config import capex_home
from pipelines.landing import LandingZone


class CapexSettings(dg.ConfigurableResource):
    """Where the refresh reads and writes, and whether it may use the network."""

    home: str = Field(
        default="", description="CAPEX_HOME for this run; empty: the environment's (default ./var)"
    )
    offline: bool = Field(
        default=False, description="embedded snapshot and landed/imported files only, no network at all"
    )
    live_sources: str = Field(
        default="",
        description="data sources fetched live when not offline, comma-separated; empty: every one",
    )
    warehouse: str = Field(
        default="", description="the published file; empty: $CAPEX_HOME/warehouse/capex.duckdb"
    )
    refresh_lock_held_by: int = Field(
        default=0,
        description="pid of the process holding the warehouse's refresh lock for this whole run (`capex refresh` "
        "does); 0: the publish step takes the lock itself",
    )

    @property
    def home_path(self) -> Path:
        return Path(self.home).resolve() if self.home else capex_home()

    @property
    def warehouse_path(self) -> Path:
        return (
            Path(self.warehouse).resolve()
            if self.warehouse
            else self.home_path / "warehouse" / "capex.duckdb"
        )

    def landing(self) -> LandingZone:
        return LandingZone(self.home_path / "landing")

    def fetches_live(self, source: str) -> bool:
        if self.offline:
            return False
        chosen = {s.strip() for s in self.live_sources.split(",") if s.strip()}
        return not chosen or source in chosen
