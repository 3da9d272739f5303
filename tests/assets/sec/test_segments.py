"""core.segment_revenue: the snapshot's real 10-Ks (figures as printed in their segment notes), then the format
cases on SYNTHETIC documents (tests/assets/sec/synthetic_filings.py): contexts after the facts, scale, sign,
comma decimals, repeated facts, two-member and typed contexts, 10-Q year-to-date quarters, renamed segments."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from assets.sec.ixbrl import parse_10k, parse_10q
from assets.sec.segments import member_label, read_ai_segments, segment_revenue
from tests.assets.sec.synthetic_filings import H1, Q1, Q2, REVENUE, Fact, amzn_10q, synthetic_filing

SEGMENT_AXIS = "us-gaap:StatementBusinessSegmentsAxis"
PRODUCT_AXIS = "srt:ProductOrServiceAxis"


@pytest.fixture(scope="module")
def segments(tenks, companies) -> pl.DataFrame:
    return segment_revenue(pl.concat([t.segment_facts for t in tenks.values()]), companies)


def fy(segments: pl.DataFrame, ticker: str, member: str, year: int) -> dict:
    rows = segments.filter(ticker=ticker, member=member, fiscal_year=year, fiscal_period="FY")
    assert rows.height == 1, rows
    return rows.row(0, named=True)


def test_acceptance_figures_from_the_snapshot_10ks(segments):
    # NVIDIA 10-K FY2025, Note 17 "revenue by specialized markets": Data Center $115,186M and $47,525M.
    nvda = fy(segments, "NVDA", "nvda:DataCenterMember", 2025)
    assert (nvda["revenue_usd"], nvda["axis"], nvda["segment"], nvda["ai_relevant"]) == (
        115_186e6,
        PRODUCT_AXIS,
        "Data Center",
        True,
    )
    assert nvda["period_end"] == date(2025, 1, 26) and nvda["accession"] == "0001045810-25-000023"
    assert (
        fy(segments, "NVDA", "nvda:DataCenterMember", 2024)["revenue_usd"] == 47_525e6
    )  # a comparative year, kept
    # Amazon 10-K 2024, Note 10: AWS segment net sales $107,556M (2024) and $90,757M (2023).
    aws = fy(segments, "AMZN", "amzn:AmazonWebServicesSegmentMember", 2024)
    assert (aws["revenue_usd"], aws["axis"], aws["segment"]) == (107_556e6, SEGMENT_AXIS, "AWS")
    assert fy(segments, "AMZN", "amzn:AmazonWebServicesSegmentMember", 2023)["revenue_usd"] == 90_757e6
    # The same AWS sales on the product axis is its own row, not merged with the segment.
    assert fy(segments, "AMZN", "amzn:AmazonWebServicesMember", 2024)["axis"] == PRODUCT_AXIS
    # Alphabet 10-K 2024, Note 15: Google Cloud $43,229M. Shown twice in the document, one row.
    assert fy(segments, "GOOGL", "goog:GoogleCloudMember", 2024)["revenue_usd"] == 43_229e6
    # Meta 10-K 2024, segment note: Reality Labs $2,146M (not AI-relevant: no seed row).
    meta = fy(segments, "META", "meta:RealityLabsMember", 2024)
    assert (meta["revenue_usd"], meta["segment"], meta["ai_relevant"]) == (2_146e6, "Reality Labs", False)


def test_keys_are_unique_and_only_the_two_axes(segments):
    assert (
        segments.select("ticker", "fiscal_year", "fiscal_period", "axis", "member").is_duplicated().sum() == 0
    )
    assert set(segments["axis"]) == {SEGMENT_AXIS, PRODUCT_AXIS}
    assert segments.filter(ticker="IBM").height == 0  # its statements are in an exhibit: no segment facts


@pytest.mark.parametrize(
    "member, label",
    [
        ("nvda:DataCenterMember", "Data Center"),
        ("amzn:AmazonWebServicesSegmentMember", "Amazon Web Services"),
        ("meta:FamilyOfAppsMember", "Family Of Apps"),
        ("aapl:IPhoneMember", "iPhone"),
        ("nvda:OEMAndOtherMember", "OEM And Other"),
    ],
)
def test_readable_labels(member, label):
    assert member_label(member) == label


def test_the_seed_names_the_ai_segments_and_where_each_was_read():
    seed = read_ai_segments()
    assert {"MSFT", "GOOGL", "AMZN", "NVDA", "ORCL"} <= set(seed["ticker"])
    assert seed["read_in"].null_count() == 0 and set(seed["axis"]) <= {SEGMENT_AXIS, PRODUCT_AXIS}
    assert (
        "snapshot" in seed.filter(ticker="ORCL")["read_in"][0]
    )  # says it was not read from a snapshot filing


CIK = "0000099999"
COMPANY = pl.DataFrame({"ticker": ["XCO"], "cik": [CIK], "fiscal_year_end_month": ["12"]})
FY24 = (date(2024, 1, 1), date(2024, 12, 31))


def test_format_cases_on_a_synthetic_10k():
    doc = synthetic_filing(
        form="10-K",
        cik=CIK,
        period_end=FY24[1],
        fiscal_year=2024,
        fiscal_period="FY",
        header_last=True,
        repeat_facts=True,
        comma_decimal=True,
        facts=[
            Fact(REVENUE, *FY24, 1_234, "x:CloudMember"),
            Fact("us-gaap:Revenues", *FY24, -56, "x:EliminationsMember"),  # sign="-"
            Fact(
                REVENUE,
                *FY24,
                777,
                "x:CloudMember",
                extra_member=("srt:StatementGeographicalAxis", "country:US"),
            ),
            Fact(REVENUE, *FY24, 888, "x:CloudMember", typed_member=True),
            Fact(REVENUE, *FY24, 999, "x:CloudMember", axis="srt:StatementGeographicalAxis"),
            Fact("us-gaap:OperatingIncomeLoss", *FY24, 321, "x:CloudMember"),  # not a revenue concept
            Fact(REVENUE, *FY24, 5_000),  # the total: a non-dimensional fact
        ],
    )
    parsed = parse_10k(doc, "https://www.sec.gov/Archives/edgar/data/99999/000009999925000001/x-20241231.htm")
    facts = parsed.segment_facts.select("member", "concept", "value").sort("member").rows()
    assert facts == [
        ("x:CloudMember", "RevenueFromContractWithCustomerExcludingAssessedTax", 1_234e6),
        ("x:EliminationsMember", "Revenues", -56e6),
    ]
    assert parsed.facts.filter(pl.col("concept") == REVENUE.split(":")[1])["value"].to_list() == [5_000e6]
    rows = segment_revenue(parsed.segment_facts, COMPANY, read_ai_segments())
    assert rows.select(
        "ticker", "fiscal_year", "fiscal_period", "member", "segment", "revenue_usd"
    ).rows() == [
        ("XCO", 2024, "FY", "x:CloudMember", "Cloud", 1_234e6),
        ("XCO", 2024, "FY", "x:EliminationsMember", "Eliminations", -56e6),
    ]


def test_10q_quarters_are_discrete_never_year_to_date(companies):
    docs = [
        parse_10q(
            amzn_10q(q), f"https://www.sec.gov/Archives/edgar/data/1018724/00010187242500009{q}/amzn-2025.htm"
        )
        for q in (1, 2)
    ]
    rows = segment_revenue(pl.concat([d.segment_facts for d in docs]), companies)
    aws = rows.filter(member="amzn:AmazonWebServicesSegmentMember").sort("fiscal_period")
    assert aws.select("fiscal_year", "fiscal_period", "period_start", "period_end", "revenue_usd").rows() == [
        (2025, "Q1", *Q1, 1_000e6),
        (2025, "Q2", *Q2, 1_200e6),  # the three months, never the 2,200 of the half year
    ]
    assert H1[1] == Q2[1]


def test_only_the_half_year_gives_q2_as_the_difference(companies):
    q1 = parse_10q(amzn_10q(1), "https://www.sec.gov/Archives/edgar/data/1018724/000101872425000091/a.htm")
    half_year_only = synthetic_filing(
        form="10-Q",
        cik="0001018724",
        period_end=Q2[1],
        fiscal_year=2025,
        fiscal_period="Q2",
        facts=[Fact(REVENUE, *H1, 2_300, "amzn:AmazonWebServicesSegmentMember")],
    )
    q2 = parse_10q(half_year_only, "https://www.sec.gov/Archives/edgar/data/1018724/000101872425000092/b.htm")
    rows = segment_revenue(pl.concat([q1.segment_facts, q2.segment_facts]), companies)
    q2_row = rows.filter(fiscal_period="Q2").row(0, named=True)
    assert (q2_row["period_start"], q2_row["revenue_usd"], q2_row["accession"]) == (
        Q2[0],
        1_300e6,
        "0001018724-25-000092",
    )


def test_a_renamed_segment_keeps_one_series_and_the_latest_filing_wins():
    old = synthetic_filing(
        form="10-K",
        cik=CIK,
        period_end=FY24[1],
        fiscal_year=2024,
        fiscal_period="FY",
        facts=[Fact(REVENUE, *FY24, 1_000, "x:CloudServicesMember")],
    )
    fy25 = (date(2025, 1, 1), date(2025, 12, 31))
    new = synthetic_filing(  # the next year's 10-K renames the member and restates 2024
        form="10-K",
        cik=CIK,
        period_end=fy25[1],
        fiscal_year=2025,
        fiscal_period="FY",
        facts=[
            Fact(REVENUE, *fy25, 1_500, "x:CloudAndAIMember"),
            Fact(REVENUE, *FY24, 1_010, "x:CloudAndAIMember"),
        ],
    )
    facts = pl.concat(
        [
            parse_10k(
                old,
                "https://www.sec.gov/Archives/edgar/data/99999/000009999925000001/x.htm",
                filed=date(2025, 2, 1),
            ).segment_facts,
            parse_10k(
                new,
                "https://www.sec.gov/Archives/edgar/data/99999/000009999926000001/x.htm",
                filed=date(2026, 2, 1),
            ).segment_facts,
        ]
    )
    seed = pl.DataFrame(
        {
            "ticker": ["XCO", "XCO"],
            "axis": [SEGMENT_AXIS, SEGMENT_AXIS],
            "member": ["x:CloudServicesMember", "x:CloudAndAIMember"],
            "segment": ["Cloud", "Cloud"],
            "covers": ["cloud", "cloud"],
            "read_in": ["synthetic", "synthetic"],
        }
    )
    rows = segment_revenue(facts, COMPANY, seed).sort("fiscal_year")
    assert rows.select(
        "fiscal_year", "member", "segment", "revenue_usd", "accession", "ai_relevant"
    ).rows() == [
        (
            2024,
            "x:CloudAndAIMember",
            "Cloud",
            1_010e6,
            "0000099999-26-000001",
            True,
        ),  # restated by the later filing
        (2025, "x:CloudAndAIMember", "Cloud", 1_500e6, "0000099999-26-000001", True),
    ]
    unseeded = segment_revenue(facts, COMPANY, seed.head(0))
    assert sorted(unseeded["segment"].unique()) == [
        "Cloud And AI",
        "Cloud Services",
    ]  # without the seed: two series
