"""E-mail through the outbox: the sink that stores each mail in its change's transaction, and the
relay that hands due mail to the SMTP server (Python's smtplib, in a worker thread), retrying on its
own schedule (AIREG_SMTP_RETRY_SCHEDULE_SECONDS, then every 15 minutes for 3 days): the SMTP server
is usually one's own, so a short outage delays mail by seconds, not hours, and nothing is lost.

Headers are built by `email.message.EmailMessage`, which encodes them; an address or subject with a
line break is refused before anything is stored, so no header can be injected."""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any

from registry.clock import to_micros, utcnow
from registry.db import write_transaction
from registry.errors import FieldProblem, InvalidInput
from registry.mail import Mail
from webhooks.settings import MailSettings
from webhooks.tables import MailMessage

log = logging.getLogger("airegistry.mail")
CLAIM = 100  # messages one pass sends (over one connection)
CHUNK = 10  # messages sent between two marks in the database
INSERT_ROWS = 200  # rows per INSERT (SQLite allows 32,766 values; a mail has 12)


def _clean(value: str, field: str) -> str:
    if "\r" in value or "\n" in value:
        raise InvalidInput(
            "A mail header cannot hold a line break.", problems=[FieldProblem(field, "holds a line break")]
        )
    return value


class MailOutbox:
    """Implements registry.mail.MailSink: one `mail_message` row per mail, in the caller's transaction."""

    async def queue(self, mails: Sequence[Mail]) -> None:
        now = utcnow()
        rows = [
            MailMessage(
                recipient=_clean(mail.to, "email"),
                subject=_clean(mail.subject, "subject"),
                text=mail.text,
                html=mail.html,
                language=mail.language,
                unsubscribe=_clean(mail.unsubscribe, "unsubscribe") if mail.unsubscribe else None,
                kind=mail.kind,
                status="pending",
                attempts=0,
                next_attempt_us=to_micros(now),
                created_at=now,
                created_us=to_micros(now),
            )
            for mail in mails
        ]
        for start in range(0, len(rows), INSERT_ROWS):  # a digest round queues many in one go
            await MailMessage.insert(*rows[start : start + INSERT_ROWS])


def build_message(row: dict[str, Any], sender: str) -> EmailMessage:
    """The message as the SMTP server gets it: plain text with an HTML alternative, the person's
    language, List-Unsubscribe when there is a page for it."""
    message = EmailMessage()
    name, address = parseaddr(sender)
    message["From"] = Address(display_name=name, addr_spec=address) if name else address
    message["To"] = row["recipient"]
    message["Subject"] = row["subject"]
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=address.rpartition("@")[2] or None)
    if row["unsubscribe"]:
        message["List-Unsubscribe"] = f"<{row['unsubscribe']}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"  # RFC 8058: the address takes a POST
    message.set_content(row["text"])
    if row["html"]:
        message.add_alternative(row["html"], subtype="html")
    message["Content-Language"] = row["language"]  # after the content, which resets Content-* headers
    return message


@dataclass
class MailRelay:
    settings: MailSettings

    def _connect(self) -> smtplib.SMTP:
        """A connection to the SMTP server, secured and logged in as configured."""
        s = self.settings
        timeout = s.smtp_timeout_seconds
        context = ssl.create_default_context()
        if s.smtp_security == "tls":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                s.smtp_host or "", s.smtp_port, timeout=timeout, context=context
            )
        else:
            client = smtplib.SMTP(s.smtp_host or "", s.smtp_port, timeout=timeout)
        try:
            if s.smtp_security == "starttls":
                client.starttls(context=context)
            if s.smtp_username:
                client.login(s.smtp_username, s.smtp_password())
        except BaseException:
            client.close()
            raise
        return client

    @staticmethod
    def _close(client: smtplib.SMTP) -> None:
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            client.close()

    def delay_after(self, attempts: int) -> float | None:
        """Seconds before the next attempt after `attempts` failed ones; None: give up."""
        schedule = self.settings.smtp_retry_schedule_seconds
        if attempts <= len(schedule):
            return schedule[attempts - 1]
        spent = sum(schedule) + (attempts - len(schedule)) * self.settings.smtp_retry_every_seconds
        return (
            None
            if spent > self.settings.smtp_give_up_after_seconds
            else self.settings.smtp_retry_every_seconds
        )

    def _lease_us(self, now_us: int) -> int:
        """Until when a chunk's mails are this process's: long enough for each to take the whole
        timeout, and to connect once more."""
        return now_us + int(self.settings.smtp_timeout_seconds * (CHUNK + 2) * 1_000_000)

    async def send_due(self) -> int:
        """Send what is due; returns how many were sent. The pass's mails go in chunks over one
        connection; each chunk's sent mails are marked before the next starts (a process that dies
        mid-chunk may send up to a chunk twice, never none), and the rest's lease is renewed."""
        if not self.settings.smtp_host:
            return 0
        now_us = to_micros(utcnow())
        async with write_transaction(MailMessage._meta.db):
            due = await (
                MailMessage.select()
                .where(
                    (MailMessage.status == "pending")
                    & (MailMessage.next_attempt_us <= now_us)
                    & ((MailMessage.lease_us.is_null()) | (MailMessage.lease_us < now_us))
                )
                .order_by(MailMessage.id)
                .limit(CLAIM)
            )
            if due:
                await MailMessage.update({MailMessage.lease_us: self._lease_us(now_us)}).where(
                    MailMessage.id.is_in([row["id"] for row in due])
                )
        sent_count = 0
        client: smtplib.SMTP | None = None
        try:
            for start in range(0, len(due), CHUNK):
                chunk, rest = due[start : start + CHUNK], due[start + CHUNK :]
                if start:
                    lease = self._lease_us(to_micros(utcnow()))
                    await MailMessage.update({MailMessage.lease_us: lease}).where(
                        MailMessage.id.is_in([row["id"] for row in chunk + rest])
                    )
                client, outcomes, unreachable = await asyncio.to_thread(self._send_chunk, client, chunk)
                sent = [row["id"] for row, failure in zip(chunk, outcomes, strict=True) if failure is None]
                if sent:
                    await MailMessage.update(
                        {
                            MailMessage.status: "sent",
                            MailMessage.attempts: MailMessage.attempts + 1,
                            MailMessage.sent_at: utcnow(),
                            MailMessage.lease_us: None,
                            MailMessage.last_error: None,
                        }
                    ).where(MailMessage.id.is_in(sent))
                    sent_count += len(sent)
                for row, failure in zip(chunk, outcomes, strict=True):
                    if failure is not None:
                        await self._failed(row, failure)
                if unreachable is not None:
                    # The server cannot be reached: the rest of the pass would fail the same way.
                    for row in rest:
                        await self._failed(row, unreachable)
                    break
        finally:
            if client is not None:
                await asyncio.to_thread(self._close, client)
        return sent_count

    def _send_chunk(
        self, client: smtplib.SMTP | None, rows: list[dict[str, Any]]
    ) -> tuple[smtplib.SMTP | None, list[Exception | None], Exception | None]:
        """In a worker thread: the chunk's mails over the connection (opened when there is none, and
        again after a failure); the connection left open, what became of each mail (None: the server
        took it), and the error when the server could not be reached at all."""
        outcomes: list[Exception | None] = []
        for row in rows:
            if client is None:
                try:
                    client = self._connect()
                except Exception as exc:  # any failure to connect is reported per mail
                    outcomes.extend([exc] * (len(rows) - len(outcomes)))
                    return None, outcomes, exc
            try:
                client.send_message(build_message(row, self.settings.smtp_from))
            except Exception as exc:  # one mail's failure is that mail's, not the pass's
                self._close(client)
                client = None
                outcomes.append(exc)
                continue
            outcomes.append(None)
        return client, outcomes, None

    async def _failed(self, row: dict[str, Any], exc: Exception) -> None:
        attempts = row["attempts"] + 1
        delay = self.delay_after(attempts)
        changes: dict[Any, Any] = {
            MailMessage.attempts: attempts,
            MailMessage.lease_us: None,
            MailMessage.last_error: f"{type(exc).__name__}: {exc}"[:1000],
        }
        if delay is None:
            changes[MailMessage.status] = "failed"
            log.error(
                "mail %s to %s given up after %d attempts: %s", row["id"], row["recipient"], attempts, exc
            )
        else:
            changes[MailMessage.next_attempt_us] = to_micros(utcnow()) + int(delay * 1_000_000)
            log.warning("mail %s not sent (attempt %d, again in %.0f s): %s", row["id"], attempts, delay, exc)
        await MailMessage.update(changes).where(MailMessage.id == row["id"])

    async def run_forever(self) -> None:
        if not self.settings.smtp_host:
            log.warning("AIREG_SMTP_HOST is not set: mail is kept in the outbox and not sent")
            return
        while True:
            try:
                sent = await self.send_due()
            except Exception:  # the loop must outlive a database hiccup; the mail stays queued
                log.exception("the mail relay failed a pass; it tries again")
                sent = 0
            if not sent:
                await asyncio.sleep(self.settings.smtp_poll_interval_seconds)


__all__ = ["MailOutbox", "MailRelay", "build_message"]
