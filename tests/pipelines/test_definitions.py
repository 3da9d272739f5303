"""The code location loads (what `dg check defs` and `dagster dev -w workspace.yaml` do) and has the
job, the nightly schedule and the publish step downstream of everything."""

from __future__ import annotations

import dagster as dg

from pipelines.definitions import defs


def test_refresh_job_and_nightly_schedule():
    schedule = defs.resolve_schedule_def("nightly_refresh")
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.execution_timezone == "UTC"
    assert schedule.job_name == "refresh"


def test_publish_depends_on_every_other_asset():
    graph = defs.resolve_asset_graph()
    published = dg.AssetKey(["warehouse", "published"])
    upstream = graph.get(published).parent_keys
    others = set(graph.get_all_asset_keys()) - {published}
    assert others <= upstream | {k for k in others if graph.get(k).is_external}


def test_every_asset_says_what_it_is():
    graph = defs.resolve_asset_graph()
    missing = [
        k.to_user_string()
        for k in graph.get_all_asset_keys()
        if graph.get(k).is_materializable and not graph.get(k).description
    ]
    assert not missing, f"assets without a description: {missing}"


def test_every_asset_has_an_owner_a_nightly_freshness_window_and_sources_link_home():
    graph = defs.resolve_asset_graph()
    financials = graph.get(dg.AssetKey(["core", "financials"]))
    assert financials.owners == ["team:data"]
    assert financials.freshness_policy is not None
    assert "sec.gov" in financials.metadata["source"].url
    assert all(
        graph.get(k).freshness_policy is not None
        for k in graph.get_all_asset_keys()
        if graph.get(k).is_materializable
    )
