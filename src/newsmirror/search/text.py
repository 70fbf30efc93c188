"""A short summary of an article's text for search results (the text itself is the
sanitiser's ``plain_text``, the same the history and re-checks compare)."""

from __future__ import annotations

import re

SUMMARY_CHARS = 100
_ANY_SPACE = re.compile(r"\s+")


def summary_of(text: str, max_chars: int = SUMMARY_CHARS) -> str:
    """The start of a text on one line, at most ``max_chars`` characters (… when cut)."""
    line = _ANY_SPACE.sub(" ", text[: max_chars * 4]).strip()
    if len(line) <= max_chars:
        return line
    return line[: max_chars - 1].rstrip() + "…"


__all__ = ["SUMMARY_CHARS", "summary_of"]
