"""The one HTTP client against a real loopback server: validators, retries, caps, encodings."""

from __future__ import annotations

import asyncio
import gzip
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import brotli
import pytest

from newsmirror.config import MirrorSettings
from newsmirror.errors import FetchError, HTTPStatusError, ResponseTooLarge
from newsmirror.fetch import Fetcher, FetchPolicy
from newsmirror.models import Validators

Reply = tuple[int, dict[str, str], bytes]


class ScriptedServer:
    """Answers each path with the next reply of its script (the last one repeats)."""

    def __init__(self) -> None:
        self.scripts: dict[str, list[Reply]] = {}
        self.seen: list[tuple[str, dict[str, str], float]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                outer.seen.append((self.path, dict(self.headers.items()), time.monotonic()))
                if self.path.startswith("/slow"):
                    time.sleep(0.2)
                script = outer.scripts.get(self.path, [(404, {}, b"")])
                status, headers, body = script.pop(0) if len(script) > 1 else script[0]
                if status == 200 and "ETag" in headers and \
                        self.headers.get("If-None-Match") == headers["ETag"]:
                    status, body = 304, b""
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"


@pytest.fixture()
def server() -> Iterator[ScriptedServer]:
    scripted = ScriptedServer()
    yield scripted
    scripted.httpd.shutdown()


def policy(**changes: object) -> FetchPolicy:
    base = FetchPolicy.from_settings(MirrorSettings(allow_private_networks=True, retry_backoff_s=0.01))
    return replace(base, **changes)


def fetch(url: str, pol: FetchPolicy | None = None, **kwargs: object):  # noqa: ANN201
    async def go():  # noqa: ANN202
        async with Fetcher(pol or policy()) as fetcher:
            return await fetcher.fetch(url, **kwargs)  # type: ignore[arg-type]

    return asyncio.run(go())


def test_stored_etag_turns_an_unchanged_feed_into_a_304(server: ScriptedServer) -> None:
    server.scripts["/feed"] = [(200, {"ETag": '"v1"', "Last-Modified": "Mon, 02 Mar 2026 08:00:00 GMT"},
                                b"<rss/>")]
    first = fetch(server.url("/feed"))
    assert first.etag == '"v1"' and first.body == b"<rss/>"
    second = fetch(server.url("/feed"), validators=Validators(first.etag, first.last_modified))
    assert second.not_modified and second.body == b""
    assert server.seen[-1][1]["If-None-Match"] == '"v1"'
    assert server.seen[-1][1]["If-Modified-Since"] == "Mon, 02 Mar 2026 08:00:00 GMT"


def test_retries_a_503_honouring_retry_after(server: ScriptedServer) -> None:
    server.scripts["/busy"] = [(503, {"Retry-After": "1"}, b""), (200, {}, b"ok")]
    result = fetch(server.url("/busy"), policy(max_retries=2))
    assert result.body == b"ok"
    (_, _, t1), (_, _, t2) = server.seen
    assert t2 - t1 >= 0.9


def test_gives_up_after_bounded_retries_with_the_status_in_the_error(server: ScriptedServer) -> None:
    server.scripts["/down"] = [(502, {}, b"")]
    with pytest.raises(HTTPStatusError, match=r"HTTP 502: http://127\.0\.0\.1:\d+/down") as raised:
        fetch(server.url("/down"), policy(max_retries=2))
    assert raised.value.status == 502
    assert len(server.seen) == 3


def test_retry_after_longer_than_allowed_fails_at_once(server: ScriptedServer) -> None:
    server.scripts["/later"] = [(429, {"Retry-After": "3600"}, b"")]
    with pytest.raises(HTTPStatusError, match="429"):
        fetch(server.url("/later"), policy(max_retries=3, max_retry_after_s=5))
    assert len(server.seen) == 1


def test_404_is_not_retried(server: ScriptedServer) -> None:
    with pytest.raises(HTTPStatusError, match="404"):
        fetch(server.url("/nothing"), policy(max_retries=3))
    assert len(server.seen) == 1


@pytest.mark.parametrize(
    ("encoding", "compress"), [("gzip", gzip.compress), ("br", brotli.compress)], ids=["gzip", "brotli"]
)
def test_compressed_bodies_are_decoded(server: ScriptedServer, encoding: str, compress) -> None:  # noqa: ANN001
    text = "压缩的正文".encode() * 100
    server.scripts["/z"] = [(200, {"Content-Encoding": encoding}, compress(text))]
    assert fetch(server.url("/z")).body == text
    assert encoding in server.seen[0][1]["Accept-Encoding"]


def test_body_over_the_cap_is_refused_after_decompression(server: ScriptedServer) -> None:
    server.scripts["/bomb"] = [(200, {"Content-Encoding": "gzip"}, gzip.compress(b"0" * 5_000_000))]
    with pytest.raises(ResponseTooLarge, match="/bomb"):
        fetch(server.url("/bomb"), policy(max_bytes=100_000))


def test_redirects_are_followed_and_loops_named(server: ScriptedServer) -> None:
    server.scripts["/old"] = [(301, {"Location": "/new"}, b"")]
    server.scripts["/new"] = [(200, {}, b"here")]
    server.scripts["/a"] = [(302, {"Location": "/b"}, b"")]
    server.scripts["/b"] = [(302, {"Location": "/a"}, b"")]
    assert fetch(server.url("/old")).final_url == server.url("/new")
    with pytest.raises(FetchError, match="redirect loop"):
        fetch(server.url("/a"))


def test_sends_an_honest_user_agent(server: ScriptedServer) -> None:
    server.scripts["/ua"] = [(200, {}, b"")]
    fetch(server.url("/ua"))
    assert server.seen[0][1]["User-Agent"].startswith("newsmirror/")


def test_untrusted_url_on_a_private_address_is_refused_before_connecting(
    server: ScriptedServer,
) -> None:
    server.scripts["/secret"] = [(200, {}, b"secret")]
    with pytest.raises(FetchError, match="private address refused"):
        fetch(server.url("/secret"), policy(allow_private_networks=False))
    assert server.seen == []


@pytest.mark.parametrize(("per_host", "serial"), [(1, True), (4, False)], ids=["one", "four"])
def test_per_host_limit_bounds_concurrent_requests(
    server: ScriptedServer, per_host: int, serial: bool
) -> None:
    server.scripts["/slow"] = [(200, {}, b"x")]

    async def go() -> None:
        async with Fetcher(policy(max_connections_per_host=per_host)) as fetcher:
            await asyncio.gather(*(fetcher.fetch(server.url("/slow")) for _ in range(4)))

    asyncio.run(go())
    starts = sorted(t for _, _, t in server.seen)
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert (min(gaps) >= 0.18) is serial
