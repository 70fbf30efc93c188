"""Title, author and publication time: from a rule's selectors, else meta tags and JSON-LD.

The feed's own values are the last resort; the pipeline applies them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from selectolax.lexbor import LexborHTMLParser, LexborNode

BEIJING = timezone(timedelta(hours=8))
TITLE_META = ("meta[property='og:title']", "meta[name='twitter:title']", "meta[name='title']",
              "meta[name='Headline']")
AUTHOR_META = ("meta[name='author']", "meta[property='article:author']",
               "meta[name='article:author']", "meta[name='byl']", "meta[name='dc.creator']")
PUBLISHED_META = ("meta[property='article:published_time']", "meta[name='article:published_time']",
                  "meta[itemprop='datePublished']", "meta[name='dcterms.created']",
                  "meta[name='OriginalPublicationDate']", "meta[name='pubdate']",
                  "meta[name='publishdate']", "meta[property='og:published_time']")
# Site names that pages append to their <title>/og:title, or put where the author goes.
SITE_NAMES = ("BBC News 中文", "BBC 中文网", "BBC中文网", "法国国际广播电台 - RFI", "RFI",
              "美国之音", "VOA", "DW", "德国之声", "FT中文网", "纽约时报中文网", "自由亚洲电台",
              "中国数字时代")
TITLE_SUFFIX = re.compile(r"\s+[-–|_]\s+(" + "|".join(re.escape(n) for n in SITE_NAMES) + r")\s*$")
_CHINESE_DATE = re.compile(
    r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日[^\d]{0,12}?(?:(\d{1,2})[:：](\d{2}))?")
_NUMERIC_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T](\d{1,2}):(\d{2}))?")


@dataclass(frozen=True, slots=True)
class PageMetadata:
    title: str | None = None
    author: str | None = None
    published_ms: int | None = None


def read_metadata(tree: LexborHTMLParser) -> PageMetadata:
    """What the page's meta tags and JSON-LD say about the article."""
    ld = _json_ld_article(tree)
    title = _first_meta(tree, TITLE_META) or _ld_text(ld.get("headline"))
    author = clean_author(_first_meta(tree, AUTHOR_META)) or _ld_author(ld.get("author"))
    published = parse_time_ms(_first_meta(tree, PUBLISHED_META) or "") \
        or parse_time_ms(_ld_text(ld.get("datePublished")) or "")
    if title is None and tree.css_first("title") is not None:
        title = tree.css_first("title").text(strip=True) or None  # type: ignore[union-attr]
    return PageMetadata(title=clean_title(title), author=author, published_ms=published)


def select_text(tree: LexborHTMLParser, selectors: tuple[str, ...]) -> str | None:
    """Text (or ``content``/``datetime`` value) of the first node matching, selector by selector."""
    for selector in selectors:
        for node in tree.css(selector):
            value = _node_value(node)
            if value:
                return value
    return None


def clean_title(title: str | None) -> str | None:
    if not title:
        return None
    stripped = TITLE_SUFFIX.sub("", " ".join(title.split()))
    return stripped or None


def parse_time_ms(value: str) -> int | None:
    """Milliseconds since the epoch from ISO 8601, epoch seconds/ms, or a Chinese date.

    A time without zone is read as Beijing time, except that a BBC legacy page's
    "格林尼治标准时间" (GMT) is honoured.
    """
    value = value.strip()
    if not value:
        return None
    if value.isdigit() and len(value) in (10, 13):
        return int(value) * (1000 if len(value) == 10 else 1)
    parsed: datetime | None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        parsed = _parse_loose_date(value)
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC if "格林尼治" in value or "GMT" in value else BEIJING)
    return int(parsed.timestamp() * 1000)


def _parse_loose_date(value: str) -> datetime | None:
    match = _CHINESE_DATE.search(value) or _NUMERIC_DATE.search(value)
    if match is None:
        return None
    year, month, day, hour, minute = (int(g) if g else 0 for g in match.groups())
    if hour == 0 and minute == 0:
        clock = re.search(r"(\d{1,2})[:：](\d{2})", value[match.end():])
        if clock:
            hour, minute = int(clock.group(1)), int(clock.group(2))
    try:
        return datetime(year, month, day, hour, minute)
    except ValueError:
        return None


def _node_value(node: LexborNode) -> str | None:
    attrs = node.attributes
    for name in ("content", "datetime", "data-timestamp"):
        if attrs.get(name):
            return (attrs[name] or "").strip() or None
    text = node.text(deep=True, separator=" ", strip=True)
    return " ".join(text.split()) or None


def _first_meta(tree: LexborHTMLParser, selectors: tuple[str, ...]) -> str | None:
    for selector in selectors:
        for node in tree.css(selector):
            content = (node.attributes.get("content") or "").strip()
            if content:
                return content
    return None


def clean_author(value: str | None) -> str | None:
    """An author meta value, unless it is a URL (Facebook pages) or the outlet's own name."""
    if not value or value.startswith(("http://", "https://")) or value in SITE_NAMES:
        return None
    return value


def _json_ld_article(tree: LexborHTMLParser) -> dict[str, object]:
    for script in tree.css("script[type='application/ld+json']"):
        for item in _json_ld_items(script.text(deep=True) or ""):
            kind = item.get("@type")
            kinds = kind if isinstance(kind, list) else [kind]
            if any(isinstance(k, str) and k.endswith(("Article", "BlogPosting", "Report"))
                   for k in kinds):
                return item
    return {}


def json_ld_types(tree: LexborHTMLParser) -> frozenset[str]:
    """Every ``@type`` the page's JSON-LD names (items of an ``@graph`` included)."""
    types: set[str] = set()
    for script in tree.css("script[type='application/ld+json']"):
        for item in _json_ld_items(script.text(deep=True) or ""):
            kind = item.get("@type")
            types.update(k for k in (kind if isinstance(kind, list) else [kind])
                         if isinstance(k, str))
    return frozenset(types)


def _json_ld_items(text: str) -> Iterator[dict[str, object]]:
    try:
        data = json.loads(text)
    except ValueError:
        return
    stack = data if isinstance(data, list) else [data]
    for item in stack:
        if isinstance(item, dict):
            yield item
            graph = item.get("@graph")
            if isinstance(graph, list):
                yield from (g for g in graph if isinstance(g, dict))


def _ld_text(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _ld_author(value: object) -> str | None:
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str) and name.strip() and not name.startswith("http"):
            names.append(name.strip())
    return "、".join(names) or None


def read_page_address(html: str) -> str | None:
    """The address a saved page declares for itself (canonical link, og:url), if absolute."""
    return next(iter(read_declared_addresses(LexborHTMLParser(html))), None)


def read_declared_addresses(tree: LexborHTMLParser) -> tuple[str, ...]:
    """The absolute addresses a page gives for itself: its canonical link, then its og:url.

    A page read through a proxy or mirror host still names the outlet's own address here.
    """
    addresses = []
    for selector, attribute in (("link[rel='canonical']", "href"),
                                ("meta[property='og:url']", "content")):
        node = tree.css_first(selector)
        value = (node.attributes.get(attribute) or "").strip() if node is not None else ""
        if value.startswith(("http://", "https://")):
            addresses.append(value)
    return tuple(addresses)
