"""The landing zone: content addressing, what is in force, crash leftovers, path safety."""

from __future__ import annotations

import json

from pipelines.landing import LandingZone


def zone(tmp_path) -> LandingZone:
    return LandingZone(tmp_path / "landing", snapshot_root=None)


def test_same_bytes_twice_change_nothing(tmp_path):
    landing = zone(tmp_path)
    first, stored = landing.store(
        b'{"a": 1}', kind="k", entity="e", origin="/x/a.json", via="import", as_of="2026-01-01"
    )
    again, stored_again = landing.store(
        b'{"a": 1}', kind="k", entity="e", origin="/x/a.json", via="import", as_of="2026-01-01"
    )
    assert stored and not stored_again
    assert first == again
    assert len(landing.manifest_path.read_text().splitlines()) == 1
    assert landing.current("k", history=False)[0].read() == b'{"a": 1}'


def test_newest_body_per_entity_is_in_force(tmp_path):
    landing = zone(tmp_path)
    landing.store(b"old", kind="k", entity="e", origin="a", via="import", as_of="2026-01-01")
    landing.store(b"new", kind="k", entity="e", origin="b", via="import", as_of="2026-01-01")
    landing.store(b"other", kind="k", entity="f", origin="c", via="import", as_of="2026-01-01")
    assert [b.read() for b in landing.current("k", history=False)] == [b"new", b"other"]


def test_history_kinds_keep_every_day(tmp_path):
    landing = zone(tmp_path)
    landing.store(b"day1", kind="p", entity="vast", origin="a", via="import", as_of="2026-01-01")
    landing.store(b"day2", kind="p", entity="vast", origin="b", via="import", as_of="2026-01-02")
    landing.store(b"day2-fixed", kind="p", entity="vast", origin="c", via="import", as_of="2026-01-02")
    assert [b.read() for b in landing.current("p", history=True)] == [b"day1", b"day2-fixed"]


def test_a_torn_manifest_line_from_a_crash_is_ignored_and_repaired(tmp_path):
    landing = zone(tmp_path)
    landing.store(b"one", kind="k", entity="e", origin="a", via="import", as_of="2026-01-01")
    with landing.manifest_path.open("a") as f:
        f.write('{"kind": "k", "entity": "e", "as_of": "2026-01-0')  # kill -9 mid-append
    assert [b.read() for b in landing.current("k", history=False)] == [b"one"]
    landing.store(b"two", kind="k", entity="g", origin="b", via="import", as_of="2026-01-01")
    assert [b.read() for b in landing.current("k", history=False)] == [b"one", b"two"]


def test_hostile_origin_and_entity_never_become_paths(tmp_path):
    landing = zone(tmp_path)
    body, _ = landing.store(
        b"x", kind="k", entity="../../etc/passwd", origin="../../../../tmp/evil", via="fetch"
    )
    stored = [p for p in (tmp_path / "landing").rglob("*") if p.is_file()]
    assert all(p.is_relative_to(tmp_path / "landing") for p in stored)
    assert (tmp_path / "landing" / "objects" / body.sha256[:2] / body.sha256).read_bytes() == b"x"
    assert json.loads(landing.manifest_path.read_text())["entity"] == "../../etc/passwd"


def test_a_corrupted_object_is_refused_when_read(tmp_path):
    landing = zone(tmp_path)
    body, _ = landing.store(b"good", kind="k", entity="e", origin="a", via="import")
    (tmp_path / "landing" / "objects" / body.sha256[:2] / body.sha256).write_bytes(b"bad!")
    try:
        landing.current("k", history=False)[0].read()
    except ValueError as e:
        assert "corrupt" in str(e)
    else:
        raise AssertionError("a corrupted body was read as data")
