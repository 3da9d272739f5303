import json
from datetime import date

import pytest

from assets.gpu.aws import parse_aws_capacity_blocks, parse_aws_ondemand
from pipelines.errors import SourceFormatError
from pipelines.snapshot import read_snapshot_bytes
from tests.assets.gpu.conftest import AWS_ONDEMAND, CAPACITY_BLOCKS


@pytest.fixture
def ondemand(gpu_models, instance_types):
    def parse(raw, origin="aws.json"):
        return parse_aws_ondemand(
            raw, origin, observed_on="2026-09-29", instance_types=instance_types, gpu_models=gpu_models
        )

    return parse


@pytest.fixture
def capacity(gpu_models, instance_types):
    def parse(raw, origin="pricing.json"):
        return parse_aws_capacity_blocks(raw, origin, instance_types=instance_types, gpu_models=gpu_models)

    return parse


def test_p5_48xlarge_us_east_1_is_55_04_over_8(ondemand):
    rows = ondemand(read_snapshot_bytes(AWS_ONDEMAND)).rows
    p5 = rows.filter(instance_type="p5.48xlarge", region="us-east-1").row(0, named=True)
    assert (p5["gpu_model"], p5["gpu_count"], p5["pricing"], p5["provider"]) == (
        "H100 SXM",
        8,
        "on_demand",
        "aws",
    )
    assert p5["usd_per_instance_hour"] == 55.04
    assert p5["usd_per_gpu_hour"] == pytest.approx(6.88)
    assert rows.height == 51 and rows["region"].n_unique() == 7


@pytest.mark.parametrize(
    ("instance_type", "region", "usd_per_gpu_hour"),
    [
        ("p5en.48xlarge", "us-east-1", 63.296 / 8),  # H200
        ("p4d.24xlarge", "us-east-1", 21.957642 / 8),
        ("p6-b200.48xlarge", "us-east-1", 113.9328 / 8),
        ("p6-b300.48xlarge", "sa-east-1", 281.13 / 8),
        ("g6e.xlarge", "ap-northeast-1", 2.699),  # 1 x L40S, Tokyo
    ],
)
def test_gpus_per_instance_come_from_the_seed(ondemand, instance_type, region, usd_per_gpu_hour):
    rows = ondemand(read_snapshot_bytes(AWS_ONDEMAND)).rows
    assert rows.filter(instance_type=instance_type, region=region)[
        "usd_per_gpu_hour"
    ].item() == pytest.approx(usd_per_gpu_hour)


def test_a_single_location_document_reads_the_same(ondemand):
    by_location = json.loads(read_snapshot_bytes(AWS_ONDEMAND))
    virginia = {"manifest": {"currencyCode": "USD"}, **by_location["US East (N. Virginia)"]}
    rows = ondemand(json.dumps(virginia).encode()).rows
    assert rows.height == 10 and rows["region"].unique().to_list() == ["us-east-1"]


def test_unknown_gpu_instance_types_are_held_out_and_cpu_types_skipped(ondemand):
    doc = json.loads(read_snapshot_bytes(AWS_ONDEMAND))["US East (Ohio)"]
    rows = doc["regions"]["US East (Ohio)"]
    template = rows["p5 48xlarge US East Ohio Linux"]
    rows["p9 48xlarge"] = {**template, "Instance Type": "p9.48xlarge"}
    rows["c7i large"] = {
        **template,
        "Instance Type": "c7i.large",
        "Instance Family": "Compute optimized",
        "price": "0.0893",
    }
    parsed = ondemand(json.dumps(doc).encode())
    assert parsed.rows.height == 8
    reject = parsed.rejects.row(0, named=True)
    assert parsed.rejects.height == 1 and reject["field"] == "Instance Type"
    assert (
        reject["problem"].startswith("aws p9.48xlarge us-east-2")
        and "gpu_instance_types.csv" in reject["problem"]
    )


def test_zero_price_is_held_out(ondemand):
    doc = json.loads(read_snapshot_bytes(AWS_ONDEMAND))
    doc["US West (Oregon)"]["regions"]["US West (Oregon)"]["p5 48xlarge US West Oregon Linux"]["price"] = (
        "0.0000000000"
    )
    parsed = ondemand(json.dumps(doc).encode())
    assert parsed.rows.height == 50
    assert parsed.rejects.select("field").item() == "price"
    assert parsed.rejects["problem"].item().startswith("aws p5.48xlarge us-west-2")


def test_truncated_document_is_refused(ondemand):
    raw = read_snapshot_bytes(AWS_ONDEMAND)
    with pytest.raises(SourceFormatError, match="not JSON"):
        ondemand(raw[:-10])
    with pytest.raises(SourceFormatError, match="regions"):
        ondemand(b'{"offers": []}')


def test_capacity_blocks_july_prices_per_gpu(capacity):
    rows = capacity(read_snapshot_bytes(CAPACITY_BLOCKS["2026-07-22"])).rows
    assert rows["observed_on"].unique().to_list() == [date(2026, 7, 22)]  # metadata.last_updated
    p5 = rows.filter(instance_type="p5.48xlarge", region="us-east-1").row(0, named=True)
    assert (p5["pricing"], p5["usd_per_instance_hour"], p5["usd_per_gpu_hour"]) == (
        "capacity_block",
        41.528,
        5.191,
    )
    b200 = rows.filter(instance_type="p6-b200.48xlarge", region="us-east-1")["usd_per_gpu_hour"].item()
    assert b200 == pytest.approx(12.355)
    gb200 = rows.filter(instance_type="u-p6e-gb200x72").row(0, named=True)
    assert (gb200["gpu_count"], gb200["region"], gb200["usd_per_gpu_hour"]) == (
        72,
        "us-east-1-dfw-2a",
        pytest.approx(10.582),
    )


def test_capacity_block_scraper_artefacts_are_held_out_with_a_reason(capacity):
    january = capacity(read_snapshot_bytes(CAPACITY_BLOCKS["2026-01-31"]), "jan.json")
    assert january.rejects["field"].to_list() == ["accelerator_hourly_rate_usd"] * 2
    assert january.rejects["problem"][0].startswith("aws_capacity_blocks u-p6e-gb200x72 us-east-1-dfw-2a")
    march = capacity(read_snapshot_bytes(CAPACITY_BLOCKS["2026-03-01"]), "mar.json")
    assert march.rejects["field"].to_list() == ["region_code"] * 4
    assert "'unknown'" in march.rejects["problem"][2] and "Atlanta" in march.rejects["problem"][2]
    # the rest of March loads: p5 was 3.933 $/GPU-h before the rise to 5.191 in July
    assert (
        march.rows.filter(instance_type="p5.48xlarge", region="us-east-1")["usd_per_gpu_hour"].item() == 3.933
    )
    assert march.rows.height == 58 and march.rows["region"].str.contains("unknown").sum() == 0
