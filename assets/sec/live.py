"""Live mode for SEC EDGAR: which URLs to fetch for each company of the seed, and which filings.

Per company (CIK from dbt/seeds/companies.csv):
1. companyfacts  https://data.sec.gov/api/xbrl/companyfacts/CIK##########.json  (every XBRL fact it filed)
2. submissions   https://data.sec.gov/submissions/CIK##########.json  (its filings, newest first, in
   `filings.recent`; older ones in pages `filings.files[].name`, which hold the same columns at top level;
   a page is fetched only when `recent` does not reach back to FY2018 and the page's dates overlap that)
3. every original 10-K of a fiscal year since FY2018 and the last eight inline-XBRL 10-Qs, at their
   Archives URLs https://www.sec.gov/Archives/edgar/data/<cik without zeros>/<accession without dashes>/<doc>

A filed document never changes, so each is requested once: a filing whose URL is already in the landing
zone (fetched or imported before) is not requested again, not even conditionally. The newest 10-K failing
fails the source (the refresh warns and keeps the last good copies); an older filing failing is logged and
tried again next refresh (it was not landed). A 10-K filed before inline XBRL (most FY2018 ones) is plain
HTML: it is landed as kind sec-10k-text and gives its year's headcount only.

SEC's fair-access rules (https://www.sec.gov/os/accessing-edgar-data): a User-Agent naming the requester
and at most 10 requests per second; the framework's fetcher does both, and retries.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from assets.sec.companies import normalize_companies, read_companies
from pipelines.errors import CapexError, FetchError, SourceFormatError
from pipelines.parsed import gunzipped

log = logging.getLogger(__name__)

COMPANYFACTS_URL = "https://data.sec.gov/api/xbrl/companyfacts/CIK{cik}.json"
SUBMISSIONS_URL = "https://data.sec.gov/submissions/CIK{cik}.json"
ARCHIVES_URL = "https://www.sec.gov/Archives/edgar/data/{cik}/{accession}/{document}"
_FILING_COLUMNS = ["accessionNumber", "filingDate", "reportDate", "form", "primaryDocument"]


FIRST_FISCAL_YEAR = 2018  # headcount and capex history for every fiscal year since
RECENT_QUARTERS = 8  # 10-Qs: the last two years of quarters
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class TenKFiling:
    """A 10-K or 10-Q to fetch (the name is from when only the newest 10-K was)."""

    cik: str  # 10 digits
    accession: str  # 0001045810-26-000021
    filed: date
    period_end: date  # reportDate: the fiscal year (10-K) or quarter (10-Q) end the filing covers
    form: str  # 10-K or 10-Q
    url: str
    inline_xbrl: bool = True

    @property
    def kind(self) -> str:
        if self.form.startswith("10-Q"):
            return "sec-10q"
        return "sec-10k" if self.inline_xbrl else "sec-10k-text"  # before inline XBRL: its headcount only

    @property
    def entity(self) -> str:
        """The landing entity of its body: one per filing, CIK0001045810-10K-2026-01-25, CIK...-10Q-2025-10-26."""
        return f"CIK{self.cik}-{self.form[:4].replace('-', '')}-{self.period_end.isoformat()}"


def companyfacts_url(cik: str) -> str:
    return COMPANYFACTS_URL.format(cik=str(cik).zfill(10))


def submissions_url(cik: str) -> str:
    return SUBMISSIONS_URL.format(cik=str(cik).zfill(10))


def load_submissions(raw: bytes, origin: str) -> dict:
    try:
        doc = json.loads(gunzipped(raw, origin))
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
        raise SourceFormatError(
            origin, "filing columns hold values of the wrong type (text and 0/1 expected)"
        )
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


def submission_pages(
    raw: bytes, origin: str
) -> list[str]:  # every page; older_pages_needed: those in the window
    """URLs of the older pages a main submissions body points to (filings.files[].name)."""
    doc = load_submissions(raw, origin)
    return [
        f"https://data.sec.gov/submissions/{page['name']}" for page in doc.get("filings", {}).get("files", [])
    ]


def _cik_of(doc: dict, origin: str) -> str:
    cik = str(doc.get("cik") or "").strip().zfill(10)
    if not cik.isdigit() or not cik.strip("0"):
        raise SourceFormatError(
            origin, "no cik in this submissions body (an older page has none): pass the main body"
        )
    return cik


def _as_filings(cik: str, listed: pl.DataFrame) -> list[TenKFiling]:
    return [
        TenKFiling(
            cik=cik,
            accession=row["accession"],
            filed=row["filed"],
            period_end=row["period_end"],
            form=row["form"],
            url=ARCHIVES_URL.format(
                cik=int(cik), accession=row["accession"].replace("-", ""), document=row["primary_document"]
            ),
            inline_xbrl=row["inline_xbrl"] != 0,
        )
        for row in listed.iter_rows(named=True)
    ]


def _originals(listed: pl.DataFrame, form: str, inline_only: bool = True) -> pl.DataFrame:
    """Original filings of `form` (with an inline-XBRL primary document unless not `inline_only`), the latest
    filing per period end."""
    return (
        listed.filter(
            pl.col("form") == form,
            (pl.col("inline_xbrl").fill_null(1) == 1) | (not inline_only),
            pl.col("primary_document").str.len_chars() > 0,
            pl.col("period_end").is_not_null(),
        )
        .sort("filed", "accession", descending=True)
        .unique("period_end", keep="first", maintain_order=True)
    )


def latest_10k(raw: bytes, origin: str) -> TenKFiling | None:
    """The newest original 10-K with inline XBRL listed in a submissions body (None if it lists none).

    Amendments (10-K/A) are skipped: most only add Part III and carry no statements. Filings before
    inline XBRL (2019) are plain HTML, which parse_10k refuses.
    """
    doc = load_submissions(raw, origin)
    cik = _cik_of(doc, origin)
    ten_ks = _originals(_filings_of(doc, origin), "10-K")
    return _as_filings(cik, ten_ks.head(1))[0] if ten_ks.height else None


def filings_to_fetch(
    raw: bytes,
    origin: str,
    older_pages: list[pl.DataFrame] = (),
    first_fiscal_year: int = FIRST_FISCAL_YEAR,
    quarters: int = RECENT_QUARTERS,
) -> list[TenKFiling]:
    """Every inline-XBRL 10-K of a fiscal year since `first_fiscal_year` and the last `quarters` 10-Qs, newest
    first, from a main submissions body and the filings of any older pages (`filings(page)` frames)."""
    doc = load_submissions(raw, origin)
    listed = pl.concat([_filings_of(doc, origin), *older_pages])
    # a fiscal year is named for the calendar year it ends in; 52/53-week years end up to a week into January
    # 10-Ks before inline XBRL (most of FY2018) too: their headcount is read from the text
    ten_ks = _originals(listed, "10-K", inline_only=False).filter(
        (pl.col("period_end") - WEEK).dt.year() >= first_fiscal_year
    )
    ten_qs = _originals(listed, "10-Q").sort("period_end", descending=True).head(quarters)
    return _as_filings(_cik_of(doc, origin), pl.concat([ten_ks, ten_qs]).sort("filed", descending=True))


def older_pages_needed(raw: bytes, origin: str, first_fiscal_year: int = FIRST_FISCAL_YEAR) -> list[str]:
    """URLs of the older submissions pages that hold filings since `first_fiscal_year` (none when `recent`
    reaches back that far: it holds at least a year, or the last 1,000 filings)."""
    doc = load_submissions(raw, origin)
    since = date(first_fiscal_year, 1, 1)
    oldest = _filings_of(doc, origin)["filed"].min()
    if oldest is not None and oldest <= since:
        return []
    return [
        f"https://data.sec.gov/submissions/{page['name']}"
        for page in doc.get("filings", {}).get("files", [])
        if isinstance(page, dict)
        and page.get("name")
        and str(page.get("filingTo") or "9999") >= since.isoformat()
    ]


def fetch_live(
    fetch: Callable[..., bytes | None],
    store: Callable[..., object],
    companies: pl.DataFrame | None = None,
    landed: Callable[[str], bool] = lambda url: False,
) -> None:
    """Land each company's companyfacts, submissions and filings (see the module docstring). `landed(url)` says
    whether a URL's body is in the landing zone already. A company that fails does not stop the others; the
    failures are raised together at the end (the refresh warns and keeps the last good copies)."""
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
                continue  # 304: no new filing since the last run, so its filings are landed already
            store(submissions, kind="sec-submissions", entity=entity, origin=url)
            newest = latest_10k(submissions, url)
            listed = filings_to_fetch(submissions, url, _older_pages(fetch, store, ticker, submissions, url))
        except CapexError as e:
            failures.append(f"{ticker} submissions: {e}")
            log.warning("sec live fetch, %s submissions failed: %s", ticker, e)
            continue
        if newest is None:
            log.warning("sec live fetch, %s: no inline-XBRL 10-K in its submissions", ticker)
        for filing in listed:
            if landed(filing.url):
                continue  # a filed document never changes: fetched once, kept in the landing zone
            try:
                document = fetch(filing.url, kind=filing.kind, entity=filing.entity, expect="html")
                if document is not None:
                    store(
                        document,
                        kind=filing.kind,
                        entity=filing.entity,
                        origin=filing.url,
                        as_of=filing.filed.isoformat(),
                    )
            except CapexError as e:
                if filing == newest:
                    failures.append(f"{ticker} 10-K: {e}")
                # an older filing not landed is asked for again next refresh; it does not fail the source
                log.warning("sec live fetch, %s %s %s failed: %s", ticker, filing.form, filing.period_end, e)
    if failures:
        raise FetchError(
            "sec live sources", f"{len(failures)} failed, the rest landed: " + "; ".join(failures)
        )


def _older_pages(fetch, store, ticker: str, submissions: bytes, origin: str) -> list[pl.DataFrame]:
    """The filings of the older submission pages the FY2018+ history needs (a page that fails is skipped)."""
    pages = []
    for url in older_pages_needed(submissions, origin):
        name = url.rsplit("/", 1)[-1].removesuffix(".json")
        try:
            page = fetch(url, kind="sec-submissions", entity=name)
            if page is not None:
                store(page, kind="sec-submissions", entity=name, origin=url)
                pages.append(filings(page, url))
        except CapexError as e:
            log.warning("sec live fetch, %s older submissions page %s failed: %s", ticker, url, e)
    return pages
