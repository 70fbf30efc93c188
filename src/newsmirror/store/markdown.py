"""Markdown links as the mirror writes them: in article files, lists and READMEs.

Link text has Markdown punctuation (``\\ [ ] * _ ` < > & ! | ~ #``) escaped with a
backslash, so a title is always text, never markup; a link target has spaces,
parentheses and angle brackets percent-encoded.  Both are kept on one line.
"""

from __future__ import annotations

import re

# Markdown punctuation that could turn a title into markup; a backslash makes it text.
_TITLE_ESCAPES = str.maketrans({c: "\\" + c for c in "\\[]*_`<>&!|~#"})
_URL_ESCAPES = str.maketrans({" ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E"})
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")


def one_line(text: str) -> str:
    """``text`` with every line break turned into a space (the format is line-based)."""
    return _LINE_BREAKS.sub(" ", text).strip()


def escape_link_text(title: str) -> str:
    """Markdown link text that shows ``title`` as it is, on one line."""
    return one_line(title).translate(_TITLE_ESCAPES)


def escape_link_url(url: str) -> str:
    """A Markdown link target for ``url``, on one line."""
    return one_line(url).translate(_URL_ESCAPES)


__all__ = ["escape_link_text", "escape_link_url", "one_line"]
