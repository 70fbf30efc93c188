"""The allowlist sanitiser: always the last transformation of article HTML."""

from __future__ import annotations

import re

import nh3
from selectolax.lexbor import LexborHTMLParser

from newsmirror.clean.urls import absolute_url

ALLOWED_TAGS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "figure",
     "figcaption", "img", "a", "strong", "em", "b", "i", "u", "s", "sub", "sup", "br", "hr",
     "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "pre", "code", "cite",
     "q", "small", "mark", "time", "picture", "source", "dl", "dt", "dd", "abbr"}
)
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "srcset", "alt", "title", "width", "height"},
    "source": {"srcset", "type", "media"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "time": {"datetime"},
    "abbr": {"title"},
    "q": {"cite"},
    "blockquote": {"cite"},
}
_SPACE = re.compile(r"\s+")


def sanitize_html(html: str, base_url: str) -> str:
    """Allowlisted, one-line HTML with absolute links; nothing executable survives."""
    cleaned = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
        attribute_filter=lambda tag, attr, value: _absolute(attr, value, base_url),
    )
    return _SPACE.sub(" ", cleaned).strip()


def text_length(html: str) -> int:
    """Characters of visible text in an HTML fragment, whitespace excluded."""
    text = LexborHTMLParser(html).text(strip=True) if html else ""
    return len(_SPACE.sub("", text))


def _absolute(attribute: str, value: str, base_url: str) -> str | None:
    if attribute in ("href", "src", "cite"):
        return absolute_url(value, base_url)
    if attribute == "srcset":
        candidates = []
        for candidate in value.split(","):
            parts = candidate.strip().split()
            if parts:
                candidates.append(" ".join([absolute_url(parts[0], base_url), *parts[1:]]))
        return ", ".join(candidates)
    return value
