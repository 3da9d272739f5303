"""The source packages, found rather than listed: every package under `assets/` with a `source.py`.

Adding a source is adding a folder `assets/<name>/` with `source.py` (`SOURCE = SourceSpec(...)`) and
`assets.py` (its Dagster assets and checks); `assets` is a namespace-extensible package, so a folder
`assets/<name>/` in another directory on `sys.path` is found too.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from types import ModuleType

import assets
from pipelines.kinds import Kind
from pipelines.spec import SourceSpec


@cache
def source_specs() -> tuple[SourceSpec, ...]:
    """Every source package's SOURCE, in reporting order."""
    specs = []
    for package in sorted({m.name for m in pkgutil.iter_modules(assets.__path__) if m.ispkg}):
        try:
            module = importlib.import_module(f"assets.{package}.source")
        except ModuleNotFoundError as e:
            if e.name == f"assets.{package}.source":
                continue  # a plain package (shared code), not a source
            raise
        spec = getattr(module, "SOURCE", None)
        if not isinstance(spec, SourceSpec) or spec.name != package:
            raise TypeError(
                f"assets/{package}/source.py must define SOURCE = SourceSpec(name={package!r}, ...)"
            )
        specs.append(spec)
    return tuple(sorted(specs, key=lambda s: (s.order, s.name)))


def data_sources() -> list[str]:
    """The sources that land bodies, i.e. what `capex refresh --sources` can select."""
    return [spec.name for spec in source_specs() if spec.lands_data]


def source_spec(name: str) -> SourceSpec | None:
    return next((spec for spec in source_specs() if spec.name == name), None)


def source_modules(submodule: str) -> list[ModuleType]:
    """assets.<source>.<submodule> for every source package that has one."""
    modules = []
    for spec in source_specs():
        try:
            modules.append(importlib.import_module(f"assets.{spec.name}.{submodule}"))
        except ModuleNotFoundError as e:
            if e.name != f"assets.{spec.name}.{submodule}":
                raise  # a real missing dependency inside the module, not an absent optional module
    return modules


def all_kinds() -> dict[str, Kind]:
    return {kind.name: kind for spec in source_specs() for kind in spec.kinds}
