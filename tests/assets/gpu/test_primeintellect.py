from datetime import date

import pytest

from assets.gpu.primeintellect import parse_primeintellect_series
from pipelines.errors import SourceFormatError
from tests.assets.gpu.conftest import primeintellect_series


def test_each_day_keeps_its_last_snapshot_one_row_per_seller(gpu_models):
    parsed = parse_primeintellect_series(
        primeintellect_series("H100_80GB_SXM5"), "h100.jsonl", gpu_models=gpu_models
    )
    first_day = parsed.rows.filter(observed_on=date(2025, 10, 19))
    # The 2025-10-19T21:58:24 line: by_provider runpod avg 2.7, lambdalabs 3.29, ..., primecompute 1.4.
    assert dict(first_day.select("seller", "usd_per_gpu_hour").rows()) == {
        "runpod": 2.7,
        "lambdalabs": 3.29,
        "hyperstack": 2.4,
        "primecompute": 1.4,
        "dc_roan": 2.07,
        "nebius": 2.12,
    }
    assert first_day["gpu_model"].unique().to_list() == ["H100 SXM"]
    assert first_day["pricing"].unique().to_list() == ["marketplace"]
    assert parsed.rows["observed_on"].n_unique() == 29  # 2025-10-19 .. 2025-11-16
    assert parsed.rejects.height == 0


def test_a_bad_line_in_the_middle_is_held_out_a_cut_last_line_refuses_the_body(gpu_models):
    lines = primeintellect_series("GH200_96GB").splitlines()
    broken = b"\n".join([*lines[:3], b'{"timestamp": "2025-10-19T2', *lines[3:]])
    parsed = parse_primeintellect_series(broken, "gh200.jsonl", gpu_models=gpu_models)
    assert parsed.rejects.select("row_number").item() == 4
    assert parsed.rows["gpu_model"].unique().to_list() == ["GH200"]
    with pytest.raises(SourceFormatError, match="last line"):
        parse_primeintellect_series(b"\n".join(lines)[:-40], "gh200.jsonl", gpu_models=gpu_models)
