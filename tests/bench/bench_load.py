"""Closed-loop HTTP load from a separate process (the fallback when wrk is not installed).

    python tests/bench/bench_load.py --base-url http://127.0.0.1:8123 --path /x --connections 16 \
        --duration 10 --header "Authorization: Bearer ..."

`connections` workers share one keep-alive pool of that many connections; each sends a request,
reads the whole body and sends the next. Several --path values are used in turn. Prints one line:
BENCH_JSON {...} with the same keys bench_list.py reads from wrk. Bounded by --duration and
--max-requests; only loopback addresses are accepted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from urllib.parse import urlsplit

import httpx

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def percentile(ordered: list[float], pct: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not ordered:
        return 0.0
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


async def run(base_url: str, paths: list[str], headers: dict[str, str], connections: int, duration: float,
              max_requests: int) -> dict[str, float | int]:
    latencies: list[float] = []
    errors = {"status": 0, "read": 0, "timeout": 0}
    received = 0
    counter = 0
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=base_url, headers=headers, limits=limits, timeout=10.0) as client:
        started = time.perf_counter()
        deadline = started + duration

        async def worker() -> None:
            nonlocal received, counter
            while counter < max_requests:
                begin = time.perf_counter()
                if begin >= deadline:
                    return
                path = paths[counter % len(paths)]
                counter += 1
                try:
                    response = await client.get(path)
                except httpx.TimeoutException:
                    errors["timeout"] += 1
                    continue
                except httpx.HTTPError:
                    errors["read"] += 1
                    continue
                latencies.append(time.perf_counter() - begin)
                received += len(response.content)
                if response.status_code >= 400:
                    errors["status"] += 1

        await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    us = 1_000_000
    return {
        "requests": len(latencies),
        "duration_us": int(elapsed * us),
        "errors_connect": 0,
        "errors_read": errors["read"],
        "errors_write": 0,
        "errors_status": errors["status"],
        "errors_timeout": errors["timeout"],
        "p50_us": int(percentile(latencies, 50) * us),
        "p90_us": int(percentile(latencies, 90) * us),
        "p99_us": int(percentile(latencies, 99) * us),
        "max_us": int((latencies[-1] if latencies else 0) * us),
        "mean_us": (sum(latencies) / len(latencies) * us) if latencies else 0.0,
        "bytes": received,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--path", action="append", required=True)
    parser.add_argument("--header", action="append", default=[])
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--max-requests", type=int, default=2_000_000)
    args = parser.parse_args()
    if urlsplit(args.base_url).hostname not in LOOPBACK:
        parser.error("the load generator only targets loopback addresses")
    if not 1 <= args.connections <= 256 or not 0 < args.duration <= 600:
        parser.error("connections must be 1..256 and duration 0..600 s")
    headers = dict(h.split(": ", 1) for h in args.header)
    try:
        import uvloop
    except ImportError:
        result = asyncio.run(run(args.base_url, args.path, headers, args.connections, args.duration,
                                 args.max_requests))
    else:
        result = uvloop.run(run(args.base_url, args.path, headers, args.connections, args.duration,
                                args.max_requests))
    print("BENCH_JSON " + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
