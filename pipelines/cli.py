"""`capex`: refresh, import, status, query, export and report the warehouse (the public interface: README.md and docs/).

Heavy modules (dagster, great_expectations) are imported only by the commands that need them, so
`capex query` and a refresh with nothing new answer in well under a second.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import date
from pathlib import Path

from pipelines.config import capex_home
from pipelines.errors import CapexError, SourceFormatError

DAGSTER_YAML = """\
# Written by capex: Dagster's instance storage for this CAPEX_HOME.
telemetry:
  enabled: false
# Refreshes never overlap: one run at a time from the schedule, the UI or the CLI.
run_queue:
  max_concurrent_runs: 1
# Steps log through Dagster's event log (context.log), which the UI shows; capturing each step's raw
# stdout/stderr costs two `tail` processes per step.
compute_logs:
  module: dagster._core.storage.noop_compute_log_manager
  class: NoOpComputeLogManager
"""


def _setup_home(args: argparse.Namespace) -> Path:
    home = capex_home()
    os.environ["CAPEX_HOME"] = str(home)
    dagster_home = home / "dagster"
    dagster_home.mkdir(parents=True, exist_ok=True)
    if not (dagster_home / "dagster.yaml").exists():
        (dagster_home / "dagster.yaml").write_text(DAGSTER_YAML)
    os.environ["DAGSTER_HOME"] = str(dagster_home)
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
    return home


def _warehouse(args: argparse.Namespace) -> Path:
    if getattr(args, "warehouse", None):
        return Path(args.warehouse).resolve()
    return capex_home() / "warehouse" / "capex.duckdb"


def _err(message: str) -> None:
    # One line, ending in a newline, whatever the message quotes (a DuckDB error spans several).
    print(f"capex: {' '.join(message.split())}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------- refresh


def cmd_refresh(args: argparse.Namespace) -> int:
    from pipelines.fingerprint import published_fingerprint, warehouse_fingerprint
    from pipelines.landing import LandingZone
    from pipelines.locks import claim_build, refresh_lock
    from pipelines.registry import all_kinds, data_sources
    from pipelines.warehouse import build_dir, remove_stale_builds

    home = _setup_home(args)
    warehouse = _warehouse(args)
    known = data_sources()
    sources = [s.strip() for s in (args.sources or ",".join(known)).split(",") if s.strip()]
    unknown = sorted(set(sources) - set(known))
    if unknown:
        raise CapexError(f"unknown source(s) {', '.join(unknown)}; choose from {', '.join(known)}")
    started = time.monotonic()
    with refresh_lock(warehouse):
        if args.offline and not args.force:
            landing = LandingZone(home / "landing")
            records = [b.record() for k in all_kinds().values() for b in landing.current(k.name, k.history)]
            fingerprint = warehouse_fingerprint(records)
            if fingerprint == published_fingerprint(warehouse):
                print(
                    f"nothing new since the last publish: {warehouse} is current ({len(records)} bodies, "
                    f"fingerprint {fingerprint[:12]}); use --force to rebuild anyway"
                )
                return 0
        remove_stale_builds(warehouse)
        mode = (
            "offline (embedded snapshot + imported files)"
            if args.offline
            else f"live ({', '.join(sources)}; fallback to last good copies)"
        )
        print(f"refreshing {warehouse} — {mode}", flush=True)
        import uuid

        from pipelines.validation_worker import start_validation_worker, stop_validation_worker
        from pipelines.warehouse import build_path

        run_id = str(uuid.uuid4())
        build = build_path(warehouse, run_id)
        claim_build(build_dir(warehouse), run_id)  # another refresh's clean-up leaves this build alone
        start_validation_worker()  # imports Great Expectations on the other core meanwhile
        from pipelines.dbt_assets import start_dbt_preparse
        from pipelines.runner import run_refresh

        start_dbt_preparse(build, build.parent / f"dbt-{run_id}")
        try:
            # The run's settings travel as run config (the resources' config), not environment variables.
            settings = {
                "home": str(home),
                "offline": bool(args.offline),
                "live_sources": ",".join(sources),
                "warehouse": str(warehouse),
                "refresh_lock_held_by": os.getpid(),  # this process holds the refresh lock for the whole run
            }
            ok, lines = run_refresh(home / "status" / "refreshes.jsonl", run_id, settings)
        finally:
            stop_validation_worker()
    for line in lines:
        print(line, file=sys.stdout if ok else sys.stderr)
    elapsed = time.monotonic() - started
    if ok:
        print(f"published {warehouse} in {elapsed:.1f} s")
        return 0
    _err(
        f"refresh failed, nothing published (the last good warehouse is unchanged): {lines[-1] if lines else 'unknown error'}"
    )
    return 1


# ---------------------------------------------------------------------------------------- import


def cmd_import(args: argparse.Namespace) -> int:
    from pipelines.landing import LandingZone
    from pipelines.registry import all_kinds

    kinds = all_kinds()
    kind = kinds.get(args.kind)
    if kind is None:
        raise CapexError(
            f"unknown KIND {args.kind!r}; one of: {', '.join(sorted(kinds))} (`capex kinds` says what each is)"
        )
    if args.as_of:
        try:
            date.fromisoformat(args.as_of)
        except ValueError:
            raise CapexError(f"--as-of {args.as_of!r} is not a date (YYYY-MM-DD)") from None
    # Validate every file before storing any: a bad file in the list stores nothing.
    validated = []
    for name in args.files:
        path = Path(name)
        if not path.is_file():
            raise CapexError(f"{name}: no such file")
        raw = path.read_bytes()
        try:
            identified = kind.identify(raw, path.name)
        except SourceFormatError as e:
            # What is wrong comes first, before anything a terminal or a log might cut.
            raise CapexError(f"{path.name}: {e.problem} (refused as {kind.name}, nothing stored)") from None
        except Exception as e:  # noqa: BLE001 - a parser bug must still name the file, and store nothing
            raise CapexError(
                f"{path.name} could not be read as {kind.name}: {type(e).__name__}: {e}"
            ) from None
        validated.append((path, raw, identified))
    landing = LandingZone(capex_home() / "landing")
    for path, raw, identified in validated:
        as_of = args.as_of or identified.as_of or date.today().isoformat()
        body, stored = landing.store(
            raw,
            kind=kind.name,
            entity=identified.entity,
            origin=str(path.resolve()),
            via="import",
            as_of=as_of,
        )
        state = "imported" if stored else "already imported (same bytes), nothing changed"
        print(f"{path.name}: {state} as {kind.name} {identified.entity}, as of {as_of}: {identified.summary}")
    print("the next `capex refresh` includes it")
    return 0


# ---------------------------------------------------------------------------------------- status


def cmd_status(args: argparse.Namespace) -> int:
    from pipelines.status import status_lines

    _setup_home(args)
    try:
        for line in status_lines(_warehouse(args)):
            print(line)
    except BrokenPipeError:  # `capex status | head`
        pass
    return 0


# ----------------------------------------------------------------------------------------- query


def _connect_published(args: argparse.Namespace):
    import duckdb

    warehouse = _warehouse(args)
    if not warehouse.exists():
        raise CapexError(f"no published warehouse at {warehouse}: run `capex refresh --offline` first")
    return duckdb.connect(str(warehouse), read_only=True)


def cmd_query(args: argparse.Namespace) -> int:
    from pipelines import query

    with query.connect(_warehouse(args)) as con:
        frame = query.run(con, args.sql)
    if args.format == "csv":
        sys.stdout.write(frame.write_csv())
    elif args.format == "json":
        print(json.dumps(frame.to_dicts(), default=str, indent=1))
    else:
        width = query.terminal_width() if args.width is None else args.width
        print(query.render_table(frame, width=width, max_rows=args.max_rows))
    return 0


# ---------------------------------------------------------------------------------------- export


def cmd_export(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    out = Path(args.dir)
    out.mkdir(parents=True, exist_ok=True)
    with _connect_published(args) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('core', 'marts') and table_type = 'BASE TABLE' order by 1, 2"
        ).fetchall()
        for schema, table in tqdm(tables, desc="export", unit="table", disable=not sys.stderr.isatty()):
            dest = out / f"{schema}.{table}.{args.format}"
            options = (
                "(format parquet, compression zstd)"
                if args.format == "parquet"
                else "(format csv, header true)"
            )
            tmp = dest.with_suffix(dest.suffix + ".part")
            con.execute(f'copy "{schema}"."{table}" to \'{tmp.as_posix()}\' {options}')
            os.replace(tmp, dest)
            rows = con.execute(f'select count(*) from "{schema}"."{table}"').fetchall()[0][0]
            print(f"{dest}: {rows:,} rows")
    return 0


# ---------------------------------------------------------------------------------------- report


def cmd_kinds(args: argparse.Namespace) -> int:
    """The import kinds every source package declares: what `capex import KIND` takes."""
    from pipelines.registry import all_kinds

    kinds = sorted(all_kinds().values(), key=lambda k: (k.source, k.name))
    width = max(len(k.name) for k in kinds)
    for kind in kinds:
        keeps = "every download kept" if kind.history else "the newest per entity in force"
        print(f"{kind.name:<{width}}  {kind.source:<8} {kind.description} ({keeps})")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from pipelines.report import write_report

    with _connect_published(args) as con:
        size = write_report(con, Path(args.out))
    print(f"wrote {args.out} ({size / 1024:,.0f} KB)")
    return 0


# ------------------------------------------------------------------------------------------ main


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="capex",
        description="The economics of the AI build-out from public data, in one DuckDB warehouse. "
        "Everything is written under CAPEX_HOME (default ./var).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = commands.add_parser(
        "refresh", help="materialize every asset, run the checks, publish if all blocking checks pass"
    )
    p.add_argument(
        "--offline", action="store_true", help="embedded snapshot + imported files only; no network"
    )
    p.add_argument(
        "--sources", help="data sources to fetch live (comma-separated, e.g. sec,gpu; default all)"
    )
    p.add_argument(
        "--warehouse", help="published warehouse path (default $CAPEX_HOME/warehouse/capex.duckdb)"
    )
    p.add_argument(
        "--force", action="store_true", help="rebuild even when nothing changed since the last publish"
    )
    p.set_defaults(func=cmd_refresh)

    p = commands.add_parser("import", help="validate files of a KIND and add them to the landing zone")
    p.add_argument("kind", metavar="KIND")
    p.add_argument("files", metavar="FILE", nargs="+")
    p.add_argument("--as-of", help="observation date YYYY-MM-DD for point-in-time data (default: today)")
    p.set_defaults(func=cmd_import)

    p = commands.add_parser("kinds", help="list the import kinds `capex import KIND` takes, per source")
    p.set_defaults(func=cmd_kinds)

    p = commands.add_parser(
        "status", help="one line per asset: last materialization, rows, freshness, checks"
    )
    p.add_argument("--warehouse")
    p.set_defaults(func=cmd_status)

    p = commands.add_parser("query", help="run SQL read-only against the published warehouse")
    p.add_argument("sql")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    p.add_argument("--max-rows", type=int, default=50, help="rows shown in table format (default 50; 0: all)")
    p.add_argument(
        "--width", type=int, help="characters the table fits in (default: the terminal's; 0: no limit)"
    )
    p.add_argument("--warehouse")
    p.set_defaults(func=cmd_query)

    p = commands.add_parser("export", help="write every core.* and marts.* table to files in DIR")
    p.add_argument("dir", metavar="DIR")
    p.add_argument("--format", choices=["parquet", "csv"], default="parquet")
    p.add_argument("--warehouse")
    p.set_defaults(func=cmd_export)

    p = commands.add_parser(
        "report", help="write a self-contained HTML report (charts inline, opens offline)"
    )
    p.add_argument("out", metavar="OUT.html")
    p.add_argument("--warehouse")
    p.set_defaults(func=cmd_report)
    return parser


def run(argv: list[str] | None = None) -> int:
    # Run as .venv/bin/capex (no `uv run`, no activated venv), the environment's own tools (dbt, which
    # dagster-dbt looks up on PATH to prepare a fresh clone's manifest) are still found first.
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join([bin_dir, os.environ.get("PATH", "")])
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except CapexError as e:
        _err(str(e))
        return 1
    except KeyboardInterrupt:
        _err("interrupted")
        return 130


def main(argv: list[str] | None = None) -> None:
    code = run(argv)
    sys.stdout.flush()
    sys.stderr.flush()
    from multiprocessing import util

    util._exit_function()  # release multiprocessing semaphores, or its resource tracker warns about leaks
    # Skip interpreter teardown: everything is written and closed by now, and duckdb 2.0's bindings
    # print spurious "nanobind: leaked ..." lines when torn down after dagster has run.
    os._exit(code)


if __name__ == "__main__":
    main()
