"""The last step of a refresh: publish the build file, only when everything upstream passed."""

import os
from contextlib import nullcontext

import dagster as dg
import duckdb

from pipelines.fingerprint import code_fingerprint, warehouse_fingerprint
from pipelines.locks import refresh_lock, release_build
from pipelines.settings import CapexSettings
from pipelines.validation_worker import build_data_docs
from pipelines.warehouse import build_path, open_build, publish, remove_stale_builds


def landed_records(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """The bodies this build was made from: the union of the raw.landing_<source> tables."""
    tables = [
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw' and table_name like 'landing_%'"
        ).fetchall()
    ]
    records = []
    for table in tables:
        cursor = con.execute(f'select kind, entity, as_of, sha256 from raw."{table}"')
        records += [dict(zip(("kind", "entity", "as_of", "sha256"), row)) for row in cursor.fetchall()]
    return records


def published_asset(upstream: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        key=["warehouse", "published"],
        deps=upstream,
        group_name="warehouse",
        description=(
            "Checkpoints this run's build file and atomically swaps it onto the published warehouse. "
            "Runs only when every upstream asset materialized and every blocking check passed."
        ),
        kinds={"duckdb"},
    )
    def published(context: dg.AssetExecutionContext, settings: CapexSettings) -> dg.MaterializeResult:
        build = build_path(settings.warehouse_path, context.run_id)
        with open_build(build) as con:
            records = landed_records(con)
            counts = {
                f"{schema}.{table}": con.execute(f'select count(*) from "{schema}"."{table}"').fetchall()[0][
                    0
                ]
                for schema, table in con.execute(
                    "select table_schema, table_name from information_schema.tables "
                    "where table_schema in ('core', 'marts') and table_type = 'BASE TABLE' order by 1, 2"
                ).fetchall()
            }
        code = code_fingerprint()
        fingerprint = warehouse_fingerprint(records, code)
        lock_held = settings.refresh_lock_held_by == os.getpid()
        with nullcontext() if lock_held else refresh_lock(settings.warehouse_path):
            publish(
                build,
                settings.warehouse_path,
                {"fingerprint": fingerprint, "run_id": context.run_id, "code_fingerprint": code},
            )
            release_build(build.parent, context.run_id)
            remove_stale_builds(settings.warehouse_path)
        build_data_docs()
        context.log.info(
            f"published {settings.warehouse_path} ({len(records)} landed bodies, fingerprint {fingerprint[:12]})"
        )
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(settings.warehouse_path)),
                "fingerprint": fingerprint,
                "bodies": len(records),
                "tables": dg.MetadataValue.json(counts),
            }
        )

    return published
