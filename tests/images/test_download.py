"""Downloading one image over real loopback HTTP: sniffing, caps, addresses, Referer."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace

import pytest
from tests.images.pages import image_bytes

from newsmirror.config import MirrorSettings
from newsmirror.demo.server import LoopbackServer, Route
from newsmirror.errors import BlockedAddressError, ImageError, ResponseTooLarge
from newsmirror.fetch import Fetcher, FetchPolicy
from newsmirror.images.download import (
    DownloadedImage,
    download_image,
    referer_for,
    sniff_image_kind,
)

PAGE = "https://www.outlet.test/news/2024/story.html"


@pytest.mark.parametrize(
    ("pillow_format", "kind"),
    [("JPEG", "jpg"), ("PNG", "png"), ("GIF", "gif"), ("WEBP", "webp"), ("AVIF", "avif")],
)
def test_sniff_recognises_real_raster_images(pillow_format: str, kind: str) -> None:
    assert sniff_image_kind(image_bytes(pillow_format)) == kind


@pytest.mark.parametrize(
    "data",
    [b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
     b'<?xml version="1.0"?><svg/>', b"<!DOCTYPE html><html>", b"", b"RIFF\0\0\0\0WAVEfmt "],
    ids=["svg", "svg-xml", "html", "empty", "wav"],
)
def test_sniff_refuses_everything_else(data: bytes) -> None:
    assert sniff_image_kind(data) is None


@pytest.mark.parametrize(
    ("image_url", "referer"),
    [
        ("https://mmbiz.qpic.cn/mmbiz_jpg/x/640?wx_fmt=jpeg", "https://mp.weixin.qq.com/"),
        ("https://ichef.bbci.co.uk/news/640/a.jpg", "https://www.outlet.test/"),
    ],
    ids=["wechat", "page-origin"],
)
def test_referer_is_one_the_image_host_accepts(image_url: str, referer: str) -> None:
    assert referer_for(image_url, PAGE) == referer


@pytest.fixture(scope="module")
def running_server() -> Iterator[LoopbackServer]:
    routes: dict[str, Route] = {
        "/ok.png": Route(image_bytes("PNG"), "image/png"),
        "/page-as-jpeg": Route(b"<!DOCTYPE html><html><body>login</body></html>", "image/jpeg"),
        "/svg": Route(b'<svg xmlns="http://www.w3.org/2000/svg"/>', "image/svg+xml"),
        "/huge.jpg": Route(image_bytes("JPEG", 600, 400) + b"\0" * 20_000, "image/jpeg"),
    }
    with LoopbackServer(routes) as running:
        routes["/to-loopback.jpg"] = Route(
            b"", status=302, headers=(("Location", running.origin.replace(
                "127.0.0.1", "localhost") + "/ok.png"),))
        yield running


@pytest.fixture()
def server(running_server: LoopbackServer) -> LoopbackServer:
    running_server.requests.clear()
    return running_server


def fetch_image(server: LoopbackServer, path: str, *, max_bytes: int = 1_000_000,
                private: bool = False) -> DownloadedImage:
    settings = replace(MirrorSettings(), allow_private_networks=private, max_retries=0)

    async def go() -> DownloadedImage:
        async with Fetcher(FetchPolicy.from_settings(settings),
                           trusted_hosts=frozenset({"127.0.0.1"})) as fetcher:
            return await download_image(fetcher, server.url(path), page_url=server.url("/a/1"),
                                        max_bytes=max_bytes)

    return asyncio.run(go())


def test_download_returns_the_image_and_its_size(server: LoopbackServer) -> None:
    image = fetch_image(server, "/ok.png")
    assert (image.kind, image.width_px, image.height_px) == ("png", 64, 48)


def test_download_sends_the_page_origin_as_referer(server: LoopbackServer) -> None:
    fetch_image(server, "/ok.png")
    assert server.requests[-1][1]["referer"] == server.origin + "/"


@pytest.mark.parametrize("path", ["/page-as-jpeg", "/svg"], ids=["html-as-jpeg", "svg"])
def test_download_refuses_what_is_not_a_raster_image(server: LoopbackServer, path: str) -> None:
    with pytest.raises(ImageError, match="not a raster image"):
        fetch_image(server, path)


def test_download_refuses_an_image_over_the_size_cap(server: LoopbackServer) -> None:
    with pytest.raises(ResponseTooLarge):
        fetch_image(server, "/huge.jpg", max_bytes=10_000)


def test_download_refuses_a_redirect_to_loopback_when_private_networks_are_not_allowed(
    server: LoopbackServer,
) -> None:
    with pytest.raises(BlockedAddressError):
        fetch_image(server, "/to-loopback.jpg")
    assert [path for path, _ in server.requests] == ["/to-loopback.jpg"]


def test_download_follows_that_redirect_when_private_networks_are_allowed(
    server: LoopbackServer,
) -> None:
    assert fetch_image(server, "/to-loopback.jpg", private=True).kind == "png"


def test_download_refuses_non_http_urls() -> None:
    async def go() -> None:
        async with Fetcher(FetchPolicy.from_settings(MirrorSettings())) as fetcher:
            await download_image(fetcher, "file:///etc/passwd", page_url=PAGE, max_bytes=1000)

    with pytest.raises(ImageError, match="not an http"):
        asyncio.run(go())
