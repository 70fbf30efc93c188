"""One mirror whose three sources carry the hostile corpus down the three paths to a body.

``feed``: the payload is in a full-text feed item's content; ``generic``: in a
page no site rule fits (trafilatura reads it); ``site``: in a page with the BBC
template's fingerprint, so the BBC site rule reads it.  One run, real HTTP on
loopback, the real pipeline, the real static site.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape
from pathlib import Path

from newsmirror.config import load_config
from newsmirror.models import RunReport
from newsmirror.pipeline import RunOptions, run
from tests.faults.content import SIMPLIFIED
from tests.faults.mirror import FAULT_SETTINGS
from tests.faults.server import FaultServer, respond
from tests.hostile.corpus import HOSTILE_TITLES, PAYLOADS
from tests.support.mirrors import SourceSpec, make_mirror

PATHS = ("feed", "generic", "site")
JAVASCRIPT_ITEM = "javascript:alert(document.domain)"


def _item(title: str, link: str, content: str, author: str) -> str:
    return (f"<item><title>{escape(title)}</title><link>{escape(link)}</link>"
            f"<guid>{escape(link)}</guid><author>{escape(author)}</author>"
            f"<pubDate>Wed, 04 Mar 2026 08:00:00 GMT</pubDate>"
            f"<description>{escape(content)}</description></item>")


def hostile_feed(path: str) -> bytes:
    """One item per payload (titles and authors hostile too), plus a javascript: item."""
    items = []
    for n, (name, payload) in enumerate(PAYLOADS):
        title = HOSTILE_TITLES[n % len(HOSTILE_TITLES)] + f" {name}"
        content = f"<p>{SIMPLIFIED}</p>{payload}<p>{SIMPLIFIED}</p>" if path == "feed" else ""
        items.append(_item(title, f"{{{{origin}}}}/{path}/{name}", content,
                           HOSTILE_TITLES[(n + 1) % len(HOSTILE_TITLES)]))
    items.append(_item("脚本链接", JAVASCRIPT_ITEM, f"<p>{SIMPLIFIED}</p>", "x"))
    return ("<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
            f"<title>恶意 {path}</title><link>{{{{origin}}}}/</link>"
            f"{''.join(items)}</channel></rss>").encode()


def generic_page(payload: str) -> bytes:
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>新闻</title></head><body>"
            f"<nav><a href='/'>首页</a></nav><article><h1>新闻标题</h1><p>{SIMPLIFIED}</p>"
            f"{payload}<p>{SIMPLIFIED}</p><p>{SIMPLIFIED}</p></article>"
            f"<footer>版权所有</footer></body></html>").encode()


def site_page(payload: str) -> bytes:
    """A page with the BBC template's fingerprint (``main`` and og:site_name BBC)."""
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'>"
            f"<meta property='og:site_name' content='BBC News 中文'><title>新闻</title></head>"
            f"<body><header>BBC</header><main><h1>新闻标题</h1><p>{SIMPLIFIED}</p>{payload}"
            f"<p>{SIMPLIFIED}</p><p>{SIMPLIFIED}</p></main><footer>版权所有</footer>"
            f"</body></html>").encode()


@dataclass
class HostileMirror:
    root: Path
    report: RunReport
    origin: str

    def records(self) -> list[dict[str, object]]:
        return [json.loads(line) for shard in sorted((self.root / "index").rglob("*.jsonl"))
                for line in shard.read_text(encoding="utf-8").splitlines()]

    def article_path(self, path: str, name: str) -> Path:
        url = f"{self.origin}/{path}/{name}"
        found = [r["path"] for r in self.records() if r["url"] == url]
        assert len(found) == 1, f"{url} was not mirrored once: {found}"
        return self.root / str(found[0])

    def site_pages(self) -> list[Path]:
        return sorted((self.root / "docs").rglob("*.html"))


def build_hostile_mirror(tmp: Path, server: FaultServer) -> HostileMirror:
    for path in PATHS:
        server.routes[f"/{path}/feed"] = respond(hostile_feed(path), "application/rss+xml")
    for name, payload in PAYLOADS:
        server.routes[f"/generic/{name}"] = respond(generic_page(payload))
        server.routes[f"/site/{name}"] = respond(site_page(payload))
    sources = [SourceSpec(f"恶意 [{p}](x) & _来源_", p, server.url(f"/{p}/feed"),
                          "feed" if p == "feed" else "page") for p in PATHS]
    settings = {**FAULT_SETTINGS, "max_new_per_source": 500, "site_search": False,
                "request_deadline_s": 20.0, "read_timeout_s": 10.0}
    root = make_mirror(tmp / "mirror", sources, **settings)
    report = run(load_config(root), RunOptions(commit=False, push=False))
    return HostileMirror(root, report, server.origin)
