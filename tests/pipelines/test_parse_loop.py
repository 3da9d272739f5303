"""Every source parses through the one loop (`parse_bodies`): a parser that fails unexpectedly on one
body holds out that body, with a reject row naming it, and the source's other bodies still load."""

from __future__ import annotations

import dagster as dg
import polars as pl

import assets.gpu.assets as gpu_assets
import assets.layoffs.assets as layoffs_assets
import assets.sec.assets as sec_assets
from assets.sec.kinds import KINDS as SEC_KINDS
from pipelines.landing import LandingZone
from pipelines.settings import CapexSettings
from tests.assets.sec.synthetic_filings import amzn_10q


def failing_on_first_body(parse, failed: list[str]):
    """`parse`, except that its first body raises an error no parser is written to raise (a bug)."""

    def wrapper(raw, origin, **kwargs):
        if not failed or failed[0] == origin:
            failed[:1] = [origin]
            raise RuntimeError("parser bug planted by the test")
        return parse(raw, origin, **kwargs)

    return wrapper


def materialize(assets, home) -> dg.ExecuteInProcessResult:
    result = dg.materialize_to_memory(
        assets, resources={"settings": CapexSettings(home=str(home), offline=True)}
    )
    assert result.success
    return result


def held_out(rejects: pl.DataFrame, origin: str) -> list[str]:
    return rejects.filter(pl.col("origin") == origin)["problem"].to_list()


def test_sec_parsers_that_fail_on_one_body_hold_out_only_that_body(tmp_path, monkeypatch):
    failed = {name: [] for name in ("parse_companyfacts", "parse_10k", "parse_10q", "parse_company_tickers")}
    for name, origins in failed.items():
        monkeypatch.setattr(sec_assets, name, failing_on_first_body(getattr(sec_assets, name), origins))
    ten_q = next(k for k in SEC_KINDS if k.name == "sec-10q")
    for quarter in (
        1,
        2,
    ):  # no real 10-Q is in the snapshot: two SYNTHETIC ones (tests/assets/sec/synthetic_filings.py)
        origin, body = f"/imports/amzn-2025q{quarter}-synthetic.htm", amzn_10q(quarter)
        entity = ten_q.identify(body, origin).entity
        LandingZone(tmp_path / "landing").store(
            body, kind="sec-10q", entity=entity, origin=origin, via="import", as_of="2026-12-01"
        )
    result = materialize([sec_assets.landing_sec, sec_assets.sec_parsed], tmp_path)
    rejects = result.asset_value(["raw", "sec_rejects"])
    for name, origins in failed.items():
        assert len(origins) == 1, f"{name} was never called"
        [problem] = held_out(rejects, origins[0])
        assert (
            "could not be read as sec-" in problem
            and "(RuntimeError: parser bug planted by the test)" in problem
        )
    facts = result.asset_value(["raw", "sec_facts"])
    # the other bodies of each kind still load
    assert facts.filter(pl.col("source") == "companyfacts")["cik"].n_unique() > 1
    assert facts.filter(pl.col("source") == "ixbrl").height > 0
    documents = result.asset_value(["raw", "sec_10k_documents"])
    assert (
        documents.filter(pl.col("form") == "10-K").height > 1
        and documents.filter(pl.col("form") == "10-Q").height == 1
    )
    # the ticker map failed on its only body: the asset is empty, not a failed step
    assert result.asset_value(["raw", "sec_company_tickers"]).columns == ["ticker", "cik", "name"]


def test_layoffs_parser_that_fails_on_one_body_holds_out_only_that_body(tmp_path, monkeypatch):
    failed: list[str] = []
    parse = layoffs_assets.PARSERS["layoffs-fyi"]
    monkeypatch.setitem(layoffs_assets.PARSERS, "layoffs-fyi", failing_on_first_body(parse, failed))
    result = materialize([layoffs_assets.landing_layoffs, layoffs_assets.layoffs_parsed], tmp_path)
    rejects = result.asset_value(["raw", "layoffs_rejects"])
    [problem] = held_out(rejects, failed[0])
    assert "could not be read as layoffs-fyi (RuntimeError: parser bug planted by the test)" in problem
    events = result.asset_value(["raw", "layoff_events"])
    assert failed[0] not in set(events["origin"].to_list())
    assert events.filter(pl.col("source").str.starts_with("warn")).height > 0  # the WARN bodies still load


def test_gpu_parser_that_fails_on_one_body_holds_out_only_that_body(tmp_path, monkeypatch):
    failed: list[str] = []
    parsers = gpu_assets.gpu_parsers

    def planted():
        found = parsers()
        found["vast-offers"] = failing_on_first_body(found["vast-offers"], failed)
        return found

    monkeypatch.setattr(gpu_assets, "gpu_parsers", planted)
    result = materialize([gpu_assets.landing_gpu, gpu_assets.gpu_parsed], tmp_path)
    rejects = result.asset_value(["raw", "gpu_rejects"])
    [problem] = held_out(rejects, failed[0])
    assert "could not be read as vast-offers (RuntimeError: parser bug planted by the test)" in problem
    prices = result.asset_value(["raw", "gpu_prices"])
    assert prices.height > 0 and failed[0] not in set(prices["origin"].to_list())
