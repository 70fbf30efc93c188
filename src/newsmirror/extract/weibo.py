"""Weibo posts from the mobile site's status pages (``m.weibo.cn/status/…``, ``/detail/…``).

The HTML of such a page is an empty shell: the post is in a script as
``var $render_data = [{"status": {…}, …}][0] || {};``.  Of the status object
this reads ``text`` (HTML; ``longText.longTextContent`` when the post is long),
``user.screen_name``, ``created_at`` (``"Sat Mar 09 20:15:42 +0800 2024"``),
``pics[].large.url`` and, for a repost, ``retweeted_status`` with the same fields.
Emoticons (``<span class="url-icon"><img alt="[doge]">``) become their text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import Any

from selectolax.lexbor import LexborHTMLParser

_RENDER_DATA = re.compile(r"\$render_data\s*=\s*(\[.*?\])\s*\[0\]", re.S)
_CREATED_AT = "%a %b %d %H:%M:%S %z %Y"
TITLE_MAX_CHARS = 40


@dataclass(frozen=True, slots=True)
class WeiboPost:
    """A post rendered as HTML, with what the page's metadata should say about it."""

    body_html: str
    title: str
    author: str | None = None
    published_iso: str | None = None


def render_weibo_status(script_text: str) -> WeiboPost | None:
    """The post in a script holding ``$render_data``, or None when it holds none."""
    match = _RENDER_DATA.search(script_text)
    if match is None:
        return None
    try:
        data = json.loads(match.group(1))
        status = data[0]["status"]
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    if not isinstance(status, dict):
        return None
    author = _screen_name(status)
    body = _render_status(status)
    repost = status.get("retweeted_status")
    if isinstance(repost, dict):
        name = _screen_name(repost)
        by = f"<p>转发自 @{escape(name)}：</p>" if name else "<p>转发：</p>"
        body += f"<blockquote>{by}{_render_status(repost)}</blockquote>"
    return WeiboPost(body_html=body, title=_title(author, body),
                     author=author, published_iso=_published_iso(status))


def _render_status(status: dict[str, Any]) -> str:
    long_text = (status.get("longText") or {}).get("longTextContent")
    text = long_text if isinstance(long_text, str) and long_text else status.get("text") or ""
    text = _emoticons_as_text(str(text).replace("\n", "<br>"))
    pictures = "".join(f'<p><img src="{escape(url)}" alt=""></p>' for url in _picture_urls(status))
    return f"<p>{text}</p>{pictures}"


def _emoticons_as_text(html: str) -> str:
    tree = LexborHTMLParser(f"<body>{html}</body>")
    body = tree.body
    if body is None:
        return html
    for icon in body.css("span.url-icon"):
        image = icon.css_first("img")
        alt = (image.attributes.get("alt") or "") if image is not None else ""
        icon.replace_with(alt)
    return body.inner_html or ""


def _picture_urls(status: dict[str, Any]) -> list[str]:
    urls = []
    for picture in status.get("pics") or []:
        if not isinstance(picture, dict):
            continue
        url = (picture.get("large") or {}).get("url") or picture.get("url")
        if isinstance(url, str) and url.startswith(("http://", "https://")):
            urls.append(url)
    return urls


def _screen_name(status: dict[str, Any]) -> str | None:
    user = status.get("user")
    name = user.get("screen_name") if isinstance(user, dict) else None
    return name if isinstance(name, str) and name.strip() else None


def _published_iso(status: dict[str, Any]) -> str | None:
    try:
        return datetime.strptime(str(status.get("created_at")), _CREATED_AT).isoformat()
    except ValueError:
        return None


def _title(author: str | None, body_html: str) -> str:
    """The post's first words (a post has no title), after its author's name."""
    text = " ".join(LexborHTMLParser(body_html).text(separator=" ").split())
    excerpt = text if len(text) <= TITLE_MAX_CHARS else text[:TITLE_MAX_CHARS] + "…"
    return f"{author}：{excerpt}" if author else excerpt
