"""A loopback HTTP server that misbehaves on purpose, one named misbehaviour per path.

It speaks HTTP/1.1 by hand over a raw socket, so it can do what a well-behaved
server library would not: stall, reset the connection, lie about
``Content-Length``, send a body without end.  Every response closes its
connection.  ``{{origin}}`` in a body becomes the server's own origin.

    with FaultServer() as server:
        server.routes["/feed"] = respond(FEED, "application/rss+xml")
        server.routes["/slow"] = BEHAVIOURS["slow-headers"]
        server.url("/slow")

Routes may be changed while the server runs (a source that works, then fails,
then works again).
"""

from __future__ import annotations

import email.utils
import socket
import struct
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

import brotli

STALL_S = 30.0  # longer than any timeout a test sets; the server's stop ends it sooner
TRICKLE_INTERVAL_S = 0.2
BOMB_BYTES = 1 << 30  # what the gzip and brotli bombs expand to: 1 GiB of zeros


@dataclass(slots=True)
class Exchange:
    """One request as a behaviour sees it."""

    connection: socket.socket
    path: str
    headers: dict[str, str]
    server: FaultServer

    def send(self, data: bytes) -> None:
        self.connection.sendall(data.replace(b"{{origin}}", self.server.origin.encode()))

    def stall(self, seconds: float = STALL_S) -> None:
        """Hold the connection open without sending, until ``seconds`` pass or the server stops."""
        self.server.stopping.wait(seconds)


Behaviour = Callable[[Exchange], None]


def head(status: int, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def respond(body: bytes, content_type: str = "text/html; charset=utf-8", status: int = 200,
            headers: dict[str, str] | None = None) -> Behaviour:
    """An honest response (the content itself may be the fault)."""

    def behave(exchange: Exchange) -> None:
        data = body.replace(b"{{origin}}", exchange.server.origin.encode())
        extra = {"Content-Type": content_type, **(headers or {})}
        exchange.send(head(status, {**extra, "Content-Length": str(len(data)),
                                    "Connection": "close"}) + data)

    return behave


def _slow_headers(exchange: Exchange) -> None:
    """One byte of the status line every 0.2 s, forever: no read timeout ever fires."""
    line = b"HTTP/1.1 200 OK\r\nX-Slow: " + b"s" * 10_000
    for byte in line:
        if exchange.server.stopping.wait(TRICKLE_INTERVAL_S):
            return
        exchange.send(bytes([byte]))


def _stall_body(exchange: Exchange) -> None:
    """Half of the promised body, then silence."""
    exchange.send(head(200, {"Content-Type": "application/rss+xml", "Content-Length": "20000"}))
    exchange.send(b"<rss version='2.0'><channel>" + b" " * 10_000)
    exchange.stall()


def _reset(exchange: Exchange) -> None:
    """TCP reset instead of a response."""
    exchange.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    exchange.connection.close()


def _not_http(exchange: Exchange) -> None:
    """Bytes that are no HTTP response at all."""
    exchange.send(b"SSH-2.0-OpenSSH_9.2\r\n\x00\xff garbage \xfe\r\n\r\n")


def _close_silently(exchange: Exchange) -> None:
    """Read the request, close without a byte of response."""
    exchange.connection.close()


def _status(status: int, retry_after: str | None = None) -> Behaviour:
    headers = {"Retry-After": retry_after} if retry_after else {}
    return respond(f"status {status}".encode(), "text/plain", status, headers)


def _retry_after_date(exchange: Exchange) -> None:
    """503 with ``Retry-After`` as an HTTP date two seconds ahead."""
    when = email.utils.formatdate(time.time() + 2, usegmt=True)
    _status(503, when)(exchange)


def _slow_redirect_chain(exchange: Exchange) -> None:
    """Each hop takes 0.6 s, then redirects to the next: no single hop is slow."""
    hop = int(exchange.path.partition("?hop=")[2] or 0)
    exchange.stall(0.6)
    _redirect(f"/slow-redirect-chain?hop={hop + 1}")(exchange)


def _redirect(location: str) -> Behaviour:
    return respond(b"", "text/plain", 302, {"Location": location})


def _endless_chunked(exchange: Exchange) -> None:
    """``Transfer-Encoding: chunked`` with 64 KiB chunks and no last chunk."""
    exchange.send(head(200, {"Content-Type": "text/html", "Transfer-Encoding": "chunked"}))
    chunk = b"%x\r\n%s\r\n" % (65536, b"<p>" + b"x" * 65533)
    while not exchange.server.stopping.is_set():
        exchange.send(chunk)


@cache
def gzip_bomb() -> bytes:
    """1 GiB of zeros, gzip-compressed (about 1 MB)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1 << 20)
    return b"".join([*(packer.compress(block) for _ in range(BOMB_BYTES >> 20)), packer.flush()])


@cache
def brotli_bomb() -> bytes:
    """1 GiB of zeros, brotli-compressed (under a kilobyte)."""
    packer = brotli.Compressor(quality=5)
    block = bytes(1 << 20)
    return b"".join([*(packer.process(block) for _ in range(BOMB_BYTES >> 20)), packer.finish()])


def _bomb(encoding: str, make: Callable[[], bytes]) -> Behaviour:
    def behave(exchange: Exchange) -> None:
        body = make()
        respond(body, "text/html; charset=utf-8", headers={"Content-Encoding": encoding})(exchange)

    return behave


def _length_longer_than_body(exchange: Exchange) -> None:
    """Promises 50,000 bytes, sends 100, closes."""
    exchange.send(head(200, {"Content-Type": "application/rss+xml", "Content-Length": "50000",
                             "Connection": "close"}) + b"<rss version='2.0'><channel>" + b" " * 72)


def _length_shorter_than_body(exchange: Exchange) -> None:
    """Promises 40 bytes, sends a whole page."""
    body = b"<html><body>" + b"<p>more than promised</p>" * 400 + b"</body></html>"
    exchange.send(head(200, {"Content-Type": "text/html", "Content-Length": "40"}) + body)


def _length_huge(exchange: Exchange) -> None:
    """Announces a terabyte (and would send it)."""
    exchange.send(head(200, {"Content-Type": "text/html", "Content-Length": str(10**12)}))
    exchange.send(b"<p>" + b"x" * 65_536)
    exchange.stall()


_REASONS = {200: "OK", 302: "Found", 429: "Too Many Requests", 500: "Internal Server Error",
            502: "Bad Gateway", 503: "Service Unavailable"}

# The misbehaviours of the transport, by name.  Content faults (encodings, huge
# feeds, malformed XML) are ordinary responses built in tests/faults/content.py.
BEHAVIOURS: dict[str, Behaviour] = {
    "slow-headers": _slow_headers,
    "stall-body": _stall_body,
    "reset": _reset,
    "not-http": _not_http,
    "close-silently": _close_silently,
    "status-500": _status(500),
    "status-502": _status(502),
    "status-503-retry-after": _status(503, "1"),
    "status-429-retry-after": _status(429, "1"),
    "status-429-retry-after-too-long": _status(429, "86400"),
    "status-503-retry-after-date": _retry_after_date,
    "redirect-loop": _redirect("/redirect-loop-2"),
    "slow-redirect-chain": _slow_redirect_chain,
    "redirect-loop-2": _redirect("/redirect-loop"),
    "redirect-to-metadata": _redirect("http://169.254.169.254/latest/meta-data/"),
    "redirect-to-private": _redirect("http://10.0.0.1/admin"),
    "redirect-to-invalid-url": _redirect("http://[oops/feed"),
    "redirect-to-bad-port": _redirect("http://news.invalid:port/feed"),
    "endless-chunked": _endless_chunked,
    "gzip-bomb": _bomb("gzip", gzip_bomb),
    "brotli-bomb": _bomb("br", brotli_bomb),
    "length-longer-than-body": _length_longer_than_body,
    "length-shorter-than-body": _length_shorter_than_body,
    "length-huge": _length_huge,
}


@dataclass(slots=True)
class FaultServer:
    """Serves ``routes`` (path → behaviour) on ``host`` at an ephemeral port."""

    host: str = "127.0.0.1"
    routes: dict[str, Behaviour] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    request_headers: list[dict[str, str]] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)
    _listener: socket.socket | None = None

    @property
    def origin(self) -> str:
        assert self._listener is not None, "server not started"
        return f"http://{self.host}:{self._listener.getsockname()[1]}"

    def url(self, path: str) -> str:
        return self.origin + path

    def start(self) -> FaultServer:
        self._listener = socket.create_server((self.host, 0))
        self._listener.settimeout(0.2)
        threading.Thread(target=self._accept_loop, daemon=True).start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        if self._listener is not None:
            self._listener.close()

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def count(self, path: str) -> int:
        return sum(1 for seen in self.requests if seen.split("?", 1)[0] == path)

    def _accept_loop(self) -> None:
        assert self._listener is not None
        while not self.stopping.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        with connection:
            connection.settimeout(5.0)
            try:
                path, headers = _read_request(connection)
                self.requests.append(path)
                self.request_headers.append(headers)
                behaviour = self.routes.get(path) or self.routes.get(path.split("?", 1)[0]) \
                    or BEHAVIOURS.get(path.lstrip("/").split("?", 1)[0]) \
                    or respond(b"not found", "text/plain", 404)
                behaviour(Exchange(connection, path, headers, self))
                connection.shutdown(socket.SHUT_WR)
                time.sleep(0.05)  # let the client read before the close
            except OSError:
                return  # the client gave up first: that is what most faults are for


def _read_request(connection: socket.socket) -> tuple[str, dict[str, str]]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(4096)
        if not chunk:
            raise ConnectionAbortedError("client closed before sending a request")
        data += chunk
    lines = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    path = lines[0].split(" ")[1]
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return path, headers

