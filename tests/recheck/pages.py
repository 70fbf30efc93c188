"""Small hand-written feeds and article pages for the re-check tests."""

from __future__ import annotations

from pathlib import Path

from newsmirror.config import Config, load_config
from newsmirror.demo.server import Route
from newsmirror.models import RunReport
from newsmirror.pipeline import RunOptions, run
from tests.support.mirrors import SourceSpec, make_mirror

HOUR_MS = 3_600_000
T0 = 1_700_000_000_000
ARTICLE_PATH = "/news/world-1"

PARAGRAPHS = (
    "新华社报道，当地政府今天宣布了新的防洪措施，计划在未来三个月内加固沿河堤坝。",
    "记者在现场看到，居民正在排队等候领取物资，许多人表示会继续关注事态发展。",
    "一位不愿具名的官员说，这次洪水是当地五十年来最严重的一次，损失仍在统计之中。",
    "专家指出，城市排水系统老化是造成内涝的主要原因之一，需要尽快更新改造。",
)
EDITED = (
    PARAGRAPHS[0],
    PARAGRAPHS[1],
    "一位官员说，这次洪水是当地多年来较严重的一次，损失已经得到控制。",
    PARAGRAPHS[3],
)
RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>测试来源</title><link>{{{{origin}}}}/</link>
<item><title>洪水过后的城市</title><link>{{{{origin}}}}{path}</link>
<pubDate>Tue, 14 Nov 2023 22:13:20 +0000</pubDate><description>{description}</description></item>
</channel></rss>"""


def feed_route(path: str = ARTICLE_PATH, description: str = "摘要") -> Route:
    """The feed of one item; ``description`` is its (escaped) content."""
    body = RSS.format(path=path, description=description)
    return Route(body.encode(), "application/rss+xml; charset=utf-8")


def article_route(paragraphs: tuple[str, ...] = PARAGRAPHS, related: tuple[str, ...] = ()) -> Route:
    """An article page; ``related`` are the titles in its related-articles box."""
    body = "".join(f"<p>{text}</p>" for text in paragraphs)
    box = ""
    if related:
        links = "".join(f'<p><a href="/news/{i}?utm_source=box">{title}</a></p>'
                        for i, title in enumerate(related))
        box = f"<h2>相关报道</h2>{links}"
    page = (
        "<html><head><title>洪水过后的城市</title></head><body><nav>首页 国际 评论</nav>"
        f"<article><h1>洪水过后的城市</h1>{body}{box}</article>"
        "<footer>版权所有</footer></body></html>"
    )
    return Route(page.encode())


def notice_route(notice: str) -> Route:
    """A WeChat-style page that shows only a removal notice."""
    page = (
        "<html><head><title>微信公众平台</title><script>var appmsg = {};</script></head><body>"
        f'<div class="weui-msg"><div class="weui-msg__text-area"><h2 class="weui-msg__title">'
        f"{notice}</h2></div></div></body></html>"
    )
    return Route(page.encode())


def redirect_route(location: str) -> Route:
    return Route(b"", "text/html", 301, (("Location", location),))


def front_page_route() -> Route:
    return Route("<html><body><h1>首页</h1><ul><li>新闻</li></ul></body></html>".encode())


def make_page_mirror(root: Path, origin: str, *, fulltext: str = "page",
                     **settings: object) -> Config:
    """One source at ``origin``/feed, its articles from the page (or ``fulltext``)."""
    make_mirror(root, [SourceSpec("测试来源", "test", origin + "/feed", fulltext)], **settings)
    return load_config(root)


def run_at(config: Config, at_ms: int, *, recheck_all: bool = False) -> RunReport:
    return run(config, RunOptions(clock=lambda: at_ms, recheck_all=recheck_all))
