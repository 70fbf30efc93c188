"""Fetching one image safely: http(s) only, size-capped, content sniffed, polite Referer.

The run's :class:`~newsmirror.fetch.Fetcher` does the HTTP: per-host limits,
retries, redirects hop by hop and the private-address check.  This module adds
what is particular to images: the bytes must *be* a raster image (JPEG, PNG,
GIF, WebP or AVIF, by their signature - never by the Content-Type header; SVG,
which can carry script, is refused), and hotlink-protected hosts get a Referer
they accept.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from urllib.parse import urlsplit

from PIL import Image, UnidentifiedImageError

from newsmirror.errors import ImageError
from newsmirror.fetch import Fetcher

IMAGE_ACCEPT = "image/avif,image/webp,image/png,image/jpeg,image/gif;q=0.9,*/*;q=0.1"
# Hosts that refuse images to foreign Referers, and the Referer they accept (host suffix).
REFERERS = {
    "qpic.cn": "https://mp.weixin.qq.com/",
    "qlogo.cn": "https://mp.weixin.qq.com/",
    "sinaimg.cn": "https://weibo.com/",
}
_AVIF_BRANDS = (b"avif", b"avis")


@dataclass(frozen=True, slots=True)
class DownloadedImage:
    """The bytes of one image, what they are, and how big it is."""

    url: str
    data: bytes
    kind: str  # the file extension: jpg, png, gif, webp or avif
    width_px: int
    height_px: int


def sniff_image_kind(data: bytes) -> str | None:
    """``jpg``, ``png``, ``gif``, ``webp`` or ``avif`` from the first bytes; None otherwise."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[4:8] == b"ftyp" and (data[8:12] in _AVIF_BRANDS or _has_avif_brand(data)):
        return "avif"
    return None


def referer_for(image_url: str, page_url: str) -> str | None:
    """A Referer the image host accepts: its own site for hotlink-protected hosts,
    else the origin of the article page (never the full page URL)."""
    host = (urlsplit(image_url).hostname or "").lower()
    for suffix, referer in REFERERS.items():
        if host == suffix or host.endswith("." + suffix):
            return referer
    page = urlsplit(page_url)
    if page.scheme in ("http", "https") and page.netloc:
        return f"{page.scheme}://{page.netloc}/"
    return None


async def download_image(
    fetcher: Fetcher, url: str, *, page_url: str, max_bytes: int
) -> DownloadedImage:
    """GET one image; raise FetchError (network, status, size, address) or ImageError."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise ImageError(f"image not downloaded: {url} (not an http(s) URL)", url=url,
                         code="images.scheme")
    result = await fetcher.fetch(
        url, accept=IMAGE_ACCEPT, max_bytes=max_bytes, referer=referer_for(url, page_url)
    )
    return inspect_image(url, result.body)


def inspect_image(url: str, data: bytes) -> DownloadedImage:
    """Check that ``data`` is a raster image and read its size; raise ImageError if not."""
    kind = sniff_image_kind(data)
    if kind is None:
        start = data[:16].decode("ascii", "replace").strip()
        raise ImageError(f"not a raster image: {url} (starts with {start!r})", url=url,
                         code="images.not_image")
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ImageError(f"unreadable image: {url} ({exc})", url=url,
                         code="images.unreadable") from exc
    return DownloadedImage(url, data, kind, width, height)


def _has_avif_brand(data: bytes) -> bool:
    size = int.from_bytes(data[:4], "big")
    brands = data[16:min(size, 64)]
    return any(brands[i:i + 4] in _AVIF_BRANDS for i in range(0, len(brands) - 3, 4))
