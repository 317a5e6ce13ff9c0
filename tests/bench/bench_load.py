"""Closed-loop HTTP load from a separate process (the fallback when wrk is not installed).

    python tests/bench/bench_load.py --base-url http://127.0.0.1:8123 --path /x --connections 16 \
        --duration 10 --header "Authorization: Bearer ..." [--client raw|httpx]

`connections` workers each own one keep-alive connection; each sends a request, reads the whole
body and sends the next. Several --path values are used in turn. Prints one line BENCH_JSON {...}
with the keys bench_list.py reads from wrk. Bounded by --duration and --max-requests; only
loopback addresses are accepted.

--client raw (default) speaks HTTP/1.1 over asyncio streams; --client httpx uses httpx.AsyncClient.
On a 120 kB response one core running httpx tops out near 1,100 requests/s, far below what the
bare route serves, so httpx would measure itself rather than the server there.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.bench.percentiles import percentile  # noqa: E402 - after the sys.path insert above

# wrk's end of run, for the wrk scripts of bench_list.py and bench_postgres.py: the same BENCH_JSON line
# this generator prints. A %-template fragment (`%%` is a literal %), appended to each script's own.
WRK_REPORT_LUA = r"""done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('BENCH_JSON {"requests":%%.0f,"duration_us":%%.0f,"errors_connect":%%.0f,' ..
    '"errors_read":%%.0f,"errors_write":%%.0f,"errors_status":%%.0f,"errors_timeout":%%.0f,"p50_us":%%.0f,' ..
    '"p90_us":%%.0f,"p99_us":%%.0f,"max_us":%%.0f,"mean_us":%%.1f,"bytes":%%.0f}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    summary.bytes))
end
"""

LOOPBACK = ("127.0.0.1", "localhost", "::1")


class Tally:
    def __init__(self, max_requests: int) -> None:
        self.latencies: list[float] = []
        self.errors = {"status": 0, "read": 0, "timeout": 0, "connect": 0}
        self.received = 0
        self.started = 0
        self.max_requests = max_requests

    def next_index(self) -> int | None:
        if self.started >= self.max_requests:
            return None
        self.started += 1
        return self.started - 1

    def result(self, elapsed: float) -> dict[str, float | int]:
        latencies = sorted(self.latencies)
        us = 1_000_000
        return {
            "requests": len(latencies),
            "duration_us": int(elapsed * us),
            "errors_connect": self.errors["connect"],
            "errors_read": self.errors["read"],
            "errors_write": 0,
            "errors_status": self.errors["status"],
            "errors_timeout": self.errors["timeout"],
            "p50_us": int(percentile(latencies, 0.50, empty=0.0) * us),
            "p90_us": int(percentile(latencies, 0.90, empty=0.0) * us),
            "p99_us": int(percentile(latencies, 0.99, empty=0.0) * us),
            "max_us": int((latencies[-1] if latencies else 0) * us),
            "mean_us": (sum(latencies) / len(latencies) * us) if latencies else 0.0,
            "bytes": self.received,
        }


async def _raw_exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[int, int]:
    """One request on a kept-alive connection: (status, body bytes). Content-Length bodies only."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = None
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    if length is None:
        raise ConnectionError("response without Content-Length")
    await reader.readexactly(length)
    return status, length


async def run_raw(
    base_url: str,
    paths: list[str],
    headers: dict[str, str],
    connections: int,
    duration: float,
    max_requests: int,
) -> dict[str, float | int]:
    url = urlsplit(base_url)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    requests = [f"GET {p} HTTP/1.1\r\nHost: {url.netloc}\r\n{extra}\r\n".encode() for p in paths]
    tally = Tally(max_requests)
    started = time.perf_counter()
    deadline = started + duration

    async def worker() -> None:
        connection = None
        while time.perf_counter() < deadline and (index := tally.next_index()) is not None:
            begin = time.perf_counter()
            try:
                if connection is None:
                    connection = await asyncio.wait_for(asyncio.open_connection(host, port), 10)
                status, length = await asyncio.wait_for(
                    _raw_exchange(*connection, requests[index % len(requests)]), 10
                )
            except TimeoutError:
                tally.errors["timeout"] += 1
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
                tally.errors["read" if connection else "connect"] += 1
            else:
                tally.latencies.append(time.perf_counter() - begin)
                tally.received += length
                if status >= 400:
                    tally.errors["status"] += 1
                continue
            if connection is not None:  # after an error, start over on a fresh connection
                connection[1].close()
                connection = None
        if connection is not None:
            connection[1].close()

    await asyncio.gather(*(worker() for _ in range(connections)))
    return tally.result(time.perf_counter() - started)


async def run_httpx(
    base_url: str,
    paths: list[str],
    headers: dict[str, str],
    connections: int,
    duration: float,
    max_requests: int,
) -> dict[str, float | int]:
    tally = Tally(max_requests)
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=base_url, headers=headers, limits=limits, timeout=10.0) as client:
        started = time.perf_counter()
        deadline = started + duration

        async def worker() -> None:
            while time.perf_counter() < deadline and (index := tally.next_index()) is not None:
                begin = time.perf_counter()
                try:
                    response = await client.get(paths[index % len(paths)])
                except httpx.TimeoutException:
                    tally.errors["timeout"] += 1
                    continue
                except httpx.HTTPError:
                    tally.errors["read"] += 1
                    continue
                tally.latencies.append(time.perf_counter() - begin)
                tally.received += len(response.content)
                if response.status_code >= 400:
                    tally.errors["status"] += 1

        await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.perf_counter() - started
    return tally.result(elapsed)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--path", action="append", required=True)
    parser.add_argument("--header", action="append", default=[])
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--max-requests", type=int, default=2_000_000)
    parser.add_argument("--client", choices=("raw", "httpx"), default="raw")
    args = parser.parse_args()
    if urlsplit(args.base_url).hostname not in LOOPBACK:
        parser.error("the load generator only targets loopback addresses")
    if not 1 <= args.connections <= 256 or not 0 < args.duration <= 600:
        parser.error("connections must be 1..256 and duration 0..600 s")
    headers = dict(h.split(": ", 1) for h in args.header)
    runner = run_raw if args.client == "raw" else run_httpx
    work = runner(args.base_url, args.path, headers, args.connections, args.duration, args.max_requests)
    try:
        import uvloop  # a faster client loop leaves more of its core for the measuring
    except ImportError:
        result = asyncio.run(work)
    else:
        result = uvloop.run(work)
    print("BENCH_JSON " + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
