"""Benchmark: what reading segment revenue adds to a cold refresh (target: <= 1 s on the snapshot).

    uv run python benchmarks/segments.py [--repeats 5]

A cold refresh parses every landed 10-K/10-Q once (assets/sec/assets.py: sec_parsed) and builds
core.segment_revenue once. The added cost is therefore, per snapshot 10-K, parse_10k with segments minus
parse_10k without (the same document, the same lxml pass: only the dimensional revenue facts are kept in
addition), plus segment_revenue() on all of them. Each figure is the best of `--repeats` runs (the least
disturbed by the other work on a shared machine). The GX check on core.segment_revenue and the table write
are not counted here; benchmarks/refresh.py times the whole refresh.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import polars as pl  # noqa: E402

from assets.sec.companies import read_companies  # noqa: E402
from assets.sec.ixbrl import parse_10k  # noqa: E402
from assets.sec.segments import segment_revenue  # noqa: E402
from pipelines.snapshot import read_snapshot_bytes, snapshot_manifest  # noqa: E402

TARGET_S = 1.0


def best(repeats: int, run) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    companies = read_companies()
    entries = [e for e in snapshot_manifest() if e.kind == "sec-10k"]
    print(f"{len(entries)} snapshot 10-Ks, best of {args.repeats} runs each")
    print(f"{'document':<28} {'without s':>10} {'with s':>8} {'added s':>8} {'segment facts':>14}")
    added_total, segment_frames = 0.0, []
    for entry in entries:
        raw = read_snapshot_bytes(entry.path)
        without, _ = best(
            args.repeats, lambda raw=raw, origin=entry.origin: parse_10k(raw, origin, segments=False)
        )
        with_segments, parsed = best(
            args.repeats, lambda raw=raw, origin=entry.origin: parse_10k(raw, origin, segments=True)
        )
        added = max(0.0, with_segments - without)
        added_total += added
        segment_frames.append(parsed.segment_facts)
        print(
            f"{Path(entry.origin).name:<28} {without:>10.3f} {with_segments:>8.3f} {added:>8.3f} {parsed.segment_facts.height:>14}"
        )
    facts = pl.concat(segment_frames)
    derive, rows = best(args.repeats, lambda: segment_revenue(facts, companies))
    total = added_total + derive
    print(f"segment_revenue() on {facts.height} facts -> {rows.height} rows: {derive:.3f} s")
    print(
        f"added to a cold refresh: {added_total:.3f} s parsing + {derive:.3f} s deriving = {total:.3f} s "
        f"(target <= {TARGET_S:.0f} s: {'met' if total <= TARGET_S else 'NOT met'})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
