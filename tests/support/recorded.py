"""Routes that serve the recorded real feeds and pages from ``../shared/fixtures/real``.

The recorded feeds (2015) and pages (2012-2025) are from different years, so the
feeds' item links are rewritten when served: item *i* of an outlet's feed points
at ``{origin}/page/{outlet}/{i}``, which serves one of that outlet's recorded
pages (round robin).  Outlets without recorded pages keep only their feed.
"""

from __future__ import annotations

import re
from pathlib import Path

from newsmirror.demo.server import Route
from tests.support.mirrors import SourceSpec, make_mirror

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED = REPO_ROOT.parent / "shared"
REAL = SHARED / "fixtures" / "real"
PREDECESSOR = SHARED / "fixtures" / "predecessor"
SEED = SHARED / "seed" / "bbc-world-66806764.md"

FEEDS = {
    "bbc": ("bbc/feed_simp_atom_2015-03-16_via-greatfire.xml", "application/atom+xml"),
    "dw": ("dw/feed_rss-chi-all_rdf_2015-03-16_via-greatfire.xml", "application/rdf+xml"),
    "nyt": ("nyt/feed_rss_2015-03-16_via-greatfire.xml", "application/rss+xml; charset=utf-8"),
    "cdt": ("cdt/feed_level2_fulltext_2015-03-16_via-greatfire.xml", "application/rss+xml"),
}
PAGES = {
    "bbc": (
        "bbc/article_2012-12-10_121210_hongkong_politics_capture-a.html",
        "bbc/article_2025-11-30_cwyv1yz8yrno_simp_reindented.html",
        "bbc/article_2025_cx2pyye2l9jo_trad_video.html",
    ),
}
_ITEM_LINK = {
    # Atom: <link rel="alternate" href="..."/> inside <entry>
    "atom": re.compile(rb'(<entry>.*?<link[^>]*?href=")([^"]+)(")', re.S),
}


def _rewrite_item_links(body: bytes, outlet: str) -> bytes:
    """Point every item's link (and permalink guid) at the loopback server."""
    counter = iter(range(10**6))

    def page_url(_: re.Match[bytes]) -> bytes:
        return f"{{{{origin}}}}/page/{outlet}/{next(counter)}".encode()

    if b"<feed" in body[:2000]:
        pattern = re.compile(rb'(?<=<entry>)(.*?<link[^>]*?href=")([^"]+)(")', re.S)
        return pattern.sub(lambda m: m.group(1) + page_url(m) + m.group(3), body)
    # RSS 1.0 / 2.0: the <link> element of each <item>
    pattern = re.compile(rb"(<item\b[^>]*>.*?<link>)(.*?)(</link>)", re.S)
    return pattern.sub(lambda m: m.group(1) + page_url(m) + m.group(3), body)


def feed_path(outlet: str) -> str:
    return f"/feed/{outlet}"


def recorded_routes() -> dict[str, Route]:
    """Every recorded feed at ``/feed/{outlet}`` and pages at ``/page/{outlet}/{i}``."""
    routes: dict[str, Route] = {}
    for outlet, (relative, content_type) in FEEDS.items():
        body = _rewrite_item_links((REAL / relative).read_bytes(), outlet)
        routes[feed_path(outlet)] = Route(body, content_type)
        pages = PAGES.get(outlet, ())
        for i in range(body.count(b"/page/" + outlet.encode() + b"/")):
            if pages:
                page = (REAL / pages[i % len(pages)]).read_bytes()
                routes[f"/page/{outlet}/{i}"] = Route(page, "text/html; charset=utf-8")
    for outlet, files in PAGES.items():
        for n, relative in enumerate(files):
            routes[f"/recorded/{outlet}/{n}"] = Route((REAL / relative).read_bytes())
    return routes


def recorded_sources(origin: str) -> list[SourceSpec]:
    """The four recorded feeds as sources: BBC through its pages, the rest from the feed."""
    return [
        SourceSpec("BBC", "bbc", origin + feed_path("bbc"), "page"),
        SourceSpec("德国之声", "dw", origin + feed_path("dw"), "feed"),
        SourceSpec("纽约时报", "nyt", origin + feed_path("nyt"), "feed"),
        SourceSpec("中国数字时代", "cdt", origin + feed_path("cdt"), "auto"),
    ]


def make_recorded_mirror(root: Path, origin: str, **settings: object) -> Path:
    """A mirror of the recorded feeds served at ``origin``, taking every item in one run."""
    return make_mirror(root, recorded_sources(origin), **{"max_new_per_source": 100, **settings})
