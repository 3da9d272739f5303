"""`capex query`: read-only for real (nothing written, whatever the statement), a table that fits the terminal
with readable money, and CSV / JSON exact."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.config import PROJECT_ROOT
from pipelines.query import render_table


@pytest.fixture
def warehouse(tmp_path) -> Path:
    """A small published-like warehouse: MSFT's FY2024/FY2025 figures as published (the FY2025 10-K,
    accession 0000950170-25-100235, states both years), capex also in $M, and a gap (NULL) in a column."""
    path = tmp_path / "warehouse" / "capex.duckdb"
    path.parent.mkdir()
    with duckdb.connect(str(path)) as con:
        con.execute("create schema core")
        con.execute(
            "create table core.financials as select * from (values "
            "('MSFT', 2025, 'FY', 64551000000.0::double, 281724000000.0::double, 64551, NULL, '0000950170-25-100235', "
            " 'https://www.sec.gov/Archives/edgar/data/789019/000095017025100235/'), "
            "('MSFT', 2024, 'FY', 44477000000.0::double, 245122000000.0::double, 44477, NULL, '0000950170-25-100235', "
            " 'https://www.sec.gov/Archives/edgar/data/789019/000095017025100235/')) "
            "t(ticker, fiscal_year, fiscal_period, capex_usd, revenue_usd, capex_musd, employees, accession, source_url)"
        )
    return path


def query(
    warehouse: Path, *args: str, cwd: Path | None = None, columns: int | None = None
) -> subprocess.CompletedProcess:
    env = {**os.environ, "CAPEX_HOME": str(warehouse.parent.parent)}
    env.pop("COLUMNS", None)
    if columns is not None:
        env["COLUMNS"] = str(columns)
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "query", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd or PROJECT_ROOT,
        timeout=120,
    )


# --------------------------------------------------------------------------------------- read-only

WRITES = [
    "COPY (select 1) TO '{out}/x.csv'",
    "copy core.financials to '{out}/x.parquet' (format parquet)",
    "EXPORT DATABASE '{out}/x'",
    "attach '{out}/x.duckdb' as x",
    "attach '{out}/x.duckdb' as x; create table x.t as select 1",
    "explain analyze copy (select 1) to '{out}/x.csv'",
    "select 1; copy (select 1) to '{out}/x.csv'",
    "copy (select 1) to '{out}/x.csv'; select 1",
    "pragma enable_profiling = 'json'; pragma profiling_output = '{out}/x.json'; select 1",
    "set profiling_output = '{out}/x.json'",
    "install httpfs",
    "create temp table t as select 1",
    "insert into core.financials (ticker) values ('EVIL')",
]


@pytest.mark.parametrize("sql", WRITES)
def test_a_statement_that_would_write_is_refused_in_one_line_and_nothing_is_written(sql, warehouse, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    home = Path.home() / ".duckdb"
    before = hashlib.sha256(warehouse.read_bytes()).hexdigest()
    extensions_before = sorted(home.rglob("*")) if home.exists() else []
    done = query(warehouse, sql.format(out=out), cwd=out)
    assert done.returncode == 1, done.stdout
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and done.stderr.endswith("\n"), done.stderr
    assert lines[0].startswith("capex: query failed: refused, `capex query` "), lines[0]
    assert list(out.iterdir()) == []  # no file, not even an empty one
    assert hashlib.sha256(warehouse.read_bytes()).hexdigest() == before
    assert (sorted(home.rglob("*")) if home.exists() else []) == extensions_before


def test_the_refusal_says_what_the_statement_would_have_done(warehouse, tmp_path):
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    copy = query(warehouse, "COPY (select 1) TO 'x.csv'", cwd=cwd)
    assert "COPY writes a file" in copy.stderr and "nothing was run" in copy.stderr
    assert "EXPORT DATABASE writes files" in query(warehouse, "export database 'x'", cwd=cwd).stderr
    assert "ATTACH opens another database" in query(warehouse, "attach 'x.duckdb'", cwd=cwd).stderr
    assert not list(cwd.iterdir())


def test_reads_of_every_form_run(warehouse):
    for sql in (
        "select count(*) as n from core.financials",
        "from core.financials select ticker",
        "describe core.financials",
        "summarize core.financials",
        "show tables from core",
        "pivot core.financials on fiscal_year in (2024, 2025) using sum(capex_usd) group by ticker",
        "explain select * from core.financials",
        "call pragma_version()",
        "with t as (select 1 as a) select a from t; select 2 as b",
    ):
        done = query(warehouse, sql)
        assert done.returncode == 0, (sql, done.stderr)


def test_an_error_is_one_line_naming_the_problem(warehouse):
    for sql, says in (
        ("select * from core.nope", "Table with name nope does not exist"),
        ("selec 1", 'syntax error at or near "selec"'),
    ):
        done = query(warehouse, sql)
        assert done.returncode == 1 and done.stderr.count("\n") == 1 and done.stderr.endswith("\n")
        assert done.stderr.startswith("capex: query failed: ") and says in done.stderr, done.stderr
    missing = query(warehouse, "select 1")
    missing_home = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipelines.cli",
            "query",
            "select 1",
            "--warehouse",
            str(warehouse.parent / "none.duckdb"),
        ],
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 0
    assert missing_home.returncode == 1 and "no published warehouse at" in missing_home.stderr


# ----------------------------------------------------------------------------------- table format


def test_table_shows_money_with_separators_years_plain_and_null_empty(warehouse):
    done = query(
        warehouse,
        "select ticker, fiscal_year, capex_usd, capex_musd, employees from core.financials "
        "order by fiscal_year desc",
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[1] == "│ ticker │ fiscal_year │      capex_usd │ capex_musd │ employees │"
    assert lines[3] == "│ MSFT   │        2025 │ 64,551,000,000 │     64,551 │           │"
    assert lines[4] == "│ MSFT   │        2024 │ 44,477,000,000 │     44,477 │           │"
    assert lines[-1] == "(2 rows)"
    assert (
        "e+" not in done.stdout
        and "e1" not in done.stdout
        and "None" not in done.stdout
        and "null" not in done.stdout
    )


def test_a_wide_result_fits_the_terminal_and_no_number_is_cut(warehouse):
    for columns in (60, 80, 100, 140):
        done = query(warehouse, "select * from core.financials", columns=columns)
        assert done.returncode == 0, done.stderr
        table = done.stdout.splitlines()[:-1]
        assert max(len(line) for line in table) <= columns, (columns, done.stdout)
        cells = [cell.strip() for line in table for cell in line.split("│")]
        # a figure is shown whole or not at all (its column left out), never cut
        assert not [c for c in cells if c.endswith("…") and c[:1].isdigit()], done.stdout
        assert "64,551,000,000" in cells or "capex_usd" not in cells
    narrow = query(warehouse, "select * from core.financials", columns=80).stdout
    assert "columns shown" in narrow.splitlines()[-1] and "│ … │" in narrow
    assert (
        "│ https://www.sec.gov/Archives/edgar/data… │"
        in query(warehouse, "select ticker, source_url from core.financials", columns=60).stdout
    )  # a text is cut at 40 characters
    four = query(
        warehouse, "select ticker, fiscal_year, capex_usd, source_url from core.financials", columns=64
    ).stdout
    assert (
        "│ MSFT   │        2025 │ 64,551,000,000 │ https://www.sec.gov… │" in four
    )  # ... and down to 20 to fit
    full = query(warehouse, "select * from core.financials", "--width", "0", columns=80).stdout
    assert "000095017025100235/ │" in full and "columns shown" not in full


def test_not_a_terminal_means_no_width_limit(warehouse):
    done = query(warehouse, "select * from core.financials")  # stdout is a pipe, COLUMNS unset
    assert "https://www.sec.gov/Archives/edgar/data/789019/000095017025100235/ │" in done.stdout


def test_render_table_rows_beyond_max_rows_are_elided_in_the_middle():
    frame = pl.DataFrame({"n": list(range(1, 101)), "usd_per_gpu_hour": [i / 8 for i in range(1, 101)]})
    lines = render_table(frame, width=80, max_rows=6).splitlines()
    body = [line for line in lines if line.startswith("│")][1:]
    assert [cell.split("│")[1].strip() for cell in body] == ["1", "2", "3", "…", "98", "99", "100"]
    assert body[0].split("│")[2].strip() == "0.125"  # the fewest decimals that show every value exactly
    assert lines[-1] == "(100 rows, 6 shown (--max-rows 0 for all))"


def test_render_table_ratios_and_large_non_whole_figures():
    frame = pl.DataFrame(
        {"capex_to_revenue": [0.22912850875324786, None], "spend_usd": [152329846575.34, 1.5e11]}
    )
    body = render_table(frame).splitlines()[3:5]
    assert body[0] == "│           0.2291 │ 152,329,846,575 │"
    assert body[1] == "│                  │ 150,000,000,000 │"


# --------------------------------------------------------------------------------- csv and json


def test_csv_and_json_are_exact(warehouse):
    sql = "select ticker, fiscal_year, capex_usd, capex_musd, employees from core.financials order by fiscal_year desc"
    csv = query(warehouse, sql, "--format", "csv", columns=40)
    assert csv.stdout == (
        "ticker,fiscal_year,capex_usd,capex_musd,employees\n"
        "MSFT,2025,64551000000.0,64551,\nMSFT,2024,44477000000.0,44477,\n"
    )
    out = query(warehouse, sql, "--format", "json", columns=40)
    assert json.loads(out.stdout) == [
        {
            "ticker": "MSFT",
            "fiscal_year": 2025,
            "capex_usd": 64551000000.0,
            "capex_musd": 64551,
            "employees": None,
        },
        {
            "ticker": "MSFT",
            "fiscal_year": 2024,
            "capex_usd": 44477000000.0,
            "capex_musd": 44477,
            "employees": None,
        },
    ]


@pytest.mark.slow
def test_on_the_published_warehouse_msft_fy2025_capex_reads_as_in_the_10k(refreshed_home):
    """64,551 $M: Microsoft's FY2025 10-K, cash flow statement, additions to property and equipment."""
    from tests.conftest import capex

    done = capex(
        refreshed_home,
        "query",
        "select ticker, fiscal_year, capex_usd from bi.spend_ratio "
        "where ticker = 'MSFT' and fiscal_year = 2025",
        "--width",
        "80",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[3] == "│ MSFT   │        2025 │ 64,551,000,000 │"
