"""A real local HTTP receiver for webhook tests and benchmarks.

`Receiver` serves HTTP/1.1 (with keep-alive) on 127.0.0.1 from a daemon thread, so asyncio tests
can drive it without blocking their event loop. It records every POST as a `ReceivedRequest`,
checks Standard Webhooks signatures with the public `standardwebhooks` package when a path has
secrets, and answers with programmable `Reply`s: a per-path responder, else a per-path queue of
scripted replies, else the path's default (204).

`main()` runs the same server as a separate process for benchmarks:

    python -m tests.support.receiver --port 0 --secret-file F --fail-rate 0.5 --record FILE \
        [--kill-pid-file P --kill-rate R] [--seed N]
    python -m tests.support.receiver --port 0 --secret-file F --fail-every 2 --record FILE \
        --kill-pid-file P --kill-after-2xx 5,25 --kills-file K

It prints the chosen port as its first stdout line, verifies every path with the secrets listed
one per line in F (re-read when the file changes), replies 500 with probability --fail-rate (or to
every --fail-every-th POST, by construction) and appends one JSON line per POST to FILE. With
--kill-pid-file it SIGKILLs the PID in that file right after a 2xx reply went out: a relay dying
between the HTTP response and its own bookkeeping; with probability --kill-rate, or (by construction)
once after each of the 2xx replies numbered in --kill-after-2xx (a kill that finds no relay running
waits for the next 2xx). Each kill is appended to --kills-file, so a test counts them exactly.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import signal
import socket
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType, TracebackType
from typing import IO, Any
from urllib.parse import urlsplit

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

HOST = "127.0.0.1"
POLL_SECONDS = 0.02
# Statuses that never carry a body (RFC 9110): sending Content-Length or bytes with them would
# desynchronise a keep-alive connection, so they get neither.
_BODYLESS_STATUSES = frozenset({204, 304})


@dataclass
class ReceivedRequest:
    """One POST as it arrived; `verified` is None when no secret is known for its path."""

    received_at: float
    path: str
    headers: dict[str, str]
    body: bytes
    verified: bool | None


@dataclass
class Reply:
    """What the receiver answers; `delay` seconds are slept first (in the handler's own thread)."""

    status: int = 204
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay: float = 0.0


Responder = Callable[[ReceivedRequest], Reply]


def verify_signature(secrets: Sequence[str], body: bytes, headers: dict[str, str]) -> bool | None:
    """True when any secret verifies the Standard Webhooks signature; None without secrets."""
    if not secrets:
        return None
    for secret in secrets:
        try:
            # json_parse=False: the signature covers bytes, whatever they are; a non-JSON body
            # must not be reported as a bad signature.
            Webhook(secret).verify(body, headers, json_parse=False)
        except (WebhookVerificationError, ValueError):
            # ValueError covers undecodable bodies and malformed signature/base64 headers.
            continue
        return True
    return False


def _describe(requests: Sequence[ReceivedRequest]) -> str:
    if not requests:
        return "nothing arrived"
    lines = [
        f"  {r.path} webhook-id={r.headers.get('webhook-id')!r} verified={r.verified} body={r.body[:80]!r}"
        for r in requests
    ]
    return f"{len(requests)} arrived:\n" + "\n".join(lines)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # The default backlog of 5 refuses connections under benchmark concurrency.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], receiver: Receiver) -> None:
        self.receiver = receiver
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def track(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.add(connection)

    def untrack(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.discard(connection)

    def close_connections(self) -> None:
        # Handler threads of idle keep-alive connections outlive shutdown(); without this a client's
        # pooled connection would still be served by a "stopped" receiver.
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that time out or go away mid-reply are part of what the tests simulate: stay quiet.
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection)

    def finish(self) -> None:
        self.server.untrack(self.connection)
        super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per request would drown test and benchmark output

    def do_POST(self) -> None:
        body = self._read_body()
        if body is None:
            return
        receiver = self.server.receiver
        path = urlsplit(self.path).path
        headers = {name.lower(): value for name, value in self.headers.items()}
        request = ReceivedRequest(
            received_at=time.time(),
            path=path,
            headers=headers,
            body=body,
            verified=verify_signature(receiver._secrets_for(path), body, headers),
        )
        # Recorded on arrival, before any delay: a sender that times out still "delivered".
        receiver._record(request)
        try:
            reply = receiver._reply_for(request)
        except Exception:
            traceback.print_exc()
            reply = Reply(500, body=b"receiver responder failed")
        receiver._on_reply(request, reply)
        if self._send(reply):
            receiver._after_reply(request, reply)

    def do_GET(self) -> None:
        self._answer_unrecorded()

    def do_PUT(self) -> None:
        self._answer_unrecorded()

    def do_PATCH(self) -> None:
        self._answer_unrecorded()

    def do_DELETE(self) -> None:
        self._answer_unrecorded()

    def do_HEAD(self) -> None:
        self._answer_unrecorded(head=True)

    def _answer_unrecorded(self, head: bool = False) -> None:
        # Only POSTs are deliveries: other methods get the path's default reply, without consuming
        # scripted replies or calling the responder.
        if self._read_body() is None:
            return
        reply = self.server.receiver.default_reply(urlsplit(self.path).path)
        self._send(Reply(reply.status, dict(reply.headers), reply.body), head=head)

    def _read_body(self) -> bytes | None:
        """The request body (Content-Length or chunked); None after answering 400 to a bad request,
        or when the body ended before its Content-Length (the request is then not recorded)."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if length < 0:
            self.close_connection = True
            self._send(Reply(400, body=b"bad Content-Length"))
            return None
        body = self.rfile.read(length) if length else b""
        if len(body) < length:  # the sender hung up mid-body (a killed relay): nothing was delivered
            self.close_connection = True
            return None
        return body

    def _read_chunked(self) -> bytes:
        parts: list[bytes] = []
        while True:
            size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                # Trailers, if any, end with an empty line.
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(parts)
            parts.append(self.rfile.read(size))
            self.rfile.readline()  # the CRLF after each chunk

    def _send(self, reply: Reply, head: bool = False) -> bool:
        """Write the reply; False when the client was already gone."""
        if reply.delay > 0:
            time.sleep(reply.delay)
        bodyless = reply.status in _BODYLESS_STATUSES
        try:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                if name.lower() not in ("content-length", "connection"):
                    self.send_header(name, value)
            if not bodyless:
                # Always framed by Content-Length so keep-alive connections stay in sync.
                self.send_header("Content-Length", str(len(reply.body)))
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if not bodyless and not head:
                self.wfile.write(reply.body)
            self.wfile.flush()
        except (ConnectionError, TimeoutError, OSError):
            self.close_connection = True
            return False
        return True


class Receiver:
    """A real HTTP server on 127.0.0.1 that records webhook POSTs and answers as scripted.

    Use as `with Receiver() as r:` or `start()`/`stop()`. Thread-safe: requests are handled in
    server threads while tests configure and inspect it from their own thread or event loop.
    """

    def __init__(self, port: int = 0, *, keep_requests: bool = True) -> None:
        self._wanted_port = port
        # Benchmarks that only need the record file turn this off to keep memory flat.
        self._keep_requests = keep_requests
        self._lock = threading.Lock()
        self._requests: list[ReceivedRequest] = []
        self._scripts: dict[str, deque[Reply]] = {}
        self._defaults: dict[str, Reply] = {}
        self._responders: dict[str, Responder] = {}
        self.secrets: dict[str, list[str]] = {}
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> Receiver:
        if self._server is not None:
            raise RuntimeError("receiver already started")
        self._server = _Server((HOST, self._wanted_port), self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"webhook-receiver:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        self._server = self._thread = None
        server.shutdown()
        server.close_connections()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        # A restart on port=0 would pick a new port; keep the old one so URLs stay valid.
        self._wanted_port = server.server_address[1]

    def __enter__(self) -> Receiver:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("receiver not started")
        return int(self._server.server_address[1])

    def url(self, path: str = "/hook") -> str:
        if not path.startswith("/"):
            path = "/" + path
        return f"http://{HOST}:{self.port}{path}"

    # -- configuration -----------------------------------------------------------------------

    def set_secrets(self, path: str, *secrets: str) -> None:
        """Verify POSTs to `path` against these secrets ("whsec_..."); none clears verification."""
        for secret in secrets:
            Webhook(secret)  # a malformed secret fails here, not as a silent `verified=False`
        with self._lock:
            if secrets:
                self.secrets[path] = list(secrets)
            else:
                self.secrets.pop(path, None)

    def script(self, path: str, *replies: Reply) -> None:
        """Queue replies for `path`, consumed one per POST in order before the default applies."""
        with self._lock:
            self._scripts.setdefault(path, deque()).extend(replies)

    def set_default(self, path: str, reply: Reply) -> None:
        with self._lock:
            self._defaults[path] = reply

    def default_reply(self, path: str) -> Reply:
        with self._lock:
            return self._defaults.get(path) or Reply(204)

    def set_responder(self, path: str, responder: Responder | None) -> None:
        """Answer POSTs to `path` with `responder(request)`; it wins over scripts and defaults."""
        with self._lock:
            if responder is None:
                self._responders.pop(path, None)
            else:
                self._responders[path] = responder

    def reset(self) -> None:
        """Forget recorded requests and all per-path configuration."""
        with self._lock:
            self._requests.clear()
            self._scripts.clear()
            self._defaults.clear()
            self._responders.clear()
            self.secrets.clear()

    # -- inspection --------------------------------------------------------------------------

    def requests(self, path: str | None = None) -> list[ReceivedRequest]:
        with self._lock:
            return [r for r in self._requests if path is None or r.path == path]

    def clear(self) -> None:
        with self._lock:
            self._requests.clear()

    async def wait_for(
        self,
        count: int,
        path: str | None = None,
        # An explicit timeout (not asyncio.timeout) so the failure can say what did arrive.
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> list[ReceivedRequest]:
        """At least `count` recorded POSTs (to `path`, if given); AssertionError after `timeout`."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.requests(path)
            if len(found) >= count:
                return found
            if time.monotonic() >= deadline:
                raise AssertionError(self._timeout_message(count, path, timeout, found))
            await asyncio.sleep(POLL_SECONDS)

    def wait_for_sync(
        self, count: int, path: str | None = None, timeout: float = 10.0
    ) -> list[ReceivedRequest]:
        """`wait_for` for synchronous code (scripts, sync tests)."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.requests(path)
            if len(found) >= count:
                return found
            if time.monotonic() >= deadline:
                raise AssertionError(self._timeout_message(count, path, timeout, found))
            time.sleep(POLL_SECONDS)

    def _timeout_message(
        self, count: int, path: str | None, timeout: float, found: list[ReceivedRequest]
    ) -> str:
        where = f"on {path}" if path is not None else "on any path"
        message = f"expected {count} POST(s) {where} within {timeout}s; {_describe(found)}"
        if path is not None:
            others = [r for r in self.requests() if r.path != path]
            if others:
                message += f"\nelsewhere, {_describe(others)}"
        return message

    # -- hooks used by the handler (overridden by the CLI receiver) ---------------------------

    def _secrets_for(self, path: str) -> list[str]:
        with self._lock:
            return list(self.secrets.get(path, ()))

    def _record(self, request: ReceivedRequest) -> None:
        if self._keep_requests:
            with self._lock:
                self._requests.append(request)

    def _reply_for(self, request: ReceivedRequest) -> Reply:
        with self._lock:
            responder = self._responders.get(request.path)
            if responder is None:
                queue = self._scripts.get(request.path)
                if queue:
                    return queue.popleft()
                return self._defaults.get(request.path) or Reply(204)
        # Called outside the lock: a responder may be slow or inspect the receiver itself.
        return responder(request)

    def _on_reply(self, request: ReceivedRequest, reply: Reply) -> None:
        """Called once the reply is chosen, before it is sent."""

    def _after_reply(self, request: ReceivedRequest, reply: Reply) -> None:
        """Called after the reply was fully written and flushed."""


# -- separate-process mode for benchmarks ------------------------------------------------------


class _SecretFile:
    """Secrets listed one per line, re-read whenever the file changes, so subscriptions can be
    added while a benchmark runs."""

    def __init__(self, path: Path | None) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._stamp: tuple[int, int, int] | None = None
        self._secrets: list[str] = []

    def current(self) -> list[str]:
        if self._path is None:
            return []
        try:
            st = self._path.stat()
            stamp: tuple[int, int, int] | None = (st.st_mtime_ns, st.st_size, st.st_ino)
        except FileNotFoundError:
            stamp = None
        with self._lock:
            if stamp != self._stamp:
                self._stamp = stamp
                self._secrets = self._read() if stamp is not None else []
            return self._secrets

    def _read(self) -> list[str]:
        assert self._path is not None
        try:
            lines = self._path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


class _CliReceiver(Receiver):
    def __init__(
        self,
        port: int,
        secrets: _SecretFile,
        fail_rate: float,
        record: IO[str] | None,
        kill_pid_file: Path | None,
        kill_rate: float,
        seed: int | None,
        *,
        fail_every: int | None = None,
        kill_after_2xx: Sequence[int] = (),
        kills_file: Path | None = None,
    ) -> None:
        super().__init__(port, keep_requests=False)
        self._secret_file = secrets
        self._fail_rate = fail_rate
        self._fail_every = fail_every
        self._record_file = record
        self._record_lock = threading.Lock()
        self._kill_pid_file = kill_pid_file
        self._kill_rate = kill_rate
        self._kills_due = sorted(kill_after_2xx)
        self._kills_file = kills_file
        # Simulated failures, not security: a seedable PRNG makes a benchmark run repeatable.
        self._random = random.Random(seed)
        self._random_lock = threading.Lock()
        self._posts = 0  # counted under _random_lock, like the decisions they drive
        self._replies_2xx = 0

    def _chance(self, rate: float) -> bool:
        if rate <= 0:
            return False
        with self._random_lock:
            return self._random.random() < rate

    def _secrets_for(self, path: str) -> list[str]:
        return self._secret_file.current()

    def _reply_for(self, request: ReceivedRequest) -> Reply:
        if self._fail_every:
            with self._random_lock:
                self._posts += 1
                return Reply(500) if self._posts % self._fail_every == 0 else Reply(204)
        return Reply(500) if self._chance(self._fail_rate) else Reply(204)

    def _on_reply(self, request: ReceivedRequest, reply: Reply) -> None:
        # Written before the reply goes out: once the sender sees the status, the record exists.
        if self._record_file is None:
            return
        line = json.dumps(
            {
                "received_at": request.received_at,
                "path": request.path,
                "webhook_id": request.headers.get("webhook-id"),
                "webhook_timestamp": request.headers.get("webhook-timestamp"),
                "verified": request.verified,
                "status_replied": reply.status,
                "body": request.body.decode("utf-8", errors="replace"),
            },
            ensure_ascii=False,
        )
        with self._record_lock:
            self._record_file.write(line + "\n")
            self._record_file.flush()

    def _after_reply(self, request: ReceivedRequest, reply: Reply) -> None:
        if self._kill_pid_file is None or not 200 <= reply.status < 300:
            return
        if self._kills_due:
            with self._random_lock:
                self._replies_2xx += 1
                if self._replies_2xx < self._kills_due[0]:
                    return
                # Due: this kill is used up only when it hits a running relay.
                if self._kill() is not None:
                    self._kills_due.pop(0)
            return
        if self._chance(self._kill_rate):
            self._kill()

    def _kill(self) -> int | None:
        """SIGKILL the relay named in the PID file; its PID, or None when none is running."""
        try:
            pid = int(self._kill_pid_file.read_text(encoding="utf-8").strip()) if self._kill_pid_file else 0
            if pid <= 0:
                return None
            os.kill(pid, signal.SIGKILL)
        except (FileNotFoundError, ProcessLookupError, ValueError):
            # No relay running right now (or its PID file half-written): nothing to kill.
            return None
        if self._kills_file is not None:
            with self._kills_file.open("a", encoding="utf-8") as kills:
                kills.write(f"{pid}\n")
        return pid


def _rate(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} is not a probability in [0, 1]")
    return value


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive whole number")
    return value


def _counts(text: str) -> tuple[int, ...]:
    return tuple(_positive(part) for part in text.split(",") if part.strip())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.support.receiver",
        description="Webhook receiver for benchmarks: prints its port, then serves until SIGTERM/SIGINT.",
    )
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0 = ephemeral)")
    parser.add_argument("--secret-file", type=Path, help="secrets, one per line; re-read on change")
    parser.add_argument("--fail-rate", type=_rate, default=0.0, help="probability of replying 500")
    parser.add_argument("--record", type=Path, help="append one JSON line per received POST")
    parser.add_argument("--kill-pid-file", type=Path, help="file holding the PID to SIGKILL")
    parser.add_argument("--kill-rate", type=_rate, default=0.0, help="probability of a kill after 2xx")
    parser.add_argument("--seed", type=int, help="seed for fail/kill decisions")
    parser.add_argument("--fail-every", type=_positive, help="reply 500 to every N-th POST (not random)")
    parser.add_argument(
        "--kill-after-2xx",
        type=_counts,
        default=(),
        help="comma-separated numbers of 2xx replies after which to kill the relay once each (not random)",
    )
    parser.add_argument("--kills-file", type=Path, help="append the PID of each kill to this file")
    args = parser.parse_args(argv)

    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    with contextlib.ExitStack() as stack:
        # Line-buffered and flushed per line: a record is on disk before its reply is sent.
        record = (
            stack.enter_context(args.record.open("a", encoding="utf-8", buffering=1))
            if args.record is not None
            else None
        )
        receiver = _CliReceiver(
            args.port,
            _SecretFile(args.secret_file),
            args.fail_rate,
            record,
            args.kill_pid_file,
            args.kill_rate,
            args.seed,
            fail_every=args.fail_every,
            kill_after_2xx=args.kill_after_2xx,
            kills_file=args.kills_file,
        )
        stack.enter_context(receiver)
        print(receiver.port, flush=True)
        while not stop.wait(0.5):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
