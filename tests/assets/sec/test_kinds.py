import json

import pytest

from assets.sec.kinds import KINDS
from pipelines.errors import SourceFormatError
from pipelines.snapshot import read_snapshot_bytes, snapshot_manifest
from tests.assets.sec.conftest import companyfacts_body, ten_k_body

BY_NAME = {kind.name: kind for kind in KINDS}
SEC_FILES = [entry for entry in snapshot_manifest() if entry.path.startswith("sec/")]


def test_contract_kinds_are_declared():
    assert {"sec-companyfacts", "sec-10k"} <= BY_NAME.keys()
    assert all(kind.source == "sec" and not kind.history for kind in KINDS)


@pytest.mark.parametrize("entry", SEC_FILES, ids=[e.path for e in SEC_FILES])
def test_every_snapshot_body_is_identified_as_its_manifest_entity(entry):
    identified = BY_NAME[entry.kind].identify(read_snapshot_bytes(entry.path), entry.origin)
    assert identified.entity == entry.entity


def test_companyfacts_summary_states_the_figures():
    summary = BY_NAME["sec-companyfacts"].identify(companyfacts_body("MSFT"), "CIK0000789019.json").summary
    assert summary == (
        "MICROSOFT CORPORATION (CIK 0000789019) companyfacts: 31,574 facts, newest 10-K/10-Q filed 2026-01-28; "
        "FY2025 capex 64,551 $M, revenue 281,724 $M"
    )


def test_10k_summary_states_figures_and_headcount():
    raw, origin = ten_k_body("AMZN")
    summary = BY_NAME["sec-10k"].identify(raw, origin).summary
    assert summary == (
        "AMAZON.COM, INC. 10-K for the fiscal year ended 2024-12-31: 640 facts; FY2024 capex 82,999 $M, "
        "revenue 637,959 $M; 1,556,000 employees"
    )


def test_companyfacts_without_capex_tag_is_accepted_and_says_so():
    doc = json.loads(companyfacts_body("MSFT"))
    del doc["facts"]["us-gaap"]["PaymentsToAcquirePropertyPlantAndEquipment"]
    summary = BY_NAME["sec-companyfacts"].identify(json.dumps(doc).encode(), "msft-no-capex.json").summary
    assert "FY2025 capex NULL (no capex tag), revenue 281,724 $M" in summary


def test_truncated_companyfacts_is_refused_naming_the_file():
    raw = companyfacts_body("GOOGL")
    with pytest.raises(SourceFormatError, match=r"^CIK0001652044\.json: not a readable companyfacts JSON"):
        BY_NAME["sec-companyfacts"].identify(raw[:-200], "CIK0001652044.json")


def test_wrong_kind_is_refused():
    raw, origin = ten_k_body("META")
    with pytest.raises(SourceFormatError, match="not a companyfacts JSON object"):
        BY_NAME["sec-companyfacts"].identify(raw, origin)
    with pytest.raises(SourceFormatError, match="not a complete 10-K document|no inline XBRL"):
        BY_NAME["sec-10k"].identify(companyfacts_body("NVDA"), "CIK0001045810.json")
    with pytest.raises(SourceFormatError, match="a companyfacts body with no facts"):
        BY_NAME["sec-companyfacts"].identify(b'{"cik": 1, "entityName": "x", "facts": {}}', "empty.json")
