"""The settings resource: where a refresh reads and writes, and whether it may use the network."""

from pathlib import Path

import dagster as dg

from pipelines.config import capex_home
from pipelines.landing import LandingZone


class CapexSettings(dg.ConfigurableResource):
    """Where the refresh reads and writes, and whether it may use the network."""

    home: str = ""  # CAPEX_HOME; empty = the environment's (default ./var)
    offline: bool = False  # True: embedded snapshot + landed/imported files only, no network at all
    live_sources: str = (
        ""  # sources fetched live when not offline (comma-separated); empty = every data source
    )
    warehouse: str = ""  # published file; empty = $CAPEX_HOME/warehouse/capex.duckdb

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
