"""The embedded layoffs bodies the tests read (see data/snapshot/layoffs/PROVENANCE.md), parsed once."""

from __future__ import annotations

import io
import re
import zipfile

import polars as pl
import pytest

from assets.layoffs.layoffs_fyi import parse_layoffs_fyi
from assets.layoffs.warn import parse_warn_ca, parse_warn_ny, parse_warn_tx, parse_warn_wa
from pipelines.snapshot import read_snapshot_bytes

FYI_SITE_CSV = "layoffs/layoffs_fyi_airtable-csv-download_2020-03-11_to_2025-05-29.csv.gz"
FYI_KAGGLE = "layoffs/layoffs_fyi_kaggle-format_2020-03-11_to_2026-05-15.csv.gz"
FYI_MANGLED = "layoffs/layoffs_fyi_kaggle-format_to_2026-07-23_EXCEL-MANGLED-DATES.csv.gz"
FYI_API_DUMP = "layoffs/layoffs_fyi_airtable-live_2025-01-02_to_2026-08-21.csv.gz"
FYI_FILES = [FYI_SITE_CSV, FYI_KAGGLE, FYI_MANGLED, FYI_API_DUMP]  # oldest download first
CA_FEB = "layoffs/ca_edd_warn_report_FY2024-25_downloaded_2025-02-08.xlsx.gz"
CA_SEP = "layoffs/ca_edd_warn_report_FY2025-26_downloaded_2025-09-27.xlsx.gz"
CA_CSV = "layoffs/ca_warn-scraper-export_2014-07_to_2026-01-07.csv.gz"
NY_2025 = "layoffs/ny_dol_warn_tableau_2025_via-warn-scraper.csv.gz"
NY_2026 = "layoffs/ny_dol_warn_tableau_2026.csv.gz"
WA_CSV = "layoffs/wa_warn-scraper-export_2004_to_2026-01-06.csv.gz"
WA_HTML = "layoffs/wa_esd_SearchWARN_page1_2026-03-31.html.gz"
TX_CSV = "layoffs/tx_warn-scraper-export_1999_to_2026-01-07.csv.gz"
TX_JSON = "layoffs/tx_socrata_8w53-c4f6_sample_2026-06.json.gz"
PARSERS = {
    "layoffs/layoffs_fyi": parse_layoffs_fyi,
    "layoffs/ca": parse_warn_ca,
    "layoffs/ny": parse_warn_ny,
    "layoffs/wa": parse_warn_wa,
    "layoffs/tx": parse_warn_tx,
}
ALL_FILES = [*FYI_FILES, CA_FEB, CA_SEP, CA_CSV, NY_2025, NY_2026, WA_CSV, WA_HTML, TX_CSV, TX_JSON]
TRACKED = {
    "MSFT": "Microsoft Corp",
    "GOOGL": "Alphabet Inc.",
    "AMZN": "Amazon.com, Inc.",
    "META": "Meta Platforms, Inc.",
    "ORCL": "Oracle Corp",
    "NVDA": "NVIDIA Corp",
    "AMD": "Advanced Micro Devices, Inc.",
    "AVGO": "Broadcom Inc.",
    "AAPL": "Apple Inc.",
    "TSLA": "Tesla, Inc.",
    "IBM": "International Business Machines Corp",
    "CRWV": "CoreWeave, Inc.",
}


def parser_for(path: str):
    return next(parse for prefix, parse in PARSERS.items() if path.startswith(prefix))


def origin_of(path: str) -> str:
    return path.split("/", 1)[1].removesuffix(".gz")


def parse_snapshot(path: str):
    return parser_for(path)(read_snapshot_bytes(path), origin_of(path))


def edit_xlsx(raw: bytes, member: str, edit) -> bytes:
    """A copy of a real workbook with one of its XML parts edited (a renamed header, a bad cell)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == member:
                data = edit(data.decode("utf-8")).encode("utf-8")
            dst.writestr(item, data)
    return out.getvalue()


def replace_once(pattern: str, new: str):
    def edit(text: str) -> str:
        edited, n = re.subn(pattern, new, text, count=1)
        assert n == 1, f"pattern {pattern!r} not found"
        return edited

    return edit


@pytest.fixture(scope="session")
def parsed():
    """Every embedded layoffs body parsed: path -> Parsed."""
    return {path: parse_snapshot(path) for path in ALL_FILES}


@pytest.fixture(scope="session")
def all_versions(parsed) -> pl.DataFrame:
    return pl.concat([parsed[path].rows for path in ALL_FILES])


@pytest.fixture(scope="session")
def companies() -> pl.DataFrame:
    return pl.DataFrame(
        {"ticker": list(TRACKED), "cik": None, "name": list(TRACKED.values()), "cohort": None}
    )


@pytest.fixture(scope="session")
def aliases() -> pl.DataFrame:
    from pipelines.config import SEEDS_DIR

    return pl.read_csv(SEEDS_DIR / "company_aliases.csv", infer_schema=False)
