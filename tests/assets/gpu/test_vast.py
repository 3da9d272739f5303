import gzip
import json
from datetime import date

import pytest

from assets.gpu.vast import parse_vast_offers
from pipelines.errors import SourceFormatError
from pipelines.snapshot import read_snapshot_bytes
from tests.assets.gpu.conftest import VAST_BARE_LIST, VAST_DAYS, vast_archive

# H100 SXM offers per archived day, as counted in each day's offers_by_model["H100 SXM"] (and the
# .meta.json counts of ccir-index/cri-h100).
H100_SXM_OFFERS = dict(zip(VAST_DAYS, [31, 24, 27, 23, 30, 29, 26]))


@pytest.mark.parametrize("day", VAST_DAYS)
def test_every_archived_day_gives_one_row_per_h100_sxm_offer(gpu_models, day):
    parsed = parse_vast_offers(vast_archive(day), f"{day}.json", gpu_models=gpu_models)
    h100 = parsed.rows.filter(gpu_model="H100 SXM")
    assert h100.height == H100_SXM_OFFERS[day]
    assert h100["offer_id"].n_unique() == h100.height
    assert h100["observed_on"].unique().to_list() == [date.fromisoformat(day)]  # collection_date
    assert parsed.rejects.height == 0


def test_price_per_gpu_is_dph_total_over_num_gpus_and_reliability_and_rented_are_kept(gpu_models):
    rows = parse_vast_offers(vast_archive("2026-02-27"), "a.json", gpu_models=gpu_models).rows
    single = rows.filter(offer_id="26679142").row(0, named=True)
    assert (single["gpu_count"], single["usd_per_gpu_hour"]) == (1, 1.468888888888889)
    assert (single["reliability"], single["rented"], single["region"]) == (0.9933718, False, "France, FR")
    eight = parse_vast_offers(vast_archive("2026-03-05"), "b.json", gpu_models=gpu_models).rows.filter(
        offer_id="32348590"
    )
    assert eight["gpu_count"].item() == 8
    assert eight["usd_per_instance_hour"].item() == 9.602222222222222
    assert eight["usd_per_gpu_hour"].item() == pytest.approx(9.602222222222222 / 8)


def test_a_bare_list_and_an_offers_reply_take_the_date_given(gpu_models):
    bare = read_snapshot_bytes(VAST_BARE_LIST)
    rows = parse_vast_offers(bare, "search.json", gpu_models=gpu_models, observed_on="2025-01-15").rows
    assert rows["gpu_count"].to_list() == [1, 2, 4, 6]
    assert rows["usd_per_gpu_hour"][3] == pytest.approx(2.401388888888889 / 6)
    wrapped = json.dumps({"offers": json.loads(bare)}).encode()
    assert parse_vast_offers(
        wrapped, "reply.json", gpu_models=gpu_models, observed_on="2025-01-15"
    ).rows.equals(rows.with_columns(origin=rows["origin"].str.replace("search.json", "reply.json")))
    with pytest.raises(SourceFormatError, match="no observation date"):
        parse_vast_offers(bare, "search.json", gpu_models=gpu_models)


def test_unknown_gpu_and_zero_or_negative_prices_are_held_out(gpu_models):
    offers = json.loads(read_snapshot_bytes(VAST_BARE_LIST))
    offers[0]["gpu_name"] = "Quantum 9000"
    offers[1]["dph_total"] = 0.0
    offers[2]["dph_total"] = -1.6
    parsed = parse_vast_offers(
        json.dumps(offers).encode(), "x.json", gpu_models=gpu_models, observed_on="2025-01-15"
    )
    assert parsed.rows.height == 1
    assert parsed.rejects.select("row_number", "field").rows() == [
        (1, "gpu_name"),
        (2, "dph_total"),
        (3, "dph_total"),
    ]
    assert parsed.rejects["problem"][0].startswith(
        "vast offer 16014632 (Quantum 9000 x1): unknown GPU name 'Quantum 9000'"
    )
    assert "not a price" in parsed.rejects["problem"][1]


def test_truncated_archive_or_foreign_body_is_refused(gpu_models):
    raw = vast_archive("2026-03-01")
    with pytest.raises(SourceFormatError, match="not JSON"):
        parse_vast_offers(raw[:100_000], "cut.json", gpu_models=gpu_models)
    with pytest.raises(SourceFormatError, match="gzip"):
        parse_vast_offers(gzip.compress(raw)[:5_000], "cut.json.gz", gpu_models=gpu_models)
    with pytest.raises(SourceFormatError, match="not a Vast.ai reply"):
        parse_vast_offers(
            b'{"data": {"gpuTypes": []}}', "runpod.json", gpu_models=gpu_models, observed_on="2026-01-01"
        )
