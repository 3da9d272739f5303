import re

from assets.sec.concepts import METRIC_CONCEPTS
from assets.sec.financials import FINANCIALS_SCHEMA


def test_every_metric_is_a_financials_column_with_qualified_concepts():
    for metric, concepts in METRIC_CONCEPTS.items():
        assert metric in FINANCIALS_SCHEMA and metric.endswith("_usd")
        assert concepts and len(set(concepts)) == len(concepts)
        assert all(re.fullmatch(r"[a-z-]+:[A-Z][A-Za-z0-9]+", c) for c in concepts), metric


def test_capex_fallbacks_in_the_issue_order():
    assert METRIC_CONCEPTS["capex_usd"][:2] == [
        "us-gaap:PaymentsToAcquirePropertyPlantAndEquipment",
        "us-gaap:PaymentsToAcquireProductiveAssets",
    ]


def test_no_concept_serves_two_metrics():
    owners = [c for concepts in METRIC_CONCEPTS.values() for c in concepts]
    assert len(owners) == len(set(owners))
