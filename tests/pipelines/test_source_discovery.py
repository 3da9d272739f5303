"""Adding a source is one new folder: the platform finds source packages, it keeps no list of them.

The test writes a minimal source package (`assets/books/`: a spec, one import kind, a landing and a
parse asset) into a temporary directory outside the repository, puts that directory on PYTHONPATH and
checks, in a fresh process, that the code location has its assets, that `capex import` takes its kind
and that `capex refresh --sources` knows it. Nothing under pipelines/ is edited.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from pipelines.config import PROJECT_ROOT
from pipelines.registry import data_sources, source_specs

SOURCE_PY = """
from assets.books.kinds import KINDS
from pipelines.spec import SourceSpec

SOURCE = SourceSpec(name="books", home_url="https://example.org/books", kinds=KINDS, order=50)
"""
KINDS_PY = """
import polars as pl

from pipelines.errors import SourceFormatError
from pipelines.kinds import Identified, Kind


def parse_books(raw: bytes, origin: str) -> pl.DataFrame:
    lines = raw.decode().splitlines()
    if not lines or lines[0] != "title,pages":
        raise SourceFormatError(origin, "header is not 'title,pages': not a books list")
    return pl.DataFrame([dict(zip(("title", "pages"), line.split(","))) for line in lines[1:]])


def identify(raw: bytes, origin: str) -> Identified:
    books = parse_books(raw, origin)
    return Identified(entity="books", summary=f"{books.height} books")


KINDS = [Kind(name="books-csv", source="books", description="a list of books", identify=identify)]
"""
ASSETS_PY = """
import dagster as dg
import polars as pl

from assets.books.kinds import parse_books
from assets.books.source import SOURCE
from pipelines.landing_asset import landing_asset
from pipelines.parse_loop import parse_bodies

landing_books = landing_asset(SOURCE)


@dg.asset(key=["core", "books"], group_name="books", description="Every book of every landed list.")
def core_books(context: dg.AssetExecutionContext, landing_books: pl.DataFrame) -> pl.DataFrame:
    return parse_bodies(context, landing_books, "books-csv", parse_books).rows
"""
PROBE = """
import json
from pipelines.definitions import defs
from pipelines.registry import all_kinds, data_sources
graph = defs.resolve_asset_graph()
books = [k.to_user_string() for k in graph.get_all_asset_keys() if graph.get(k).group_name == "books"]
published = graph.get(__import__("dagster").AssetKey(["warehouse", "published"])).parent_keys
core_books = graph.get(__import__("dagster").AssetKey(["core", "books"]))
print(json.dumps({
    "books_assets": sorted(books),
    "published_after_books": any(k.to_user_string() == "core/books" for k in published),
    "home": core_books.metadata["source"].url,
    "kinds": sorted(all_kinds()),
    "data_sources": data_sources(),
}))
"""


def write_package(root: Path) -> None:
    package = (
        root / "assets" / "books"
    )  # no assets/__init__.py here: the repository's package extends over it
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('"""A minimal source package (test)."""\n')
    for name, text in (("source.py", SOURCE_PY), ("kinds.py", KINDS_PY), ("assets.py", ASSETS_PY)):
        (package / name).write_text(textwrap.dedent(text))


def run(args: list[str], root: Path, home: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(PROJECT_ROOT), str(root)]),
        "CAPEX_HOME": str(home),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=300, cwd=root)


def test_the_repository_sources_are_found_not_listed():
    assert [s.name for s in source_specs()] == ["sec", "layoffs", "gpu", "marts"]
    assert data_sources() == ["sec", "layoffs", "gpu"]  # marts lands nothing: not a --sources choice
    assert not (PROJECT_ROOT / "pipelines" / "registry.py").read_text().count('"sec"')


def test_a_source_package_in_another_folder_loads_with_no_change_to_pipelines(tmp_path):
    pipelines_before = {p: p.read_bytes() for p in (PROJECT_ROOT / "pipelines").rglob("*.py")}
    root, home = tmp_path / "plugin", tmp_path / "home"
    write_package(root)

    probe = run([sys.executable, "-c", PROBE], root, home)
    assert probe.returncode == 0, probe.stderr[-3000:]
    found = json.loads(probe.stdout.strip().splitlines()[-1])
    assert found["books_assets"] == ["core/books", "raw/landing_books"]
    assert found["published_after_books"], "the publish step must wait for the new source's tables"
    assert found["home"] == "https://example.org/books"
    assert "books-csv" in found["kinds"] and "sec-companyfacts" in found["kinds"]
    assert found["data_sources"] == ["sec", "layoffs", "gpu", "books"]

    # Synthetic two-line list, written by this test: the import kind validates it with the source's parser.
    books = tmp_path / "books.csv"
    books.write_text("title,pages\nMiddlemarch,880\n")
    imported = run([sys.executable, "-m", "pipelines.cli", "import", "books-csv", str(books)], root, home)
    assert imported.returncode == 0, imported.stderr
    assert "1 books" in imported.stdout
    manifest = [json.loads(line) for line in (home / "landing" / "manifest.jsonl").read_text().splitlines()]
    assert [(m["kind"], m["entity"]) for m in manifest] == [("books-csv", "books")]

    refused = tmp_path / "not-books.csv"
    refused.write_text("name,age\nx,1\n")
    bad = run([sys.executable, "-m", "pipelines.cli", "import", "books-csv", str(refused)], root, home)
    assert bad.returncode != 0 and "not a books list" in bad.stderr

    kinds = run([sys.executable, "-m", "pipelines.cli", "kinds"], root, home)
    assert kinds.returncode == 0, kinds.stderr
    assert any(
        line.split()[:2] == ["books-csv", "books"] and "a list of books" in line
        for line in kinds.stdout.splitlines()
    )

    unknown = run([sys.executable, "-m", "pipelines.cli", "refresh", "--sources", "films"], root, home)
    assert "choose from sec, layoffs, gpu, books" in unknown.stderr
    assert pipelines_before == {p: p.read_bytes() for p in (PROJECT_ROOT / "pipelines").rglob("*.py")}
