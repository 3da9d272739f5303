"""SYNTHETIC inline-XBRL 10-Q and 10-K documents for tests (no real 10-Q is in the data).

Every document this writes says so: its registrant name starts with "SYNTHETIC TEST FILING", and its figures
are made up for the test that asks for them, never taken for real ones. The shape follows EDGAR's inline
XBRL as the real 10-Ks of the snapshot show it (Workiva layout): the cover facts in `ix:hidden`, contexts with
`xbrldi:explicitMember` for a segment or product line, `ix:nonFraction` with `scale`, `sign`, `format` and
`decimals`; options place the `ix:header` after the body (contexts may be defined anywhere), repeat a fact
in a second table (a statement and its note), and write numbers in the comma-decimal format.

    python -m tests.assets.sec.synthetic_filings OUT.htm     # one synthetic 10-Q, to try `capex import sec-10q`
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date

SYNTHETIC_NAME = "SYNTHETIC TEST FILING (not an SEC document)"


@dataclass(frozen=True)
class Fact:
    concept: str  # "us-gaap:Revenues"
    start: date
    end: date
    usd_millions: float
    member: str | None = None  # "x:CloudMember"
    axis: str = "us-gaap:StatementBusinessSegmentsAxis"
    extra_member: tuple[str, str] | None = None  # a second (axis, member): a breakdown of a breakdown
    typed_member: bool = False


def _context_id(fact: Fact) -> str:
    parts = [
        fact.start.isoformat(),
        fact.end.isoformat(),
        fact.member or "total",
        fact.extra_member and fact.extra_member[1],
    ]
    if fact.typed_member:
        parts.append("typed")
    return "c-" + "-".join(str(p).replace(":", "_") for p in parts if p)


def _context(fact: Fact, cik: str) -> str:
    members = ""
    if fact.member:
        members += f'<xbrldi:explicitMember dimension="{fact.axis}">{fact.member}</xbrldi:explicitMember>'
    if fact.extra_member:
        members += f'<xbrldi:explicitMember dimension="{fact.extra_member[0]}">{fact.extra_member[1]}</xbrldi:explicitMember>'
    if fact.typed_member:
        members += '<xbrldi:typedMember dimension="us-gaap:ConsolidationItemsAxis"><x:item>1</x:item></xbrldi:typedMember>'
    segment = f"<xbrli:segment>{members}</xbrli:segment>" if members else ""
    return (
        f'<xbrli:context id="{_context_id(fact)}"><xbrli:entity>'
        f'<xbrli:identifier scheme="http://www.sec.gov/CIK">{cik}</xbrli:identifier>{segment}</xbrli:entity>'
        f"<xbrli:period><xbrli:startDate>{fact.start}</xbrli:startDate><xbrli:endDate>{fact.end}</xbrli:endDate>"
        f"</xbrli:period></xbrli:context>"
    )


def _number(fact: Fact, comma_decimal: bool) -> str:
    millions = abs(fact.usd_millions)
    text = f"{millions:,.0f}"
    fmt = "ixt:num-dot-decimal"
    if comma_decimal:
        text, fmt = text.replace(",", "."), "ixt:num-comma-decimal"
    sign = ' sign="-"' if fact.usd_millions < 0 else ""
    return (
        f'<ix:nonFraction name="{fact.concept}" contextRef="{_context_id(fact)}" unitRef="usd" scale="6" '
        f'decimals="-6" format="{fmt}"{sign}>{text}</ix:nonFraction>'
    )


def synthetic_filing(
    *,
    form: str,
    cik: str,
    period_end: date,
    fiscal_year: int,
    fiscal_period: str,
    facts: list[Fact],
    header_last: bool = True,
    repeat_facts: bool = True,
    comma_decimal: bool = False,
    employees_sentence: str | None = None,
    employees_tagged: int | None = None,
) -> bytes:
    """An inline-XBRL primary document of `form` ("10-Q" or "10-K") holding `facts` (values in $ millions)."""
    cover_context = Fact("dei:Cover", period_end, period_end, 0)
    contexts = {_context_id(f): _context(f, cik) for f in [cover_context, *facts]}
    cover = _context_id(cover_context)
    header = (
        '<div style="display:none"><ix:header><ix:hidden>'
        f'<ix:nonNumeric name="dei:EntityCentralIndexKey" contextRef="{cover}">{cik}</ix:nonNumeric>'
        f'<ix:nonNumeric name="dei:DocumentType" contextRef="{cover}">{form}</ix:nonNumeric>'
        f'<ix:nonNumeric name="dei:DocumentFiscalYearFocus" contextRef="{cover}">{fiscal_year}</ix:nonNumeric>'
        f'<ix:nonNumeric name="dei:DocumentFiscalPeriodFocus" contextRef="{cover}">{fiscal_period}</ix:nonNumeric>'
        "</ix:hidden><ix:resources>"
        + "".join(contexts.values())
        + '<xbrli:unit id="usd"><xbrli:measure>iso4217:USD</xbrli:measure></xbrli:unit>'
        '<xbrli:unit id="employee"><xbrli:measure>xbrli:pure</xbrli:measure></xbrli:unit>'
        "</ix:resources></ix:header></div>"
    )
    rows = "".join(
        f"<tr><td>{f.concept} {f.member or ''}</td><td>{_number(f, comma_decimal)}</td></tr>" for f in facts
    )
    tables = f"<table>{rows}</table>" + (
        f"<p>Note: segment information</p><table>{rows}</table>" if repeat_facts else ""
    )
    body = (
        f'<p><ix:nonNumeric name="dei:EntityRegistrantName" contextRef="{cover}">{SYNTHETIC_NAME}</ix:nonNumeric></p>'
        f'<p>{form} for the period ended <ix:nonNumeric name="dei:DocumentPeriodEndDate" contextRef="{cover}">'
        f"{period_end.isoformat()}</ix:nonNumeric></p>"
        + (
            f'<p>Employees: <ix:nonFraction name="dei:EntityNumberOfEmployees" contextRef="{cover}" unitRef="employee" '
            f'decimals="INF" format="ixt:num-dot-decimal">{employees_tagged:,}</ix:nonFraction></p>'
            if employees_tagged is not None
            else ""
        )
        + tables
        + (f"<p>Human Capital</p><p>{employees_sentence}</p>" if employees_sentence else "")
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:ix="http://www.xbrl.org/2013/inlineXBRL" '
        'xmlns:xbrli="http://www.xbrl.org/2003/instance" xmlns:xbrldi="http://xbrl.org/2006/xbrldi" '
        'xmlns:iso4217="http://www.xbrl.org/2003/iso4217" xmlns:us-gaap="http://fasb.org/us-gaap/2024" '
        'xmlns:srt="http://fasb.org/srt/2024" xmlns:dei="http://xbrl.sec.gov/dei/2024" xmlns:x="http://example.com/x">'
        f"<head><title>{SYNTHETIC_NAME}</title></head><body>"
        + ("" if header_last else header)
        + body
        + (header if header_last else "")
        + "</body></html>"
    ).encode()


def synthetic_plain_10k(period_end: date, employees_sentence: str | None) -> bytes:
    """A 10-K as filed before inline XBRL (plain HTML, no ix:header): cover text and a Human Capital section."""
    return (
        f"<html><head><title>{SYNTHETIC_NAME}</title></head><body>"
        "<p>UNITED STATES SECURITIES AND EXCHANGE COMMISSION</p><p>FORM 10-K</p>"
        f"<p>ANNUAL REPORT PURSUANT TO SECTION 13 OR 15(d) For the fiscal year ended "
        f"{period_end:%B} {period_end.day}, {period_end.year}</p><p>{SYNTHETIC_NAME}</p>"
        + (f"<p>Employees</p><p>{employees_sentence}</p>" if employees_sentence else "")
        + "</body></html>"
    ).encode()


# A synthetic Amazon (CIK 0001018724) 10-Q for Q2 2025: the quarter and the half year, as a real 10-Q reports them
# (income statement: three and six months; cash flow: six months only). Figures are made up.
AMZN_CIK = "0001018724"
Q1 = (date(2025, 1, 1), date(2025, 3, 31))
Q2 = (date(2025, 4, 1), date(2025, 6, 30))
H1 = (date(2025, 1, 1), date(2025, 6, 30))
AWS = "amzn:AmazonWebServicesSegmentMember"
REVENUE = "us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax"
CAPEX = "us-gaap:PaymentsToAcquireProductiveAssets"


def amzn_10q(quarter: int) -> bytes:
    """Synthetic AMZN 10-Q for Q1 or Q2 of 2025 (Q1: AWS 1,000, capex 500; Q2 three months AWS 1,200,
    half-year AWS 2,200 and capex 1,300, i.e. a Q2 capex of 800 — $ millions, made up)."""
    if quarter == 1:
        facts = [Fact(REVENUE, *Q1, 1_000, AWS), Fact(REVENUE, *Q1, 9_000), Fact(CAPEX, *Q1, 500)]
        end = Q1[1]
    else:
        facts = [
            Fact(REVENUE, *Q2, 1_200, AWS),
            Fact(REVENUE, *H1, 2_200, AWS),
            Fact(REVENUE, *Q2, 9_500),
            Fact(REVENUE, *H1, 18_500),
            Fact(CAPEX, *H1, 1_300),
        ]
        end = Q2[1]
    return synthetic_filing(
        form="10-Q", cik=AMZN_CIK, period_end=end, fiscal_year=2025, fiscal_period=f"Q{quarter}", facts=facts
    )


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m tests.assets.sec.synthetic_filings OUT.htm")
    with open(sys.argv[1], "wb") as out:
        out.write(amzn_10q(2))
