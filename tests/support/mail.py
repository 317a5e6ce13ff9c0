"""Mail in tests: a real SMTP server on loopback (aiosmtpd) that keeps what it accepts, and the relay
that sends the outbox to it."""

from __future__ import annotations

import email
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tests.support.processes import free_port
from webhooks.mail import MailRelay
from webhooks.settings import MailSettings


class Inbox:
    """aiosmtpd's handler: every message the server accepts."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=default_policy))  # type: ignore[arg-type]
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def relay(port: int, **settings: Any) -> MailRelay:
    return MailRelay(
        MailSettings(
            smtp_host="127.0.0.1",
            smtp_port=port,
            smtp_from="AI-registret <register@kommune.example>",
            smtp_retry_schedule_seconds=(0,),
            smtp_timeout_seconds=5,
            **settings,
        )
    )


__all__ = ["Inbox", "free_port", "relay", "smtp"]
