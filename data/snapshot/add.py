"""Add one captured real body to the embedded snapshot (developer tool).

    uv run python data/snapshot/add.py SOURCE KIND ENTITY AS_OF ORIGIN FILE [--name NAME]

Example:
    uv run python data/snapshot/add.py sec sec-companyfacts CIK0000789019 2026-04-28 \
        https://data.sec.gov/api/xbrl/companyfacts/CIK0000789019.json ~/captures/CIK0000789019.json
"""

import argparse
from pathlib import Path

from pipelines.snapshot import add_snapshot_file

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
for arg in ("source", "kind", "entity", "as_of", "origin", "file"):
    parser.add_argument(arg)
parser.add_argument("--name", help="file name inside data/snapshot/SOURCE/ (default: FILE's name + .gz)")
args = parser.parse_args()
entry = add_snapshot_file(
    Path(args.file), args.source, args.kind, args.entity, args.as_of, args.origin, args.name
)
print(f"{entry.path}: {entry.bytes:,} bytes, sha256 {entry.sha256[:16]}")
