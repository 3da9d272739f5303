"""The published warehouse opens in DuckDB clients other than the project's own, each in its own environment
(a venv or an npm folder outside the project), and every recipe of docs/bi.md runs as written.

The client environments are installed on first use from PyPI / npm into a folder under the system temp dir
(CAPEX_TEST_CLIENTS to move it) and reused by later runs; a client whose package cannot be installed skips,
saying why.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb
import pytest

from pipelines.config import PROJECT_ROOT
from pipelines.warehouse import READABLE_STORAGE_NUMBER, open_build, publish, storage_number

MSFT_FY2025 = (
    "select cast(capex_usd as bigint) from core.financials "
    "where ticker = 'MSFT' and fiscal_year = 2025 and fiscal_period = 'FY'"
)
SPEND_RATIO = "select fiscal_year, capex_usd, capex_to_revenue from bi.spend_ratio where ticker = 'MSFT' and fiscal_year = 2025"
CLIENTS = Path(os.environ.get("CAPEX_TEST_CLIENTS") or Path(tempfile.gettempdir()) / "capex-test-clients")


def _install(name: str, install) -> Path:
    """Install a client environment once (under a lock: parallel runs share the folder), or skip saying why."""
    CLIENTS.mkdir(parents=True, exist_ok=True)
    folder = CLIENTS / name
    with open(CLIENTS / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / ".installed").exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            done = install(folder)
            if done.returncode != 0:
                lines = [line for line in (done.stderr + done.stdout).splitlines() if line.strip()]
                shutil.rmtree(folder, ignore_errors=True)
                pytest.skip(
                    f"could not install the {name} client: {lines[-1] if lines else 'exit ' + str(done.returncode)}"
                )
            (folder / ".installed").write_text("ok")
    return folder


def python_client(name: str, *packages: str) -> Path:
    """A venv of the machine's Python (not the project's environment) with `packages`; its python."""

    def install(folder: Path) -> subprocess.CompletedProcess:
        made = subprocess.run(
            [sys._base_executable, "-m", "venv", str(folder)], capture_output=True, text=True
        )
        if made.returncode != 0:
            return made
        return subprocess.run(
            [str(folder / "bin" / "pip"), "install", "-q", "--disable-pip-version-check", *packages],
            capture_output=True,
            text=True,
            timeout=900,
        )

    return _install(name, install) / "bin" / "python"


def duckdb_cli() -> Path:
    return python_client("duckdb-cli-1.5", "duckdb-cli>=1.5,<1.6").parent / "duckdb"


def node_client() -> Path:
    """An npm folder with @duckdb/node-api 1.5 (the engine Evidence's DuckDB source uses). Its releases are
    tagged 1.5.6-r.1 and so on, which no semver range like 1.5 matches: pinned."""
    if not shutil.which("npm") or not shutil.which("node"):
        pytest.skip("node / npm are not installed")

    def install(folder: Path) -> subprocess.CompletedProcess:
        (folder / "package.json").write_text('{"private": true, "type": "module"}\n')
        return subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", "@duckdb/node-api@1.5.6-r.1"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=900,
        )

    return _install("node-api-1.5.6", install)


@pytest.fixture(scope="module")
def warehouse(refreshed_home) -> Path:
    return refreshed_home / "warehouse" / "capex.duckdb"


def run(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=300, **kwargs)


# ------------------------------------------------------------------------------- the storage format


def test_the_build_file_is_created_in_storage_64_and_dbt_reopening_it_keeps_that(tmp_path):
    """open_build creates the file at STORAGE_VERSION; dbt-duckdb (the profile's `path`, a plain connect that
    reopens an existing file) writes seeds into it and the header still says 64."""
    build = tmp_path / "build.duckdb"
    with open_build(build) as con:
        con.execute(
            "create schema core; create table core.financials as select 'MSFT' as ticker, 64551000000.0 as capex_usd"
        )
    assert storage_number(build) == READABLE_STORAGE_NUMBER
    seeded = run(
        PROJECT_ROOT / ".venv" / "bin" / "dbt",
        "seed",
        "--quiet",
        "--select",
        "companies",
        "--target-path",
        tmp_path / "dbt",
        cwd=PROJECT_ROOT / "dbt",
        env={**os.environ, "CAPEX_BUILD_DB": str(build), "DBT_PROFILES_DIR": str(PROJECT_ROOT / "dbt")},
    )
    assert seeded.returncode == 0, seeded.stdout[-2000:] + seeded.stderr[-2000:]
    assert storage_number(build) == READABLE_STORAGE_NUMBER
    with duckdb.connect(str(build), read_only=True) as con:
        assert con.execute("select count(*) from seeds.companies where ticker = 'MSFT'").fetchone()[0] == 1


def test_a_build_file_created_in_a_newer_format_is_published_in_64(tmp_path):
    """A writer that created the build file itself (plain duckdb.connect: DuckDB 2.0's own format): the publish
    step copies it into a 64 file before the swap; tables and views come through."""
    build, published = tmp_path / "build" / "run.duckdb", tmp_path / "capex.duckdb"
    build.parent.mkdir()
    with duckdb.connect(str(build)) as con:
        con.execute(
            "create schema core; create table core.financials as select 'MSFT' as ticker, 64551000000.0 as capex_usd"
        )
        con.execute("create schema bi; create view bi.financials as select * from core.financials")
    if storage_number(build) <= READABLE_STORAGE_NUMBER:
        pytest.skip(
            f"this DuckDB ({duckdb.__version__}) writes storage {storage_number(build)} by default: nothing to convert"
        )
    publish(build, published, {"fingerprint": "f", "run_id": "r", "code_fingerprint": "c"})
    assert storage_number(published) == READABLE_STORAGE_NUMBER and not build.exists()
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select capex_usd from bi.financials").fetchall() == [(64551000000.0,)]
        assert con.execute("select run_id from meta.refresh").fetchall() == [("r",)]
    assert not list(build.parent.iterdir())  # no .readable copy left behind


# ------------------------------------------------------------------------------------------ clients


@pytest.mark.slow
def test_published_file_is_storage_64(warehouse):
    assert storage_number(warehouse) == READABLE_STORAGE_NUMBER


@pytest.mark.slow
def test_duckdb_cli_1_5_reads_the_published_file_read_only(warehouse):
    cli = duckdb_cli()
    assert run(cli, "--version").stdout.startswith("v1.5.")
    # The acceptance command, as an analyst types it.
    shown = run(
        cli,
        "-readonly",
        warehouse,
        "-c",
        "select capex_usd from core.financials where ticker='MSFT' and fiscal_year=2025 and fiscal_period='FY'",
    )
    assert shown.returncode == 0 and "64551000000" in shown.stdout, shown.stderr
    rows = run(cli, "-readonly", "-csv", "-noheader", warehouse, "-c", f"{MSFT_FY2025}; {SPEND_RATIO}")
    assert rows.returncode == 0, rows.stderr
    assert rows.stdout.split() == ["64551000000", "2025,64551000000.0,0.22912850875324786"]


CLIENT_SCRIPT = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print(duckdb.__version__)
print(con.execute(sys.argv[2]).fetchone()[0])
print(con.execute(sys.argv[3]).fetchone())
"""


@pytest.mark.slow
@pytest.mark.parametrize("version", ["1.0.0", "1.1.3", "1.4.*"])
def test_python_duckdb_client_reads_the_published_file_read_only(version, warehouse):
    python = python_client(f"duckdb-{version.rstrip('.*')}", f"duckdb=={version}")
    done = run(python, "-c", CLIENT_SCRIPT, warehouse, MSFT_FY2025, SPEND_RATIO)
    assert done.returncode == 0, done.stderr[-2000:]
    got_version, capex_usd, spend = done.stdout.splitlines()
    assert got_version.startswith(version.rstrip("*"))
    assert capex_usd == "64551000000"
    assert spend == "(2025, 64551000000.0, 0.22912850875324786)"


NODE_SCRIPT = """
import { DuckDBInstance } from "@duckdb/node-api";
const instance = await DuckDBInstance.create(process.argv[2], { access_mode: "READ_ONLY" });
const connection = await instance.connect();
for (const sql of process.argv.slice(3)) {
  console.log(JSON.stringify((await connection.runAndReadAll(sql)).getRowsJson()));
}
"""


@pytest.mark.slow
def test_node_duckdb_api_reads_the_published_file_read_only(warehouse):
    folder = node_client()
    script = folder / "read_published.mjs"
    script.write_text(NODE_SCRIPT)
    done = run("node", script, warehouse, MSFT_FY2025, SPEND_RATIO)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines() == ['[["64551000000"]]', "[[2025,64551000000,0.22912850875324786]]"]


# ------------------------------------------------------------------------------ docs/bi.md recipes

FENCE = re.compile(r"(<!-- not run in tests: [^>]*-->\n)?```(\w+)\n(.*?)```", re.S)


def bi_recipes() -> list[tuple[str, str]]:
    """(language, code) of every fenced block of docs/bi.md not marked as not run (the error quote has no
    language: it is not a recipe)."""
    text = (PROJECT_ROOT / "docs" / "bi.md").read_text()
    return [(lang, code) for skip, lang, code in FENCE.findall(text) if not skip]


def test_every_recipe_block_of_bi_md_is_one_this_file_can_run():
    assert {lang for lang, _ in bi_recipes()} <= {"sh", "python", "js"}
    assert len(bi_recipes()) >= 6


@pytest.fixture(scope="module")
def project_like(tmp_path_factory, refreshed_home) -> Path:
    """A folder laid out as the docs assume, cwd of the recipes: var/ is the refreshed CAPEX_HOME, .venv/ the
    project's environment, and `duckdb` on PATH is the CLI from its own venv."""
    root = tmp_path_factory.mktemp("analyst")
    (root / "var").symlink_to(refreshed_home)
    (root / ".venv").symlink_to(PROJECT_ROOT / ".venv")
    (root / "bin").mkdir()
    (root / "bin" / "duckdb").symlink_to(duckdb_cli())
    return root


@pytest.mark.slow
@pytest.mark.parametrize("index", range(len(bi_recipes())))
def test_bi_md_recipe_runs_as_written(index, project_like, refreshed_home):
    lang, code = bi_recipes()[index]
    env = {
        **os.environ,
        "CAPEX_HOME": str(refreshed_home),
        "PATH": f"{project_like / 'bin'}{os.pathsep}{os.environ['PATH']}",
    }
    env.pop("VIRTUAL_ENV", None)
    if lang == "sh":
        done = run("bash", "-euo", "pipefail", "-c", code, cwd=project_like, env=env)
    elif lang == "python":
        # SQLAlchemy's recipe is for the project's environment (duckdb_engine ships with it); the plain one for
        # an analyst's own, with an older duckdb.
        python = (
            PROJECT_ROOT / ".venv" / "bin" / "python"
            if "sqlalchemy" in code
            else python_client("duckdb-1.4-analyst", "duckdb==1.4.*", "polars", "pandas", "pyarrow", "pytz")
        )
        done = run(python, "-c", code, cwd=project_like, env=env)
    else:
        folder = node_client()
        script = folder / f"recipe_{index}.mjs"
        script.write_text(code)
        done = run("node", script, cwd=project_like, env=env)
    assert done.returncode == 0, f"{lang} recipe failed:\n{code}\n{done.stderr[-3000:]}"
    assert done.stdout.strip() or "export" in code or "> " in code, f"{lang} recipe printed nothing:\n{code}"
    if "MSFT" in code and "capex_usd" in code:
        assert re.search(r"64[,_]?551[,_]?000[,_]?000", done.stdout), done.stdout[-2000:]
