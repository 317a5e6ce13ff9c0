"""`airegistry serve`: the HTTP API and the web pages (with the webhook relay and the daily recompute)."""

from __future__ import annotations

import argparse
import copy
from typing import Any

import uvicorn

from api.cli.database import require_database
from api.serving import protocol_with
from api.settings import ApiSettings


def run(args: argparse.Namespace) -> int:
    database = require_database()
    settings = ApiSettings()
    host, port = args.host or settings.host, args.port or settings.port
    # uvicorn believes X-Forwarded-For from 127.0.0.1 unless told otherwise: without trusted proxies,
    # proxy headers are off, so a client on this host cannot put another address in the access log.
    proxies: dict[str, Any] = (
        {"proxy_headers": True, "forwarded_allow_ips": settings.forwarded_allow_ips}
        if settings.forwarded_allow_ips
        else {"proxy_headers": False}
    )
    # The register's own messages (the daily recompute's start and result, failures) in uvicorn's
    # format, next to its lines; other libraries stay at uvicorn's defaults.
    log_config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    log_config["loggers"]["airegistry"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    # Which register this is: the data dir holds the keys that sign tokens and the access log.
    print(f"data dir: {settings.data_dir.absolute()}")
    print(f"database: {database.shown_database()}")
    print(
        f"serving the workplace AI register on http://{host}:{port}/api/v1 "
        "(API document: /schema/openapi.json)",
        flush=True,
    )
    uvicorn.run(
        "api.app:create_served_app",
        factory=True,
        host=host,
        port=port,
        log_level="info",
        log_config=log_config,
        # uvicorn waits forever for headers or a body sent a byte at a time; this protocol does not.
        http=protocol_with(settings.request_header_timeout_seconds, settings.request_body_timeout_seconds),
        **proxies,
    )
    return 0
