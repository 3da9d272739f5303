import json

import pytest

from assets.gpu.runpod import parse_runpod_gpu_types
from pipelines.errors import SourceFormatError
from pipelines.snapshot import read_snapshot_bytes
from tests.assets.gpu.conftest import RUNPOD


def parse(raw, gpu_models):
    return parse_runpod_gpu_types(raw, "runpod.json", observed_on="2026-09-29", gpu_models=gpu_models)


def test_h100_sxm_secure_3_49_and_community_2_69(gpu_models):
    rows = parse(read_snapshot_bytes(RUNPOD), gpu_models).rows
    h100 = rows.filter(gpu_model="H100 SXM").sort("pricing")
    assert h100.select("provider_gpu_name", "pricing", "usd_per_gpu_hour", "gpu_count").rows() == [
        ("NVIDIA H100 80GB HBM3", "community", 2.69, 1),
        ("NVIDIA H100 80GB HBM3", "secure", 3.49, 1),
    ]
    assert rows.filter(gpu_model="B300", pricing="secure")["usd_per_gpu_hour"].item() == 7.89
    assert rows.filter(gpu_model="H200 SXM", pricing="community")["usd_per_gpu_hour"].item() == 3.59


def test_a_zero_price_means_not_offered_and_makes_no_row(gpu_models):
    parsed = parse(read_snapshot_bytes(RUNPOD), gpu_models)
    a100_40gb = parsed.rows.filter(provider_gpu_name="NVIDIA A100-SXM4-40GB")
    assert a100_40gb["pricing"].to_list() == ["community"]  # securePrice 0
    assert parsed.rows.filter(provider_gpu_name="unknown").is_empty()  # 0 / 0: nothing, not a reject
    assert parsed.rejects.height == 0 and parsed.rows.height == 88


def test_negative_price_and_unknown_gpu_are_held_out(gpu_models):
    reply = json.loads(read_snapshot_bytes(RUNPOD))
    reply["data"]["gpuTypes"][0]["securePrice"] = -2.39  # MI300X
    reply["data"]["gpuTypes"].append(
        {"id": "ACME Tensor X", "displayName": "TX", "securePrice": 1.0, "communityPrice": 0}
    )
    parsed = parse(json.dumps(reply).encode(), gpu_models)
    assert parsed.rejects.select("field").to_series().to_list() == ["securePrice", "id"]
    assert parsed.rejects["problem"][0].startswith("runpod 'AMD Instinct MI300X OAM' (MI300X) secure")
    assert "unknown GPU name 'ACME Tensor X'" in parsed.rejects["problem"][1]
    assert parsed.rows.height == 87


def test_graphql_errors_and_truncation_are_refused(gpu_models):
    with pytest.raises(SourceFormatError, match="GraphQL error reply: Cannot query field"):
        parse(b'{"errors": [{"message": "Cannot query field \\"lowestPrice\\""}]}', gpu_models)
    raw = read_snapshot_bytes(RUNPOD)
    with pytest.raises(SourceFormatError, match="not JSON"):
        parse(raw[:4000], gpu_models)
