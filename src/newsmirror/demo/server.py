"""A small HTTP server on loopback that serves fixed responses, for the demo.

Every response body may contain ``{{origin}}``, replaced with the server's own
``http://127.0.0.1:PORT`` when served, so feed links lead back to it.  Each
response has a strong ETag; ``If-None-Match`` is answered with 304.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True, slots=True)
class Route:
    """One fixed response."""

    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(slots=True)
class LoopbackServer:
    """Serves ``routes`` (path with query → Route) on 127.0.0.1 at an ephemeral port."""

    routes: Mapping[str, Route]
    port: int = 0  # 0: any free port
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    @property
    def origin(self) -> str:
        assert self._server is not None, "server not started"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> LoopbackServer:
        handler = _make_handler(self)
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def url(self, path: str) -> str:
        return self.origin + path

    def response_for(self, path: str) -> Route | None:
        route = self.routes.get(path) or self.routes.get(path.split("?", 1)[0])
        if route is None:
            return None
        body = route.body.replace(b"{{origin}}", self.origin.encode("ascii"))
        return Route(body, route.content_type, route.status, route.headers)


def _make_handler(server: LoopbackServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            server.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
            route = server.response_for(self.path)
            if route is None:
                self._send(404, b"not found", "text/plain; charset=utf-8", ())
                return
            etag = '"' + hashlib.sha256(route.body).hexdigest()[:16] + '"'
            if route.status == 200 and self.headers.get("If-None-Match") == etag:
                self._send(304, b"", None, (("ETag", etag),))
                return
            extra = route.headers + ((("ETag", etag),) if route.status == 200 else ())
            self._send(route.status, route.body, route.content_type, extra)

        def _send(self, status: int, body: bytes, content_type: str | None,
                  headers: tuple[tuple[str, str], ...]) -> None:
            self.send_response(status)
            if content_type:
                self.send_header("Content-Type", content_type)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if status != 304:
                self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return

    return Handler
