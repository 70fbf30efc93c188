"""Inputs for the image tests: real image bytes made with Pillow, articles with every kind of
image reference, and a feed that carries them, all served on loopback."""

from __future__ import annotations

import io
from html import escape

from PIL import Image

from newsmirror.demo.server import Route


def image_bytes(kind: str, width: int = 64, height: int = 48, shade: int = 0) -> bytes:
    """A real image of ``kind`` (JPEG, PNG, GIF, WEBP, AVIF): gradients made distinct by
    ``shade``."""
    across = Image.linear_gradient("L").rotate(90).resize((width, height))
    down = Image.linear_gradient("L").resize((width, height))
    image = Image.merge("RGB", (across.point(lambda v: (v + shade) % 256), down,
                                Image.new("L", (width, height), shade % 256)))
    buffer = io.BytesIO()
    image.save(buffer, kind, **({"quality": 95} if kind in ("JPEG", "WEBP") else {}))
    return buffer.getvalue()


def noisy_png(width: int, height: int) -> bytes:
    """A PNG that does not compress: a few bytes per pixel."""
    buffer = io.BytesIO()
    Image.effect_noise((width, height), 80).convert("RGB").save(buffer, "PNG")
    return buffer.getvalue()


def jpeg(shade: int = 0, width: int = 64, height: int = 48) -> Route:
    return Route(image_bytes("JPEG", width, height, shade), "image/jpeg")


# Every kind of reference an outlet's article may hold, with {{origin}} for the server.
EVERY_KIND_BODY = """
<p>第一段：这篇文章里有各种各样的图片引用，用来检验镜像能否让每一张图都在墙内显示。</p>
<figure><img src="{{origin}}/img/plain.jpg" alt="普通图片"><figcaption>图片说明一</figcaption>
</figure>
<p><img src="{{origin}}/img/w640.jpg" alt="多尺寸图片"
  srcset="{{origin}}/img/w320.jpg 320w, {{origin}}/img/w640.jpg 640w,
          {{origin}}/img/w1600.jpg 1600w" sizes="100vw"></p>
<picture><source type="image/webp" srcset="{{origin}}/img/pic.webp 1x">
<img src="{{origin}}/img/pic.jpg" alt="picture 元素"></picture>
<p><img class="lazyload" alt="懒加载"
  src="data:image/gif;base64,R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw=="
  data-src="{{origin}}/img/lazy.png"></p>
<figure><noscript><img src="{{origin}}/img/lazyset-960.jpg" alt=""></noscript>
<img class="lazyload" alt="懒加载多尺寸" width="600" height="400"
  src="data:image/svg+xml,%3Csvg%20xmlns=%22http://www.w3.org/2000/svg%22%3E%3C/svg%3E"
  data-src="{{origin}}/img/lazyset-960.jpg"
  data-srcset="{{origin}}/img/lazyset-480.jpg 480w, {{origin}}/img/lazyset-960.jpg 960w">
<figcaption>图片说明二</figcaption></figure>
<div><img src="data:image/gif;base64,R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw=="
  alt="只在 noscript 里"><noscript><img src="{{origin}}/img/nsonly.gif"></noscript></div>
<video poster="{{origin}}/img/poster.jpg" title="视频标题" src="{{origin}}/video.mp4"></video>
<p><img src="{{origin}}/img/pixel.gif" width="1" height="1" alt=""></p>
<p><img src="data:image/gif;base64,R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw=="
  alt="没有真图的占位符"></p>
<p><img src="{{origin}}/img/dup.jpg" alt="与第一张相同的图片"></p>
<p>最后一段：图片之后还有文字，确保正文足够长，不会被当作空文章。</p>
"""
# The images the page shows (the 1x1 pixel and the bare placeholder are not among them).
SHOWN_ALTS = ("普通图片", "多尺寸图片", "picture 元素", "懒加载", "懒加载多尺寸", "只在 noscript 里",
              "与第一张相同的图片")


def every_kind_image_routes() -> dict[str, Route]:
    """The images EVERY_KIND_BODY refers to; dup.jpg has the same bytes as plain.jpg."""
    return {
        "/img/plain.jpg": jpeg(1),
        "/img/dup.jpg": jpeg(1),
        "/img/w320.jpg": jpeg(2, 32, 24),
        "/img/w640.jpg": jpeg(3),
        "/img/w1600.jpg": jpeg(4, 160, 120),
        "/img/pic.webp": Route(image_bytes("WEBP", shade=5), "image/webp"),
        "/img/pic.jpg": jpeg(6),
        "/img/lazy.png": Route(image_bytes("PNG", shade=7), "image/png"),
        "/img/lazyset-480.jpg": jpeg(8),
        "/img/lazyset-960.jpg": jpeg(9),
        "/img/nsonly.gif": Route(image_bytes("GIF", shade=10), "image/gif"),
        "/img/poster.jpg": jpeg(11),
        "/img/pixel.gif": Route(image_bytes("GIF", 1, 1), "image/gif"),
    }


def rss_feed(items: list[tuple[str, str, str]]) -> Route:
    """An RSS 2.0 feed whose items (path, title, body HTML) carry their whole article."""
    entries = "".join(
        f"<item><title>{escape(title)}</title><link>{{{{origin}}}}{path}</link>"
        f"<guid>{{{{origin}}}}{path}</guid><pubDate>Tue, 06 Aug 2024 08:00:00 GMT</pubDate>"
        f"<content:encoded><![CDATA[{body}]]></content:encoded></item>"
        for path, title, body in items
    )
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>图片测试</title><link>{{{{origin}}}}/</link>{entries}</channel></rss>"
    )
    return Route(xml.encode("utf-8"), "application/rss+xml; charset=utf-8")
