import json
import warnings
from datetime import date

import polars as pl
import pytest

from assets.sec.companyfacts import parse_companyfacts
from assets.sec.financials import FINANCIALS_SCHEMA, facts_history, financials_from_facts
from tests.assets.sec.conftest import companyfacts_body

PUBLIC_COLUMNS = [
    "ticker",
    "cik",
    "fiscal_year",
    "fiscal_period",
    "period_start",
    "period_end",
    "capex_usd",
    "revenue_usd",
    "operating_cash_flow_usd",
    "depreciation_usd",
    "finance_lease_additions_usd",
    "employees",
    "accession",
    "filed",
    "source",
]


def fy(fin: pl.DataFrame, ticker: str, column: str) -> dict[int, float]:
    rows = fin.filter(
        pl.col("ticker") == ticker, pl.col("fiscal_period") == "FY", pl.col(column).is_not_null()
    )
    return {year: value / 1e6 for year, value in rows.select("fiscal_year", column).iter_rows()}


def test_contract_columns_first(companyfacts_fin):
    assert companyfacts_fin.columns[: len(PUBLIC_COLUMNS)] == PUBLIC_COLUMNS
    assert companyfacts_fin.schema == pl.Schema(FINANCIALS_SCHEMA)
    assert companyfacts_fin.select(
        pl.struct("ticker", "fiscal_year", "fiscal_period").is_unique().all()
    ).item()


@pytest.mark.parametrize(
    "ticker, capex",
    [
        ("MSFT", {2021: 20_622, 2022: 23_886, 2023: 28_107, 2024: 44_477, 2025: 64_551}),
        ("GOOGL", {2021: 24_640, 2022: 31_485, 2023: 32_251, 2024: 52_535, 2025: 91_447}),
        ("NVDA", {2022: 976, 2023: 1_833, 2024: 1_069, 2025: 3_236, 2026: 6_042}),
    ],
)
def test_fiscal_year_capex_acceptance(companyfacts_fin, ticker, capex):
    got = fy(companyfacts_fin, ticker, "capex_usd")
    assert {year: got.get(year) for year in capex} == capex


def test_fiscal_year_revenue(companyfacts_fin):
    assert {y: v for y, v in fy(companyfacts_fin, "MSFT", "revenue_usd").items() if y >= 2021} == {
        2021: 168_088,
        2022: 198_270,
        2023: 211_915,
        2024: 245_122,
        2025: 281_724,
    }
    # Alphabet switched tags: Revenues (FY2021, FY2025 10-Ks), RevenueFromContract... in between.
    assert {y: v for y, v in fy(companyfacts_fin, "GOOGL", "revenue_usd").items() if y >= 2021} == {
        2021: 257_637,
        2022: 282_836,
        2023: 307_394,
        2024: 350_018,
        2025: 402_836,
    }
    assert {y: v for y, v in fy(companyfacts_fin, "NVDA", "revenue_usd").items() if y >= 2021} == {
        2021: 16_675,
        2022: 26_914,
        2023: 26_974,
        2024: 60_922,
        2025: 130_497,
        2026: 215_938,
    }


def test_nvidia_fiscal_years_are_its_own_labels(companyfacts_fin):
    row = companyfacts_fin.filter(ticker="NVDA", fiscal_year=2026, fiscal_period="FY")
    assert row.select("period_start", "period_end", "accession", "filed").row(0) == (
        date(2025, 1, 27),
        date(2026, 1, 25),
        "0001045810-26-000021",
        date(2026, 2, 25),
    )
    # Q1 FY2027 (to 2026-04-26) is in the capture: a new fiscal year, not FY2026 as its 10-Q's calendar year suggests
    assert companyfacts_fin.filter(ticker="NVDA", fiscal_year=2027)["fiscal_period"].to_list() == ["Q1"]


def test_microsoft_quarters_june_fiscal_year(companyfacts_fin):
    fy2025 = companyfacts_fin.filter(ticker="MSFT", fiscal_year=2025).select(
        "fiscal_period", "period_start", "period_end", "capex_usd"
    )
    assert fy2025.rows() == [
        ("FY", date(2024, 7, 1), date(2025, 6, 30), 64_551e6),
        ("Q1", date(2024, 7, 1), date(2024, 9, 30), 14_923e6),
        ("Q2", date(2024, 10, 1), date(2024, 12, 31), 15_804e6),  # H1 30,727 - Q1 14,923
        ("Q3", date(2025, 1, 1), date(2025, 3, 31), 16_745e6),  # 9M 47,472 - H1 30,727
        ("Q4", date(2025, 4, 1), date(2025, 6, 30), 17_079e6),  # FY 64,551 - 9M 47,472
    ]


def test_quarters_add_up_to_the_year_exactly(companyfacts_fin):
    quarters = (
        companyfacts_fin.filter(pl.col("fiscal_period") != "FY", pl.col("capex_usd").is_not_null())
        .group_by("ticker", "fiscal_year")
        .agg(pl.len().alias("quarters"), pl.col("capex_usd").sum().alias("sum_usd"))
        .filter(pl.col("quarters") == 4)
        .join(
            companyfacts_fin.filter(fiscal_period="FY").select("ticker", "fiscal_year", "capex_usd"),
            on=["ticker", "fiscal_year"],
        )
    )
    assert quarters.height >= 30  # MSFT, GOOGL and NVDA years with all four quarters
    assert quarters.filter(pl.col("sum_usd") != pl.col("capex_usd")).height == 0


def test_no_quarter_is_year_to_date(companyfacts_fin):
    quarters = companyfacts_fin.filter(pl.col("fiscal_period") != "FY")
    days = (quarters["period_end"] - quarters["period_start"]).dt.total_days() + 1
    assert days.min() >= 84 and days.max() <= 98  # 12 to 14 weeks
    years = companyfacts_fin.filter(fiscal_period="FY")
    year_days = (years["period_end"] - years["period_start"]).dt.total_days() + 1
    assert year_days.min() >= 364 and year_days.max() <= 371  # 52/53 weeks or a calendar year


def test_extra_metrics_for_microsoft_fy2025(companyfacts_fin):
    row = companyfacts_fin.filter(ticker="MSFT", fiscal_year=2025, fiscal_period="FY").row(0, named=True)
    assert row["finance_lease_additions_usd"] == 20_511e6  # beside capex, not in it
    assert row["stock_based_compensation_usd"] == 11_974e6
    assert row["operating_cash_flow_usd"] == 136_162e6
    assert row["net_income_usd"] == 101_832e6
    assert row["source"] == "companyfacts" and row["employees"] is None
    assert json.loads(row["concepts"])["capex_usd"] == "us-gaap:PaymentsToAcquirePropertyPlantAndEquipment"


def test_concept_chosen_per_period_not_per_company(companyfacts_fin):
    nvda = companyfacts_fin.filter(ticker="NVDA", fiscal_period="FY").select(
        "fiscal_year", "capex_usd", "capex_concept"
    )
    concept = dict(nvda.select("fiscal_year", "capex_concept").iter_rows())
    assert concept[2012] == "us-gaap:PaymentsToAcquirePropertyPlantAndEquipment"
    assert concept[2024] == "us-gaap:PaymentsToAcquireProductiveAssets"
    # FY2013-FY2021 10-Ks tagged annual capex with a concept companyfacts does not carry (PROVENANCE §6): NULL, not a guess
    assert nvda.filter(pl.col("fiscal_year").is_between(2013, 2021))["capex_usd"].null_count() == 9


def test_reference_figures_from_companyfacts(facts, reference_figures):
    """Every companyfacts row of reference_figures.csv: value, first and latest 10-K, number of 10-Ks."""
    rows = reference_figures.filter(pl.col("source_kind").str.starts_with("companyfacts ("))
    history = facts_history(facts).filter(pl.col("form") == "10-K")
    assert rows.height == 45  # MSFT 15, GOOGL 17, NVDA 13
    for ref in rows.iter_rows(named=True):
        versions = (
            history.filter(
                pl.col("cik") == ref["cik"],
                pl.col("concept") == ref["concept"],
                pl.col("period_start") == ref["period_start"],
                pl.col("period_end") == ref["period_end"],
            )
            .sort("filed", "accession")
            .unique("accession", keep="first", maintain_order=True)
        )
        where = f"{ref['ticker']} FY{ref['fiscal_year']} {ref['concept']}"
        assert versions["value"].unique().to_list() == [ref["value_usd"]], where
        assert versions["accession"][0] == ref["accession_first_reported"], where
        assert versions["accession"][-1] == ref["accession_latest"], where
        assert versions.height == ref["n_filings"], where


def test_restatement_keeps_first_and_latest(facts):
    history = facts_history(facts)
    # NVIDIA restated Q1 FY2017 net income (196 -> 208 $M) in a later 10-Q.
    q1 = history.filter(
        pl.col("cik") == "0001045810",
        pl.col("concept") == "NetIncomeLoss",
        pl.col("period_start") == date(2016, 2, 1),
        pl.col("period_end") == date(2016, 5, 1),
    )
    assert q1.select(
        "first_value", "first_accession", "latest_value", "latest_accession", "restated"
    ).unique().rows() == [(196e6, "0001045810-16-000275", 208e6, "0001045810-18-000010", True)]
    assert q1.filter("is_latest")["value"].to_list() == [208e6]


def test_later_capture_supersedes_the_earlier_one():
    """The 2026-04-28 capture's newest filing of NVIDIA's Q1 FY2026 is its own 10-Q; the 2026-07-09 capture
    adds the Q1 FY2027 10-Q, which repeats that quarter and becomes the latest version."""
    earlier = parse_companyfacts(companyfacts_body("NVDA", "2026-04-28"), "earlier")
    current = parse_companyfacts(companyfacts_body("NVDA"), "current")
    q1_capex = (pl.col("concept") == "PaymentsToAcquireProductiveAssets") & (
        pl.col("period_end") == date(2025, 4, 27)
    )
    before = facts_history(earlier).filter(q1_capex, "is_latest")
    after = facts_history(pl.concat([earlier, current])).filter(q1_capex)
    assert before.select("value", "accession").rows() == [(1_227e6, "0001045810-25-000116")]
    assert after.select("version", "accession", "is_latest").rows() == [
        (1, "0001045810-25-000116", False),
        (2, "0001045810-26-000052", True),
    ]
    assert after["latest_filed"].unique().to_list() == [date(2026, 5, 20)]
    # and core.financials takes its accession from the later filing
    companies = pl.DataFrame({"ticker": ["NVDA"], "cik": ["0001045810"], "fiscal_year_end_month": ["1"]})
    q1 = lambda fin: fin.filter(fiscal_year=2026, fiscal_period="Q1").select("capex_usd", "accession").row(0)
    assert q1(financials_from_facts(earlier, companies)) == (1_227e6, "0001045810-25-000116")
    assert q1(financials_from_facts(current, companies)) == (1_227e6, "0001045810-26-000052")


def test_missing_capex_tag_gives_null_with_a_warning(facts, companies):
    no_capex = facts.filter(
        ~((pl.col("cik") == "0000789019") & pl.col("concept").str.starts_with("PaymentsToAcquire"))
    )
    with pytest.warns(
        UserWarning,
        match=r"MSFT companyfacts: no capex among \['us-gaap:PaymentsToAcquirePropertyPlantAndEquipment'",
    ):
        fin = financials_from_facts(no_capex, companies)
    msft = fin.filter(ticker="MSFT", fiscal_year=2025, fiscal_period="FY").row(0, named=True)
    assert msft["capex_usd"] is None and msft["revenue_usd"] == 281_724e6
    assert fy(fin, "GOOGL", "capex_usd")[2025] == 91_447  # other companies untouched


def test_fiscal_year_end_month_inferred_when_the_seed_has_none(facts, companyfacts_fin):
    bare = pl.DataFrame({"ticker": ["NVDA", "MSFT"], "cik": ["1045810", "789019"]})  # no month, CIKs unpadded
    inferred = financials_from_facts(facts, bare)
    seeded = companyfacts_fin.filter(pl.col("ticker").is_in(["NVDA", "MSFT"]))
    assert inferred.equals(seeded)


def test_companies_outside_the_seed_are_left_out(facts):
    only_msft = pl.DataFrame({"ticker": ["MSFT"], "cik": ["0000789019"], "fiscal_year_end_month": [6]})
    assert financials_from_facts(facts, only_msft)["ticker"].unique().to_list() == ["MSFT"]


def _fact(
    start, end, value, accession, filed, form="10-Q", concept="PaymentsToAcquirePropertyPlantAndEquipment"
):
    return {
        "cik": "0001730168",
        "entity_name": "Broadcom Inc.",
        "taxonomy": "us-gaap",
        "concept": concept,
        "unit": "USD",
        "period_start": start,
        "period_end": end,
        "value": value,
        "accession": accession,
        "fiscal_year_of_filing": 2020,
        "fiscal_period_of_filing": "Q1",
        "form": form,
        "filed": filed,
        "frame": None,
    }


def test_53_week_year_ending_in_november_and_three_month_quarters():
    """Broadcom-like: fiscal year ends the Sunday closest to October 31, here on 2020-11-01 (53 weeks). Q1 and Q2
    come as three-month facts only (an income-statement style), Q3 as year-to-date: the chain fills the gaps."""
    facts = pl.DataFrame(
        [
            _fact(date(2019, 11, 4), date(2020, 2, 2), 100.0, "a-1", date(2020, 3, 1)),
            _fact(date(2020, 2, 3), date(2020, 5, 3), 120.0, "a-2", date(2020, 6, 1)),
            _fact(date(2019, 11, 4), date(2020, 8, 2), 330.0, "a-3", date(2020, 9, 1)),
            _fact(date(2019, 11, 4), date(2020, 11, 1), 470.0, "a-4", date(2020, 12, 18), form="10-K"),
            _fact(
                date(2019, 11, 4), date(2020, 11, 1), 480.0, "a-5", date(2021, 12, 17), form="10-K"
            ),  # restated later
        ],
        schema=pl.DataFrame(schema=parse_companyfacts(b'{"cik": 1, "facts": {}}', "x").schema).schema,
    )
    companies = pl.DataFrame({"ticker": ["AVGO"], "cik": ["0001730168"], "fiscal_year_end_month": [10]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fin = financials_from_facts(facts, companies)
    assert fin.select(
        "fiscal_year", "fiscal_period", "period_start", "period_end", "capex_usd", "accession"
    ).rows() == [
        (2020, "FY", date(2019, 11, 4), date(2020, 11, 1), 480.0, "a-5"),
        (2020, "Q1", date(2019, 11, 4), date(2020, 2, 2), 100.0, "a-1"),
        (2020, "Q2", date(2020, 2, 3), date(2020, 5, 3), 120.0, "a-2"),
        (2020, "Q3", date(2020, 5, 4), date(2020, 8, 2), 110.0, "a-3"),
        (2020, "Q4", date(2020, 8, 3), date(2020, 11, 1), 150.0, "a-5"),
    ]


def test_a_quarter_that_cannot_be_made_discrete_is_left_out():
    facts = pl.DataFrame(
        [
            _fact(date(2019, 11, 4), date(2020, 5, 3), 220.0, "h1", date(2020, 6, 1)),  # H1 without Q1
            _fact(date(2019, 11, 4), date(2020, 11, 1), 470.0, "fy", date(2020, 12, 18), form="10-K"),
        ],
        schema=pl.DataFrame(schema=parse_companyfacts(b'{"cik": 1, "facts": {}}', "x").schema).schema,
    )
    companies = pl.DataFrame({"ticker": ["AVGO"], "cik": ["0001730168"], "fiscal_year_end_month": [10]})
    fin = financials_from_facts(facts, companies)
    assert fin.select("fiscal_period", "capex_usd").rows() == [("FY", 470.0)]  # no Q2 = H1, no Q4 = FY - H1
