import polars as pl
import pytest

from assets.sec.companies import parse_company_tickers, read_companies, with_unlisted_companies
from pipelines.errors import SourceFormatError
from pipelines.snapshot import read_snapshot_bytes


@pytest.fixture(scope="module")
def tickers() -> pl.DataFrame:
    return parse_company_tickers(read_snapshot_bytes("sec/company_tickers.json.gz"), "company_tickers.json")


def test_seed_ciks_are_sec_ciks(companies, tickers):
    joined = companies.join(tickers, on=["ticker", "cik"], how="left", suffix="_sec")
    assert joined.filter(pl.col("name_sec").is_null())["ticker"].to_list() == []
    assert dict(companies.select("ticker", "cik").iter_rows())["CRWV"] == "0001769628"


def test_seed_cohorts_and_fiscal_year_ends(companies):
    cohorts = {c: sorted(g["ticker"].to_list()) for (c,), g in companies.group_by("cohort")}
    assert cohorts == {
        "hyperscaler": ["AMZN", "GOOGL", "META", "MSFT", "ORCL"],
        "ai_supplier": ["AMD", "AVGO", "NVDA"],
        "big_tech": ["AAPL", "IBM", "TSLA"],
        "neocloud": ["CRWV"],
    }
    months = dict(companies.select("ticker", "fiscal_year_end_month").iter_rows())
    assert (months["MSFT"], months["NVDA"], months["AAPL"], months["ORCL"], months["GOOGL"]) == (
        6,
        1,
        9,
        5,
        12,
    )
    assert companies["note"].null_count() == 0


def test_company_tickers_map(tickers):
    assert tickers.height == 10_409
    assert tickers.filter(pl.col("cik") == "0001652044")["ticker"].to_list() == ["GOOGL", "GOOG"]
    with pytest.raises(SourceFormatError, match="cik_str and ticker"):
        parse_company_tickers(b'{"0": {"ticker": "X"}}', "t.json")


def test_a_company_outside_the_seed_is_named_from_the_ticker_map(tickers):
    seed = read_companies()
    extended = with_unlisted_companies(seed, ["0000789019", "0001318605", "0009999999"], tickers)
    added = extended.filter(~pl.col("ticker").is_in(seed["ticker"].to_list()))
    assert added.select("ticker", "cik", "fiscal_year_end_month").rows() == [
        ("CIK0009999999", "0009999999", None),
    ]
    # TSLA is in the seed already; a CIK in neither gets a placeholder ticker
    orcl_only = with_unlisted_companies(seed.filter(pl.col("ticker") != "ORCL"), ["0001341439"], tickers)
    assert orcl_only.filter(pl.col("cik") == "0001341439")["ticker"].to_list() == ["ORCL"]
