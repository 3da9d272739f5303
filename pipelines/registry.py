"""The source packages and their import kinds. Adding a source = adding a folder under assets/ and
its name here."""

from __future__ import annotations

import importlib
from types import ModuleType

from pipelines.kinds import Kind

# Order is the order `capex refresh` reports them in; marts depend on the three data sources.
SOURCE_PACKAGES = ["sec", "layoffs", "gpu", "marts"]
DATA_SOURCES = ["sec", "layoffs", "gpu"]


def source_modules(submodule: str) -> list[ModuleType]:
    """assets.<source>.<submodule> for every source that has one."""
    modules = []
    for source in SOURCE_PACKAGES:
        try:
            modules.append(importlib.import_module(f"assets.{source}.{submodule}"))
        except ModuleNotFoundError as e:
            if e.name not in (f"assets.{source}", f"assets.{source}.{submodule}"):
                raise  # a real missing dependency inside the module, not an absent optional module
    return modules


def all_kinds() -> dict[str, Kind]:
    return {kind.name: kind for module in source_modules("kinds") for kind in module.KINDS}
