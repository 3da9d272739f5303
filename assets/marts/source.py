"""The marts as a package of the platform: it lands nothing and fetches nothing, it derives from the
core tables of the data sources (found by pipelines.registry like them)."""

from pipelines.spec import SourceSpec

SOURCE = SourceSpec(name="marts", home_url="https://www.sequoiacap.com/article/ais-600b-question/", order=90)
