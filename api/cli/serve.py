"""`airegistry serve`: the HTTP API and the web pages (with the webhook relay and the daily recompute)."""

from __future__ import annotations

import argparse
import copy
import os
from typing import Any

import uvicorn

from api.cli.database import require_database
from api.cli.mailsink import start_sink
from api.serving import protocol_with
from api.settings import ApiSettings


def run(args: argparse.Namespace) -> int:
    database = require_database()
    settings = ApiSettings()
    host, port = args.host or settings.host, args.port or settings.port
    if args.port:
        # The served app reads its settings again: its links (without AIREG_PUBLIC_URL) follow --port.
        os.environ["AIREG_PORT"] = str(port)
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
    sink = None
    if args.mail_sink:
        # The register's mail goes to a sink on this machine; the served app reads these settings.
        sink, sink_port = start_sink(settings.data_dir / "mail")
        os.environ.update(
            {"AIREG_SMTP_HOST": "127.0.0.1", "AIREG_SMTP_PORT": str(sink_port), "AIREG_SMTP_SECURITY": "none"}
        )
        os.environ.pop("AIREG_SMTP_USERNAME", None)
        kept = settings.data_dir.absolute() / "mail"
        print(f"mail: kept on this machine and printed here; whole mails in {kept}")
    # Which register this is: the data dir holds the keys that sign tokens and the access log.
    print(f"data dir: {settings.data_dir.absolute()}")
    print(f"database: {database.shown_database()}")
    print(
        f"serving the workplace AI register on http://{host}:{port}/api/v1 "
        "(API document: /schema/openapi.json)",
        flush=True,
    )
    try:
        uvicorn.run(
            "api.app:create_served_app",
            factory=True,
            host=host,
            port=port,
            log_level="info",
            log_config=log_config,
            # uvicorn waits forever for headers or a body sent a byte at a time; this protocol does not.
            http=protocol_with(
                settings.request_header_timeout_seconds, settings.request_body_timeout_seconds
            ),
            **proxies,
        )
    finally:
        if sink is not None:
            sink.stop()
    return 0
