import json
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from assets.gpu import live
from pipelines.errors import FetchError
from pipelines.snapshot import read_snapshot_bytes
from tests.assets.gpu.conftest import AZURE_H100_PAGE


def test_azure_filter_asks_for_exactly_the_seeded_gpu_sizes(instance_types):
    url = live.azure_prices_url(live.azure_gpu_filter(instance_types))
    odata = unquote(url.split("$filter=", 1)[1])
    assert odata.startswith("serviceName eq 'Virtual Machines' and (")
    assert "armSkuName eq 'Standard_ND96isr_H100_v5'" in odata
    assert odata.count("armSkuName eq") == instance_types.filter(provider="azure").height


def test_vast_query_asks_one_model_past_the_default_limit():
    query = json.loads(parse_qs(urlsplit(live.vast_offers_url("H100 SXM")).query)["q"][0])
    assert query["gpu_name"] == {"eq": "H100 SXM"} and query["rentable"] == {"eq": True}
    assert query["limit"] > 64


def test_aws_url_encodes_the_location():
    assert live.aws_ondemand_url("US East (N. Virginia)").endswith(
        "/US%20East%20%28N.%20Virginia%29/Linux/index.json"
    )


def test_azure_paging_follows_next_page_link_until_null():
    page = json.loads(read_snapshot_bytes(AZURE_H100_PAGE))
    replies = {
        "u1": {**page, "NextPageLink": "u2"},
        "u2": {**page, "NextPageLink": "u3"},
        "u3": page,  # NextPageLink null
    }
    stored = []
    pages = live.azure_pages(
        lambda url, **kw: json.dumps(replies[url]).encode(),
        lambda raw, **kw: stored.append(kw["origin"]),
        "u1",
    )
    assert pages == 3 and stored == ["u1", "u2", "u3"]
    # a link back to a page already seen ends the loop
    replies["u3"] = {**page, "NextPageLink": "u1"}
    assert (
        live.azure_pages(lambda url, **kw: json.dumps(replies[url]).encode(), lambda raw, **kw: None, "u1")
        == 3
    )


def test_fetch_live_lands_every_provider_and_reports_failures_together(instance_types):
    calls, stored = [], []

    def fetch(url, *, kind, entity="", **request):
        calls.append((kind, request.get("method", "GET"), request.get("json_body")))
        if kind == "vast-offers":
            return b'{"offers": []}'  # a model nobody offers today: nothing landed
        if kind == "runpod-gpu-types":
            raise FetchError(url, "HTTP 503 after retries")
        if kind == "azure-prices":
            return read_snapshot_bytes(AZURE_H100_PAGE)
        return None  # 304: the landed copy is current

    with pytest.raises(FetchError, match="1 failed, the rest landed: runpod"):
        live.fetch_live(fetch, lambda raw, **kw: stored.append(kw["kind"]), instance_types=instance_types)
    kinds = {kind for kind, _, _ in calls}
    assert kinds == {
        "azure-prices",
        "aws-ec2-prices",
        "aws-capacity-blocks",
        "vast-offers",
        "runpod-gpu-types",
        "primeintellect-prices",
        "epoch-hardware",
    }
    assert ("runpod-gpu-types", "POST", live.RUNPOD_QUERY) in calls
    assert stored == ["azure-prices"]
