from datetime import date

import polars as pl

from assets.gpu.prices import PRICE_SCHEMA, combine_observations
from assets.gpu.vast import parse_vast_offers
from tests.assets.gpu.conftest import VAST_DAYS, vast_archive


def vast_day(day, gpu_models, origin=None):
    return parse_vast_offers(vast_archive(day), origin or f"{day}.json", gpu_models=gpu_models).rows


def test_a_new_day_adds_its_rows_and_touches_no_other_day(gpu_models):
    known = [vast_day(day, gpu_models) for day in VAST_DAYS[:-1]]
    before = combine_observations(known)
    after = combine_observations([*known, vast_day(VAST_DAYS[-1], gpu_models)])
    new_day = date.fromisoformat(VAST_DAYS[-1])
    assert after.filter(pl.col("observed_on") != new_day).equals(before)
    assert after.filter(observed_on=new_day).height == 255  # every offer of 2026-03-05
    assert after.filter(observed_on=new_day, gpu_model="H100 SXM").height == 26
    assert after.schema == pl.Schema(PRICE_SCHEMA)


def test_the_later_landed_body_wins_for_the_same_offer_and_day(gpu_models):
    first = vast_day("2026-03-02", gpu_models, "first.json")
    offer = first["offer_id"][0]
    second = first.filter(offer_id=offer).with_columns(
        usd_per_gpu_hour=pl.lit(9.99), origin=pl.lit("second.json")
    )
    combined = combine_observations([first, second])
    assert combined.height == first.height
    assert combined.filter(offer_id=offer).select("usd_per_gpu_hour", "origin").row(0) == (
        9.99,
        "second.json",
    )
    # the same offer on another day is another observation
    assert (
        combine_observations([first, second.with_columns(observed_on=pl.lit(date(2026, 3, 3)))]).height
        == first.height + 1
    )


def test_no_bodies_give_an_empty_table_of_the_right_shape():
    assert combine_observations([]).schema == pl.Schema(PRICE_SCHEMA)
