import gzip
import io
import zipfile
from datetime import date

import pytest

from assets.gpu.epoch import parse_epoch_hardware
from pipelines.errors import SourceFormatError
from pipelines.snapshot import read_snapshot_bytes
from tests.assets.gpu.conftest import EPOCH


def test_h100_sxm5_spec_and_list_price(gpu_models):
    parsed = parse_epoch_hardware(read_snapshot_bytes(EPOCH), "ml_hardware.csv", gpu_models=gpu_models)
    assert parsed.rows.height == 175 and parsed.rejects.height == 0
    h100 = parsed.rows.filter(hardware_name="NVIDIA H100 SXM5 80GB").row(0, named=True)
    assert (h100["gpu_family"], h100["gpu_model"], h100["release_date"]) == (
        "H100",
        "H100 SXM",
        date(2022, 9, 20),
    )
    assert (h100["list_price_usd"], h100["tdp_watts"]) == (33600.0, 700.0)
    assert h100["fp16_bf16_tensor_tflops"] == pytest.approx(989.4)
    b200 = parsed.rows.filter(hardware_name="NVIDIA B200").row(0, named=True)
    assert (b200["fp16_bf16_tensor_tflops"], b200["fp8_tflops"], b200["list_price_usd"]) == (
        2250.0,
        4500.0,
        None,
    )
    assert parsed.rows.filter(hardware_name="Google TPU v7 Ironwood")["gpu_family"].item() is None


def test_zip_as_served_gzip_and_bom_read_the_same(gpu_models):
    raw = read_snapshot_bytes(EPOCH)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("ml_hardware.csv", raw)
    expected = parse_epoch_hardware(raw, "x", gpu_models=gpu_models).rows
    for body in (buffer.getvalue(), gzip.compress(raw), b"\xef\xbb\xbf" + raw):
        assert parse_epoch_hardware(body, "x", gpu_models=gpu_models).rows.equals(expected)


def test_an_unreadable_number_holds_out_its_row(gpu_models):
    raw = read_snapshot_bytes(EPOCH).replace(b",33600.0,", b",about 33k,", 1)
    parsed = parse_epoch_hardware(raw, "x", gpu_models=gpu_models)
    reject = parsed.rejects.row(0, named=True)
    assert (reject["field"], parsed.rows.height) == ("Release price (USD)", 174)
    assert reject["problem"] == "epoch NVIDIA H100 SXM5 80GB: Release price (USD) 'about 33k' is not a number"


def test_truncated_or_foreign_csv_is_refused(gpu_models):
    raw = read_snapshot_bytes(EPOCH)
    for cut in (47_700, 31_800):  # mid-row, and inside a quoted multi-line cell
        with pytest.raises(SourceFormatError, match="truncated"):
            parse_epoch_hardware(raw[:cut], "x", gpu_models=gpu_models)
    with pytest.raises(SourceFormatError, match="columns"):
        parse_epoch_hardware(b"Company,Date\nMeta,2026-01-01\n", "x", gpu_models=gpu_models)
