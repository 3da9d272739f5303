"""The IO manager: an asset's returned Polars frame becomes a table of the run's build file."""

from pathlib import Path

import dagster as dg
import duckdb
import polars as pl

from pipelines.config import capex_home
from pipelines.errors import CapexError
from pipelines.locks import claim_build
from pipelines.warehouse import build_path, open_build, table_name


def write_frame(con: duckdb.DuckDBPyConnection, key: dg.AssetKey, frame: pl.DataFrame) -> None:
    con.execute(f'create schema if not exists "{key.path[0]}"')
    con.register("_frame", frame.to_arrow())
    try:
        con.execute(f"create or replace table {table_name(key)} as select * from _frame")
    finally:
        con.unregister("_frame")


def column_schema(frame: pl.DataFrame) -> dg.TableSchema:
    return dg.TableSchema(columns=[dg.TableColumn(name, str(dtype)) for name, dtype in frame.schema.items()])


class BuildWarehouseIOManager(dg.ConfigurableIOManager):
    """Stores each asset's Polars frame as a table of the run's build file and loads it back.

    Connections are opened per step and closed at once, so dbt (a subprocess) can take the file's
    write lock between steps; all writers share one pool so two never run at the same time.
    """

    warehouse: str = ""  # the published file the build is for; empty: $CAPEX_HOME/warehouse/capex.duckdb

    def _path(self, run_id: str) -> Path:
        warehouse = (
            Path(self.warehouse).resolve() if self.warehouse else capex_home() / "warehouse" / "capex.duckdb"
        )
        path = build_path(warehouse, run_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        claim_build(path.parent, run_id)  # held until the run publishes or its process ends
        return path

    def handle_output(self, context: dg.OutputContext, obj: pl.DataFrame) -> None:
        if obj is None:
            return
        if not isinstance(obj, pl.DataFrame):
            raise CapexError(
                f"{context.asset_key.to_user_string()} returned {type(obj).__name__}, not a Polars frame"
            )
        with open_build(self._path(context.run_id)) as con:
            write_frame(con, context.asset_key, obj)
        context.add_output_metadata(
            {
                "dagster/row_count": obj.height,
                "dagster/column_schema": column_schema(obj),
                "table": table_name(context.asset_key).replace('"', ""),
            }
        )

    def load_input(self, context: dg.InputContext) -> pl.DataFrame:
        # InputContext has no run_id of its own in Dagster 1.13: the step's run is the one being built.
        with open_build(self._path(context.step_context.run_id)) as con:
            return con.sql(f"select * from {table_name(context.asset_key)}").pl()
