"""A mail sink for trying the register on one machine (`airegistry serve --mail-sink`, which `make run`
uses): an SMTP server on loopback (aiosmtpd) that takes every mail the register sends, prints who it is
for, its subject and its links, and keeps it whole as an .eml file in the data dir's `mail/` folder.
Nothing leaves the machine."""

from __future__ import annotations

import email
import logging
import re
import socket
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

LINK = re.compile(r"https?://\S+")


class Sink:
    """aiosmtpd's handler: print the mail's essentials, keep the whole mail."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = bytes(envelope.content)
        message = email.message_from_bytes(raw, policy=default_policy)
        assert isinstance(message, EmailMessage)
        self.count += 1
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        path = self.folder / f"{stamp}-{self.count:04d}.eml"
        self.folder.mkdir(parents=True, exist_ok=True)
        path.write_bytes(raw)
        body = message.get_body(preferencelist=("plain",))
        links = list(dict.fromkeys(LINK.findall(body.get_content()))) if body is not None else []
        lines = [
            f"mail to {', '.join(envelope.rcpt_tos)}: {message['Subject']}",
            *(f"    {link}" for link in links[:3]),
            f"    (all of it: {path})",
        ]
        print("\n".join(lines), flush=True)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_sink(folder: Path) -> tuple[Controller, int]:
    """Start the sink on a free loopback port; the caller stops the controller."""
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command at INFO
    port = free_port()
    controller = Controller(Sink(folder), hostname="127.0.0.1", port=port)
    controller.start()
    return controller, port
