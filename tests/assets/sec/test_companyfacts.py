import gzip
import json
from datetime import date

import polars as pl
import pytest

from assets.sec.companyfacts import FACT_SCHEMA, parse_companyfacts
from pipelines.errors import SourceFormatError
from tests.assets.sec.conftest import companyfacts_body


def test_msft_capex_facts_as_published(facts):
    # Microsoft's FY2025 10-K (0000950170-25-100235): additions to property and equipment 64,551 $M.
    fy2025 = facts.filter(
        pl.col("concept") == "PaymentsToAcquirePropertyPlantAndEquipment",
        pl.col("period_start") == date(2024, 7, 1),
        pl.col("period_end") == date(2025, 6, 30),
    )
    assert fy2025.select(
        "value", "accession", "form", "filed", "fiscal_year_of_filing", "fiscal_period_of_filing", "frame"
    ).rows() == [(64_551_000_000.0, "0000950170-25-100235", "10-K", date(2025, 7, 30), 2025, "FY", "CY2025")]
    assert fy2025["cik"][0] == "0000789019" and fy2025["entity_name"][0] == "MICROSOFT CORPORATION"


def test_every_version_of_a_fact_is_kept(facts):
    # Q1 FY2025 capex (14,923 $M) was filed in the Q1 10-Q and again as a comparative a year later.
    q1 = facts.filter(
        pl.col("concept") == "PaymentsToAcquirePropertyPlantAndEquipment",
        pl.col("period_start") == date(2024, 7, 1),
        pl.col("period_end") == date(2024, 9, 30),
    ).sort("filed")
    assert q1.select("value", "accession").rows() == [
        (14_923_000_000.0, "0000950170-24-118967"),
        (14_923_000_000.0, "0001193125-25-256321"),
    ]
    assert q1["frame"].to_list() == [None, "CY2024Q3"]  # frame is on one version only: never a dedup key


def test_schema_instants_and_row_counts(facts):
    assert facts.schema == pl.Schema(FACT_SCHEMA)
    assert facts.group_by("cik").len().sort("cik").rows() == [
        ("0000789019", 31_574),
        ("0001045810", 26_903),
        ("0001652044", 20_324),
    ]
    # dei:EntityCommonStockSharesOutstanding is an instant: no start date
    shares = facts.filter(pl.col("concept") == "EntityCommonStockSharesOutstanding")
    assert shares["period_start"].null_count() == shares.height and shares["unit"].unique().to_list() == [
        "shares"
    ]


def test_gzipped_body_gives_the_same_facts():
    raw = companyfacts_body("GOOGL")
    assert parse_companyfacts(gzip.compress(raw), "goog.json.gz").equals(parse_companyfacts(raw, "goog.json"))


def test_cik_as_a_quoted_string_is_zero_padded():
    doc = {
        "cik": "1769628",
        "entityName": "CoreWeave, Inc.",
        "facts": {
            "us-gaap": {
                "Revenues": {
                    "label": "Revenues",
                    "units": {
                        "USD": [
                            {
                                "start": "2025-01-01",
                                "end": "2025-12-31",
                                "val": 5131000000,
                                "accn": "0001769628-26-000104",
                                "fy": 2025,
                                "fp": "FY",
                                "form": "10-K",
                                "filed": "2026-03-02",
                            }
                        ]
                    },
                }
            }
        },
    }
    rows = parse_companyfacts(json.dumps(doc).encode(), "crwv.json")
    assert rows.select("cik", "value", "frame").rows() == [("0001769628", 5_131_000_000.0, None)]


def test_truncated_json_is_refused_naming_the_file():
    raw = companyfacts_body("MSFT")
    with pytest.raises(SourceFormatError, match=r"CIK0000789019\.json: not a readable companyfacts JSON"):
        parse_companyfacts(raw[: len(raw) // 3], "CIK0000789019.json")


def test_truncated_gzip_is_refused():
    with pytest.raises(SourceFormatError, match="gzip"):
        parse_companyfacts(gzip.compress(companyfacts_body("NVDA"))[:5000], "nvda.json.gz")


@pytest.mark.parametrize(
    "body, problem",
    [
        (b"", "empty body"),
        (b"[1, 2]", "not a companyfacts JSON object"),
        (b'{"name": "x"}', "no 'cik' or no 'facts'"),
        (b'{"cik": 1, "facts": {}}{"cik": 2, "facts": {}}', "one companyfacts object"),
        (b"<html>maintenance</html>", "not a companyfacts JSON object"),
    ],
)
def test_bodies_that_are_not_companyfacts(body, problem):
    with pytest.raises(SourceFormatError, match=problem):
        parse_companyfacts(body, "x.json")


def test_valid_body_without_facts_gives_no_rows():
    assert parse_companyfacts(b'{"cik": 51143, "entityName": "IBM", "facts": {}}', "ibm.json").height == 0
