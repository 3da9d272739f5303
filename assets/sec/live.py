"""Live mode for SEC EDGAR: which URLs to fetch for each company of the seed, and how to find its 10-K.

Per company (CIK from dbt/seeds/companies.csv):
1. companyfacts  https://data.sec.gov/api/xbrl/companyfacts/CIK##########.json  (every XBRL fact it filed)
2. submissions   https://data.sec.gov/submissions/CIK##########.json  (its filings, newest first, in
   `filings.recent`; older ones in pages `filings.files[].name`, which hold the same columns at top level)
3. the newest original 10-K with inline XBRL from the submissions, at its Archives URL
   https://www.sec.gov/Archives/edgar/data/<cik without zeros>/<accession without dashes>/<primaryDocument>

SEC's fair-access rules (https://www.sec.gov/os/accessing-edgar-data): a User-Agent naming the requester
and at most 10 requests per second; the framework's fetcher does both, and retries.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import polars as pl

from assets.sec.companies import normalize_companies, read_companies
from assets.sec.companyfacts import gunzip_if_needed
from pipelines.errors import CapexError, FetchError, SourceFormatError

log = logging.getLogger(__name__)

COMPANYFACTS_URL = "https://data.sec.gov/api/xbrl/companyfacts/CIK{cik}.json"
SUBMISSIONS_URL = "https://data.sec.gov/submissions/CIK{cik}.json"
ARCHIVES_URL = "https://www.sec.gov/Archives/edgar/data/{cik}/{accession}/{document}"
_FILING_COLUMNS = ["accessionNumber", "filingDate", "reportDate", "form", "primaryDocument"]


@dataclass(frozen=True)
class TenKFiling:
    cik: str  # 10 digits
    accession: str  # 0001045810-26-000021
    filed: date
    period_end: date  # reportDate: the fiscal year end the 10-K covers
    form: str
    url: str

    @property
    def entity(self) -> str:
        """The landing entity of its body: one per filing, CIK0001045810-10K-2026-01-25."""
        return f"CIK{self.cik}-10K-{self.period_end.isoformat()}"


def companyfacts_url(cik: str) -> str:
    return COMPANYFACTS_URL.format(cik=str(cik).zfill(10))


def submissions_url(cik: str) -> str:
    return SUBMISSIONS_URL.format(cik=str(cik).zfill(10))


def load_submissions(raw: bytes, origin: str) -> dict:
    try:
        doc = json.loads(gunzip_if_needed(raw, origin))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise SourceFormatError(origin, f"not a submissions JSON ({e})") from e
    if not isinstance(doc, dict):
        raise SourceFormatError(origin, "not a submissions JSON object")
    return doc


def filings(raw: bytes, origin: str) -> pl.DataFrame:
    """The filings a submissions body lists (accession, filing date, report date, form, primary document,
    inline XBRL flag), from the main body or from one of its older pages."""
    return _filings_of(load_submissions(raw, origin), origin)


def _filings_of(doc: dict, origin: str) -> pl.DataFrame:
    filings = doc.get("filings")
    columns = filings.get("recent") if isinstance(filings, dict) else doc if filings is None else None
    if not isinstance(columns, dict) or any(not isinstance(columns.get(c), list) for c in _FILING_COLUMNS):
        raise SourceFormatError(
            origin, f"no filing columns {_FILING_COLUMNS} (neither filings.recent nor a page)"
        )
    lengths = {len(columns[c]) for c in _FILING_COLUMNS}
    if len(lengths) != 1:
        raise SourceFormatError(origin, f"filing columns of different lengths {sorted(lengths)}")
    inline = columns.get("isInlineXBRL") or [None] * lengths.pop()
    typed = all(isinstance(v, (str, type(None))) for c in _FILING_COLUMNS for v in columns[c])
    flags = isinstance(inline, list) and len(inline) == len(columns["form"])
    if not typed or not flags or any(v not in (0, 1, None) or isinstance(v, (bool, float)) for v in inline):
        raise SourceFormatError(origin, "filing columns hold values of the wrong type (text and 0/1 expected)")
    return pl.DataFrame(
        {
            "accession": columns["accessionNumber"],
            "filed": columns["filingDate"],
            "period_end": columns["reportDate"],
            "form": columns["form"],
            "primary_document": columns["primaryDocument"],
            "inline_xbrl": inline,
        },
        schema={
            "accession": pl.String,
            "filed": pl.String,
            "period_end": pl.String,
            "form": pl.String,
            "primary_document": pl.String,
            "inline_xbrl": pl.Int64,
        },
    ).with_columns(pl.col("filed", "period_end").str.to_date(strict=False))


def submission_pages(raw: bytes, origin: str) -> list[str]:
    """URLs of the older pages a main submissions body points to (filings.files[].name)."""
    doc = load_submissions(raw, origin)
    return [
        f"https://data.sec.gov/submissions/{page['name']}" for page in doc.get("filings", {}).get("files", [])
    ]


def latest_10k(raw: bytes, origin: str) -> TenKFiling | None:
    """The newest original 10-K with inline XBRL listed in a submissions body (None if it lists none).

    Amendments (10-K/A) are skipped: most only add Part III and carry no statements. Filings before
    inline XBRL (2019) are plain HTML, which parse_10k refuses.
    """
    doc = load_submissions(raw, origin)
    cik = str(doc.get("cik") or "").strip().zfill(10)
    if not cik.isdigit() or not cik.strip("0"):
        raise SourceFormatError(
            origin, "no cik in this submissions body (an older page has none): pass the main body"
        )
    listed = _filings_of(doc, origin)
    ten_ks = listed.filter(
        pl.col("form") == "10-K",
        pl.col("inline_xbrl").fill_null(1) == 1,
        pl.col("primary_document").str.len_chars() > 0,
        pl.col("period_end").is_not_null(),
    ).sort("filed", "accession", descending=True)
    if not ten_ks.height:
        return None
    row = ten_ks.row(0, named=True)
    return TenKFiling(
        cik=cik,
        accession=row["accession"],
        filed=row["filed"],
        period_end=row["period_end"],
        form=row["form"],
        url=ARCHIVES_URL.format(
            cik=int(cik), accession=row["accession"].replace("-", ""), document=row["primary_document"]
        ),
    )


def fetch_live(
    fetch: Callable[..., bytes | None], store: Callable[..., object], companies: pl.DataFrame | None = None
) -> None:
    """Land each company's companyfacts, submissions and newest 10-K. A company that fails does not stop the
    others; the failures are raised together at the end (the refresh warns and keeps the last good copies)."""
    companies = read_companies() if companies is None else normalize_companies(companies)
    failures: list[str] = []
    for ticker, cik in companies.select("ticker", "cik").iter_rows():
        entity = f"CIK{cik}"
        try:
            url = companyfacts_url(cik)
            body = fetch(url, kind="sec-companyfacts", entity=entity)
            if body is not None:
                store(body, kind="sec-companyfacts", entity=entity, origin=url)
        except CapexError as e:
            failures.append(f"{ticker} companyfacts: {e}")  # e.g. 404 for a filer without XBRL financials
            log.warning("sec live fetch, %s companyfacts failed: %s", ticker, e)
        try:
            url = submissions_url(cik)
            submissions = fetch(url, kind="sec-submissions", entity=entity)
            if submissions is None:
                continue  # 304: no new filing since the last run, so its newest 10-K is landed already
            store(submissions, kind="sec-submissions", entity=entity, origin=url)
            filing = latest_10k(submissions, url)
            if filing is None:
                log.warning("sec live fetch, %s: no inline-XBRL 10-K in its submissions", ticker)
                continue
            document = fetch(filing.url, kind="sec-10k", entity=filing.entity, expect="html")
            if document is not None:
                store(
                    document,
                    kind="sec-10k",
                    entity=filing.entity,
                    origin=filing.url,
                    as_of=filing.filed.isoformat(),
                )
        except CapexError as e:
            failures.append(f"{ticker} 10-K: {e}")
            log.warning("sec live fetch, %s 10-K failed: %s", ticker, e)
    if failures:
        raise FetchError(
            "sec live sources", f"{len(failures)} failed, the rest landed: " + "; ".join(failures)
        )
