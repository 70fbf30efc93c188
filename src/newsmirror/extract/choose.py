"""Which extractor reads a page, and when a feed item's own content is the article."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from newsmirror.extract.generic import extract_generic
from newsmirror.models import ExtractedArticle, FeedEntry, Page

# A feed item whose content has at least this many characters of text, or is
# markedly longer than its summary, is taken to carry the whole article.
FULL_TEXT_MIN_CHARS = 600


def extract_article(page: Page) -> ExtractedArticle:
    """The article in ``page``: by the site's rule when one exists, else generically."""
    return extract_generic(page)


def feed_item_body(entry: FeedEntry, *, require_full: bool) -> str | None:
    """The item's own article HTML, or None when the page must be fetched.

    With ``require_full`` (``fulltext = "auto"``) only content that looks like the
    whole article counts; otherwise any content or summary will do.
    """
    content = entry.content_html or ""
    if not require_full:
        return content or entry.summary_html or None
    text_chars = len(_visible_text(content))
    summary_chars = len(_visible_text(entry.summary_html or ""))
    if text_chars >= FULL_TEXT_MIN_CHARS or (text_chars > 2 * summary_chars >= 200):
        return content
    return None


def _visible_text(html: str) -> str:
    return LexborHTMLParser(html).text(strip=True) if html else ""
