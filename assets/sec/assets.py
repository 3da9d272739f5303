"""SEC as Dagster assets: landing -> raw.sec_facts / raw.sec_10k_documents / raw.sec_segment_facts /
raw.sec_company_tickers / raw.sec_rejects -> core.financials_by_source -> core.financials ->
core.financials_calendar, core.coverage; core.segment_revenue; core.financial_facts_history; with their
blocking checks (valid keys and non-negative capex; the two routes agree).

Companyfacts bodies replace their predecessor (the newest per CIK is in force; it lists every filing's
version of each fact, so the history needs no older body). Every landed 10-K stays in force, one per
filing. The logic lives in the pure modules; these assets only move frames between them.
"""

import re
import warnings
from datetime import date

import dagster as dg
import polars as pl

from assets.sec.calendar import financials_calendar, with_capex_incl_finance_leases
from assets.sec.companies import parse_company_tickers, read_companies, with_unlisted_companies
from assets.sec.companyfacts import FACT_SCHEMA, parse_companyfacts
from assets.sec.coverage import coverage
from assets.sec.financials import HISTORY_SCHEMA, facts_history, financials_from_10ks, financials_from_facts
from assets.sec.ixbrl import DOCUMENT_SCHEMA, SEGMENT_COLUMNS, parse_10k, parse_10k_text, parse_10q
from assets.sec.reconcile import combine_financials, disagreements
from assets.sec.segments import segment_revenue
from assets.sec.source import SOURCE
from pipelines.checks import load_build_table, row_count_check, table_check
from pipelines.landing_asset import landing_asset
from pipelines.parse_loop import parse_bodies
from pipelines.parsed import Parsed
from pipelines.settings import CapexSettings

RAW_FACTS = dg.AssetIn(key=["raw", "sec_facts"])
RAW_DOCUMENTS = dg.AssetIn(key=["raw", "sec_10k_documents"])
RAW_TICKERS = dg.AssetIn(key=["raw", "sec_company_tickers"])
RAW_SEGMENT_FACTS = dg.AssetIn(key=["raw", "sec_segment_facts"])
CORE_FINANCIALS = dg.AssetIn(key=["core", "financials"])
LINEAGE = {"source": pl.String, "landed_sha256": pl.String, "observed_as_of": pl.String}
TICKER_SCHEMA = {"ticker": pl.String, "cik": pl.String, "name": pl.String}
FILING_KINDS = ("sec-10k", "sec-10q", "sec-10k-text")

landing_sec = landing_asset(
    SOURCE,
    description="The SEC bodies in force: the newest companyfacts and submissions per CIK, every landed 10-K, "
    "the ticker map (fetched live per company of the seed unless offline).",
)


def _ten_k_filing_date(body) -> date | None:
    """A 10-K states no filing date: a fetched or embedded one is landed with it as as_of; an import's as_of is
    only the day it was imported, so its filing date stays unknown (NULL)."""
    return date.fromisoformat(body.as_of) if body.via in ("snapshot", "fetch") else None


def _parse_filing(raw: bytes, origin: str, *, body) -> Parsed:
    """A landed 10-K, 10-Q or pre-inline-XBRL 10-K (landed by live mode as CIK##########-10K-<fiscal year end>):
    its facts as rows, its document row and segment facts as side tables."""
    filed = _ten_k_filing_date(body)
    if body.kind == "sec-10q":
        tenk = parse_10q(raw, origin, filed=filed)
    elif body.kind == "sec-10k-text":
        entity = re.fullmatch(r"CIK(\d{10})-10K-(\d{4}-\d{2}-\d{2})", body.entity)
        tenk = parse_10k_text(
            raw,
            origin,
            cik=entity.group(1) if entity else None,
            period_end=date.fromisoformat(entity.group(2)) if entity else None,
            filed=filed,
        )
    else:
        tenk = parse_10k(raw, origin, filed=filed)
    return Parsed(
        tenk.facts.with_columns(source=pl.lit("ixbrl")),
        tenk.rejects,
        {"documents": tenk.document(), "segment_facts": tenk.segment_facts},
    )


@dg.multi_asset(
    outs={
        "raw_sec_facts": dg.AssetOut(
            key=["raw", "sec_facts"],
            kinds={"polars"},
            description="Every XBRL fact of every companyfacts body and every 10-K in force, tidy: one row per concept, "
            "unit, period and filing, `source` companyfacts or ixbrl (non-dimensional iXBRL facts only).",
        ),
        "raw_sec_10k_documents": dg.AssetOut(
            key=["raw", "sec_10k_documents"],
            kinds={"polars"},
            description="One row per 10-K or 10-Q document: company, period end, form, accession, facts read, and (10-K) "
            "the headcount with the sentence of the Human Capital section it was read from.",
        ),
        "raw_sec_segment_facts": dg.AssetOut(
            key=["raw", "sec_segment_facts"],
            kinds={"polars"},
            description="Revenue facts of every 10-K and 10-Q document whose context has exactly one explicit member "
            "on us-gaap:StatementBusinessSegmentsAxis or srt:ProductOrServiceAxis (axis, member as filed).",
        ),
        "raw_sec_company_tickers": dg.AssetOut(
            key=["raw", "sec_company_tickers"],
            kinds={"polars"},
            description="SEC's ticker map (company_tickers.json): names companies found in filings but not in the seed.",
        ),
        "raw_sec_rejects": dg.AssetOut(
            key=["raw", "sec_rejects"],
            kinds={"polars"},
            description="SEC bodies refused whole (truncated JSON, a 10-K without inline XBRL) and iXBRL numbers whose "
            "text could not be read, with origin, field and why.",
        ),
    },
    group_name="sec",
)
def sec_parsed(context: dg.AssetExecutionContext, landing_sec: pl.DataFrame):
    companyfacts = parse_bodies(context, landing_sec, "sec-companyfacts", parse_companyfacts)
    filings = parse_bodies(context, landing_sec, FILING_KINDS, _parse_filing)
    ticker_maps = parse_bodies(context, landing_sec, "sec-company-tickers", parse_company_tickers)
    frames = [companyfacts.rows.with_columns(source=pl.lit("companyfacts")), filings.rows]
    frames = [f for f in frames if f.height]
    facts = (
        pl.concat(frames, how="diagonal_relaxed")
        if frames
        else pl.DataFrame(schema={**FACT_SCHEMA, **LINEAGE})
    )
    documents = filings.tables.get("documents", pl.DataFrame(schema=DOCUMENT_SCHEMA)).select(
        list(DOCUMENT_SCHEMA)
    )
    segment_facts = filings.tables.get(
        "segment_facts", pl.DataFrame(schema={**FACT_SCHEMA, **SEGMENT_COLUMNS, "landed_sha256": pl.String})
    )
    reject_rows = pl.concat([companyfacts.rejects, filings.rejects, ticker_maps.rejects])
    context.log.info(
        f"sec: {facts.filter(pl.col('source') == 'companyfacts')['cik'].n_unique()} companyfacts bodies, "
        f"{documents.height} 10-Ks, {facts.height:,} facts, {reject_rows.height} held out"
    )
    # The ticker map in force is the last landed one (it replaces its predecessor).
    tickers = (
        ticker_maps.rows.filter(pl.col("landed_sha256") == ticker_maps.rows["landed_sha256"][-1]).select(
            list(TICKER_SCHEMA)
        )
        if ticker_maps.rows.height
        else pl.DataFrame(schema=TICKER_SCHEMA)
    )
    return facts.select(*FACT_SCHEMA, *LINEAGE), documents, segment_facts, tickers, reject_rows


def sec_companies(facts: pl.DataFrame, documents: pl.DataFrame, tickers: pl.DataFrame) -> pl.DataFrame:
    """The seed, plus any company a landed filing names that the seed does not."""
    ciks = sorted(set(facts["cik"].unique().to_list()) | set(documents["cik"].unique().to_list()))
    return with_unlisted_companies(read_companies(), ciks, tickers)


@dg.multi_asset(
    outs={
        "core_financials_by_source": dg.AssetOut(
            key=["core", "financials_by_source"],
            kinds={"polars"},
            description="core.financials as each route gives it, before combining: `source` companyfacts (every "
            "10-K/10-Q) or ixbrl (the 10-K documents). The reconciliation check compares the two.",
        ),
        "core_financials": dg.AssetOut(
            key=["core", "financials"],
            kinds={"polars"},
            description="One row per ticker, fiscal year and period (FY, discrete Q1..Q4), latest filing per period: "
            "capex (gross), revenue, operating cash flow, D&A, R&D, operating and net income, stock-based "
            "compensation, finance-lease additions and principal payments, property-sale proceeds, "
            "capex_incl_finance_leases_usd (with finance_lease_concept), and the 10-K headcount on FY rows with "
            "the sentence it was read from. Companyfacts first; 10-K/10-Q inline XBRL for periods it lacks.",
        ),
    },
    ins={
        "raw_sec_facts": RAW_FACTS,
        "raw_sec_10k_documents": RAW_DOCUMENTS,
        "raw_sec_company_tickers": RAW_TICKERS,
    },
    group_name="sec",
)
def sec_financials(
    context: dg.AssetExecutionContext,
    raw_sec_facts: pl.DataFrame,
    raw_sec_10k_documents: pl.DataFrame,
    raw_sec_company_tickers: pl.DataFrame,
):
    companies = sec_companies(raw_sec_facts, raw_sec_10k_documents, raw_sec_company_tickers)
    found = set(raw_sec_facts["cik"].to_list()) | set(raw_sec_10k_documents["cik"].to_list())
    for ticker, cik in companies.select("ticker", "cik").iter_rows():
        if cik not in found:
            context.log.warning(f"sec: {ticker} (CIK {cik}) has no companyfacts or 10-K landed; skipped")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        by_companyfacts = financials_from_facts(
            raw_sec_facts.filter(pl.col("source") == "companyfacts"), companies
        )
        by_ixbrl = financials_from_10ks(
            raw_sec_facts.filter(pl.col("source") == "ixbrl"), raw_sec_10k_documents, companies
        )
    for warning in caught:
        context.log.warning(f"sec: {warning.message}")
    combined = with_capex_incl_finance_leases(combine_financials(by_companyfacts, by_ixbrl)).with_columns(
        employees_source_text=pl.col("employees_sentence")  # the name BI users get, beside the older one
    )
    context.log.info(
        f"sec: core.financials {combined.height} rows for {combined['ticker'].n_unique()} companies "
        f"({by_companyfacts.height} from companyfacts, {by_ixbrl.height} from 10-Ks before combining)"
    )
    return pl.concat([by_companyfacts, by_ixbrl]), combined


@dg.asset(
    key=["core", "financial_facts_history"],
    ins={
        "raw_sec_facts": RAW_FACTS,
        "raw_sec_10k_documents": RAW_DOCUMENTS,
        "raw_sec_company_tickers": RAW_TICKERS,
    },
    group_name="sec",
    kinds={"polars"},
    description="Every version of every fact the financials use: one row per filing that reported it, with the "
    "value as first reported and as latest reported (accessions, filing dates) and whether it was restated.",
)
def core_financial_facts_history(
    raw_sec_facts: pl.DataFrame, raw_sec_10k_documents: pl.DataFrame, raw_sec_company_tickers: pl.DataFrame
) -> pl.DataFrame:
    companies = sec_companies(raw_sec_facts, raw_sec_10k_documents, raw_sec_company_tickers).select(
        "cik", "ticker"
    )
    history = facts_history(raw_sec_facts) if raw_sec_facts.height else pl.DataFrame(schema=HISTORY_SCHEMA)
    return history.join(companies, on="cik", how="left").select("ticker", *HISTORY_SCHEMA)


@dg.asset(
    key=["core", "segment_revenue"],
    ins={
        "raw_sec_segment_facts": RAW_SEGMENT_FACTS,
        "raw_sec_facts": RAW_FACTS,
        "raw_sec_10k_documents": RAW_DOCUMENTS,
        "raw_sec_company_tickers": RAW_TICKERS,
    },
    group_name="sec",
    kinds={"polars"},
    description="Revenue per business segment and product line, one row per ticker, fiscal year, period (FY, "
    "discrete Q1..Q4), axis and member, from the 10-K/10-Q inline XBRL; latest filing per period; readable "
    "`segment` label (the seed ai_segments' where it lists the member, and `ai_relevant`).",
    owners=["team:data"],
)
def core_segment_revenue(
    raw_sec_segment_facts: pl.DataFrame,
    raw_sec_facts: pl.DataFrame,
    raw_sec_10k_documents: pl.DataFrame,
    raw_sec_company_tickers: pl.DataFrame,
) -> pl.DataFrame:
    companies = sec_companies(raw_sec_facts, raw_sec_10k_documents, raw_sec_company_tickers)
    return segment_revenue(raw_sec_segment_facts, companies)


@dg.asset(
    key=["core", "financials_calendar"],
    ins={"financials": CORE_FINANCIALS},
    group_name="sec",
    kinds={"polars"},
    description="One row per ticker and calendar quarter: each discrete fiscal quarter of core.financials in the "
    "calendar quarter holding most of its days, its money columns, and ttm_* sums of the last four calendar "
    "quarters (NULL unless all four exist). Cross-company totals use this, not fiscal years.",
    owners=["team:data"],
)
def core_financials_calendar(financials: pl.DataFrame) -> pl.DataFrame:
    return financials_calendar(financials)


@dg.asset(
    key=["core", "coverage"],
    ins={"financials": CORE_FINANCIALS, "raw_sec_facts": RAW_FACTS, "raw_sec_10k_documents": RAW_DOCUMENTS},
    group_name="sec",
    kinds={"polars"},
    description="One row per company of the seed: first and last period held, the filings behind them, `missing` "
    "TRUE when the landing zone holds no filing of it, and fiscal years ended but not filed (held) yet.",
    owners=["team:data"],
)
def core_coverage(
    financials: pl.DataFrame, raw_sec_facts: pl.DataFrame, raw_sec_10k_documents: pl.DataFrame
) -> pl.DataFrame:
    filings = pl.concat(
        [
            raw_sec_facts.filter(pl.col("form").is_in(["10-K", "10-K/A", "10-Q", "10-Q/A"])).select(
                "cik", "accession"
            ),
            raw_sec_10k_documents.select(
                "cik",
                pl.coalesce(
                    "accession", pl.format("{} for {}", "form", pl.col("fiscal_period_end").cast(pl.String))
                ).alias("accession"),
            ),
        ]
    )
    return coverage(read_companies(), financials, filings)


segment_revenue_valid = table_check(
    ["core", "segment_revenue"],
    "segment_revenue_valid",
    [
        ("expect_column_values_to_not_be_null", {"column": "ticker"}),
        ("expect_column_values_to_not_be_null", {"column": "revenue_usd"}),
        (
            "expect_column_values_to_be_in_set",
            {"column": "fiscal_period", "value_set": ["FY", "Q1", "Q2", "Q3", "Q4"]},
        ),
        (
            "expect_column_values_to_be_in_set",
            {
                "column": "axis",
                "value_set": ["us-gaap:StatementBusinessSegmentsAxis", "srt:ProductOrServiceAxis"],
            },
        ),
        (
            "expect_compound_columns_to_be_unique",
            {"column_list": ["ticker", "fiscal_year", "fiscal_period", "axis", "member"]},
        ),
    ],
    description="one row per ticker, fiscal year, period, axis and member; a revenue on every row",
)
financials_calendar_valid = table_check(
    ["core", "financials_calendar"],
    "financials_calendar_valid",
    [
        (
            "expect_compound_columns_to_be_unique",
            {"column_list": ["ticker", "calendar_year", "calendar_quarter"]},
        ),
        (
            "expect_column_values_to_be_between",
            {"column": "calendar_quarter", "min_value": 1, "max_value": 4},
        ),
        ("expect_column_values_to_be_between", {"column": "capex_usd", "min_value": 0}),
    ],
    description="one row per ticker and calendar quarter (1-4); capex never negative",
)


financials_valid = table_check(
    ["core", "financials"],
    "financials_valid",
    [
        ("expect_column_values_to_not_be_null", {"column": "ticker"}),
        ("expect_column_values_to_not_be_null", {"column": "fiscal_year"}),
        (
            "expect_column_values_to_be_in_set",
            {"column": "fiscal_period", "value_set": ["FY", "Q1", "Q2", "Q3", "Q4"]},
        ),
        ("expect_compound_columns_to_be_unique", {"column_list": ["ticker", "fiscal_year", "fiscal_period"]}),
        ("expect_column_values_to_be_between", {"column": "capex_usd", "min_value": 0}),
        ("expect_column_values_to_be_between", {"column": "employees", "min_value": 1}),
        ("expect_column_values_to_be_in_set", {"column": "source", "value_set": ["companyfacts", "ixbrl"]}),
    ],
    description="one row per ticker, fiscal year and period; capex never negative; headcount positive where stated",
)
financials_rows = row_count_check(["core", "financials"])


@dg.asset_check(
    asset=dg.AssetKey(["core", "financials_by_source"]),
    name="companyfacts_and_ixbrl_agree",
    blocking=True,
    additional_ins={"raw_sec_facts": RAW_FACTS},
    description="where companyfacts and a 10-K's inline XBRL give the same metric from the same concept for the "
    "same period, the values are equal (compared with companyfacts' version from that same filing when it has it)",
)
def companyfacts_and_ixbrl_agree(
    context: dg.AssetCheckExecutionContext, settings: CapexSettings, raw_sec_facts: pl.DataFrame
) -> dg.AssetCheckResult:
    by_source = load_build_table(context, settings, dg.AssetKey(["core", "financials_by_source"]))
    found = disagreements(
        by_source.filter(pl.col("source") == "companyfacts"),
        by_source.filter(pl.col("source") == "ixbrl"),
        raw_sec_facts.filter(pl.col("source") == "companyfacts"),
    )
    lines = [
        f"{r['ticker']} FY{r['fiscal_year']} {r['fiscal_period']} {r['concept']}: companyfacts {r['companyfacts_value']:,.0f} "
        f"({r['companyfacts_accession']}) vs ixbrl {r['ixbrl_value']:,.0f} ({r['ixbrl_accession']})"
        for r in found.head(20).iter_rows(named=True)
    ]
    return dg.AssetCheckResult(
        passed=not found.height,
        description=("core.financials: companyfacts and 10-K disagree: " + "; ".join(lines))
        if lines
        else "core.financials: companyfacts and 10-K inline XBRL agree wherever both give a value",
        metadata={"disagreements": found.height},
    )


@dg.asset_check(
    asset=dg.AssetKey(["core", "financials"]),
    name="quarters_add_up_to_the_year",
    blocking=False,
    description="for every company and fiscal year with four quarters of capex, Q1+Q2+Q3+Q4 equals FY exactly",
)
def quarters_add_up_to_the_year(
    context: dg.AssetCheckExecutionContext, settings: CapexSettings
) -> dg.AssetCheckResult:
    fin = load_build_table(context, settings, dg.AssetKey(["core", "financials"]))
    sums = (
        fin.filter(pl.col("fiscal_period") != "FY", pl.col("capex_usd").is_not_null())
        .group_by("ticker", "fiscal_year")
        .agg(quarters=pl.len(), quarters_usd=pl.col("capex_usd").sum())
        .filter(pl.col("quarters") == 4)
        .join(
            fin.filter(pl.col("fiscal_period") == "FY").select("ticker", "fiscal_year", "capex_usd"),
            on=["ticker", "fiscal_year"],
        )
    )
    off = sums.filter(pl.col("quarters_usd") != pl.col("capex_usd")).sort("ticker", "fiscal_year")
    return dg.AssetCheckResult(
        passed=not off.height,
        severity=dg.AssetCheckSeverity.WARN,
        description=(
            "core.financials: quarters do not add up to FY capex for "
            + ", ".join(f"{t} FY{y} ({q:,.0f} vs {v:,.0f})" for t, y, _, q, v in off.head(10).iter_rows())
        )
        if off.height
        else f"core.financials: {sums.height} fiscal years, quarters add up exactly",
        metadata={"years_checked": sums.height, "years_off": off.height},
    )
