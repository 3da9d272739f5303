"""Small real extracts the mart tests build on. Every figure is as filed or as published; where from:

- SEC figures (USD): companyfacts of MSFT (CIK0000789019), GOOGL (CIK0001652044) and NVDA (CIK0001045810)
  as captured from data.sec.gov (data/snapshot/sec/; 10-K facts of 350-380 days, latest filing wins, accession given per
  row); capex and revenue are also rows of tests/assets/sec/reference_figures.csv (ticker, fiscal_year,
  concept PaymentsToAcquirePropertyPlantAndEquipment / PaymentsToAcquireProductiveAssets /
  RevenueFromContractWithCustomerExcludingAssessedTax / Revenues). AMZN and META FY2022-FY2024 capex and
  revenue come from the inline XBRL of their FY2024 10-Ks (reference_figures.csv rows of source_file
  10k/amzn-20241231.htm and 10k/meta-20241231.htm). Headcounts are the 10-K sentences quoted in the SEC
  PROVENANCE §4 ("As of December 31, 2024, Alphabet had 183,323 employees.").
- Layoffs: layoffs.fyi rows for Microsoft (layoffs_fyi_kaggle-format_2020-03-11_to_2026-05-15.csv) and WA
  WARN notices of Microsoft (wa_warn-scraper-export_2004_to_2026-01-06.csv, Received Date, # of Workers).
- GPUs: Epoch AI ML hardware rows (epoch_ml_hardware.csv); prices from the GPU PROVENANCE: AWS p5.48xlarge
  (8 × H100) 55.04 $/h us-east-1 ≈2026-09-29, Azure ND96isr_H100_v5 (8 × H100) 98.32 $/h eastus on-demand
  2026-08-03, RunPod H100 SXM secure 3.49 / community 2.69 $/GPU-h ≈2026-09-29.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from pipelines.config import SEEDS_DIR

M = 1_000_000  # the filings' figures are in millions of USD; the tables hold USD


# fmt: off
FILED = [
    # ticker, FY, period start, period end, capex, revenue, operating cash flow, SBC, R&D, operating income ($M), accession
    ("MSFT", 2021, "2020-07-01", "2021-06-30", 20622, 168088, 76740, 6118, 20716, 69916, "0000950170-23-035122"),
    ("MSFT", 2022, "2021-07-01", "2022-06-30", 23886, 198270, 89035, 7502, 24512, 83383, "0000950170-24-087843"),
    ("MSFT", 2023, "2022-07-01", "2023-06-30", 28107, 211915, 87582, 9611, 27195, 88523, "0000950170-25-100235"),
    ("MSFT", 2024, "2023-07-01", "2024-06-30", 44477, 245122, 118548, 10734, 29510, 109433, "0000950170-25-100235"),
    ("MSFT", 2025, "2024-07-01", "2025-06-30", 64551, 281724, 136162, 11974, 32488, 128528, "0000950170-25-100235"),
    ("GOOGL", 2021, "2021-01-01", "2021-12-31", 24640, 257637, 91652, 15376, 31562, 78714, "0001652044-24-000022"),
    ("GOOGL", 2022, "2022-01-01", "2022-12-31", 31485, 282836, 91495, 19362, 39500, 74842, "0001652044-25-000014"),
    ("GOOGL", 2023, "2023-01-01", "2023-12-31", 32251, 307394, 101746, 22460, 45427, 84293, "0001652044-26-000018"),
    ("GOOGL", 2024, "2024-01-01", "2024-12-31", 52535, 350018, 125299, 22785, 49326, 112390, "0001652044-26-000018"),
    ("GOOGL", 2025, "2025-01-01", "2025-12-31", 91447, 402836, 164713, 24953, 61087, 129039, "0001652044-26-000018"),
    ("NVDA", 2022, "2021-02-01", "2022-01-30", 976, 26914, 9108, 2004, 5268, 10041, "0001045810-24-000029"),
    ("NVDA", 2023, "2022-01-31", "2023-01-29", 1833, 26974, 5641, 2709, 7339, 4224, "0001045810-25-000023"),
    ("NVDA", 2024, "2023-01-30", "2024-01-28", 1069, 60922, 28090, 3549, 8675, 32972, "0001045810-26-000021"),
    ("NVDA", 2025, "2024-01-29", "2025-01-26", 3236, 130497, 64089, 4737, 12914, 81453, "0001045810-26-000021"),
    ("NVDA", 2026, "2025-01-27", "2026-01-25", 6042, 215938, 102718, 6386, 18497, 130387, "0001045810-26-000021"),
    # AMZN, META: FY2024 10-K inline XBRL, capex and revenue only (FY2022-2023 are its comparative columns)
    ("AMZN", 2022, "2022-01-01", "2022-12-31", 63645, 513983, None, None, None, None, "0001018724-25-000004"),
    ("AMZN", 2023, "2023-01-01", "2023-12-31", 52729, 574785, None, None, None, None, "0001018724-25-000004"),
    ("AMZN", 2024, "2024-01-01", "2024-12-31", 82999, 637959, None, None, None, None, "0001018724-25-000004"),
    ("META", 2022, "2022-01-01", "2022-12-31", 31186, 116609, None, None, None, None, "0001326801-25-000017"),
    ("META", 2023, "2023-01-01", "2023-12-31", 27045, 134902, None, None, None, None, "0001326801-25-000017"),
    ("META", 2024, "2024-01-01", "2024-12-31", 37256, 164501, None, None, None, None, "0001326801-25-000017"),
]
# fmt: on
# MSFT discrete fiscal quarters (companyfacts, 10-Q/10-K facts of ~91 days, accession per row): Q3 FY2023 ..
# Q2 FY2025, calendar 2023 and 2024 (capex, revenue, finance-lease additions in $M).
QUARTERS = [
    ("MSFT", 2023, "Q3", "2023-01-01", "2023-03-31", 6607, 52857, 1044, "0000950170-24-048288"),
    ("MSFT", 2023, "Q4", "2023-04-01", "2023-06-30", 8943, 56189, 875, "0000950170-25-100235"),
    ("MSFT", 2024, "Q1", "2023-07-01", "2023-09-30", 9917, 56517, 1704, "0000950170-24-118967"),
    ("MSFT", 2024, "Q2", "2023-10-01", "2023-12-31", 9735, 62020, 1796, "0000950170-25-010491"),
    ("MSFT", 2024, "Q3", "2024-01-01", "2024-03-31", 10952, 61858, 3421, "0000950170-25-061046"),
    ("MSFT", 2024, "Q4", "2024-04-01", "2024-06-30", 13873, 64727, 4712, "0000950170-25-100235"),
    ("MSFT", 2025, "Q1", "2024-07-01", "2024-09-30", 14923, 65585, 4332, "0001193125-25-256321"),
    ("MSFT", 2025, "Q2", "2024-10-01", "2024-12-31", 15804, 69632, 6435, "0001193125-26-027207"),
]
HEADCOUNT = {
    ("GOOGL", 2024): 183_323,
    ("NVDA", 2025): 36_000,
    ("AMZN", 2024): 1_556_000,
    ("META", 2024): 74_067,
}
MONEY = ["capex_usd", "revenue_usd", "operating_cash_flow_usd", "stock_based_compensation_usd",
         "research_development_usd", "operating_income_usd"]  # fmt: skip
FINANCIALS_ROWS = [
    {
        "ticker": ticker,
        "fiscal_year": year,
        "fiscal_period": "FY",
        "period_start": date.fromisoformat(start),
        "period_end": date.fromisoformat(end),
        **{c: None if v is None else v * M for c, v in zip(MONEY, figures)},
        "employees": HEADCOUNT.get((ticker, year)),
        "accession": accession,
    }
    for ticker, year, start, end, *figures, accession in FILED
]

FINANCIALS_SCHEMA = {
    "ticker": pl.String,
    "fiscal_year": pl.Int32,
    "fiscal_period": pl.String,
    "period_start": pl.Date,
    "period_end": pl.Date,
    "capex_usd": pl.Float64,
    "revenue_usd": pl.Float64,
    "operating_cash_flow_usd": pl.Float64,
    "employees": pl.Int64,
    "accession": pl.String,
    "stock_based_compensation_usd": pl.Float64,
    "research_development_usd": pl.Float64,
    "operating_income_usd": pl.Float64,
}

LAYOFF_ROWS = [
    # source, company, ticker, event_date, employees_affected
    ("layoffs_fyi", "Microsoft", "MSFT", "2023-07-18", 1000),
    ("layoffs_fyi", "Microsoft", "MSFT", "2024-01-25", 1900),
    ("layoffs_fyi", "Microsoft", "MSFT", "2024-06-03", 1000),
    ("layoffs_fyi", "Microsoft", "MSFT", "2024-07-03", None),
    ("layoffs_fyi", "Microsoft", "MSFT", "2024-09-12", 650),
    ("layoffs_fyi", "Microsoft", "MSFT", "2025-01-07", None),
    ("layoffs_fyi", "Microsoft", "MSFT", "2025-01-14", None),
    ("layoffs_fyi", "Microsoft", "MSFT", "2025-05-13", 6000),
    ("layoffs_fyi", "Microsoft", "MSFT", "2025-06-02", 305),
    ("layoffs_fyi", "Microsoft", "MSFT", "2025-06-24", None),
    ("layoffs_fyi", "Microsoft", "MSFT", "2025-07-02", 9000),
    ("warn_wa", "Microsoft", "MSFT", "2023-05-26", 158),
    ("warn_wa", "Microsoft", "MSFT", "2025-05-13", 1985),
    ("warn_wa", "Microsoft", "MSFT", "2025-06-02", 305),
    ("warn_wa", "Microsoft", "MSFT", "2025-07-02", 830),
    ("warn_wa", "Tessera", None, "2026-01-06", 1),
]


@pytest.fixture
def financials() -> pl.DataFrame:
    return pl.DataFrame(FINANCIALS_ROWS, schema=FINANCIALS_SCHEMA)


@pytest.fixture
def financials_with_quarters(financials) -> pl.DataFrame:
    """`financials` plus MSFT's fiscal quarters of calendar 2023-2024 (so MSFT has calendar years)."""
    quarters = pl.DataFrame(
        [{"ticker": t, "fiscal_year": y, "fiscal_period": p, "period_start": date.fromisoformat(a),
          "period_end": date.fromisoformat(b), "capex_usd": c * M, "revenue_usd": r * M,
          "finance_lease_additions_usd": f * M, "accession": acc}
         for t, y, p, a, b, c, r, f, acc in QUARTERS],
    )  # fmt: skip
    return pl.concat([financials, quarters], how="diagonal_relaxed")


SEGMENT_ROWS = [
    # core.segment_revenue FY rows of the snapshot 10-Ks ($M): NVDA nvda-20250126.htm (Data Center, FY2023-FY2025),
    # AMZN amzn-20241231.htm (AWS), GOOGL goog-20241231.htm (Google Cloud), 2022-2024
    ("NVDA", "2022-01-31", "2023-01-29", "srt:ProductOrServiceAxis", "nvda:DataCenterMember", 15005),
    ("NVDA", "2023-01-30", "2024-01-28", "srt:ProductOrServiceAxis", "nvda:DataCenterMember", 47525),
    ("NVDA", "2024-01-29", "2025-01-26", "srt:ProductOrServiceAxis", "nvda:DataCenterMember", 115186),
    ("AMZN", "2022-01-01", "2022-12-31", "us-gaap:StatementBusinessSegmentsAxis", "amzn:AmazonWebServicesSegmentMember", 80096),
    ("AMZN", "2023-01-01", "2023-12-31", "us-gaap:StatementBusinessSegmentsAxis", "amzn:AmazonWebServicesSegmentMember", 90757),
    ("AMZN", "2024-01-01", "2024-12-31", "us-gaap:StatementBusinessSegmentsAxis", "amzn:AmazonWebServicesSegmentMember", 107556),
    ("GOOGL", "2022-01-01", "2022-12-31", "us-gaap:StatementBusinessSegmentsAxis", "goog:GoogleCloudMember", 26280),
    ("GOOGL", "2023-01-01", "2023-12-31", "us-gaap:StatementBusinessSegmentsAxis", "goog:GoogleCloudMember", 33088),
    ("GOOGL", "2024-01-01", "2024-12-31", "us-gaap:StatementBusinessSegmentsAxis", "goog:GoogleCloudMember", 43229),
]  # fmt: skip


@pytest.fixture
def segment_revenue() -> pl.DataFrame:
    return pl.DataFrame(
        [{"ticker": t, "fiscal_period": "FY", "period_start": date.fromisoformat(a), "period_end": date.fromisoformat(b),
          "axis": axis, "member": m, "revenue_usd": v * M} for t, a, b, axis, m, v in SEGMENT_ROWS]
    )  # fmt: skip


@pytest.fixture
def ai_segments() -> pl.DataFrame:
    return pl.read_csv(SEEDS_DIR / "ai_segments.csv", infer_schema_length=0)


@pytest.fixture
def disclosures() -> pl.DataFrame:
    return pl.read_csv(SEEDS_DIR / "ai_revenue_disclosures.csv", infer_schema_length=0)


@pytest.fixture
def layoff_events() -> pl.DataFrame:
    return pl.DataFrame(
        [(s, c, t, date.fromisoformat(d), n) for s, c, t, d, n in LAYOFF_ROWS],
        schema={
            "source": pl.String,
            "company": pl.String,
            "ticker": pl.String,
            "event_date": pl.Date,
            "employees_affected": pl.Int64,
        },
        orient="row",
    )


@pytest.fixture
def layoff_coverage() -> pl.DataFrame:
    """core.layoff_coverage of the two files the layoff rows come from: the layoffs.fyi export covers
    2020-03-11 .. 2026-05-15 and the WA export 2004 .. 2026-01-06 (their file names; first notice held
    2004-01-12)."""
    return pl.DataFrame(
        [("layoffs_fyi", None, date(2020, 3, 11), date(2026, 5, 15)),
         ("warn_wa", "WA", date(2004, 1, 12), date(2026, 1, 6))],
        schema={"source": pl.String, "state": pl.String, "first_date": pl.Date, "last_date": pl.Date},
        orient="row",
    )  # fmt: skip


@pytest.fixture
def companies() -> pl.DataFrame:
    """The cohorts of the companies seed as the brief states them (ORCL included: it has no data here)."""
    cohorts = {
        "hyperscaler": ["MSFT", "GOOGL", "AMZN", "META", "ORCL"],
        "ai_supplier": ["NVDA", "AMD", "AVGO"],
    }
    return pl.DataFrame(
        [(t, c) for c, tickers in cohorts.items() for t in tickers], schema=["ticker", "cohort"], orient="row"
    )


@pytest.fixture
def companies_with_data(companies) -> pl.DataFrame:
    """The same cohorts without ORCL, whose figures are not in the extract."""
    return companies.filter(pl.col("ticker") != "ORCL")


@pytest.fixture
def assumptions() -> pl.DataFrame:
    """The seed as shipped (dbt/seeds/assumptions.csv), read the way dbt types it."""
    return pl.read_csv(SEEDS_DIR / "assumptions.csv")


@pytest.fixture
def gpu_list_prices() -> pl.DataFrame:
    return pl.read_csv(SEEDS_DIR / "gpu_list_prices.csv")


@pytest.fixture
def gpu_hardware() -> pl.DataFrame:
    rows = [
        # gpu_family, canonical gpu_model (seed gpu_models), Epoch "Hardware name", Release date,
        # Release price (USD), TDP (W)
        ("H100", "H100 SXM", "NVIDIA H100 SXM5 80GB", "2022-09-20", 33600.0, 700.0),
        ("H100", "H100 PCIe", "NVIDIA H100 PCIe", "2022-09-20", None, 350.0),
        ("H100", "H100 NVL", "NVIDIA H100 NVL", "2024-03-14", None, 400.0),
        ("A100", "A100 SXM", "NVIDIA A100 SXM4 40 GB", "2020-05-14", 15000.0, 400.0),
        ("A100", "A100 SXM", "NVIDIA A100 SXM4 80 GB", "2020-11-16", None, 400.0),
        ("H200", "H200 SXM", "NVIDIA H200 SXM", "2024-11-18", None, 700.0),
        ("B200", "B200", "NVIDIA B200", "2024-11-15", None, 1000.0),
        ("MI300X", "MI300X", "AMD Instinct MI300X", "2023-12-06", 15000.0, 750.0),
    ]
    return pl.DataFrame(
        [(f, m, n, date.fromisoformat(d), p, w, "epoch_ml_hardware.csv") for f, m, n, d, p, w in rows],
        schema={
            "gpu_family": pl.String,
            "gpu_model": pl.String,
            "hardware_name": pl.String,
            "release_date": pl.Date,
            "list_price_usd": pl.Float64,
            "tdp_watts": pl.Float64,
            "source": pl.String,
        },
        orient="row",
    )


GPU_PRICE_ROWS = [
    # observed_on, provider, region, gpu_family, gpu_model, pricing, $/GPU-h, offer (GPU PROVENANCE)
    ("2026-09-29", "aws", "us-east-1", "H100", "H100 SXM", "on_demand", 55.04 / 8, "p5.48xlarge"),
    ("2026-08-03", "azure", "eastus", "H100", "H100 SXM", "on_demand", 98.32 / 8, "ND96isr_H100_v5"),
    ("2026-09-29", "runpod", None, "H100", "H100 SXM", "secure", 3.49, "NVIDIA H100 80GB HBM3"),
    ("2026-09-29", "runpod", None, "H100", "H100 SXM", "community", 2.69, "NVIDIA H100 80GB HBM3"),
    ("2026-09-29", "runpod", None, "H100", "H100 PCIe", "secure", 2.89, "NVIDIA H100 PCIe"),
    ("2026-09-29", "runpod", None, "H100", "H100 NVL", "secure", 3.19, "NVIDIA H100 NVL"),
    ("2026-09-29", "runpod", None, "H200", "H200 SXM", "secure", 4.59, "NVIDIA H200"),
    ("2026-09-29", "runpod", None, "B200", "B200", "community", 5.98, "NVIDIA B200"),
    ("2026-09-29", "runpod", None, "MI300X", "MI300X", "secure", 2.39, "AMD Instinct MI300X OAM"),
    ("2026-09-29", "runpod", None, "MI300X", "MI300X", "community", 0.5, "AMD Instinct MI300X OAM"),
]


@pytest.fixture
def gpu_prices() -> pl.DataFrame:
    """core.gpu_prices rows as captured (AWS, Azure and RunPod bodies of the snapshot, GPU PROVENANCE)."""
    return pl.DataFrame(
        [
            {"observed_on": date.fromisoformat(d), "provider": p, "region": r, "gpu_family": f, "gpu_model": m,
             "pricing": k, "usd_per_gpu_hour": usd, "offer_id": f"{o} {k}", "comparable": True}
            for d, p, r, f, m, k, usd, o in GPU_PRICE_ROWS
        ]
    )  # fmt: skip


@pytest.fixture
def gpu_price_index() -> pl.DataFrame:
    """Index rows of single observations (so p10 = median = p90 = the published price per GPU-hour)."""
    rows = [
        (date(2026, 9, 29), "H100", "on_demand", 55.04 / 8, "aws"),
        (date(2026, 8, 3), "H100", "on_demand", 98.32 / 8, "azure"),
        (date(2026, 9, 29), "H100", "secure", 3.49, "runpod"),
        (date(2026, 9, 29), "H100", "community", 2.69, "runpod"),
        (
            date(2026, 9, 29),
            "H200",
            "secure",
            4.59,
            "runpod",
        ),  # no list price anywhere: no unit-economics row
    ]
    return pl.DataFrame(
        [
            {
                "observed_on": d,
                "gpu_family": f,
                "pricing": p,
                "offers": 1,
                "providers": 1,
                "p10_usd_per_gpu_hour": price,
                "median_usd_per_gpu_hour": price,
                "p90_usd_per_gpu_hour": price,
            }
            for d, f, p, price, _provider in rows
        ]
    )
