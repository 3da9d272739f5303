"""Where things live. Everything the pipeline writes is under CAPEX_HOME (default ./var)."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT_DIR = PROJECT_ROOT / "data" / "snapshot"
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt"
SEEDS_DIR = DBT_PROJECT_DIR / "seeds"


def capex_home() -> Path:
    return Path(os.environ.get("CAPEX_HOME") or PROJECT_ROOT / "var").resolve()
