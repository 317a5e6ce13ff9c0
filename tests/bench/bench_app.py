"""App factory for the benchmark server: the real app plus comparison routes outside /api/v1.

    uvicorn --app-dir tests/bench bench_app:create_bench_app --factory

AIREG_BENCH_BARE_BODY names a file holding the bytes the bare routes send (bench_list.py writes
there the real body of the measured list response, so both carry the same payload).

- GET /bench/bare       the pre-built body; no authentication, no database: the framework floor.
- GET /bench/bare-auth  the same body behind the register's JWT middleware (a diagnostic: the
                        difference to /bench/bare is the cost of verifying the bearer token).
- GET /bench/info       which event loop and HTTP parser the server process runs.

AIREG_BENCH_AUDIT_REQUESTS=0 builds the app with `audit_requests=False` (no access-log middleware), for
bench_access_log.py, which measures what recording every request costs; unset or 1: the app as served.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import sys
from pathlib import Path
from typing import Any

from litestar import Litestar, Response, get

from api.app import create_app
from api.settings import ApiSettings

BODY_ENV = "AIREG_BENCH_BARE_BODY"
AUDIT_ENV = "AIREG_BENCH_AUDIT_REQUESTS"
JSON = "application/json"


def create_bench_app() -> Litestar:
    body = Path(os.environ[BODY_ENV]).read_bytes()
    audit_requests = os.environ.get(AUDIT_ENV, "1") != "0"

    @get("/bench/bare", exclude_from_auth=True, include_in_schema=False, opt={"no_access_log": True})
    async def bare() -> Response[bytes]:
        return Response(content=body, media_type=JSON)

    @get("/bench/bare-auth", include_in_schema=False, opt={"no_access_log": True})
    async def bare_auth() -> Response[bytes]:
        return Response(content=body, media_type=JSON)

    @get("/bench/info", exclude_from_auth=True, include_in_schema=False, opt={"no_access_log": True})
    async def info() -> dict[str, Any]:
        loop = type(asyncio.get_running_loop())
        return {
            "loop": f"{loop.__module__}.{loop.__qualname__}",
            "httptools_installed": importlib.util.find_spec("httptools") is not None,
            "uvloop_installed": importlib.util.find_spec("uvloop") is not None,
            "python": sys.version.split()[0],
            "pid": os.getpid(),
            "affinity": sorted(os.sched_getaffinity(0)),
            "audit_requests": audit_requests,
        }

    return create_app(
        ApiSettings(), extra_route_handlers=[bare, bare_auth, info], audit_requests=audit_requests
    )
