"""How `airegistry serve` reads requests: uvicorn's HTTP protocol with deadlines of its own.

uvicorn closes a keep-alive connection that stays idle between requests, but waits forever for a
request whose headers or body arrive a byte at a time (or not at all after the first bytes): a few
thousand such connections hold a server's sockets and memory. Here each request must deliver its
headers within `header_timeout` seconds of its first byte (or of the connection, for the first
request), and its body within `body_timeout` seconds after the headers; otherwise the connection is
closed. A proxy in front still has to cap connections per client (docs/deployment.md)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

log = logging.getLogger("airegistry.serve")


class ReadDeadlineProtocol(HttpToolsProtocol):
    header_timeout: float = 10.0
    body_timeout: float = 60.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._read_deadline: asyncio.TimerHandle | None = None

    def _arm(self, seconds: float, what: str) -> None:
        self._disarm()
        self._read_deadline = self.loop.call_later(seconds, self._expired, what)

    def _disarm(self) -> None:
        if self._read_deadline is not None:
            self._read_deadline.cancel()
            self._read_deadline = None

    def _expired(self, what: str) -> None:
        self._read_deadline = None
        if not self.transport.is_closing():
            client = "%s:%d" % self.client if self.client else "a client"  # noqa: UP031 - uvicorn's form
            log.info("closed the connection of %s: its request %s did not arrive in time", client, what)
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm(self.header_timeout, "headers")

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        # Bytes between requests that begin none (a bare CRLF after a response: the parser skips it
        # without a message) still start the clock for the next request's headers.
        if self._read_deadline is None and (self.cycle is None or self.cycle.response_complete):
            self._arm(self.header_timeout, "headers")
        super().data_received(data)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm(self.header_timeout, "headers")

    def on_headers_complete(self) -> None:
        self._arm(self.body_timeout, "body")
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()


def protocol_with(header_timeout: float, body_timeout: float) -> type[ReadDeadlineProtocol]:
    """The protocol class for uvicorn's `http=`, with these deadlines."""
    return type(
        "ReadDeadlineProtocol",
        (ReadDeadlineProtocol,),
        {"header_timeout": header_timeout, "body_timeout": body_timeout},
    )


__all__ = ["ReadDeadlineProtocol", "protocol_with"]
