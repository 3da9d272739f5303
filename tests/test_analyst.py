"""What an analyst gets from a published warehouse: a self-contained report, exports, query output (the report in a
real browser: tests/test_report.py)."""

from __future__ import annotations

import json
import re

import duckdb
import polars as pl
import pytest

from tests.conftest import capex

pytestmark = pytest.mark.slow


def test_report_is_one_self_contained_file(refreshed_home, tmp_path):
    """The report opens offline: no external script, stylesheet or image (the browser test in tests/test_report.py
    also watches the network). plotly.js itself mentions CDN URLs in strings it never loads here."""
    report = tmp_path / "report.html"
    result = capex(refreshed_home, "report", str(report))
    assert result.returncode == 0, result.stderr
    html = report.read_text()
    assert "MSFT" in html
    assert html.count("<script") >= 2 and "Plotly.newPlot" in html  # the bundle inline, then the charts
    assert not re.search(r"<(script|img)\b[^>]*\bsrc\s*=\s*[\"']?\s*(https?:)?//", html, re.IGNORECASE)
    assert not re.search(r"<link\b[^>]*\bhref\s*=\s*[\"']?\s*(https?:)?//", html, re.IGNORECASE)


def test_parquet_export_reads_back_with_the_same_rows_and_types(refreshed_home, tmp_path):
    result = capex(refreshed_home, "export", str(tmp_path / "out"), "--format", "parquet")
    assert result.returncode == 0, result.stderr
    with duckdb.connect(str(refreshed_home / "warehouse" / "capex.duckdb"), read_only=True) as con:
        for table in ("core.financials", "marts.spend_ratio"):
            original = con.sql(f"select * from {table}").pl()
            exported = tmp_path / "out" / f"{table}.parquet"
            via_duckdb = duckdb.sql(f"select * from read_parquet('{exported}')").pl()
            via_polars = pl.read_parquet(exported)
            assert via_duckdb.schema == original.schema == via_polars.schema
            assert via_duckdb.equals(original) and via_polars.equals(original)


def test_query_json_output_is_valid_json(refreshed_home):
    result = capex(
        refreshed_home,
        "query",
        "select ticker, capex_usd from core.financials where ticker = 'MSFT' "
        "and fiscal_year = 2025 and fiscal_period = 'FY'",
        "--format",
        "json",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [{"ticker": "MSFT", "capex_usd": 64551000000}]
