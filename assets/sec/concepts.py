"""Which XBRL concepts give each metric of core.financials, in order of preference.

Filers switch tags between years (Alphabet tagged revenue `Revenues` in its FY2021 and FY2025 10-Ks
and `RevenueFromContractWithCustomerExcludingAssessedTax` in between; NVIDIA moved capex to
`PaymentsToAcquireProductiveAssets` in its FY2024 10-K), so `financials.py` chooses a concept per
company and fiscal year, never once per company: the first concept in the list that has the year's
value serves the year and its quarters, and a quarter it lacks falls back down the list.

Names are `taxonomy:Concept`. Companyfacts carries only standard taxonomies (us-gaap, dei, srt), so a
filer's own extension (amzn:...) is only ever found in the inline XBRL of its 10-K.
"""

from __future__ import annotations

METRIC_CONCEPTS: dict[str, list[str]] = {
    "capex_usd": [
        # "Purchases of property and equipment", gross: Microsoft, Alphabet, Meta, Apple, Oracle, Tesla, CoreWeave.
        "us-gaap:PaymentsToAcquirePropertyPlantAndEquipment",
        # Amazon (since 2016) and NVIDIA (from its FY2024 10-K, which also re-tagged FY2022-FY2023 this way;
        # its label "...property and equipment and intangible assets" includes intangibles).
        "us-gaap:PaymentsToAcquireProductiveAssets",
    ],
    "revenue_usd": [
        # Revenues is the taxonomy's total; RevenueFromContractWithCustomer... excludes lease and other
        # non-contract revenue (Tesla's leasing, Alphabet's RevenueNotFromContractWithCustomer from 2025), so
        # where a filer tags both, Revenues is the income-statement top line. Equal wherever both exist in
        # the MSFT/GOOGL/NVDA companyfacts.
        "us-gaap:Revenues",
        "us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax",  # ASC 606 (2018 on): MSFT, AMZN, META, AAPL
        "us-gaap:RevenueFromContractWithCustomerIncludingAssessedTax",
        "us-gaap:SalesRevenueNet",  # before ASC 606 (Microsoft FY2011-FY2018)
    ],
    "operating_cash_flow_usd": [
        "us-gaap:NetCashProvidedByUsedInOperatingActivities",
        "us-gaap:NetCashProvidedByUsedInOperatingActivitiesContinuingOperations",
    ],
    "depreciation_usd": [
        # The cash-flow add-back (depreciation and amortization) where the filer tags it (NVIDIA); Microsoft's
        # "Depreciation, amortization, and other" is not a us-gaap tag, so Microsoft and Alphabet fall to
        # Depreciation (of property and equipment, from the PP&E note).
        "us-gaap:DepreciationDepletionAndAmortization",
        "us-gaap:DepreciationAndAmortization",
        "us-gaap:DepreciationAmortizationAndAccretionNet",
        "us-gaap:Depreciation",
    ],
    "research_development_usd": [
        "us-gaap:ResearchAndDevelopmentExpense",
        "us-gaap:ResearchAndDevelopmentExpenseExcludingAcquiredInProcessCost",
        # Not amzn:TechnologyAndInfrastructureExpense: Amazon's line also holds AWS data-center running costs.
    ],
    "operating_income_usd": ["us-gaap:OperatingIncomeLoss"],
    "net_income_usd": [
        "us-gaap:NetIncomeLoss",
        "us-gaap:ProfitLoss",  # includes noncontrolling interests; for filers that tag only this
    ],
    "stock_based_compensation_usd": [
        # The cash-flow add-back first: every tracked filer tags it in every 10-K/10-Q (the marts need all of them);
        # the income-statement allocation is the fallback.
        "us-gaap:ShareBasedCompensation",
        "us-gaap:AllocatedShareBasedCompensationExpense",
    ],
    "finance_lease_additions_usd": [
        # Equipment and data centers obtained under finance leases: Microsoft and Meta fund a large share of
        # capacity this way. Kept beside capex, never added into it (not in the companies' own capex line).
        "us-gaap:RightOfUseAssetObtainedInExchangeForFinanceLeaseLiability",
        "us-gaap:CapitalLeaseObligationsIncurred",  # the same before ASC 842 (2019)
    ],
    "finance_lease_principal_payments_usd": [
        # Meta's "capital expenditures, including principal payments on finance leases" adds this to capex.
        "us-gaap:FinanceLeasePrincipalPayments",
        "us-gaap:RepaymentsOfLongTermCapitalLeaseObligations",  # before ASC 842
    ],
    "proceeds_from_property_sales_usd": [
        # Amazon's offset to gross capex (its free-cash-flow "capex" is net of it); an extension, so iXBRL only.
        "amzn:ProceedsFromPropertyPlantAndEquipmentSalesAndIncentives",
        "us-gaap:ProceedsFromSaleOfPropertyPlantAndEquipment",
        "us-gaap:ProceedsFromSaleOfProductiveAssets",
    ],
}

METRICS = list(METRIC_CONCEPTS)

# Revenue concepts read per segment or product line (core.segment_revenue), in order of preference: the
# total-revenue concepts above, then the older and narrower ones filers use in their segment notes.
SEGMENT_REVENUE_CONCEPTS: list[str] = [
    *METRIC_CONCEPTS["revenue_usd"],
    "us-gaap:RevenuesNetOfInterestExpense",
    "us-gaap:SalesRevenueGoodsNet",
    "us-gaap:SalesRevenueServicesNet",
    "us-gaap:RevenueFromContractWithCustomerProductAndServiceExcludingAssessedTax",
]
