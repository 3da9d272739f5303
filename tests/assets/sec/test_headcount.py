import warnings
from datetime import date

import polars as pl
import pytest

from assets.sec.financials import financials_from_10ks
from assets.sec.headcount import Headcount, parse_headcount
from assets.sec.ixbrl import parse_10k, parse_10k_text
from pipelines.errors import SourceFormatError
from tests.assets.sec.synthetic_filings import CAPEX, Fact, synthetic_filing, synthetic_plain_10k


@pytest.mark.parametrize(
    "text, employees",
    [
        (
            "Human Capital\nAs of December 31, 2024, our employee headcount worldwide was 125,665.",
            125_665,
        ),  # Tesla
        (
            "As of September 28, 2024, the Company had approximately 164,000 full-time equivalent employees.",
            164_000,
        ),
        (
            "We had a global workforce of 74,067 employees as of December 31, 2024, and offices in 90 cities.",
            74_067,
        ),
        (
            "As of the end of fiscal year 2025, we had approximately 36,000 employees in 38 countries; 27,100 were engaged in R&D.",
            36_000,
        ),
        ("At December 31, 2023, we had approximately 1.5 million employees worldwide.", 1_500_000),
        ("As of May 31, 2025, we employed approximately 162,000 full-time employees.", 162_000),
    ],
)
def test_headcount_sentences(text, employees):
    found = parse_headcount(text)
    assert found.employees == employees
    assert str(f"{employees:,}") in found.sentence or "million" in found.sentence


@pytest.mark.parametrize(
    "text",
    [
        "We employ talented people around the world.",  # no figure
        "As of December 31, 2024, approximately 20% of our employees were represented by works councils.",
        "In 2023 we completed a layoff of approximately 11,000 employees as of March 2023.",
        "The IBM 2014 Employees Stock Purchase Plan, filed on June 13, 2014, is incorporated by reference.",
        "We are monitoring the safety of our approximately 4,700 employees in the region.",  # undated subset
    ],
)
def test_sentences_that_are_not_a_headcount(text):
    assert parse_headcount(text) == Headcount(None, None)


def test_conflicting_totals_give_null():
    text = "As of December 31, 2024, we had 10,000 employees. Separately, as of December 31, 2024, we had 12,000 employees."
    assert parse_headcount(text) == Headcount(None, None)


def test_the_human_capital_section_wins_over_the_rest():
    text = (
        "Item 1A. Risk factors\nAs of December 31, 2024, our subsidiary had 900 employees.\n"
        "Human Capital\nAs of December 31, 2024, we had 183,323 employees.\n"
    )
    assert parse_headcount(text) == Headcount(183_323, "As of December 31, 2024, we had 183,323 employees.")


def test_the_same_figure_stated_twice_is_not_a_conflict():
    text = "As of December 31, 2024, Alphabet had 183,323 employees.\nItem 7\nAs of December 31, 2024, we had 183,323 employees."
    assert parse_headcount(text) == Headcount(
        183_323, "As of December 31, 2024, Alphabet had 183,323 employees."
    )


# --- a headcount for every fiscal year, and dei:EntityNumberOfEmployees cross-checked (SYNTHETIC 10-Ks)


CIK = "0000099999"


def synthetic_10k(year: int, sentence: str | None, tagged: int | None = None):
    end = date(year, 12, 31)
    doc = synthetic_filing(
        form="10-K",
        cik=CIK,
        period_end=end,
        fiscal_year=year,
        fiscal_period="FY",
        facts=[Fact(CAPEX, date(year, 1, 1), end, 10)],
        employees_sentence=sentence,
        employees_tagged=tagged,
    )
    return parse_10k(
        doc, f"https://www.sec.gov/Archives/edgar/data/99999/00000999992{year - 2000 + 1}000001/x.htm"
    )


def test_tagged_headcount_is_used_and_cross_checked_against_the_text():
    same = synthetic_10k(2024, "As of December 31, 2024, we had 2,100 full-time employees.", tagged=2_100)
    assert (same.employees, same.employees_check) == (2_100, "tagged, matches text")
    assert same.employees_sentence == "As of December 31, 2024, we had 2,100 full-time employees."
    untold = synthetic_10k(2024, None, tagged=2_100)
    assert (untold.employees, untold.employees_check) == (2_100, "tagged, not in text")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        differs = synthetic_10k(
            2024, "As of December 31, 2024, we had 2,000 full-time employees.", tagged=2_100
        )
    assert (differs.employees, differs.employees_check) == (2_100, "tagged 2,100, text says 2,000")
    assert "dei:EntityNumberOfEmployees 2,100 but the text says 2,000" in str(caught[0].message)
    text_only = synthetic_10k(2024, "As of December 31, 2024, we had 2,000 full-time employees.")
    assert (text_only.employees, text_only.employees_check) == (2_000, "text")


def test_every_landed_10k_gives_its_own_year_a_headcount():
    tenks = [
        synthetic_10k(2022, "As of December 31, 2022, we had approximately 1,000 employees."),
        synthetic_10k(2023, None),
        synthetic_10k(2024, "As of December 31, 2024, we had approximately 1,200 employees."),
    ]
    fin = financials_from_10ks(
        pl.concat([t.facts for t in tenks]),
        pl.concat([t.document() for t in tenks]),
        pl.DataFrame({"ticker": ["XCO"], "cik": [CIK], "fiscal_year_end_month": [12]}),
    )
    years = fin.filter(fiscal_period="FY").sort("fiscal_year")
    assert years.select("fiscal_year", "employees").rows() == [(2022, 1_000), (2023, None), (2024, 1_200)]
    assert years["employees_sentence"][2] == "As of December 31, 2024, we had approximately 1,200 employees."


def test_a_10k_filed_before_inline_xbrl_gives_its_headcount():
    origin = "https://www.sec.gov/Archives/edgar/data/320193/000032019318000145/a10-k20189292018.htm"
    doc = synthetic_plain_10k(
        date(2018, 9, 29),
        "As of September 29, 2018, the Company had approximately 132,000 full-time equivalent employees.",
    )
    tenk = parse_10k_text(doc, origin)
    assert (tenk.cik, tenk.fiscal_period_end, tenk.accession, tenk.employees, tenk.facts.height) == (
        "0000320193",
        date(2018, 9, 29),
        "0000320193-18-000145",
        132_000,
        0,
    )
    with pytest.raises(SourceFormatError, match="has inline XBRL"):
        inline = synthetic_filing(
            form="10-K",
            cik=CIK,
            period_end=date(2024, 12, 31),
            fiscal_year=2024,
            fiscal_period="FY",
            facts=[],
        )
        parse_10k_text(inline, origin)
    with pytest.raises(SourceFormatError, match="names no CIK"):
        parse_10k_text(doc, "/imports/a10-k2018.htm")
    with pytest.raises(SourceFormatError, match="not a 10-K"):
        parse_10k_text(b"<html><body><p>Form 10-Q</p></body></html>", origin)
