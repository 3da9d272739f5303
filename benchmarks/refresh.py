"""Benchmark: cold and warm offline refreshes, per-asset time, peak memory, parse throughput.

    uv run python benchmarks/refresh.py [--runs N] [--write docs/performance.md]

Cold = empty CAPEX_HOME (everything parsed, built, checked, published); warm = a second refresh with
nothing new (must skip unchanged work). Parse throughput runs each import kind's real parser on
its embedded snapshot bodies. Figures are from this machine, in one run: compare ratios.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

THROUGHPUT_KINDS = ["sec-companyfacts", "sec-10k", "warn-ca", "layoffs-fyi", "vast-offers", "aws-ec2-prices", "azure-prices"]


def timed_refresh(home: Path, *extra: str) -> tuple[float, float, str]:
    """(seconds, peak RSS MiB of the refresh process, its stderr)."""
    env = {**os.environ, "CAPEX_HOME": str(home)}
    with tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "pipelines.cli", "refresh", "--offline", *extra], env=env,
                                stdout=subprocess.DEVNULL, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)  # wait4: the child's own peak RSS
        elapsed = time.perf_counter() - started
        err.seek(0)
        stderr = err.read()
    if status != 0:
        raise SystemExit(f"refresh failed: {stderr.strip().splitlines()[-1:]}")
    return elapsed, usage.ru_maxrss / 1024, stderr


def step_times(stderr: str) -> list[tuple[str, float]]:
    return sorted(((m[1], float(m[2])) for m in re.finditer(r"done (\S+) \(([\d.]+) s\)", stderr)), key=lambda t: -t[1])


def parse_throughput() -> list[tuple[str, int, float, float]]:
    from pipelines.registry import all_kinds
    from pipelines.snapshot import read_snapshot_bytes, snapshot_manifest

    kinds = all_kinds()
    rows = []
    for name in THROUGHPUT_KINDS:
        entries = [e for e in snapshot_manifest() if e.kind == name]
        if name not in kinds or not entries:
            continue
        bodies = [(read_snapshot_bytes(e.path), e.path) for e in entries[:3]]
        size = sum(len(b) for b, _ in bodies)
        kinds[name].identify(*bodies[0])  # warm-up: imports, seed reads
        times = []
        for _ in range(3):
            started = time.perf_counter()
            for raw, origin in bodies:
                kinds[name].identify(raw, origin)
            times.append(time.perf_counter() - started)
        best = min(times)
        rows.append((name, size, best, size / best / 1e6))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=1, help="cold/warm pairs (median reported)")
    parser.add_argument("--write", default=str(ROOT / "docs" / "performance.md"))
    args = parser.parse_args()

    colds, warms, peaks, steps = [], [], [], []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="capex-bench-") as tmp:
            cold, peak, stderr = timed_refresh(Path(tmp))
            warm, _, _ = timed_refresh(Path(tmp))
            colds.append(cold), warms.append(warm), peaks.append(peak)
            steps = step_times(stderr)
    cold, warm = statistics.median(colds), statistics.median(warms)
    throughput = parse_throughput()

    lines = [
        "# Performance",
        "",
        f"Measured by `benchmarks/refresh.py` on {platform.machine()} with {os.cpu_count()} cores, Python {platform.python_version()} "
        f"({args.runs} run{'s' if args.runs > 1 else ''}, median). Figures from one run of the script; rerun it to refresh them.",
        "",
        "| refresh (offline, embedded snapshot) | seconds |",
        "|---|---:|",
        f"| cold (empty CAPEX_HOME: parse, build, check, publish) | {cold:.1f} |",
        f"| warm (nothing new: skipped by fingerprint) | {warm:.2f} |",
        f"| warm / cold | {warm / cold:.3f} |",
        f"| peak memory of the cold refresh (RSS) | {max(peaks):.0f} MiB |",
        "",
        "Slowest steps of the cold refresh:",
        "",
        "| step | seconds |",
        "|---|---:|",
        *[f"| `{name}` | {seconds:.1f} |" for name, seconds in steps[:12]],
        "",
        "Parse throughput (each kind's real parser on its embedded bodies, best of 3):",
        "",
        "| kind | MB | seconds | MB/s |",
        "|---|---:|---:|---:|",
        *[f"| `{name}` | {size / 1e6:.1f} | {best:.3f} | {mbps:.1f} |" for name, size, best, mbps in throughput],
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.write:
        Path(args.write).write_text(text)
        print(f"wrote {args.write}")


if __name__ == "__main__":
    main()
