import json

import pytest

from assets.gpu.kinds import KINDS
from pipelines.errors import SourceFormatError
from pipelines.snapshot import read_snapshot_bytes, snapshot_manifest
from tests.assets.gpu.conftest import AZURE_H100_PAGE, RUNPOD, VAST_BARE_LIST, vast_archive

KIND = {k.name: k for k in KINDS}


def test_contract_kinds_are_declared_and_prices_keep_history():
    assert {"vast-offers", "azure-prices", "aws-ec2-prices", "runpod-gpu-types", "epoch-hardware"} <= set(
        KIND
    )
    assert all(k.source == "gpu" for k in KINDS)
    assert {k.name for k in KINDS if not k.history} == {"epoch-hardware"}


def test_every_snapshot_body_is_identified_as_its_manifest_says():
    for entry in snapshot_manifest():
        if entry.kind in KIND:
            found = KIND[entry.kind].identify(read_snapshot_bytes(entry.path), entry.path)
            assert found.entity == entry.entity, entry.path
            assert found.as_of in (None, entry.as_of), entry.path


def test_archive_day_states_its_date_and_a_reply_does_not():
    archive = KIND["vast-offers"].identify(vast_archive("2026-03-04"), "2026-03-04.json")
    assert (archive.entity, archive.as_of) == ("vast", "2026-03-04")
    assert "244 offers" in archive.summary and "H100 SXM median" in archive.summary
    reply = json.dumps({"offers": json.loads(read_snapshot_bytes(VAST_BARE_LIST))}).encode()
    found = KIND["vast-offers"].identify(reply, "reply.json")
    assert (found.entity, found.as_of) == ("vast:RTX 4090", None)


@pytest.mark.parametrize(
    ("kind", "body"),
    [
        ("vast-offers", lambda: read_snapshot_bytes(RUNPOD)),  # another provider's reply
        ("vast-offers", lambda: b'{"offers": []}'),  # nothing in it
        ("vast-offers", lambda: vast_archive("2026-03-01")[:-200]),  # truncated
        ("azure-prices", lambda: read_snapshot_bytes(AZURE_H100_PAGE)[:3000]),
        ("runpod-gpu-types", lambda: read_snapshot_bytes(AZURE_H100_PAGE)),
        ("aws-ec2-prices", lambda: read_snapshot_bytes(RUNPOD)),
        ("epoch-hardware", lambda: read_snapshot_bytes(RUNPOD)),
    ],
)
def test_bodies_not_of_the_kind_are_refused(kind, body):
    with pytest.raises(SourceFormatError):
        KIND[kind].identify(body(), "file")
