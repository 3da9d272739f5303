"""GPU rental prices and hardware as a source package (found by pipelines.registry)."""

from assets.gpu.kinds import KINDS
from assets.gpu.live import fetch_live
from pipelines.spec import SourceSpec

SOURCE = SourceSpec(
    name="gpu",
    home_url="https://learn.microsoft.com/en-us/rest/api/cost-management/retail-prices/azure-retail-prices",
    kinds=KINDS,
    fetch_live=fetch_live,
    order=30,
)
