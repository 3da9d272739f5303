"""SYNTHETIC data for the scale benchmark: made-up companies, facts, layoffs and GPU prices. Not real figures.

    uv run python benchmarks/synthetic.py --scale 10 --out /tmp/synthetic-x10

Everything here is invented by a seeded random generator so the marts can be timed at sizes the public
data will not reach for years. Every file is named `synthetic_*.parquet`, every row carries
`synthetic = true`, companies are called "SYNTHETIC COMPANY 0001" (tickers SYN0001, CIKs from
9000000000, outside SEC's range) and URLs point at `synthetic.invalid`: nothing can be mistaken for, or
joined to, the real warehouse.

Scale factor s (the scaling target: 100x = 1,000 companies, 1 M layoff events, 10 M GPU price observations):

    companies           10 s     (every 10th in the `hyperscaler` cohort, the revenue-gap cohort)
    companyfacts facts  ~3,000 per company: fiscal years 2009-2025 of the eight metrics the concept map
                        reads (FY from 10-Ks, repeated as comparatives by the next two 10-Ks; year-to-date
                        Q1/H1/9M and three-month Q2/Q3 from 10-Qs, repeated a year later; a few restated)
                        plus as many facts the marts never read (instants, shares, EPS): the shape of
                        companyfacts.FACT_SCHEMA, ready for financials.financials_from_facts
    layoff events       10,000 s (core.layoff_events columns; ~10 % matched to a synthetic ticker)
    GPU prices          100,000 s over 5 years of days (2021-2025) across 9 providers and 10 families
                        (core.gpu_prices columns; ~3 % not comparable, ~0.1 % priced 0)

Vectorised (NumPy draws, Polars expressions), written straight to Parquet: 100x takes seconds, not minutes.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assets.sec.companyfacts import FACT_SCHEMA  # noqa: E402

SEED = 20240620  # any fixed number: the same scale gives the same bytes on every run
FIRST_FISCAL_YEAR, LAST_FISCAL_YEAR = 2009, 2025
GPU_FIRST_DAY, GPU_LAST_DAY = date(2021, 1, 1), date(2025, 12, 31)
FILES = {
    "companies": "synthetic_companies.parquet",
    "facts": "synthetic_companyfacts_facts.parquet",
    "layoff_events": "synthetic_layoff_events.parquet",
    "gpu_prices": "synthetic_gpu_prices.parquet",
}

# (metric, concept the synthetic filer tags, share of revenue, income-statement line with 3-month facts)
METRICS = [
    ("revenue_usd", "us-gaap:Revenues", 1.0, True),
    ("capex_usd", "us-gaap:PaymentsToAcquirePropertyPlantAndEquipment", None, False),
    ("operating_cash_flow_usd", "us-gaap:NetCashProvidedByUsedInOperatingActivities", 0.30, False),
    ("depreciation_usd", "us-gaap:DepreciationDepletionAndAmortization", None, False),
    ("research_development_usd", "us-gaap:ResearchAndDevelopmentExpense", 0.12, True),
    ("operating_income_usd", "us-gaap:OperatingIncomeLoss", 0.25, True),
    ("net_income_usd", "us-gaap:NetIncomeLoss", 0.20, True),
    ("stock_based_compensation_usd", "us-gaap:ShareBasedCompensation", 0.05, False),
]
# Filers switch tags between years (concepts.py): odd companies tag revenue the ASC 606 way from 2018.
REVENUE_ASC606 = "us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax"
NOISE_CONCEPTS = [  # facts the marts never read: instants, share counts, per-share figures
    ("us-gaap", "Assets", "USD", True),
    ("us-gaap", "Liabilities", "USD", True),
    ("us-gaap", "CashAndCashEquivalentsAtCarryingValue", "USD", True),
    ("us-gaap", "StockholdersEquity", "USD", True),
    ("us-gaap", "PropertyPlantAndEquipmentNet", "USD", True),
    ("us-gaap", "Goodwill", "USD", True),
    ("us-gaap", "EarningsPerShareBasic", "USD/shares", False),
    ("us-gaap", "EarningsPerShareDiluted", "USD/shares", False),
    ("us-gaap", "WeightedAverageNumberOfSharesOutstandingBasic", "shares", False),
    ("us-gaap", "IncomeTaxExpenseBenefit", "USD", False),
    ("us-gaap", "InterestExpense", "USD", False),
    ("dei", "EntityCommonStockSharesOutstanding", "shares", True),
]
FISCAL_YEAR_END_MONTHS = [12, 12, 12, 6, 9, 1, 3, 12, 10, 5]
LAYOFF_SOURCES = (["layoffs_fyi", "warn_ca", "warn_ny", "warn_wa", "warn_tx"], [0.15, 0.50, 0.05, 0.05, 0.25])
INDUSTRIES = [
    "Retail",
    "Hardware",
    "Finance",
    "Healthcare",
    "Transportation",
    "Consumer",
    "Infrastructure",
    "AI",
]
REGIONS = [("CA", "United States"), ("NY", "United States"), ("WA", "United States"), ("TX", "United States"),
           ("Ontario", "Canada"), ("Bavaria", "Germany")]  # fmt: skip
# (provider, pricing, share of observations): marketplaces list many offers a day, clouds few prices.
GPU_OFFERS = [
    ("vast", "marketplace", 0.30), ("primeintellect", "marketplace", 0.15), ("runpod", "community", 0.08),
    ("runpod", "secure", 0.08), ("aws", "on_demand", 0.05), ("aws", "spot", 0.05), ("aws", "reserved_1y", 0.02),
    ("aws_capacity_blocks", "capacity_block", 0.04), ("azure", "on_demand", 0.04), ("azure", "spot", 0.04),
    ("azure", "reserved_3y", 0.02), ("lambda", "on_demand", 0.05), ("coreweave", "on_demand", 0.04),
    ("synthetic_neocloud", "on_demand", 0.04),
]  # fmt: skip
PRICING_FACTOR = {"marketplace": 0.8, "community": 0.75, "secure": 0.95, "on_demand": 1.3, "spot": 0.6,
                  "reserved_1y": 0.9, "reserved_3y": 0.7, "capacity_block": 1.0}  # fmt: skip
# (family, model, 2021 price $/GPU-hour, year it appears)
GPU_FAMILIES = [
    ("A100", "A100 SXM4 80GB", 2.4, 2021), ("V100", "V100 SXM2", 1.2, 2021), ("A10", "A10", 0.9, 2021),
    ("L40S", "L40S", 1.6, 2023), ("H100", "H100 SXM", 6.0, 2022), ("H200", "H200 SXM", 7.0, 2024),
    ("MI300X", "MI300X", 5.0, 2024), ("B200", "B200", 9.0, 2025), ("RTX4090", "RTX 4090", 0.7, 2022),
    ("GH200", "GH200", 6.5, 2024),
]  # fmt: skip


def companies(scale: float, seed: int = SEED) -> pl.DataFrame:
    """The synthetic seed: ticker, cik, name, cohort, fiscal_year_end_month (the columns of companies.csv)."""
    n = max(1, round(10 * scale))
    index = np.arange(1, n + 1)
    return pl.DataFrame(
        {
            "ticker": [f"SYN{i:04d}" for i in index],
            "cik": [f"{9_000_000_000 + i:010d}" for i in index],
            "name": [f"SYNTHETIC COMPANY {i:04d}" for i in index],
            "cohort": np.where(index % 10 == 1, "hyperscaler", "synthetic_other"),
            "fiscal_year_end_month": np.array(FISCAL_YEAR_END_MONTHS)[index % len(FISCAL_YEAR_END_MONTHS)],
            "note": "SYNTHETIC: generated by benchmarks/synthetic.py, not a real company",
        },
        schema_overrides={"fiscal_year_end_month": pl.Int32},
    ).with_columns(synthetic=pl.lit(True))


def facts(company_rows: pl.DataFrame, seed: int = SEED) -> pl.DataFrame:
    """Companyfacts-shaped tidy facts (companyfacts.FACT_SCHEMA + `synthetic`) for every company."""
    rng = np.random.default_rng(seed + 1)
    n = company_rows.height
    years = pl.DataFrame(
        {"fiscal_year": range(FIRST_FISCAL_YEAR, LAST_FISCAL_YEAR + 1)}, schema={"fiscal_year": pl.Int32}
    )
    base = company_rows.select("cik", entity_name="name", month="fiscal_year_end_month").with_columns(
        company=pl.int_range(pl.len()),
        revenue_2009=pl.Series(np.exp(rng.normal(np.log(5e9), 1.2, n))),
        growth=pl.Series(rng.normal(0.08, 0.05, n)),
        capex_share=pl.Series(rng.uniform(0.03, 0.15, n)),
    )
    grid = base.join(years, how="cross")
    g = grid.height
    # Capex jumps from fiscal 2023 (the AI build-out); each year splits into four quarterly shares.
    t = (grid["fiscal_year"] - FIRST_FISCAL_YEAR).to_numpy()
    revenue = (
        grid["revenue_2009"].to_numpy() * (1 + grid["growth"].to_numpy()) ** t * rng.lognormal(0, 0.05, g)
    )
    capex = (
        revenue * grid["capex_share"].to_numpy() * np.where(grid["fiscal_year"].to_numpy() >= 2023, 1.8, 1.0)
    )
    quarter_shares = rng.dirichlet([40, 40, 40, 40], g)  # each row sums to 1: Q1..Q4 of the year
    fy_end = pl.date(pl.col("fiscal_year"), pl.col("month"), 1).dt.month_end()
    grid = grid.with_columns(
        revenue=pl.Series(revenue), capex=pl.Series(capex),
        q1=pl.Series(quarter_shares[:, 0]), q2=pl.Series(quarter_shares[:, 1]), q3=pl.Series(quarter_shares[:, 2]),
        fy_start=pl.date(pl.col("fiscal_year") - 1, pl.col("month"), 1).dt.month_end() + pl.duration(days=1),
        fy_end=fy_end,
    ).with_columns(
        *(
            (pl.col("fy_start").dt.offset_by(f"{3 * k}mo") - pl.duration(days=1)).alias(f"q{k}_end")
            for k in (1, 2, 3)
        )
    )  # fmt: skip

    per_metric = []
    for metric, concept, share, income_statement in METRICS:
        if metric == "capex_usd":
            value = pl.col("capex")
        elif metric == "depreciation_usd":
            value = pl.col("capex") * 0.6
        else:
            value = pl.col("revenue") * share
        if metric == "revenue_usd":
            concept = (
                pl.when((pl.col("company") % 2 == 1) & (pl.col("fiscal_year") >= 2018))
                .then(pl.lit(REVENUE_ASC606))
                .otherwise(pl.lit(concept))
            )
        else:
            concept = pl.lit(concept)
        per_metric.append(
            grid.with_columns(tag=concept, fy_value=value, income_statement=pl.lit(income_statement))
        )
    metric_rows = pl.concat(per_metric)

    # One row per (period, filing that reported it): FY in three 10-Ks, year-to-date and 3-month in two 10-Qs.
    ids = ["cik", "entity_name", "tag", "fiscal_year"]
    h1 = pl.col("q1") + pl.col("q2")
    periods = [
        metric_rows.select(*ids, start="fy_start", end="fy_end", value="fy_value", fp=pl.lit("FY"),
                           form=pl.lit("10-K"), versions=pl.lit(3)),
        *(
            metric_rows.select(*ids, start="fy_start", end=f"q{k}_end", value=pl.col("fy_value") * share,
                               fp=pl.lit(f"Q{k}"), form=pl.lit("10-Q"), versions=pl.lit(2))
            for k, share in ((1, pl.col("q1")), (2, h1), (3, h1 + pl.col("q3")))
        ),
        *(
            metric_rows.filter("income_statement").select(
                *ids, start=pl.col(f"q{k - 1}_end") + pl.duration(days=1), end=f"q{k}_end",
                value=pl.col("fy_value") * pl.col(f"q{k}"), fp=pl.lit(f"Q{k}"), form=pl.lit("10-Q"),
                versions=pl.lit(2))
            for k in (2, 3)
        ),
    ]  # fmt: skip
    mapped = pl.concat(periods)
    noise = _noise_facts(grid, rng)
    rows = pl.concat([mapped.with_columns(unit=pl.lit("USD")), noise], how="diagonal_relaxed")
    # Each version is a later filing: the next year's 10-K/10-Q repeats the period as a comparative.
    rows = rows.join(pl.DataFrame({"version": [0, 1, 2]}, schema={"version": pl.Int32}), how="cross").filter(
        pl.col("version") < pl.col("versions")
    )
    restated = pl.Series(rng.random(rows.height) < 0.03)  # ~3 % of later versions restate the figure by 1 %
    filed = pl.col("end") + pl.duration(days=pl.when(pl.col("form") == "10-K").then(60).otherwise(40))
    return (
        rows.with_columns(restated=restated)
        .select(
            "cik",
            "entity_name",
            pl.col("tag").str.split_exact(":", 1).struct.field("field_0").alias("taxonomy"),
            pl.col("tag").str.split_exact(":", 1).struct.field("field_1").alias("concept"),
            "unit",
            pl.col("start").alias("period_start"),
            pl.col("end").alias("period_end"),
            pl.when(pl.col("restated") & (pl.col("version") > 0)).then(pl.col("value") * 1.01)
            .otherwise(pl.col("value")).round(0).alias("value"),
            pl.format("{}-{}-{}", pl.col("cik"), (pl.col("fiscal_year") + pl.col("version")) % 100,
                      pl.col("fp")).alias("accession"),
            (pl.col("fiscal_year") + pl.col("version")).alias("fiscal_year_of_filing"),
            pl.col("fp").alias("fiscal_period_of_filing"),
            "form",
            filed.dt.offset_by(pl.format("{}y", pl.col("version"))).alias("filed"),
            pl.when(pl.col("version") == 0).then(pl.format("CY{}", pl.col("end").dt.year())).alias("frame"),
        )
        .cast(FACT_SCHEMA)
        .with_columns(synthetic=pl.lit(True))
    )  # fmt: skip


def _noise_facts(grid: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """The facts the marts never read, as many as the mapped ones: one per concept, fiscal year and filing."""
    rows = grid.select("cik", "entity_name", "fiscal_year", "fy_start", "fy_end", "q1_end", "q2_end", "q3_end",
                       "revenue")  # fmt: skip
    concepts = pl.DataFrame(
        {
            "tag": [f"{t}:{c}" for t, c, _, _ in NOISE_CONCEPTS],
            "unit": [u for _, _, u, _ in NOISE_CONCEPTS],
            "instant": [i for _, _, _, i in NOISE_CONCEPTS],
        }
    )
    filings = pl.DataFrame({"fp": ["Q1", "Q2", "Q3", "FY"], "k": [1, 2, 3, 4]})
    noise = rows.join(concepts, how="cross").join(filings, how="cross")
    end = (
        pl.when(pl.col("k") == 4)
        .then("fy_end")
        .otherwise(
            pl.when(pl.col("k") == 1).then("q1_end").when(pl.col("k") == 2).then("q2_end").otherwise("q3_end")
        )
    )
    return noise.select(
        "cik",
        "entity_name",
        "fiscal_year",
        "tag",
        "unit",
        pl.when(~pl.col("instant")).then("fy_start").alias("start"),
        end.alias("end"),
        (pl.col("revenue") * pl.Series(rng.uniform(0.01, 2.0, noise.height))).alias("value"),
        "fp",
        pl.when(pl.col("k") == 4).then(pl.lit("10-K")).otherwise(pl.lit("10-Q")).alias("form"),
        pl.lit(2).alias("versions"),
    )


def layoff_events(scale: float, company_rows: pl.DataFrame, seed: int = SEED) -> pl.DataFrame:
    """core.layoff_events-shaped rows: 10,000 x scale events 2015-2025, ~10 % matched to a synthetic ticker."""
    rng = np.random.default_rng(seed + 2)
    n = round(10_000 * scale)
    company = rng.integers(0, company_rows.height, n)
    sources, weights = LAYOFF_SOURCES
    region = rng.integers(0, len(REGIONS), n)
    draws = pl.DataFrame(
        {
            "n": pl.int_range(n, eager=True),
            "source": pl.Series(sources).gather(rng.choice(len(sources), n, p=weights)),
            "matched": rng.random(n) < 0.10,
            "company_name": company_rows["name"].gather(company),
            "company_ticker": company_rows["ticker"].gather(company),
            "employer": rng.integers(
                1, max(2, n // 5), n
            ),  # unmatched employers repeat, as in the WARN files
            "event_date": _days(date(2015, 1, 1), rng.integers(0, 4018, n)),  # 2015-01-01 .. 2025-12-31
            "employees": np.round(np.exp(rng.normal(4.0, 1.2, n))).astype(np.int64) + 1,
            "count_missing": rng.random(n) < 0.05,
            "percentage": np.round(rng.uniform(0.01, 0.5, n), 3),
            "region": pl.Series([r for r, _ in REGIONS]).gather(region),
            "country": pl.Series([c for _, c in REGIONS]).gather(region),
            "industry": pl.Series(INDUSTRIES).gather(rng.integers(0, len(INDUSTRIES), n)),
        }
    )
    fyi = pl.col("source") == "layoffs_fyi"
    return draws.select(
        pl.format("synthetic-{}", "n").alias("event_id"),
        "source",
        pl.when("matched").then("company_name").otherwise(pl.format("SYNTHETIC EMPLOYER {}", "employer"))
        .alias("company"),
        pl.when("matched").then("company_ticker").alias("ticker"),
        "event_date",
        pl.when(~fyi).then(pl.col("event_date") + pl.duration(days=60)).alias("effective_date"),
        pl.when(~pl.col("count_missing")).then("employees").alias("employees_affected"),
        pl.when(fyi).then("percentage").alias("percentage"),
        pl.lit(None, pl.String).alias("location"),
        "region",
        "country",
        "industry",
        pl.format("https://synthetic.invalid/layoffs/{}", "n").alias("source_url"),
        pl.lit(True).alias("synthetic"),
    )  # fmt: skip


def _days(first: date, offsets: np.ndarray) -> pl.Series:
    """first + offsets days, as a Date series (vectorised: Date is days since 1970-01-01)."""
    return pl.Series(offsets + (first - date(1970, 1, 1)).days).cast(pl.Int32).cast(pl.Date)


def gpu_prices(scale: float, seed: int = SEED) -> pl.DataFrame:
    """core.gpu_prices-shaped rows: 100,000 x scale observations over 2021-2025, prices falling ~25 % a year."""
    rng = np.random.default_rng(seed + 3)
    n = round(100_000 * scale)
    day_count = (GPU_LAST_DAY - GPU_FIRST_DAY).days + 1
    day = np.sort(rng.integers(0, day_count, n))  # sorted by day, as landed captures are
    offer = rng.choice(
        len(GPU_OFFERS), n, p=np.array([w for *_, w in GPU_OFFERS]) / sum(w for *_, w in GPU_OFFERS)
    )
    years = day / 365.25
    first_year = np.array([y for *_, y in GPU_FAMILIES]) - GPU_FIRST_DAY.year
    # A family is only listed from the year it ships: a draw of a family not out yet becomes an A100.
    family = rng.integers(0, len(GPU_FAMILIES), n)
    family[first_year[family] > years] = 0
    base_price = np.array([p for *_, p, _ in GPU_FAMILIES])[family]
    pricing = pl.Series([p for _, p, _ in GPU_OFFERS]).gather(offer)
    factor = pricing.replace_strict(PRICING_FACTOR, return_dtype=pl.Float64).to_numpy()
    price = (
        base_price
        * factor
        * np.exp(-0.29 * (years - np.maximum(first_year[family], 0)))
        * rng.lognormal(0, 0.2, n)
    )
    price[rng.random(n) < 0.001] = 0.0  # a scraper artefact the index must skip
    gpu_count = np.array([1, 2, 4, 8])[rng.choice(4, n, p=[0.4, 0.15, 0.15, 0.3])]
    return pl.DataFrame(
        {
            "observed_on": _days(GPU_FIRST_DAY, day),
            "provider": pl.Series([p for p, _, _ in GPU_OFFERS]).gather(offer),
            "gpu_family": pl.Series([f for f, *_ in GPU_FAMILIES]).gather(family),
            "gpu_model": pl.Series([m for _, m, *_ in GPU_FAMILIES]).gather(family),
            "gpu_count": gpu_count.astype(np.int64),
            "pricing": pricing,
            "region": pl.Series(["us-east-1", "eastus", "us-west-2", "eu-central-1", "unknown"]).gather(
                rng.integers(0, 5, n)
            ),
            "usd_per_gpu_hour": np.round(price, 4),
            "comparable": rng.random(n) >= 0.03,
        }
    ).with_columns(
        instance_type=pl.lit(None, pl.String),
        usd_per_instance_hour=pl.col("usd_per_gpu_hour") * pl.col("gpu_count"),
        origin=pl.lit("https://synthetic.invalid/gpu-prices"),
        row_number=pl.int_range(1, pl.len() + 1),
        synthetic=pl.lit(True),
    )


def generate(scale: float, out: Path, seed: int = SEED) -> dict[str, Path]:
    """Write the four synthetic tables of `scale` to `out` (reused when already there); their paths by name."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {name: out / file for name, file in FILES.items()}
    if all(p.exists() for p in paths.values()):
        return paths
    company_rows = companies(scale, seed)
    tables = {
        "companies": lambda: company_rows,
        "facts": lambda: facts(company_rows, seed),
        "layoff_events": lambda: layoff_events(scale, company_rows, seed),
        "gpu_prices": lambda: gpu_prices(scale, seed),
    }
    for name, build in tables.items():
        frame = build()
        tmp = paths[name].with_suffix(".parquet.part")
        frame.write_parquet(tmp, compression="zstd", statistics=True)
        tmp.replace(paths[name])
        del frame
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--scale", type=float, default=1.0, help="1 = 10 companies, 10k layoffs, 100k GPU prices"
    )
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    started = time.perf_counter()
    paths = generate(args.scale, args.out, args.seed)
    for name, path in paths.items():
        rows = pl.scan_parquet(path).select(pl.len()).collect().item()
        print(f"{path}: {rows:,} SYNTHETIC {name} rows, {path.stat().st_size / 1e6:.1f} MB")
    print(f"generated in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
