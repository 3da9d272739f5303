"""SEC EDGAR as a source package (found by pipelines.registry)."""

from assets.sec.kinds import KINDS
from assets.sec.live import fetch_live
from assets.sec.status import status_lines
from pipelines.spec import SourceSpec

SOURCE = SourceSpec(
    name="sec",
    home_url="https://www.sec.gov/search-filings/edgar-application-programming-interfaces",
    kinds=KINDS,
    fetch_live=fetch_live,
    status_lines=status_lines,
    # SEC's fair-access policy: at most 10 requests per second per client.
    host_min_interval_s={"data.sec.gov": 0.1, "www.sec.gov": 0.1},
    order=10,
)
