"""Prime Intellect marketplace price statistics (tugot17/gpu-price-tracker `data/summary/*.jsonl`).

One JSON line every ~4 hours per GPU type, computed from Prime Intellect's availability API:
`{timestamp, gpu_type: "H100_80GB", socket_type: "SXM5" | null, price_stats: {min, p10, ..., max},
availability, by_provider: {cloud: {count, min, avg}}, by_config: {"8x": {...}}}`. Per-provider
prices are per GPU-hour (price_stats.min equals the cheapest provider's min). These are statistics,
not offers: each day's last snapshot gives one row per underlying cloud (the seller) with its
average price, which is the closest this series comes to "an observed price".
"""

from __future__ import annotations

import json

import polars as pl

from assets.gpu.prices import as_date, as_number, candidates_frame, finish_prices
from pipelines.errors import SourceFormatError
from pipelines.parsed import Parsed, gunzipped, rejects_frame


def _lines(raw: bytes, origin: str) -> list[bytes]:
    raw = gunzipped(raw, origin)
    lines = raw.splitlines()
    if not any(line.strip() for line in lines):
        raise SourceFormatError(origin, "empty body")
    return lines


def parse_primeintellect_series(raw: bytes, origin: str, *, gpu_models: pl.DataFrame) -> Parsed:
    """A summary series (JSON lines) -> `core.gpu_prices` rows (provider primeintellect, pricing
    marketplace), one per (day, GPU type, seller) from the day's last snapshot.

    A line that is not JSON in the middle is held out; a last line that is not JSON means the body
    was cut off and is refused.
    """
    lines = _lines(raw, origin)
    snapshots, line_rejects = [], []
    last = max(i for i, line in enumerate(lines) if line.strip())
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            snapshot = json.loads(line)
        except (
            json.JSONDecodeError,
            UnicodeDecodeError,
        ) as e:  # bytes that are not UTF-8 are not JSON either
            reason = getattr(e, "msg", None) or e.reason
            if i == last:
                raise SourceFormatError(
                    origin, f"last line is not JSON ({reason}): a truncated download?"
                ) from e
            line_rejects.append(
                {
                    "origin": origin,
                    "row_number": i + 1,
                    "field": None,
                    "problem": f"primeintellect line {i + 1}: not JSON ({reason})",
                    "record": line[:2000].decode("utf-8", "replace"),
                }
            )
            continue
        if (
            not isinstance(snapshot, dict)
            or not isinstance(snapshot.get("gpu_type"), str)
            or not isinstance(snapshot.get("socket_type"), (str, type(None)))
            or "by_provider" not in snapshot
        ):
            raise SourceFormatError(
                origin, f"line {i + 1} has no gpu_type (text)/by_provider: not a Prime Intellect price series"
            )
        snapshots.append((i + 1, snapshot))
    if not snapshots:
        raise SourceFormatError(origin, "no readable snapshot lines")

    # The last snapshot of each UTC day per GPU type stands for that day.
    daily: dict[tuple, tuple[int, dict]] = {}
    for n, snapshot in snapshots:
        stamp = str(snapshot.get("timestamp") or "")
        try:
            day = as_date(stamp, origin, "timestamp")
        except SourceFormatError:
            line_rejects.append(
                {
                    "origin": origin,
                    "row_number": n,
                    "field": "timestamp",
                    "problem": f"primeintellect line {n}: unparseable timestamp {stamp!r}",
                    "record": json.dumps(snapshot)[:2000],
                }
            )
            continue
        key = (day, snapshot.get("gpu_type"), snapshot.get("socket_type"))
        if key not in daily or stamp >= str(daily[key][1].get("timestamp")):
            daily[key] = (n, snapshot)

    candidates = []
    for (day, gpu_type, socket), (n, snapshot) in sorted(daily.items(), key=lambda kv: kv[1][0]):
        gpu_name = f"{gpu_type}_{socket}" if socket else str(gpu_type)
        providers = snapshot["by_provider"] if isinstance(snapshot["by_provider"], dict) else {}
        for seller, stats in providers.items():
            stats = stats if isinstance(stats, dict) else {}
            avg = as_number(stats.get("avg"))
            candidates.append(
                {
                    "observed_on": day,
                    "provider": "primeintellect",
                    "pricing": "marketplace",
                    "usd_per_gpu_hour": avg,
                    "provider_gpu_name": gpu_name,
                    "sku": gpu_name,
                    "offer_id": f"{gpu_name}|{seller}",
                    "seller": seller,
                    "comparable": True,
                    "origin": origin,
                    "row_number": n,
                    "label": f"{gpu_name} via {seller} at {snapshot.get('timestamp')}",
                    "record": json.dumps(
                        {
                            "timestamp": snapshot.get("timestamp"),
                            "gpu_type": gpu_type,
                            "socket_type": socket,
                            "provider": seller,
                            **stats,
                        }
                    ),
                    "field": "avg" if avg is None and stats.get("avg") is not None else None,
                    "problem": f"avg {stats.get('avg')!r} is not a number"
                    if avg is None and stats.get("avg") is not None
                    else None,
                }
            )
    return finish_prices(
        candidates_frame(candidates),
        gpu_models=gpu_models,
        name_field="gpu_type",
        price_field="avg",
        extra_rejects=rejects_frame(line_rejects),
    )
