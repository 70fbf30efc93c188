"""Feed bytes → :class:`ParsedFeed`.  The only importer of feedparser.

RSS 0.9x/1.0/2.0 and Atom.  The bytes are decoded by fetch.response (the bytes
over the labels, so mislabelled GBK/Big5 feeds read right) and handed to
feedparser as labelled UTF-8; links that are not http(s) are dropped; links are made absolute against the
feed's own URL; dates become epoch milliseconds; HTML content is passed through
unsanitised, because the cleaning stage sanitises every path the same way.
"""

from __future__ import annotations

import calendar
import html
import re
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser

from newsmirror.errors import FeedError
from newsmirror.fetch.response import as_utf8_document, limit_html_depth
from newsmirror.models import FeedEntry, ParsedFeed

_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
# feedparser reports these when the feed is fine but its labels are not.
_HARMLESS_BOZO = ("CharacterEncodingOverride", "NonXMLContentType")


def parse_feed(body: bytes, url: str, *, content_type: str | None = None) -> ParsedFeed:
    """Parse a feed document; raise :class:`FeedError` if it is not a usable feed."""
    # Decoded by the bytes, not the labels: GBK/Big5 feeds with wrong or no labels.
    body, utf8_type = as_utf8_document(body, content_type)
    headers = {"content-type": utf8_type}
    parsed = feedparser.parse(
        body, response_headers=headers, sanitize_html=False, resolve_relative_uris=True
    )
    version = parsed.get("version") or ""
    warnings: list[str] = []
    if parsed.get("bozo"):
        problem = parsed.get("bozo_exception")
        name = type(problem).__name__
        if not parsed.entries or not version:
            raise FeedError(f"not a feed: {url} ({name}: {problem})", url=url)
        if not any(name.startswith(h) for h in _HARMLESS_BOZO):
            warnings.append(f"{name}: {problem}")
    if not version and not parsed.entries:
        raise FeedError(f"not a feed: {url} (no RSS or Atom root element)", url=url)
    entries = tuple(
        entry for entry in (_entry(raw, url) for raw in parsed.entries) if entry is not None
    )
    if parsed.get("bozo") and not entries:
        problem = parsed.get("bozo_exception")
        raise FeedError(f"malformed feed: {url} ({type(problem).__name__}: {problem})", url=url)
    skipped = len(parsed.entries) - len(entries)
    if skipped:
        warnings.append(f"{skipped} item(s) without a usable link were skipped")
    title = _plain_text(parsed.feed.get("title", ""))
    return ParsedFeed(url=url, title=title, entries=entries, warnings=tuple(warnings))


def _entry(raw: Any, feed_url: str) -> FeedEntry | None:
    # dict.get reads the raw keys: feedparser's own get() maps updated_parsed to
    # published_parsed with a deprecation warning.
    guid = (raw.get("id") or "").strip() or None
    link = (raw.get("link") or "").strip()
    if not link and guid and raw.get("guidislink", False):
        link = guid
    if not link:
        return None
    link = _http_link(feed_url, link)
    if link is None:
        return None  # javascript:, data:, file:, unparseable ... never become an article link
    return FeedEntry(
        link=link,
        title=_plain_text(raw.get("title", "")),
        guid=guid,
        guid_is_permalink=bool(raw.get("guidislink", False)),
        author=_plain_text(raw.get("author", "")) or None,
        published_ms=_epoch_ms(dict.get(raw, "published_parsed") or dict.get(raw, "updated_parsed")),
        updated_ms=_epoch_ms(dict.get(raw, "updated_parsed")),
        content_html=_full_content(raw),
        summary_html=limit_html_depth(raw.get("summary") or "") or None,
    )


def _http_link(feed_url: str, link: str) -> str | None:
    """``link`` made absolute, if it is an http(s) URL with a host that parses."""
    try:
        absolute = urljoin(feed_url, link)
        parts = urlsplit(absolute)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return absolute


def _full_content(raw: Any) -> str | None:
    contents = raw.get("content") or []
    htmls = [c.get("value", "") for c in contents if "html" in (c.get("type") or "")]
    texts = [c.get("value", "") for c in contents]
    best = limit_html_depth(max(htmls or texts or [""], key=len))
    return best or None


def _plain_text(value: str) -> str:
    text = html.unescape(_TAG.sub(" ", value)) if "<" in value else html.unescape(value)
    return _SPACE.sub(" ", text).strip()


def _epoch_ms(parsed_time: Any) -> int | None:
    if not parsed_time:
        return None
    try:
        return calendar.timegm(parsed_time) * 1000
    except (TypeError, ValueError, OverflowError):
        return None
