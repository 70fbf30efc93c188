"""The established article file format, written and read back.

::

    <!--{publication time, epoch milliseconds}-->
    [{title}]({original URL})
    ------

    {the article HTML on one line}

The title is Markdown link text: Markdown punctuation (``\\ [ ] * _ ` < > & ! | ~ #``)
is escaped with a backslash, so a title is always text, never markup.  The URL has spaces, parentheses and angle brackets percent-encoded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FIRST_LINE = re.compile(r"^<!--(-?\d+)-->$")
# Markdown punctuation that could turn a title into markup; a backslash makes it text.
_TITLE_ESCAPES = str.maketrans({c: "\\" + c for c in "\\[]*_`<>&!|~#"})
_URL_ESCAPES = str.maketrans({" ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E"})
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")
_TITLE_LINK = re.compile(r"^\[((?:\\.|[^\\\]])*)\]\((.*)\)$")
_UNESCAPE = re.compile(r"\\(.)")


@dataclass(frozen=True, slots=True)
class ArticleFile:
    """The parts of one article file."""

    published_ms: int
    title: str
    url: str
    body_html: str


class ArticleFormatError(ValueError):
    """A file does not follow the article file format."""


def one_line(text: str) -> str:
    """``text`` with every line break turned into a space (the format is line-based)."""
    return _LINE_BREAKS.sub(" ", text).strip()


def escape_link_text(title: str) -> str:
    return one_line(title).translate(_TITLE_ESCAPES)


def escape_link_url(url: str) -> str:
    return one_line(url).translate(_URL_ESCAPES)


def render_article_file(article: ArticleFile) -> str:
    """The file text for an article, ending in one newline."""
    return (
        f"<!--{article.published_ms}-->\n"
        f"[{escape_link_text(article.title)}]({escape_link_url(article.url)})\n"
        "------\n"
        "\n"
        f"{one_line(article.body_html)}\n"
    )


def parse_article_file(text: str) -> ArticleFile:
    """Read an article file; raise :class:`ArticleFormatError` if it is not one."""
    lines = text.split("\n")
    if len(lines) < 5 or lines[2] != "------" or lines[3] != "":
        raise ArticleFormatError("not an article file: expected 4 header lines")
    first = _FIRST_LINE.match(lines[0])
    if not first:
        raise ArticleFormatError(f"first line is not <!--epoch ms-->: {lines[0][:60]!r}")
    link = _TITLE_LINK.match(lines[1])
    if not link:
        raise ArticleFormatError(f"second line is not [title](url): {lines[1][:60]!r}")
    if lines[5:] not in ([""], []):
        raise ArticleFormatError("the article HTML must be one line followed by a newline")
    return ArticleFile(
        published_ms=int(first.group(1)),
        title=_UNESCAPE.sub(r"\1", link.group(1)),
        url=link.group(2),
        body_html=lines[4],
    )
