"""Security: no credentials in the repository or in what the fetch layer logs; nothing a source serves
becomes a path; XML/HTML parsing does not expand entities; `capex query` cannot write the warehouse."""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from pipelines.cli import run as capex  # main() ends the process (os._exit)
from pipelines.config import PROJECT_ROOT
from pipelines.errors import FetchError
from pipelines.fetch import Fetcher
from pipelines.snapshot import read_snapshot_bytes

# High-signal shapes of real secrets (the formats their issuers document); a match is never data.
SECRET_PATTERNS = {
    "AWS access key id": r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b",
    "AWS secret access key": r"(?i:aws_secret_access_key)\s*[=:]\s*['\"]?[A-Za-z0-9/+]{40}",
    "GitHub token": r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{50,})",
    "Slack token": r"\bxox[abposr]-[A-Za-z0-9-]{10,}",
    "private key": r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY-----",
    "Google API key": r"\bAIza[0-9A-Za-z_-]{35}\b",
    "Stripe or OpenAI secret key": r"\b(?:sk_live_[0-9A-Za-z]{20,}|sk-(?:proj-)?[A-Za-z0-9]{32,})",
    "credentials in a URL": r"\b[a-z][a-z0-9+.-]*://[^/\s:@'\"]+:[^/\s@'\"]{3,}@[^/\s'\"]+",
}
# In code and configuration only: a secret assigned as a literal.
ASSIGNED_SECRET = re.compile(
    r"(?i)\b(?:password|passwd|secret|api_?key|access_?token|auth_?token)\b\s*[=:]\s*['\"][^'\"\s]{8,}['\"]"
)
CODE_SUFFIXES = {".py", ".toml", ".yml", ".yaml", ".cfg", ".ini", ".sh", ".env", ".md", ""}


# One pass over each file: the patterns as named alternatives of one expression.
ANY_SECRET = re.compile(
    "|".join(f"(?P<p{i}>{pattern})" for i, pattern in enumerate(SECRET_PATTERNS.values()))
)


def secrets_in(text: str) -> list[str]:
    names = list(SECRET_PATTERNS)
    return sorted({names[int(m.lastgroup[1:])] for m in ANY_SECRET.finditer(text)})


def tracked_files() -> list[Path]:
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z"], cwd=PROJECT_ROOT, capture_output=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    return [PROJECT_ROOT / name for name in listed.decode().split("\0") if name]


def test_the_secret_patterns_find_planted_secrets():
    """Built at run time, so this file holds no secret-shaped literal."""
    planted = {
        "AWS access key id": "key = AKIA" + "QWERTYUIOPASDFGH",
        "GitHub token": "ghp_" + "a1" * 18,
        "private key": "-----BEGIN " + "RSA PRIVATE KEY-----",
        "credentials in a URL": "https://" + "user:hunter2@example.org/x",
    }
    for name, text in planted.items():
        assert name in secrets_in(text), name
    assert ASSIGNED_SECRET.search("PASSWORD = " + "'correct-horse-battery'")


def test_no_credentials_in_tracked_files_or_the_embedded_snapshot():
    found = []
    for path in tracked_files():
        if not path.is_file():
            continue
        raw = path.read_bytes()
        if path.suffix == ".gz":
            raw = gzip.decompress(raw)  # the snapshot bodies, as served
        text = raw.decode("utf-8", errors="replace")
        found += [f"{path.relative_to(PROJECT_ROOT)}: {name}" for name in secrets_in(text)]
        if path.suffix in CODE_SUFFIXES and path.suffix != ".gz":
            found += [
                f"{path.relative_to(PROJECT_ROOT)}: assigned {m.group(0)[:40]!r}"
                for m in ASSIGNED_SECRET.finditer(text)
            ]
    assert not found, found


def test_a_failed_fetch_does_not_log_the_request_headers(httpserver, monkeypatch, caplog):
    """The User-Agent names a person (SEC asks for a contact e-mail): errors and logs name the URL only."""
    user_agent = "Jane Analyst jane.analyst@example.org"
    monkeypatch.setenv("CAPEX_USER_AGENT", user_agent)
    httpserver.expect_request("/f").respond_with_data("down", status=503)
    fetcher = Fetcher(
        retries=1, backoff_factor=0.01, timeout_s=(1.0, 1.0), host_min_interval_s={"127.0.0.1": 0.0}
    )
    with caplog.at_level(logging.DEBUG), pytest.raises(FetchError) as error:
        fetcher.get(httpserver.url_for("/f"))
    assert httpserver.log[0][0].headers["User-Agent"] == user_agent  # it was sent ...
    assert (
        "jane.analyst" not in str(error.value) and "jane.analyst" not in caplog.text
    )  # ... and never logged


# ----------------------------------------------------------------------------------- path traversal


def vast_offers_naming(gpu_name: str) -> bytes:
    offers = json.loads(read_snapshot_bytes("gpu/vast-cli__search_offers_raw_2025-01.json.gz"))
    return json.dumps([dict(o, gpu_name=gpu_name) for o in offers]).encode()


def azure_page_in_region(region: str) -> bytes:
    page = json.loads(read_snapshot_bytes("gpu/compute-price-tracker__eastus_ND_series_2026-07-27.json.gz"))
    return json.dumps(dict(page, Items=[dict(i, armRegionName=region) for i in page["Items"]])).encode()


@pytest.mark.parametrize(
    "kind, body",
    [
        ("vast-offers", vast_offers_naming("../../../../outside")),
        ("vast-offers", vast_offers_naming("/tmp/outside")),
        ("azure-prices", azure_page_in_region("../../outside")),
    ],
    ids=["vast-relative", "vast-absolute", "azure-relative"],
)
def test_an_entity_named_by_the_body_never_becomes_a_path(kind, body, tmp_path, monkeypatch, capsys):
    """The entity of these kinds comes from the body (Vast's GPU name, Azure's regions). A hostile one is
    stored as data in the manifest; the body is stored under its SHA-256 inside the landing zone."""
    home, upload = tmp_path / "home", tmp_path / "upload"
    upload.mkdir()
    monkeypatch.setenv("CAPEX_HOME", str(home))
    path = upload / "reply.json"
    path.write_bytes(body)
    before = {p for p in tmp_path.rglob("*")}
    code = capex(["import", kind, str(path)])
    out = capsys.readouterr()
    created = {p for p in tmp_path.rglob("*")} - before
    outside = [p for p in created if p != home and not p.is_relative_to(home / "landing")]
    assert not outside, outside
    assert not Path("/tmp/outside").exists()
    if code == 0:  # imported: the hostile name is the entity, as text
        entry = json.loads((home / "landing" / "manifest.jsonl").read_text())
        assert "outside" in entry["entity"], entry
        sha = hashlib.sha256(body).hexdigest()
        assert (home / "landing" / "objects" / sha[:2] / sha).read_bytes() == body
    else:
        assert "reply.json" in out.err


# --------------------------------------------------------------------------------- entity expansion

LAUGHS = "".join(f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10}">' for n in range(1, 10))
BILLION_LAUGHS_DTD = (
    f'<!DOCTYPE html [<!ENTITY lol0 "lol">{LAUGHS}<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
)
PARSE_IN_A_BOX = textwrap.dedent(
    """
    import json, resource, sys, time
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))  # an expansion runs out of memory, not the machine
    from pipelines.registry import all_kinds
    kind, path = sys.argv[1], sys.argv[2]
    started = time.monotonic()
    try:
        found = all_kinds()[kind].identify(open(path, "rb").read(), path)
        outcome = {"read": True, "entity": found.entity, "summary": found.summary}
    except Exception as e:
        outcome = {"read": False, "error": type(e).__name__, "message": str(e)[:500]}
    outcome["seconds"] = time.monotonic() - started
    outcome["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(outcome))
    """
)


def parse_in_a_box(kind: str, body: bytes, tmp_path: Path) -> dict:
    path = tmp_path / "hostile.htm"
    path.write_bytes(body)
    done = subprocess.run(
        [sys.executable, "-c", PARSE_IN_A_BOX, kind, str(path)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_billion_laughs_and_external_entities_in_a_10k_are_not_expanded(tmp_path):
    """A real 10-K (NVIDIA FY2025) with a billion-laughs DTD and an external entity: its registrant name
    and its headcount sentence made of entity references. Expanded, lol9 is 10^9 "lol"s (3 GB)."""
    real = read_snapshot_bytes("sec/10k_nvda-20250126.htm.gz")
    declaration_end = real.index(b"?>") + 2 if real.lstrip().startswith(b"<?xml") else 0
    hostile = real[:declaration_end] + BILLION_LAUGHS_DTD.encode() + real[declaration_end:]
    name = re.search(rb'(name="dei:EntityRegistrantName"[^>]*>)([^<]+)(<)', hostile)
    hostile = hostile[: name.start(2)] + b"&lol9;&xxe;" + hostile[name.end(2) :]
    started = time.monotonic()
    outcome = parse_in_a_box("sec-10k", hostile, tmp_path)
    assert time.monotonic() - started < 60, outcome
    assert outcome["seconds"] < 20 and outcome["max_rss_mb"] < 1500, outcome
    if outcome["read"]:
        assert "lollollol" not in outcome["summary"] and "root:" not in outcome["summary"], outcome[
            "summary"
        ][:300]
    else:
        assert outcome["error"] == "SourceFormatError", outcome


def test_billion_laughs_in_a_wa_warn_page_is_not_expanded(tmp_path):
    real = read_snapshot_bytes("layoffs/wa_esd_SearchWARN_page1_2026-03-31.html.gz")
    start = real.lower().index(b"<html")
    hostile = BILLION_LAUGHS_DTD.encode() + real[start:].replace(b"</td>", b"&lol9;&xxe;</td>", 3)
    outcome = parse_in_a_box("warn-wa", hostile, tmp_path)
    assert outcome["seconds"] < 20 and outcome["max_rss_mb"] < 1500, outcome
    if outcome["read"]:
        assert "lollollol" not in outcome["summary"] and "root:" not in outcome["summary"], outcome[
            "summary"
        ][:300]
    else:
        assert outcome["error"] == "SourceFormatError", outcome


# ------------------------------------------------------------------------------ read-only query


@pytest.fixture
def warehouse(tmp_path) -> Path:
    path = tmp_path / "warehouse" / "capex.duckdb"
    path.parent.mkdir()
    with duckdb.connect(str(path)) as con:
        con.execute("create schema core; create schema meta")
        con.execute(
            "create table core.financials as select 'MSFT' as ticker, 2025 as fiscal_year, 64551000000.0 as capex_usd"
        )
        con.execute("create table meta.refresh as select 'f' as fingerprint")
    return path


@pytest.mark.parametrize(
    "sql",
    [
        "create table core.evil as select 1",
        "insert into core.financials values ('EVIL', 2025, 0)",
        "update core.financials set capex_usd = 0",
        "delete from core.financials",
        "drop table core.financials",
        "alter table core.financials add column evil int",
        "create or replace view core.v as select 1",
        "select 1; delete from core.financials",
        "attach '{warehouse}' as rw (read_only false); delete from rw.core.financials",
        "attach '{warehouse}' as again; delete from again.core.financials",
    ],
)
def test_capex_query_cannot_write_the_warehouse(sql, warehouse, capsys):
    before = hashlib.sha256(warehouse.read_bytes()).hexdigest()
    code = capex(["query", sql.format(warehouse=warehouse), "--warehouse", str(warehouse)])
    err = capsys.readouterr().err
    assert code != 0 and "query failed" in err, err
    assert hashlib.sha256(warehouse.read_bytes()).hexdigest() == before
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select ticker, capex_usd from core.financials").fetchall() == [
            ("MSFT", 64551000000.0)
        ]
