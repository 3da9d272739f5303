"""Live mode of the layoffs source: where each publisher serves its data, and one `fetch_live`.

- layoffs.fyi has no API (an Airtable shared view). A community mirror that re-exports it daily is
  read instead: `CAPEX_LAYOFFS_FYI_URL`, by default the raw CSV of frankwang0909/tech-layoff-tracker
  (a daily GitHub Action reads the shared view; 2025 onwards, snake_case layout; see PROVENANCE).
  Any CSV in one of the three layouts works, e.g. the Kaggle mirror's raw URL.
- California EDD: the current fiscal year's workbook (past years are PDFs, not read).
- New York DOL: the Tableau Public dashboard, which serves any view as CSV.
- Washington ESD: the ASP.NET search grid, newest notices first, 15 per page.
- Texas TWC: the data.texas.gov Socrata API (dataset 8w53-c4f6), paged with $limit/$offset.

Each body is handed to `store` as served; the kind's identify validates it before it lands. One
state failing does not stop the others: the failures are raised together at the end, and the
framework falls back to the last good copies with a warning.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from urllib.parse import urlencode

from pipelines.errors import CapexError, FetchError

LAYOFFS_FYI_URL_ENV = "CAPEX_LAYOFFS_FYI_URL"
LAYOFFS_FYI_MIRROR = (
    "https://raw.githubusercontent.com/frankwang0909/tech-layoff-tracker/HEAD/data/raw/layoffs_raw.csv"
)
CA_WORKBOOK_URL = "https://edd.ca.gov/siteassets/files/jobs_and_training/warn/warn_report1.xlsx"
NY_TABLEAU_CSV_URL = (
    "https://public.tableau.com/views/WorkerAdjustmentRetrainingNotificationWARN/WARN.csv?:showVizHome=no"
)
WA_SEARCH_URL = "https://fortress.wa.gov/esd/file/warn/Public/SearchWARN.aspx"
TX_SOCRATA_URL = "https://data.texas.gov/resource/8w53-c4f6.json"
TX_PAGE_SIZE = 50_000  # SODA 2.0's largest $limit: the whole dataset (~10k notices) in one page
TX_MAX_PAGES = 20


def layoffs_fyi_url() -> str:
    return os.environ.get(LAYOFFS_FYI_URL_ENV) or LAYOFFS_FYI_MIRROR


def tx_page_url(offset: int, limit: int = TX_PAGE_SIZE) -> str:
    """One page of the SoQL query, newest notices first (a stable order makes $offset paging exact).
    The query is in the URL, so the landed origin says which page a body is."""
    query = {"$order": "notice_date DESC, job_site_name", "$limit": str(limit), "$offset": str(offset)}
    return f"{TX_SOCRATA_URL}?{urlencode(query)}"


def tx_next_offset(reply: list, offset: int, limit: int = TX_PAGE_SIZE) -> int | None:
    """The next page's offset, or None when this page was the last (shorter than the limit)."""
    return offset + limit if len(reply) >= limit else None


def fetch_live(fetch: Callable[..., bytes | None], store: Callable[..., object]) -> None:
    """Fetch every layoff source once and land what each serves (a 304 lands nothing)."""
    failures: list[str] = []

    def get_and_store(url: str, kind: str, entity: str, expect: str, **request) -> bytes | None:
        try:
            body = fetch(url, kind=kind, entity=entity, expect=expect, **request)
            if body is not None:
                store(body, kind=kind, entity=entity, origin=url)
            return body
        except (CapexError, OSError) as e:
            failures.append(f"{kind}: {e}")
            return None

    get_and_store(layoffs_fyi_url(), "layoffs-fyi", "layoffs_fyi", "csv")
    get_and_store(CA_WORKBOOK_URL, "warn-ca", "warn_ca", "xlsx")
    get_and_store(NY_TABLEAU_CSV_URL, "warn-ny", "warn_ny", "csv")
    # Page 1 holds the 15 newest notices; a nightly run lands it and the history kind keeps every
    # day's page, so new notices accumulate. Older pages are ASP.NET postbacks, not fetched: a backfill
    # is `capex import warn-wa` of saved pages.
    get_and_store(WA_SEARCH_URL, "warn-wa", "warn_wa", "html")

    offset: int | None = 0
    for _ in range(TX_MAX_PAGES):
        body = get_and_store(tx_page_url(offset), "warn-tx", "warn_tx", "json")
        if body is None:
            break
        offset = tx_next_offset(json.loads(body), offset)
        if offset is None:
            break
    if failures:
        raise FetchError("layoffs live fetch", "; ".join(failures))
