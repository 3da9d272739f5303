"""A 10-K primary document with inline XBRL (`<ticker>-<yyyymmdd>.htm`) to tidy facts and headcount.

Inline XBRL 1.1 (https://www.xbrl.org/specification/inlinexbrl-part1/rec-2013-11-18/inlinexbrl-part1-rec-2013-11-18.html):
- `ix:header/ix:resources` holds `xbrli:context` (entity CIK, period, and a `xbrli:segment` when the fact
  belongs to a dimension member such as a business segment) and `xbrli:unit` (iso4217:USD, USD/shares ...);
- `ix:nonFraction` is a number: its displayed text, read through `format` (Transformation Registry:
  num-dot-decimal "82,999", fixed-zero "—", numwordsen "two"), times 10^`scale`, negated when `sign="-"`
  (parentheses are presentation, not sign); `decimals` says how precise it is; `xsi:nil` means no value;
- `ix:nonNumeric` carries the dei cover facts (CIK, document type, period end, fiscal year focus).
Only facts without dimensions are kept (the totals companyfacts also publishes). A fact repeated in the
document (statement and notes) is kept once, at its most precise `decimals`.

The document is parsed with lxml as XML (EDGAR's iXBRL must be well-formed XHTML; ~0.05 s for a 2 MB
10-K where BeautifulSoup takes ~0.7 s). A document that is not well-formed but complete (ends with
</html>, e.g. re-saved by a browser) is read with lxml's lenient HTML parser; one cut short is refused.
"""

from __future__ import annotations

import json
import re
import warnings
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

import polars as pl
from lxml import etree, html

from assets.sec.companyfacts import FACT_SCHEMA
from assets.sec.concepts import SEGMENT_REVENUE_CONCEPTS
from assets.sec.headcount import parse_headcount
from pipelines.errors import SourceFormatError
from pipelines.parsed import empty_rejects, gunzipped, rejects_frame

# EDGAR URLs name the accession without dashes: /Archives/edgar/data/1018724/000101872425000004/amzn-20241231.htm
_ARCHIVES_ACCESSION = re.compile(r"/Archives/edgar/data/\d+/(\d{10})(\d{2})(\d{6})/", re.IGNORECASE)
_DASHED_ACCESSION = re.compile(r"\b(\d{10}-\d{2}-\d{6})\b")
_ARCHIVES_CIK = re.compile(r"/Archives/edgar/data/(\d+)/", re.IGNORECASE)
_FISCAL_YEAR_ENDED = re.compile(r"\byear\s+ended\s*:?\s*([A-Z][a-z]+\s+\d{1,2}\s*,\s*\d{4})", re.IGNORECASE)
_FORM_10K = re.compile(r"\bform\s+10-K\b", re.IGNORECASE)
_BLOCKS = {"div", "p", "tr", "td", "th", "li", "br", "table", "h1", "h2", "h3", "h4", "h5", "h6", "title"}
_WORD_NUMBERS = {
    word: n
    for n, word in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
} | {
    "no": 0,
    "none": 0,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_MONTHS = {
    m.lower(): i
    for i, m in enumerate(
        [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
        start=1,
    )
}


# One row per 10-K document (raw.sec_10k_documents): what financials_from_10ks needs besides the facts.
DOCUMENT_SCHEMA = {
    "cik": pl.String,
    "company_name": pl.String,
    "fiscal_period_end": pl.Date,
    "form": pl.String,
    "accession": pl.String,
    "filed": pl.Date,
    "facts": pl.Int64,
    "employees": pl.Int64,
    "employees_sentence": pl.String,
    "employees_check": pl.String,
}
# The dimension of a segment fact, beside FACT_SCHEMA in raw.sec_segment_facts.
SEGMENT_COLUMNS = {"axis": pl.String, "member": pl.String}
SEGMENT_AXES = ("us-gaap:StatementBusinessSegmentsAxis", "srt:ProductOrServiceAxis")


@dataclass(frozen=True)
class Parsed10K:
    cik: str
    company_name: str | None
    fiscal_period_end: date  # dei:DocumentPeriodEndDate: the end of the fiscal year the 10-K reports
    form: str  # dei:DocumentType: 10-K, 10-K/A, 10-KT
    accession: str | None  # from the Archives URL it was served from, when `origin` is one
    facts: pl.DataFrame  # companyfacts.FACT_SCHEMA, non-dimensional facts only
    employees: int | None
    employees_sentence: str | None
    rejects: pl.DataFrame = field(default_factory=empty_rejects)  # numbers whose text could not be read
    filed: date | None = None
    # Revenue facts with one explicit member on a segment/product axis: FACT_SCHEMA + SEGMENT_COLUMNS.
    segment_facts: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(schema={**FACT_SCHEMA, **SEGMENT_COLUMNS})
    )
    employees_check: str | None = None  # "text", "tagged, matches text", "tagged 1,200, text says 1,100"

    def document(self) -> pl.DataFrame:
        """This 10-K as one row of DOCUMENT_SCHEMA."""
        return pl.DataFrame(
            [
                {
                    "cik": self.cik,
                    "company_name": self.company_name,
                    "fiscal_period_end": self.fiscal_period_end,
                    "form": self.form,
                    "accession": self.accession,
                    "filed": self.filed,
                    "facts": self.facts.height,
                    "employees": self.employees,
                    "employees_sentence": self.employees_sentence,
                    "employees_check": self.employees_check,
                }
            ],
            schema=DOCUMENT_SCHEMA,
        )


def accession_from_origin(origin: str) -> str | None:
    """0001018724-25-000004 from an EDGAR Archives URL or any name carrying a dashed accession."""
    if match := _ARCHIVES_ACCESSION.search(origin):
        return "-".join(match.groups())
    if match := _DASHED_ACCESSION.search(origin):
        return match.group(1)
    return None


def _tags(*names: str) -> list[str]:
    """lxml tag patterns matching each name in any namespace, as written in XML (nonFraction) or lowercased."""
    return [f"{{*}}{spelling}" for name in names for spelling in {name, name.lower()}]


def _attrs(element) -> dict[str, str]:
    """Attributes by lower-case local name (the HTML parser lowercases them, XML keeps contextRef)."""
    return {key.rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower(): value for key, value in element.attrib.items()}


def _text(element) -> str:
    return "".join(element.itertext()).replace("\xa0", " ").strip()


def _number(text: str, fmt: str | None) -> Decimal:
    """The number a displayed text stands for, per its ixt/ixt-sec transformation (raises ValueError)."""
    name = (fmt or "").rsplit(":", 1)[-1].lower().replace("-", "")
    if name in ("fixedzero", "zerodash"):
        return Decimal(0)
    if name == "numwordsen":
        words = text.lower().replace("-", " ").split()
        if words and all(w in _WORD_NUMBERS for w in words):
            return Decimal(sum(_WORD_NUMBERS[w] for w in words))
        raise ValueError(f"number in words {text!r} not understood")
    if name in ("numcommadecimal",):
        cleaned = re.sub(r"[\s.'\u2019]", "", text).replace(",", ".")
    elif name in ("", "numdotdecimal", "numdotdecimalin"):
        cleaned = re.sub(r"[\s,'\u2019]", "", text)
    else:
        raise ValueError(f"unsupported number format {fmt!r}")
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a number in format {fmt or 'plain'}") from None


def _date(text: str) -> date | None:
    """ISO, 'December 31, 2024' (ixt:date-monthname-day-year-en) or '31 December 2024'."""
    text = " ".join(text.replace(",", " ").split())
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        pass
    if m := re.fullmatch(r"([A-Za-z]+)\s+(\d{1,2})\s+(\d{4})", text):
        month, day, year = _MONTHS.get(m.group(1).lower()), int(m.group(2)), int(m.group(3))
    elif m := re.fullmatch(r"(\d{1,2})\s+([A-Za-z]+)\s+(\d{4})", text):
        month, day, year = _MONTHS.get(m.group(2).lower()), int(m.group(1)), int(m.group(3))
    else:
        return None
    try:
        return date(year, month, day) if month else None
    except ValueError:
        return None


def _document(body: bytes, origin: str):
    try:
        return etree.fromstring(
            body, etree.XMLParser(huge_tree=True, resolve_entities=False, no_network=True)
        )
    except etree.XMLSyntaxError as e:
        if b"</html>" not in body[-4096:].lower():
            raise SourceFormatError(
                origin, f"not a complete 10-K document: cut short or not XHTML ({e})"
            ) from e
    try:
        root = html.fromstring(body)
    except (etree.ParserError, ValueError) as e:
        raise SourceFormatError(origin, f"not an HTML document ({e})") from e
    for element in root.iter(etree.Element):
        element.tag = element.tag.rsplit(":", 1)[-1]  # "ix:nonfraction" -> "nonfraction", found by _tags()
    return root


def _contexts_and_units(root) -> tuple[dict[str, dict], dict[str, str]]:
    contexts, units = {}, {}
    for element in root.iter(*_tags("context")):
        context = {"cik": None, "start": None, "end": None, "dimensional": False, "members": [], "typed": 0}
        for child in element.iter(
            *_tags(
                "identifier",
                "startDate",
                "endDate",
                "instant",
                "segment",
                "scenario",
                "explicitMember",
                "typedMember",
            )
        ):
            name = child.tag.rsplit("}", 1)[-1].lower()
            if name == "identifier":
                context["cik"] = _text(child)
            elif name == "startdate":
                context["start"] = _text(child)
            elif name in ("enddate", "instant"):
                context["end"] = _text(child)
            elif name == "explicitmember":
                context["members"].append((_attrs(child).get("dimension", "").strip(), _text(child)))
            elif name == "typedmember":
                context["typed"] += 1
            else:
                context["dimensional"] = True
        contexts[element.get("id")] = context
    for element in root.iter(*_tags("unit")):
        parts = list(element.iter(*_tags("unitNumerator", "unitDenominator"))) or [element]
        units[element.get("id")] = "/".join(
            "*".join(_text(m).rsplit(":", 1)[-1] for m in part.iter(*_tags("measure"))) for part in parts
        )
    return contexts, units


def _document_text(root) -> str:
    """The visible text, block elements on their own lines, without the hidden ix:header."""
    for header in list(root.iter(*_tags("header"))):
        parent = header.getparent()
        if parent is not None:
            parent.remove(header)  # its tail is whitespace between hidden divs
    for element in root.iter(*_tags(*_BLOCKS)):
        element.tail = "\n" + (element.tail or "")
    return "".join(root.itertext()).replace("\xa0", " ")


def parse_10k_text(
    raw: bytes,
    origin: str,
    *,
    cik: str | None = None,
    period_end: date | None = None,
    filed: date | None = None,
) -> Parsed10K:
    """A 10-K filed before inline XBRL (plain HTML, most FY2018 10-Ks): only its headcount is read; its figures
    come from companyfacts. The CIK is the Archives URL's (or `cik`), the fiscal year end the cover's "for the
    fiscal year ended <date>" (or `period_end`, from the submissions JSON in live mode)."""
    body = gunzipped(raw, origin)
    if not body.strip():
        raise SourceFormatError(origin, "empty body, expected a 10-K document")
    if b"</html>" not in body[-4096:].lower():
        raise SourceFormatError(origin, "not a complete 10-K document: cut short (no </html>)")
    try:
        root = html.fromstring(body)
    except (etree.ParserError, ValueError) as e:
        raise SourceFormatError(origin, f"not an HTML document ({e})") from e
    if any(
        el.tag.rsplit(":", 1)[-1].lower() == "header" and "ix" in el.tag.lower()
        for el in root.iter(etree.Element)
    ):
        raise SourceFormatError(origin, "this 10-K has inline XBRL: it is a sec-10k body")
    text = _document_text(root)
    cover = text[:30_000]
    if not _FORM_10K.search(cover):
        raise SourceFormatError(origin, "no 'Form 10-K' on its cover: not a 10-K")
    if cik is None and (match := _ARCHIVES_CIK.search(origin)):
        cik = match.group(1)
    if period_end is None and (match := _FISCAL_YEAR_ENDED.search(cover)):
        period_end = _date(match.group(1))
    if not cik or not cik.isdigit():
        raise SourceFormatError(
            origin, "a 10-K without inline XBRL names no CIK: fetch it from its EDGAR Archives URL"
        )
    if period_end is None:
        raise SourceFormatError(origin, "no 'fiscal year ended <date>' on its cover")
    headcount = parse_headcount(text)
    return Parsed10K(
        cik=cik.zfill(10),
        company_name=None,
        fiscal_period_end=period_end,
        form="10-K",
        accession=accession_from_origin(origin),
        facts=pl.DataFrame(schema=FACT_SCHEMA),
        employees=headcount.employees,
        employees_sentence=headcount.sentence,
        filed=filed,
        employees_check="text" if headcount.employees is not None else None,
    )


def parse_10k(raw: bytes, origin: str, *, filed: date | None = None, segments: bool = True) -> Parsed10K:
    """Facts, segment revenue, cover data and headcount of a 10-K primary document. `filed` (the filing date,
    from the submissions JSON when known) is written to every fact; the document itself does not state it."""
    return parse_filing(raw, origin, "10-K", filed=filed, segments=segments)


def parse_10q(raw: bytes, origin: str, *, filed: date | None = None) -> Parsed10K:
    """The same for a 10-Q primary document: its facts (the quarter, the year to date and their comparatives)
    and segment revenue; a 10-Q states no headcount, so none is read."""
    return parse_filing(raw, origin, "10-Q", filed=filed)


def _segment_of(context: dict) -> tuple[str, str] | None:
    """(axis, member) when the context's only dimension is one explicit member on a segment or product axis."""
    if context["typed"] or len(context["members"]) != 1:
        return None
    axis, member = context["members"][0]
    return (axis, member) if axis in SEGMENT_AXES and member else None


def parse_filing(
    raw: bytes, origin: str, form_family: str, *, filed: date | None = None, segments: bool = True
) -> Parsed10K:
    """A 10-K or 10-Q (`form_family`) primary document with inline XBRL; refuses any other form."""
    body = gunzipped(raw, origin)
    if not body.strip():
        raise SourceFormatError(origin, f"empty body, expected a {form_family} document")
    root = _document(body, origin)
    if next(root.iter(*_tags("header")), None) is None:
        raise SourceFormatError(
            origin, f"no inline XBRL in this document (no ix:header): not an iXBRL {form_family}"
        )
    contexts, units = _contexts_and_units(root)

    cover: dict[str, tuple[str, str]] = {}  # dei name -> (text, contextRef)
    numbers, rejects = [], []
    for position, element in enumerate(root.iter(*_tags("nonFraction", "nonNumeric"))):
        attrs = _attrs(element)
        name, context_ref = attrs.get("name", ""), attrs.get("contextref")
        if element.tag.rsplit("}", 1)[-1].lower() == "nonnumeric":
            if name.startswith("dei:") and name not in cover:
                cover[name] = (_text(element), context_ref)
            continue
        context = contexts.get(context_ref)
        if context is None or attrs.get("nil") == "true" or ":" not in name:
            continue
        segment = _segment_of(context) if context["dimensional"] else None
        if context["dimensional"] and (
            segment is None or not segments or name not in SEGMENT_REVENUE_CONCEPTS
        ):
            continue
        text = _text(element)
        try:
            value = _number(text, attrs.get("format")) * Decimal(10) ** int(attrs.get("scale") or 0)
        except (ValueError, InvalidOperation) as e:
            rejects.append(
                {
                    "origin": origin,
                    "row_number": None,
                    "field": name,
                    "problem": str(e),
                    "record": json.dumps(
                        {"name": name, "contextRef": context_ref, "format": attrs.get("format"), "text": text}
                    ),
                }
            )
            continue
        decimals = attrs.get("decimals", "")
        taxonomy, concept = name.split(":", 1)
        numbers.append(
            {
                "taxonomy": taxonomy,
                "concept": concept,
                "unit": units.get(attrs.get("unitref"), attrs.get("unitref")),
                "period_start": context["start"],
                "period_end": context["end"],
                "value": float(-value if attrs.get("sign") == "-" else value),
                "precision": 1_000
                if decimals.upper() == "INF"
                else int(decimals)
                if decimals.lstrip("-").isdigit()
                else -1_000,
                "position": position,
                "context_cik": context["cik"],
                "axis": segment[0] if segment else None,
                "member": segment[1] if segment else None,
            }
        )

    cik = (
        cover.get("dei:EntityCentralIndexKey", ("", ""))[0]
        or next((c["cik"] for c in contexts.values() if c["cik"]), "")
    ).strip()
    if not cik.isdigit():
        raise SourceFormatError(
            origin, "no dei:EntityCentralIndexKey and no entity identifier in its contexts"
        )
    cik = cik.zfill(10)
    form = cover.get("dei:DocumentType", (form_family, ""))[0].strip().upper() or form_family
    if not form.startswith(form_family):
        raise SourceFormatError(origin, f"dei:DocumentType is {form}, not a {form_family}")
    period_text, period_context = cover.get("dei:DocumentPeriodEndDate", ("", None))
    context_end = contexts.get(period_context, {}).get("end")
    period_end = _date(period_text) or (_date(context_end) if context_end else None)
    if period_end is None:
        raise SourceFormatError(origin, "no readable dei:DocumentPeriodEndDate")
    fiscal_year = cover.get("dei:DocumentFiscalYearFocus", ("", ""))[0].strip()
    company = cover.get("dei:EntityRegistrantName", (None, None))[0]
    accession = accession_from_origin(origin)

    tidy = (
        pl.DataFrame(
            numbers,
            schema={
                "taxonomy": pl.String,
                "concept": pl.String,
                "unit": pl.String,
                "period_start": pl.String,
                "period_end": pl.String,
                "value": pl.Float64,
                "precision": pl.Int64,
                "position": pl.Int64,
                "context_cik": pl.String,
                "axis": pl.String,
                "member": pl.String,
            },
        )
        # A fact shown twice (statement and note, in contexts of different ids) is one fact: the most precise wins.
        .sort("precision", "position", descending=[True, False])
        .unique(
            subset=["taxonomy", "concept", "unit", "period_start", "period_end", "axis", "member"],
            keep="first",
            maintain_order=True,
        )
        .sort("position")
        .select(
            pl.lit(cik).alias("cik"),
            pl.lit(company).alias("entity_name"),
            "taxonomy",
            "concept",
            "unit",
            pl.col("period_start").str.to_date(strict=False),
            pl.col("period_end").str.to_date(strict=False),
            "value",
            pl.lit(accession).alias("accession"),
            pl.lit(int(fiscal_year) if fiscal_year.isdigit() else None).alias("fiscal_year_of_filing"),
            pl.lit(cover.get("dei:DocumentFiscalPeriodFocus", (None, None))[0]).alias(
                "fiscal_period_of_filing"
            ),
            pl.lit(form).alias("form"),
            pl.lit(filed).alias("filed"),
            pl.lit(None).alias("frame"),
            "axis",
            "member",
        )
        .cast({**FACT_SCHEMA, **SEGMENT_COLUMNS})
    )
    facts = tidy.filter(pl.col("axis").is_null()).select(list(FACT_SCHEMA))
    segment_facts = tidy.filter(pl.col("axis").is_not_null())
    employees, sentence, check = (
        _employees(facts, _document_text(root)) if form_family == "10-K" else (None, None, None)
    )
    return Parsed10K(
        cik=cik,
        company_name=company,
        fiscal_period_end=period_end,
        form=form,
        accession=accession,
        facts=facts,
        employees=employees,
        employees_sentence=sentence,
        rejects=rejects_frame(rejects),
        filed=filed,
        segment_facts=segment_facts,
        employees_check=check,
    )


def _employees(facts: pl.DataFrame, text: str) -> tuple[int | None, str | None, str | None]:
    """(employees, the sentence, how it was checked). dei:EntityNumberOfEmployees, when a filer tags it, is the
    figure; the Human Capital sentence is still read, to cross-check it and to say what the figure counts."""
    headcount = parse_headcount(text)
    tagged = facts.filter(pl.col("taxonomy") == "dei", pl.col("concept") == "EntityNumberOfEmployees")
    if not tagged.height:
        return headcount.employees, headcount.sentence, "text" if headcount.employees is not None else None
    value = int(tagged["value"][0])
    if headcount.employees is None:
        return (
            value,
            "dei:EntityNumberOfEmployees (tagged; no sentence in the text states it)",
            "tagged, not in text",
        )
    if headcount.employees == value:
        return value, headcount.sentence, "tagged, matches text"
    warnings.warn(
        f"10-K CIK{facts['cik'][0]}: dei:EntityNumberOfEmployees {value:,} but the text says "
        f"{headcount.employees:,} ({headcount.sentence!r}); the tagged figure is used",
        stacklevel=2,
    )
    return value, headcount.sentence, f"tagged {value:,}, text says {headcount.employees:,}"
