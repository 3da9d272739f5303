"""The GPU seeds and the embedded snapshot bodies the GPU tests read (see data/snapshot/gpu/PROVENANCE.md)."""

from __future__ import annotations

import pytest

from assets.gpu.names import read_gpu_models, read_instance_types
from pipelines.snapshot import read_snapshot_bytes

AZURE_H100_PAGE = "gpu/compute-merit-order__Standard_ND96isr_H100_v5_eastus_2026-08-03.json.gz"
AZURE_ND_PAGE = "gpu/compute-price-tracker__eastus_ND_series_2026-07-27.json.gz"
AZURE_PREVIEW_PAGE = "gpu/finfocus__eastus_standard_d2s_v3_nofilter_preview.json.gz"
AWS_ONDEMAND = "gpu/ewyluda__aws_meteredUnitMaps_ec2_ondemand_linux_gpu_2026-09-29.json.gz"
CAPACITY_BLOCKS = {
    "2026-01-31": "gpu/aws_capacity_blocks_pricing_2026-01-31T141657Z__45e3e84d.json.gz",
    "2026-03-01": "gpu/aws_capacity_blocks_pricing_2026-03-01T004029Z__ff99bc1a.json.gz",
    "2026-07-22": "gpu/aws_capacity_blocks_pricing_2026-07-22T071456Z__b3a54aee.json.gz",
}
VAST_DAYS = ["2026-02-27", "2026-02-28", "2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05"]
VAST_BARE_LIST = "gpu/vast-cli__search_offers_raw_2025-01.json.gz"
RUNPOD = "gpu/ewyluda__runpod_graphql_gpuTypes_2026-09-29.json.gz"
EPOCH = "gpu/epoch_ml_hardware.csv.gz"


def vast_archive(day: str) -> bytes:
    return read_snapshot_bytes(f"gpu/vast_ccir_archive_{day}.json.gz")


def primeintellect_series(name: str) -> bytes:
    return read_snapshot_bytes(f"gpu/primeintellect_{name}.jsonl.gz")


@pytest.fixture(scope="session")
def gpu_models():
    return read_gpu_models()


@pytest.fixture(scope="session")
def instance_types():
    return read_instance_types()
