"""Crash safety and concurrency: `kill -9` of a real `capex refresh` at several points, a second refresh
started while one runs, readers during a refresh, and kills placed exactly inside the landing zone's
write and the warehouse swap.

The published warehouse comes from one real refresh (a module fixture); each kill runs in a copy of that
CAPEX_HOME, and the three victims run at the same time to keep the module's wall time near two
refreshes. A victim is killed with SIGKILL on its main process only, as the kernel's OOM killer or
`kill -9 <pid>` would; what it started (dbt, the validation worker) is then looked for as orphans.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.config import PROJECT_ROOT
from pipelines.landing import LandingZone
from pipelines.locks import refresh_lock
from pipelines.publishing import published_asset
from pipelines.settings import CapexSettings
from pipelines.snapshot import read_snapshot_bytes
from pipelines.warehouse import build_dir, build_path, remove_stale_builds
from tests.reliability.test_security import secrets_in

pytestmark = pytest.mark.slow

REFRESH_TIMEOUT_S = 600
# Progress lines of `capex refresh` (stdout and stderr) after which each victim is killed.
KILL_POINTS = {
    "early": "refreshing ",  # the lock is taken and stale builds removed; nothing built yet
    "during the build": "done core__layoff_events",  # sources parsed, core tables being written to the build file
    "near the publish": "done dbt_build",  # every check passed; the publish step (checkpoint, swap) is next
}


def capex_env(home: Path, pycache: Path) -> dict:
    env = {**os.environ, "CAPEX_HOME": str(home)}
    # Compiled bytecode shared by the refreshes of this module, outside the repository: with
    # PYTHONDONTWRITEBYTECODE set every refresh would compile Dagster and dbt again (~10 s each).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


def start_capex(home: Path, pycache: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", *args],
        cwd=PROJECT_ROOT,
        env=capex_env(home, pycache),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own session: what it starts can be found (and cleaned up) by session id
    )


def run_capex(home: Path, pycache: Path, *args: str) -> subprocess.CompletedProcess:
    process = start_capex(home, pycache, *args)
    out, _ = process.communicate(timeout=REFRESH_TIMEOUT_S)
    return subprocess.CompletedProcess(process.args, process.returncode, out, "")


def warehouse_of(home: Path) -> Path:
    return home / "warehouse" / "capex.duckdb"


def published_state(home: Path) -> dict:
    """Row counts of every core/marts table and the publish fingerprint, read read-only."""
    with duckdb.connect(str(warehouse_of(home)), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('core', 'marts') and table_type = 'BASE TABLE' order by 1, 2"
        ).fetchall()
        state = {
            f"{s}.{t}": con.execute(f'select count(*) from "{s}"."{t}"').fetchone()[0] for s, t in tables
        }
        state["meta.refresh fingerprint"] = con.execute("select fingerprint from meta.refresh").fetchone()[0]
    return state


def manifest_lines(home: Path) -> list[dict]:
    path = home / "landing" / "manifest.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def session_survivors(session_id: int) -> list[str]:
    """Processes still alive in a victim's session (what it started and did not take down with it)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            comm = stat.read_text().split("(", 1)[1].rsplit(")", 1)[0]
        except (OSError, IndexError):
            continue
        if int(fields[3]) == session_id and fields[0] != "Z":  # fields[3]: session id; Z: zombie
            found.append(f"{stat.parent.name} {comm}")
    return found


@pytest.fixture(scope="module")
def pycache() -> Path:
    # Kept between test sessions (bytecode is checked against its source's mtime, so it never goes stale).
    path = Path(tempfile.gettempdir()) / "capex-reliability-pycache"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(scope="module")
def published_home(tmp_path_factory, pycache) -> tuple[Path, dict]:
    """A CAPEX_HOME with one imported body (so the landing zone has a manifest) and a published warehouse."""
    home = tmp_path_factory.mktemp("published")
    imported = home.parent / f"{home.name}-tx.json"
    imported.write_bytes(read_snapshot_bytes("layoffs/tx_socrata_8w53-c4f6_sample_2026-06.json.gz"))
    done = run_capex(home, pycache, "import", "warn-tx", str(imported), "--as-of", "2026-07-14")
    assert done.returncode == 0, done.stdout[-2000:]
    done = run_capex(home, pycache, "refresh", "--offline")
    assert done.returncode == 0, done.stdout[-3000:]
    state = published_state(home)
    assert state["core.financials"] > 0 and state["core.layoff_events"] > 0 and state["core.gpu_prices"] > 0
    return home, state


class Victim(threading.Thread):
    """A `capex refresh --offline --force` in its own copy of the published home, killed at a progress line."""

    def __init__(self, point: str, home: Path, pycache: Path, hold: threading.Event | None = None):
        super().__init__(daemon=True)
        self.point, self.home, self.hold = point, home, hold
        self.process = start_capex(home, pycache, "refresh", "--offline", "--force")
        self.lines: list[str] = []
        self.locked = threading.Event()  # the victim holds the refresh lock
        self.killed_after: str | None = None
        self.started = time.monotonic()

    def run(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.rstrip())
            if line.startswith("refreshing "):
                self.locked.set()
            if KILL_POINTS[self.point] in line:
                if self.hold is not None:
                    self.hold.wait(timeout=120)  # let the concurrent refresh find the lock first
                os.kill(self.process.pid, signal.SIGKILL)
                self.killed_after = f"{line.strip()} at {time.monotonic() - self.started:.1f} s"
                break  # stop reading: a child that outlives it keeps the pipe open
        self.process.wait()


READER = textwrap.dedent(
    """
    import json, os, sys, time
    import duckdb
    path, stop = sys.argv[1], sys.argv[2]
    counts, errors = [], []
    while not os.path.exists(stop):
        try:
            with duckdb.connect(path, read_only=True) as con:
                counts.append(con.execute("select count(*) from core.financials").fetchone()[0])
        except Exception as e:
            errors.append(f"{type(e).__name__}: {e}")
        time.sleep(0.2)
    print(json.dumps({"counts": sorted(set(counts)), "reads": len(counts), "errors": errors[:5]}))
    """
)


@pytest.fixture(scope="module")
def killed(published_home, tmp_path_factory, pycache) -> dict:
    """Three refreshes killed at their points, at the same time. While the one killed during the build
    holds the lock, a second refresh is started in its home; once it is killed, the next refresh runs in
    its home (its half-written build file left behind) with a reader opening the published file every
    0.2 s, while the last victim is still running."""
    home0, _ = published_home
    second_done = threading.Event()
    victims = {}
    for point in KILL_POINTS:
        home = tmp_path_factory.mktemp("killed")
        shutil.rmtree(home)
        shutil.copytree(home0, home, ignore=shutil.ignore_patterns("dagster"))  # a fresh Dagster instance
        hold = second_done if point == "during the build" else None
        victims[point] = Victim(point, home, pycache, hold)
        victims[point].start()
    build_victim = victims["during the build"]
    assert build_victim.locked.wait(timeout=300), "\n".join(build_victim.lines[-20:])
    second = run_capex(build_victim.home, pycache, "refresh", "--offline", "--force")
    second_done.set()
    build_victim.join(timeout=REFRESH_TIMEOUT_S)
    leftovers = sorted(p.name for p in (build_victim.home / "warehouse" / "build").glob("*"))
    stop = tmp_path_factory.mktemp("reader") / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(warehouse_of(build_victim.home)), str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    following = start_capex(build_victim.home, pycache, "refresh", "--offline", "--force")
    for victim in victims.values():
        victim.join(timeout=REFRESH_TIMEOUT_S)
    out, _ = following.communicate(timeout=REFRESH_TIMEOUT_S)
    stop.write_text("stop")
    read, read_err = reader.communicate(timeout=60)
    time.sleep(2)  # what a victim started gets a moment to notice and exit
    survivors = {point: session_survivors(v.process.pid) for point, v in victims.items()}
    for victim in victims.values():  # then the test cleans up what is left
        try:
            os.killpg(victim.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return {
        "victims": victims,
        "second": second,
        "survivors": survivors,
        "leftovers": leftovers,
        "following": subprocess.CompletedProcess(following.args, following.returncode, out, ""),
        "reader": (read, read_err),
    }


@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_kill_9_leaves_the_published_warehouse_and_the_landing_zone_intact(point, killed, published_home):
    home0, before = published_home
    victim = killed["victims"][point]
    assert victim.killed_after, f"{point}: never reached {KILL_POINTS[point]!r}:\n" + "\n".join(
        victim.lines[-20:]
    )
    assert victim.process.returncode == -signal.SIGKILL, (victim.process.returncode, victim.lines[-10:])
    assert "published " not in "\n".join(victim.lines), "the victim finished before it was killed"
    assert published_state(victim.home) == before  # opens read-only, same counts in every core/marts table
    assert manifest_lines(victim.home) == manifest_lines(home0)  # parses, nothing gained or lost
    assert [p.name for p in (victim.home / "landing").rglob("*.part")] == []


def test_what_a_killed_refresh_started_does_not_outlive_it(killed):
    """dbt and the validation worker end with the refresh (left running, they would hold CPU and memory;
    the validation worker did, until it learnt to watch its parent: commit 5b1faa4)."""
    assert killed["survivors"] == {point: [] for point in KILL_POINTS}, killed["survivors"]


def test_a_second_refresh_while_one_runs_exits_with_a_clear_message(killed, published_home):
    _, before = published_home
    second = killed["second"]
    assert second.returncode != 0
    assert "another refresh is running" in second.stdout, second.stdout[-2000:]
    assert published_state(killed["victims"]["during the build"].home) == before


def test_the_next_refresh_after_a_kill_completes_while_a_reader_reads(killed, published_home):
    """In the home killed during the build (its half-written build file left behind): a forced refresh
    rebuilds and publishes, a reader opening the published file every 0.2 s never fails and never sees
    another count, and the leftover build is removed."""
    _, before = published_home
    home = killed["victims"]["during the build"].home
    done = killed["following"]
    assert killed["leftovers"], "the killed build left no build file behind: the kill came too early"
    assert done.returncode == 0, done.stdout[-3000:]
    assert published_state(home) == before
    read, err = killed["reader"]
    read = json.loads(read)
    assert read["errors"] == [] and read["counts"] == [before["core.financials"]] and read["reads"] > 10, (
        read,
        err,
    )
    assert list((home / "warehouse" / "build").glob("*.duckdb*")) == []
    assert not secrets_in(done.stdout)  # no credentials in the refresh's output


def test_the_next_plain_refresh_after_a_kill_near_the_publish_finds_nothing_new(killed, pycache):
    home = killed["victims"]["near the publish"].home
    done = run_capex(home, pycache, "refresh", "--offline")
    assert done.returncode == 0, done.stdout[-3000:]
    assert "nothing new" in done.stdout


# --------------------------------------------------------------- kills placed inside a write


KILL_INSIDE = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    import pipelines.landing, pipelines.warehouse
    what, where, root = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    real_replace, real_write = os.replace, os.write

    def die(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    def replace_then_die(*args, **kwargs):
        real_replace(*args, **kwargs)
        die()

    def torn_write(fd, data):  # half a manifest line reaches the disk, then the process dies
        real_write(fd, data[: len(data) // 2])
        os.fsync(fd)
        die()

    os.replace = {"before rename": die, "after rename": replace_then_die}.get(where, real_replace)
    if where == "mid manifest line":
        os.write = torn_write
    if what == "landing":
        zone = pipelines.landing.LandingZone(root / "landing", snapshot_root=None)
        zone.store(b'{"new": "body"}', kind="warn-tx", entity="warn_tx", origin="https://example.org/new", via="fetch", as_of="2026-07-15")
    else:
        pipelines.warehouse.publish(root / "build.duckdb", root / "capex.duckdb", {"fingerprint": "new", "run_id": "r2", "code_fingerprint": "c"})
    print("not killed")
    """
)


def kill_inside(what: str, where: str, root: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", KILL_INSIDE, what, where, str(root)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == -signal.SIGKILL, (done.returncode, done.stdout, done.stderr[-2000:])


@pytest.mark.parametrize("where", ["before rename", "after rename", "mid manifest line"])
def test_kill_9_inside_a_landing_write(where, tmp_path):
    """Object: temp name, fsync, rename; then one manifest line. Killed at each step, the zone holds the old
    body in force or the new one whole, never a half-written one, and the next store works."""
    zone = LandingZone(tmp_path / "landing", snapshot_root=None)
    zone.store(
        b'{"old": "body"}',
        kind="warn-tx",
        entity="warn_tx",
        origin="https://example.org/old",
        via="fetch",
        as_of="2026-07-14",
    )
    kill_inside("landing", where, tmp_path)
    in_force = zone.current("warn-tx", history=True)
    bodies = {b.read() for b in in_force}  # every body in force reads back with its hash
    assert b'{"old": "body"}' in bodies and len(in_force) == 1  # the new landing never completed
    zone.store(
        b'{"next": "body"}',
        kind="warn-tx",
        entity="warn_tx",
        origin="https://example.org/next",
        via="fetch",
        as_of="2026-07-16",
    )
    assert {b.read() for b in zone.current("warn-tx", history=True)} == {
        b'{"old": "body"}',
        b'{"next": "body"}',
    }
    for line in zone.manifest_path.read_text().splitlines()[-1:]:
        json.loads(line)  # the next landing starts on a line of its own


@pytest.mark.parametrize("where", ["before rename", "after rename"])
def test_kill_9_inside_the_warehouse_swap(where, tmp_path):
    """Killed just before or just after the rename of the build onto the published file: a reader opens the
    old warehouse or the new one, whole, never a mix."""
    for name, rows in (("capex.duckdb", 3), ("build.duckdb", 5)):
        with duckdb.connect(str(tmp_path / name)) as con:
            con.execute(
                f"create schema core; create table core.financials as select range as n from range({rows})"
            )
    old = hashlib.sha256((tmp_path / "capex.duckdb").read_bytes()).hexdigest()
    kill_inside("warehouse", where, tmp_path)
    with duckdb.connect(str(tmp_path / "capex.duckdb"), read_only=True) as con:
        count = con.execute("select count(*) from core.financials").fetchone()[0]
    if where == "before rename":
        assert count == 3 and hashlib.sha256((tmp_path / "capex.duckdb").read_bytes()).hexdigest() == old
    else:
        assert count == 5 and not (tmp_path / "build.duckdb").exists()


def test_a_scheduled_publish_while_a_cli_refresh_holds_the_lock_fails_and_changes_nothing(
    tmp_path, monkeypatch
):
    """A run of the nightly schedule (no CLI lock of its own) reaching its publish step while `capex refresh`
    runs: the step fails naming the running refresh, the published warehouse is untouched."""
    warehouse = tmp_path / "warehouse" / "capex.duckdb"
    warehouse.parent.mkdir()
    build = tmp_path / "scheduled-build.duckdb"
    for path, rows in ((warehouse, 3), (build, 5)):
        with duckdb.connect(str(path)) as con:
            con.execute(
                f"create schema core; create table core.financials as select range as n from range({rows})"
            )
    before = hashlib.sha256(warehouse.read_bytes()).hexdigest()
    monkeypatch.setattr("pipelines.publishing.build_path", lambda published, run_id: build)
    with refresh_lock(warehouse):  # the manual refresh
        result = dg.materialize(
            [published_asset([])],
            resources={"settings": CapexSettings(home=str(tmp_path), offline=True, warehouse=str(warehouse))},
            raise_on_error=False,
        )
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert "another refresh is running" in failure.event_specific_data.error.to_string()
    assert hashlib.sha256(warehouse.read_bytes()).hexdigest() == before and build.exists()


def test_a_manual_refresh_leaves_the_build_of_a_run_still_building_and_cleans_a_killed_ones(tmp_path):
    """`capex refresh` clears the build files of runs that are over (killed, never published) before it
    starts; a scheduled or UI run still building holds a claim on its build, which the clean-up respects."""
    warehouse = tmp_path / "warehouse" / "capex.duckdb"
    builds = build_dir(warehouse)
    builds.mkdir(parents=True)
    for run_id in ("scheduled", "killed"):
        with duckdb.connect(str(build_path(warehouse, run_id))) as con:
            con.execute("create table t as select 1")
        (builds / f"dbt-{run_id}").mkdir()
    # The scheduled run's worker: another process that claims its build and keeps running.
    claim = (
        "import sys, time; from pathlib import Path; from pipelines.locks import claim_build; "
        f"claim_build(Path({str(builds)!r}), sys.argv[1]); print('claimed', flush=True); time.sleep(sys.argv[2] == 'live' and 120 or 0)"
    )
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    killed = subprocess.run(
        [sys.executable, "-c", claim, "killed", "done"], env=env, capture_output=True, text=True
    )
    assert killed.stdout.strip() == "claimed"  # its process is gone, and its claim with it
    scheduled = subprocess.Popen(
        [sys.executable, "-c", claim, "scheduled", "live"], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert scheduled.stdout.readline().strip() == "claimed"
        remove_stale_builds(warehouse)
        assert build_path(warehouse, "scheduled").exists() and (builds / "dbt-scheduled").is_dir()
        assert not build_path(warehouse, "killed").exists() and not (builds / "dbt-killed").exists()
        assert not (builds / "killed.lock").exists()
    finally:
        scheduled.kill()
        scheduled.wait()
    remove_stale_builds(warehouse)  # the scheduled run died without publishing: now its build is stale
    assert sorted(p.name for p in builds.iterdir()) == []
