import json
import logging

import polars as pl
import pytest

from assets.gpu.azure import next_page_url, parse_azure_prices
from pipelines.errors import SourceFormatError
from pipelines.snapshot import read_snapshot_bytes
from tests.assets.gpu.conftest import AZURE_H100_PAGE, AZURE_ND_PAGE, AZURE_PREVIEW_PAGE


@pytest.fixture
def parse(gpu_models, instance_types):
    def parse(raw, origin="page.json", observed_on="2026-08-03"):
        return parse_azure_prices(
            raw, origin, observed_on=observed_on, instance_types=instance_types, gpu_models=gpu_models
        )

    return parse


def one(rows: pl.DataFrame, **where) -> dict:
    found = rows.filter(**where)
    assert found.height == 1, found
    return found.row(0, named=True)


def test_nd96isr_h100_v5_eastus_on_demand_linux_is_98_32_over_8(parse):
    rows = parse(read_snapshot_bytes(AZURE_H100_PAGE)).rows
    row = one(rows, pricing="on_demand", os="linux")
    assert (row["instance_type"], row["region"], row["gpu_family"], row["gpu_model"], row["gpu_count"]) == (
        "Standard_ND96isr_H100_v5",
        "eastus",
        "H100",
        "H100 SXM",
        8,
    )
    assert row["usd_per_instance_hour"] == 98.32
    assert row["usd_per_gpu_hour"] == pytest.approx(12.29)
    assert row["comparable"] and row["provider"] == "azure"


def test_reservations_are_term_totals_turned_into_hourly_equivalents(parse):
    rows = parse(read_snapshot_bytes(AZURE_ND_PAGE), observed_on="2026-07-27").rows
    one_year = one(rows, pricing="reserved_1y", instance_type="Standard_ND96isr_H100_v5")
    three_year = one(rows, pricing="reserved_3y", instance_type="Standard_ND96isr_H100_v5")
    assert one_year["usd_per_gpu_hour"] == pytest.approx(551221.0 / 8760 / 8)  # 7.8656
    assert three_year["usd_per_gpu_hour"] == pytest.approx(1134310.0 / (3 * 8760) / 8)  # 5.3953
    assert one_year["usd_per_instance_hour"] == pytest.approx(62.92477168949772)


def test_spot_low_priority_windows_and_dev_test_are_told_apart(parse):
    rows = parse(read_snapshot_bytes(AZURE_H100_PAGE)).rows
    assert rows.height == 10
    spot = one(rows, sku="ND96isrH100v5 Spot", os="linux")
    assert (spot["pricing"], spot["usd_per_instance_hour"], spot["comparable"]) == ("spot", 18.169536, True)
    low_priority = one(rows, sku="ND96isrH100v5 Low Priority", os="linux")
    assert (low_priority["pricing"], low_priority["usd_per_instance_hour"]) == ("spot", 19.664)
    windows = rows.filter(os="windows")
    assert windows.height == 6 and not windows["comparable"].any()
    assert one(rows, pricing="on_demand", os="windows", usd_per_instance_hour=102.736)["comparable"] is False


def test_sizes_missing_from_the_seed_are_held_out_naming_provider_sku_and_field(parse):
    parsed = parse(read_snapshot_bytes(AZURE_ND_PAGE), observed_on="2026-07-27")
    assert parsed.rows.height == 9
    reject = parsed.rejects.row(0, named=True)
    assert parsed.rejects.height == 1
    assert (reject["row_number"], reject["field"]) == (10, "armSkuName")
    assert reject["problem"].startswith("azure Standard_ND96is_H100_v5 'ND96isH100v5'")
    assert "gpu_instance_types.csv" in reject["problem"]
    assert json.loads(reject["record"])["retailPrice"] == 88.488


def test_compact_preview_page_of_a_cpu_size_gives_no_rows_and_no_rejects(parse):
    parsed = parse(read_snapshot_bytes(AZURE_PREVIEW_PAGE))
    assert parsed.rows.height == 0 and parsed.rejects.height == 0


def test_missing_next_page_link_key_is_a_warning_and_the_items_still_load(parse, caplog):
    page = json.loads(read_snapshot_bytes(AZURE_H100_PAGE))
    del page["NextPageLink"]
    parsed = parse(json.dumps(page).encode())
    assert parsed.rows.height == 10
    assert parsed.rejects.select("row_number", "field").row(0) == (None, "NextPageLink")
    with caplog.at_level(logging.WARNING):
        assert next_page_url(page) is None
    assert "NextPageLink" in caplog.text


def test_next_page_url_follows_the_link_until_null():
    assert next_page_url(
        {"Items": [], "NextPageLink": "https://prices.azure.com/api/retail/prices?$skip=100"}
    ).endswith("$skip=100")
    assert next_page_url(json.loads(read_snapshot_bytes(AZURE_PREVIEW_PAGE))) is None


@pytest.mark.parametrize("price", [0.0, -98.32])
def test_zero_or_negative_price_is_held_out_and_the_rest_loads(parse, price):
    page = json.loads(read_snapshot_bytes(AZURE_H100_PAGE))
    page["Items"][0]["retailPrice"] = price
    parsed = parse(json.dumps(page).encode())
    assert parsed.rows.height == 9
    reject = parsed.rejects.row(0, named=True)
    assert (reject["row_number"], reject["field"]) == (1, "retailPrice")
    assert reject["problem"].startswith("azure Standard_ND96isr_H100_v5 'ND96isrH100v5' Consumption eastus")
    assert "not a price" in reject["problem"]


def test_the_newest_price_in_force_wins_when_a_meter_is_listed_twice(parse):
    page = json.loads(read_snapshot_bytes(AZURE_H100_PAGE))
    on_demand = page["Items"][0]
    page["Items"].append({**on_demand, "retailPrice": 90.0, "effectiveStartDate": "2026-08-01T00:00:00Z"})
    page["Items"].append(
        {**on_demand, "retailPrice": 80.0, "effectiveStartDate": "2027-01-01T00:00:00Z"}
    )  # not yet
    rows = parse(json.dumps(page).encode()).rows
    assert one(rows, pricing="on_demand", os="linux")["usd_per_instance_hour"] == 90.0


def test_truncated_or_foreign_bodies_are_refused(parse):
    raw = read_snapshot_bytes(AZURE_H100_PAGE)
    with pytest.raises(SourceFormatError, match="not JSON"):
        parse(raw[: len(raw) // 2])
    with pytest.raises(SourceFormatError, match="Items"):
        parse(b'{"data": {"gpuTypes": []}}')
