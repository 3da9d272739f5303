"""The dbt project (dbt/) as Dagster assets: seeds a user edits, bi.* views, schema tests.

dbt runs against the run's build file (CAPEX_BUILD_DB), after the Python assets it reads from; its
tests become asset checks. The manifest is prepared once (`dbt parse`) when missing, so a fresh
clone needs no manual step.
"""

import contextlib
import io
import os
import subprocess
import sys
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets
from packaging import version

from dbt import version as dbt_core_version
from pipelines.config import DBT_PROJECT_DIR
from pipelines.settings import CapexSettings
from pipelines.warehouse import build_path

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def _manifest_is_stale() -> bool:
    manifest = dbt_project.manifest_path
    if not manifest.exists():
        return True
    sources = [
        p
        for folder in ("models", "seeds", "macros")
        for p in (DBT_PROJECT_DIR / folder).rglob("*")
        if p.is_file()
    ]
    newest = max((p.stat().st_mtime for p in [*sources, DBT_PROJECT_DIR / "dbt_project.yml"]), default=0)
    return newest > manifest.stat().st_mtime


if _manifest_is_stale():
    dbt_project.preparer.prepare(
        dbt_project
    )  # `dbt parse`: a fresh clone or an edited model needs no manual step


class CapexDbtTranslator(DagsterDbtTranslator):
    """Seeds are seeds/<name>, models bi/<name>, sources [schema, table]: the Python asset that
    builds the table (each source folder names its dbt source after itself: core_sec, marts_...)."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        resource_type = dbt_resource_props["resource_type"]
        if resource_type == "seed":
            return dg.AssetKey(["seeds", dbt_resource_props["name"]])
        if resource_type == "model":
            return dg.AssetKey(
                [dbt_resource_props["config"].get("schema") or "bi", dbt_resource_props["name"]]
            )
        if resource_type == "source":
            return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return "bi"


_preparse: subprocess.Popen | None = None


def start_dbt_preparse(build: Path, target: Path) -> None:
    """Start `dbt parse` for this run's build file in the background (on the second core, while the
    sources parse), so the dbt step itself only needs a partial parse.

    dbt re-parses everything when the profile changes, and the profile names the run's build file;
    parsing ahead with the same profile leaves a partial_parse.msgpack in `target`, which dagster-dbt
    copies into the dbt step's own target dir (it looks under DBT_TARGET_PATH).
    """
    global _preparse
    target.mkdir(parents=True, exist_ok=True)
    os.environ["DBT_TARGET_PATH"] = str(target)
    _preparse = subprocess.Popen(
        [
            str(DBT_EXECUTABLE) if DBT_EXECUTABLE.exists() else "dbt",
            "parse",
            "--quiet",
            "--target-path",
            str(target),
        ],
        cwd=DBT_PROJECT_DIR,
        env={**os.environ, "CAPEX_BUILD_DB": str(build), "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@dbt_assets(manifest=dbt_project.manifest_path, dagster_dbt_translator=CapexDbtTranslator(), name="dbt_build")
def dbt_build(context: dg.AssetExecutionContext, dbt: DbtCliResource, settings: CapexSettings):
    """Seeds, BI views and schema tests, built into this run's build file."""
    build = build_path(settings.warehouse_path, context.run_id)
    build.parent.mkdir(parents=True, exist_ok=True)
    if _preparse is not None:
        _preparse.wait(
            timeout=600
        )  # its partial parse is what makes this step fast; a failed one costs nothing
    os.environ["CAPEX_BUILD_DB"] = str(build)
    # dagster-dbt echoes every dbt event to stdout; keep it in the step's log instead of the CLI's output.
    echoed = io.StringIO()
    with contextlib.redirect_stdout(echoed):
        invocation = dbt.cli(["build"], context=context)
        try:
            yield from invocation.stream()
            invocation.process.wait()  # the next step takes the build file's lock: dbt must be gone
        finally:
            context.log.debug(echoed.getvalue()[-20000:])


class CapexDbtCliResource(DbtCliResource):
    """dagster-dbt asks the dbt executable for its version (`dbt --version`, a second multi-second process
    start on every run); dbt-core is installed in this same environment, so its package version is the
    executable's."""

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(dbt_core_version.__version__)


# The dbt of this environment, found beside the interpreter: PATH need not include the venv's bin.
DBT_EXECUTABLE = Path(sys.executable).parent / "dbt"
dbt_resource = CapexDbtCliResource(
    project_dir=dbt_project,
    profiles_dir=str(DBT_PROJECT_DIR),
    dbt_executable=str(DBT_EXECUTABLE) if DBT_EXECUTABLE.exists() else "dbt",
)
