import gzip
from datetime import date

import polars as pl
import pytest

from assets.sec.companyfacts import FACT_SCHEMA
from assets.sec.ixbrl import accession_from_origin, parse_10k
from pipelines.errors import SourceFormatError
from tests.assets.sec.conftest import ten_k_body


def value(tenk, concept: str, start: date, end: date, taxonomy: str = "us-gaap") -> float:
    rows = tenk.facts.filter(
        pl.col("taxonomy") == taxonomy,
        pl.col("concept") == concept,
        pl.col("period_start") == start,
        pl.col("period_end") == end,
    )
    assert rows.height == 1, f"{taxonomy}:{concept} {start}..{end}: {rows.height} facts"
    return rows["value"][0]


def test_amazon_cover_data(tenks):
    amzn = tenks["AMZN"]
    assert (amzn.cik, amzn.company_name, amzn.fiscal_period_end, amzn.form, amzn.accession) == (
        "0001018724",
        "AMAZON.COM, INC.",
        date(2024, 12, 31),
        "10-K",
        "0001018724-25-000004",
    )
    assert amzn.facts.schema == pl.Schema(FACT_SCHEMA)
    assert amzn.facts["fiscal_year_of_filing"].unique().to_list() == [2024]


def test_amazon_gross_capex_and_proceeds_apart(tenks):
    amzn = tenks["AMZN"]
    year = (date(2024, 1, 1), date(2024, 12, 31))
    assert (
        value(amzn, "PaymentsToAcquireProductiveAssets", *year) == 82_999e6
    )  # "Purchases of property and equipment"
    assert (
        value(amzn, "ProceedsFromPropertyPlantAndEquipmentSalesAndIncentives", *year, taxonomy="amzn")
        == 5_341e6
    )
    assert value(amzn, "RevenueFromContractWithCustomerExcludingAssessedTax", *year) == 637_959e6
    # shown in parentheses in the statement, tagged positive: parentheses are not a sign
    assert value(amzn, "PaymentsToAcquireProductiveAssets", date(2022, 1, 1), date(2022, 12, 31)) == 63_645e6


def test_sign_attribute_negates(tenks):
    # Meta's "Interest and other income (expense), net" of 2022 is a loss: sign="-" on a displayed (125)
    meta = tenks["META"]
    other = value(meta, "NonoperatingIncomeExpense", date(2022, 1, 1), date(2022, 12, 31))
    assert other == -125e6


def test_dimensional_facts_are_left_out(tenks):
    # Alphabet's revenue by segment is tagged with the same concept plus a segment: only the total is kept
    goog = tenks["GOOGL"]
    assert (
        value(
            goog, "RevenueFromContractWithCustomerExcludingAssessedTax", date(2024, 1, 1), date(2024, 12, 31)
        )
        == 350_018e6
    )


def test_reference_figures_from_10ks(tenks, reference_figures):
    rows = reference_figures.filter(pl.col("source_kind").str.starts_with("inline XBRL"))
    assert rows.height == 21  # AMZN 12, META 9
    for ref in rows.iter_rows(named=True):
        tenk = tenks[ref["ticker"]]
        got = value(tenk, ref["concept"], ref["period_start"], ref["period_end"], taxonomy=ref["taxonomy"])
        assert got == ref["value_usd"], f"{ref['ticker']} {ref['concept']} FY{ref['fiscal_year']}"
        assert tenk.accession == ref["accession_latest"]


def test_headcount_from_each_10k(tenks):
    assert {t: (p.employees, p.fiscal_period_end) for t, p in tenks.items()} == {
        "AAPL": (164_000, date(2024, 9, 28)),
        "AMZN": (1_556_000, date(2024, 12, 31)),
        "GOOGL": (183_323, date(2024, 12, 31)),
        "IBM": (None, date(2024, 12, 31)),
        "META": (74_067, date(2024, 12, 31)),
        "NVDA": (36_000, date(2025, 1, 26)),
    }
    assert tenks["AMZN"].employees_sentence == (
        "As of December 31, 2024, we employed approximately 1,556,000 full-time and part-time employees."
    )
    assert tenks["IBM"].employees_sentence is None


def test_ibm_primary_document_has_no_financial_facts(tenks):
    ibm = tenks["IBM"]
    assert ibm.cik == "0000051143" and ibm.accession == "0000051143-25-000015"
    assert ibm.facts.filter(pl.col("taxonomy") == "us-gaap").height == 0
    assert ibm.rejects.height == 0


def test_gzipped_and_not_well_formed_documents_give_the_same_facts(tenks):
    raw, origin = ten_k_body("META")
    assert parse_10k(gzip.compress(raw), origin).facts.equals(tenks["META"].facts)
    # an HTML entity XML does not know makes the document not well-formed: the lenient HTML parser reads it
    browser_saved = raw.replace(b"<body>", b"<body><p>Caf&eacute;&nbsp;<br></p>", 1)
    lenient = parse_10k(browser_saved, origin)
    assert lenient.facts.equals(tenks["META"].facts) and lenient.employees == 74_067


def test_truncated_document_is_refused():
    raw, origin = ten_k_body("NVDA")
    with pytest.raises(SourceFormatError, match=r"nvda-20250126\.htm: not a complete 10-K document"):
        parse_10k(raw[: len(raw) // 2], origin)


def test_document_without_inline_xbrl_is_refused():
    plain = b"<html><body><p>ANNUAL REPORT PURSUANT TO SECTION 13</p><p>As of December 31, 2017, we had 1,000 employees.</p></body></html>"
    with pytest.raises(SourceFormatError, match="no inline XBRL"):
        parse_10k(plain, "d10k.htm")
    with pytest.raises(SourceFormatError, match="empty body"):
        parse_10k(b"  ", "empty.htm")


IX_DOC = """<?xml version="1.0" encoding="utf-8"?>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:ix="http://www.xbrl.org/2013/inlineXBRL"
 xmlns:xbrli="http://www.xbrl.org/2003/instance" xmlns:xbrldi="http://xbrl.org/2006/xbrldi"
 xmlns:iso4217="http://www.xbrl.org/2003/iso4217" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
 xmlns:us-gaap="http://fasb.org/us-gaap/2024" xmlns:dei="http://xbrl.sec.gov/dei/2024"><body>
<div style="display:none"><ix:header><ix:hidden>
<ix:nonNumeric name="dei:EntityCentralIndexKey" contextRef="fy">0000012345</ix:nonNumeric>
<ix:nonNumeric name="dei:DocumentType" contextRef="fy">{form}</ix:nonNumeric>
</ix:hidden><ix:resources>
<xbrli:context id="fy"><xbrli:entity><xbrli:identifier scheme="http://www.sec.gov/CIK">0000012345</xbrli:identifier></xbrli:entity>
<xbrli:period><xbrli:startDate>2024-01-01</xbrli:startDate><xbrli:endDate>2024-12-31</xbrli:endDate></xbrli:period></xbrli:context>
<xbrli:context id="seg"><xbrli:entity><xbrli:identifier scheme="http://www.sec.gov/CIK">0000012345</xbrli:identifier>
<xbrli:segment><xbrldi:explicitMember dimension="us-gaap:StatementBusinessSegmentsAxis">x:CloudMember</xbrldi:explicitMember></xbrli:segment></xbrli:entity>
<xbrli:period><xbrli:startDate>2024-01-01</xbrli:startDate><xbrli:endDate>2024-12-31</xbrli:endDate></xbrli:period></xbrli:context>
<xbrli:unit id="usd"><xbrli:measure>iso4217:USD</xbrli:measure></xbrli:unit>
<xbrli:unit id="usdPerShare"><xbrli:divide><xbrli:unitNumerator><xbrli:measure>iso4217:USD</xbrli:measure></xbrli:unitNumerator>
<xbrli:unitDenominator><xbrli:measure>xbrli:shares</xbrli:measure></xbrli:unitDenominator></xbrli:divide></xbrli:unit>
</ix:resources></ix:header></div>
<p>Period ended <ix:nonNumeric name="dei:DocumentPeriodEndDate" contextRef="fy" format="ixt:date-monthname-day-year-en">December 31, 2024</ix:nonNumeric></p>
<table><tr><td>Capex</td><td>(<ix:nonFraction name="us-gaap:PaymentsToAcquirePropertyPlantAndEquipment" contextRef="fy" unitRef="usd" scale="6" decimals="-6" format="ixt:num-dot-decimal">1,234</ix:nonFraction>)</td></tr>
<tr><td>Capex again, rounded</td><td><ix:nonFraction name="us-gaap:PaymentsToAcquirePropertyPlantAndEquipment" contextRef="fy" unitRef="usd" scale="9" decimals="-8" format="ixt:num-dot-decimal">1.2</ix:nonFraction></td></tr>
<tr><td>Cloud capex</td><td><ix:nonFraction name="us-gaap:PaymentsToAcquirePropertyPlantAndEquipment" contextRef="seg" unitRef="usd" scale="6" decimals="-6">999</ix:nonFraction></td></tr>
<tr><td>Other income</td><td><ix:nonFraction name="us-gaap:NonoperatingIncomeExpense" contextRef="fy" unitRef="usd" scale="3" decimals="-3" sign="-" format="ixt:num-dot-decimal">12,500</ix:nonFraction></td></tr>
<tr><td>Impairment</td><td><ix:nonFraction name="us-gaap:GoodwillImpairmentLoss" contextRef="fy" unitRef="usd" format="ixt:fixed-zero">—</ix:nonFraction></td></tr>
<tr><td>EPS</td><td><ix:nonFraction name="us-gaap:EarningsPerShareBasic" contextRef="fy" unitRef="usdPerShare" decimals="2">6.43</ix:nonFraction></td></tr>
<tr><td>Plants</td><td><ix:nonFraction name="us-gaap:NumberOfPlants" contextRef="fy" unitRef="usd" format="ixt-sec:numwordsen">three</ix:nonFraction></td></tr>
<tr><td>Odd</td><td><ix:nonFraction name="us-gaap:OtherAssets" contextRef="fy" unitRef="usd" format="ixt:num-unit-decimal">5 dollars</ix:nonFraction></td></tr>
<tr><td>Nil</td><td><ix:nonFraction name="us-gaap:Goodwill" contextRef="fy" unitRef="usd" xsi:nil="true"/></td></tr>
</table><p>Human Capital</p><p>As of December 31, 2024, we had approximately 2,100 full-time employees.</p></body></html>"""


def test_scale_sign_format_duplicates_and_units_on_a_small_document():
    tenk = parse_10k(
        IX_DOC.format(form="10-K").encode(),
        "https://www.sec.gov/Archives/edgar/data/12345/000001234525000007/x-20241231.htm",
    )
    facts = {(r["concept"], r["unit"]): r["value"] for r in tenk.facts.iter_rows(named=True)}
    assert facts == {
        (
            "PaymentsToAcquirePropertyPlantAndEquipment",
            "USD",
        ): 1_234e6,  # the most precise of the two, not 1.2e9
        ("NonoperatingIncomeExpense", "USD"): -12_500e3,
        ("GoodwillImpairmentLoss", "USD"): 0.0,
        ("EarningsPerShareBasic", "USD/shares"): 6.43,
        ("NumberOfPlants", "USD"): 3.0,
    }
    assert tenk.rejects.select("field", "problem").rows() == [
        ("us-gaap:OtherAssets", "unsupported number format 'ixt:num-unit-decimal'")
    ]
    assert (tenk.cik, tenk.accession, tenk.fiscal_period_end, tenk.employees) == (
        "0000012345",
        "0000012345-25-000007",
        date(2024, 12, 31),
        2_100,
    )


def test_a_10q_is_not_a_10k():
    with pytest.raises(SourceFormatError, match="dei:DocumentType is 10-Q, not a 10-K"):
        parse_10k(IX_DOC.format(form="10-Q").encode(), "x-20240930.htm")


@pytest.mark.parametrize(
    "origin, accession",
    [
        (
            "https://www.sec.gov/Archives/edgar/data/1018724/000101872425000004/amzn-20241231.htm",
            "0001018724-25-000004",
        ),
        ("/home/me/0001326801-25-000017.htm", "0001326801-25-000017"),
        ("amzn-20241231.htm", None),
    ],
)
def test_accession_from_origin(origin, accession):
    assert accession_from_origin(origin) == accession
