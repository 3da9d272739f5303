"""The import kinds validate a whole body with the real parser and name its entity and date."""

from __future__ import annotations

import pytest

from assets.layoffs.kinds import KINDS
from pipelines.errors import SourceFormatError
from pipelines.snapshot import read_snapshot_bytes, snapshot_manifest
from tests.assets.layoffs.conftest import CA_FEB, FYI_MANGLED, WA_HTML

KIND = {k.name: k for k in KINDS}


def test_kinds_of_the_contract_all_keep_history():
    assert set(KIND) == {"layoffs-fyi", "warn-ca", "warn-ny", "warn-wa", "warn-tx"}
    assert all(k.history and k.source == "layoffs" for k in KINDS)


def test_every_embedded_body_is_accepted_by_its_kind():
    entries = [e for e in snapshot_manifest() if e.path.startswith("layoffs/")]
    assert len(entries) == 13
    for entry in entries:
        found = KIND[entry.kind].identify(read_snapshot_bytes(entry.path), entry.origin)
        assert found.entity == entry.entity


def test_identify_summarizes_the_body():
    found = KIND["warn-ca"].identify(read_snapshot_bytes(CA_FEB), "warn_report1.xlsx")
    assert found.summary == "CA WARN report: 834 notices dated 2024-04-29..2025-02-05, as of 2025-02-05"
    assert found.as_of == "2025-02-05"
    mangled = KIND["layoffs-fyi"].identify(read_snapshot_bytes(FYI_MANGLED), "layoffs.csv")
    assert "2,279 spreadsheet-mangled dates repaired" in mangled.summary and mangled.as_of == "2026-07-24"


def test_a_body_of_another_kind_or_cut_short_is_refused():
    with pytest.raises(SourceFormatError):
        KIND["warn-ca"].identify(read_snapshot_bytes(WA_HTML), "SearchWARN.aspx")
    with pytest.raises(SourceFormatError):
        KIND["layoffs-fyi"].identify(read_snapshot_bytes(CA_FEB), "warn_report1.xlsx")
    raw = read_snapshot_bytes(WA_HTML)
    with pytest.raises(SourceFormatError, match="truncated"):
        KIND["warn-wa"].identify(raw[:5000], "SearchWARN.aspx")
