"""An article's readable text for search: plain text of the body, a short summary."""

from __future__ import annotations

import html
import re

SUMMARY_CHARS = 100
_BLOCK_TAG = re.compile(
    r"</?(?:p|div|br|li|h[1-6]|tr|td|th|blockquote|figure|figcaption|pre|hr)\b[^>]*>", re.I)
_ANY_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\s*\n\s*")
_ANY_SPACE = re.compile(r"\s+")


def html_to_text(body_html: str) -> str:
    """Readable plain text of an article body: block elements become line breaks."""
    text = _ANY_TAG.sub("", _BLOCK_TAG.sub("\n", body_html))
    text = _SPACES.sub(" ", html.unescape(text))
    return _BLANK_LINES.sub("\n", text).strip()


def summary_of(text: str, max_chars: int = SUMMARY_CHARS) -> str:
    """The start of a text on one line, at most ``max_chars`` characters (… when cut)."""
    line = _ANY_SPACE.sub(" ", text[: max_chars * 4]).strip()
    if len(line) <= max_chars:
        return line
    return line[: max_chars - 1].rstrip() + "…"


__all__ = ["SUMMARY_CHARS", "html_to_text", "summary_of"]
