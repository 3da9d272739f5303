"""The source packages (one folder each: `source.py` declares it, `assets.py` holds its Dagster assets).

`assets` extends its path over every `assets/` directory on sys.path, so a source package can also
live outside this repository (see docs/architecture.md, "Adding a source").
"""

from pkgutil import extend_path

__path__ = extend_path(__path__, __name__)
