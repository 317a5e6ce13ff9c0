"""E-mail the register sends people (invitations, digests): the port every service writes mail through.

A mail is written to the outbox in the transaction of the change that causes it, like an event, and
sent by the relay (webhooks/mail.py), which retries on its own schedule until the SMTP server takes it:
with the server down nothing is lost. The composition root installs the outbox (`use_mail_sink`); a
change that would send mail without it is refused, never recorded half-way."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from registry.errors import ConfigurationError


@dataclass(frozen=True)
class Mail:
    """One message to one person. `text` and `html` are the same message; `unsubscribe` is the address
    of the page where the person stops this kind of mail (the List-Unsubscribe header)."""

    to: str
    subject: str
    text: str
    html: str | None = None
    language: str = "da"
    unsubscribe: str | None = None
    kind: str = "message"  # invitation | login_link | digest: what it is, for the operator


@runtime_checkable
class MailSink(Protocol):
    async def queue(self, mails: Sequence[Mail]) -> None:
        """Store the mails in the caller's open transaction; raise to abort the change."""


_sink: MailSink | None = None


def use_mail_sink(sink: MailSink | None) -> None:
    """Install the outbox mail goes through (done once, by the composition root)."""
    global _sink  # noqa: PLW0603 - one port per process, set by the composition root
    _sink = sink


async def queue_mail(*mails: Mail) -> None:
    if _sink is None:
        raise ConfigurationError("No mail outbox is installed; mail cannot be sent.")
    await _sink.queue(mails)


__all__ = ["Mail", "MailSink", "queue_mail", "use_mail_sink"]
