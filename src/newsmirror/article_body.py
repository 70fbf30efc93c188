"""One stage turns what arrives into the article body the mirror stores.

A fetched page, a feed item's own content, or article HTML kept elsewhere (an
archived file being imported) all go the same way::

    extract          page: site rule or generic; feed item: the rules' rewrites
                     and removals; stored HTML: taken as it is
      → lazy images  made real (images.refs.resolve_lazy_images)
      → sanitise     the allowlist, always the last transformation (clean.sanitize)
      → length       fewer than ``min_chars`` characters of text: NoContentError

so a page gives the same body whichever way it arrives.  The functions are
CPU-bound and synchronous: async callers run them in ``asyncio.to_thread``.
Nothing is downloaded here; the image policy (proxy, local copies) is the images
stage's job, on the :class:`~newsmirror.models.CleanArticle` this returns.
"""

from __future__ import annotations

from newsmirror.clean.sanitize import sanitize_html, text_length
from newsmirror.errors import NoContentError
from newsmirror.extract import clean_feed_content, extract_article
from newsmirror.extract.rules import RuleSet
from newsmirror.images.refs import resolve_lazy_images
from newsmirror.models import CleanArticle, ExtractedArticle, Page

STORED_METHOD = "stored"


def clean_page(page: Page, *, min_chars: int, rules: RuleSet | None = None) -> CleanArticle:
    """The article in a fetched page, ready to store; links resolve against its final URL.

    Raises :class:`~newsmirror.errors.ExtractError` (``NoContentError`` when the
    body is shorter than ``min_chars`` characters of text).
    """
    extracted = extract_article(page, rules)
    return _finished(extracted, base_url=page.final_url, url=page.url, min_chars=min_chars)


def clean_feed_item(
    html: str, url: str, *, min_chars: int, rules: RuleSet | None = None
) -> CleanArticle:
    """A feed item's own article HTML (the item's link is ``url``), ready to store."""
    extracted = ExtractedArticle(body_html=clean_feed_content(html, url, rules), method="feed")
    return _finished(extracted, base_url=url, url=url, min_chars=min_chars)


def clean_stored_html(html: str, base_url: str, *, min_chars: int) -> CleanArticle:
    """Article HTML kept elsewhere (no page around it to extract from), ready to store."""
    extracted = ExtractedArticle(body_html=html, method=STORED_METHOD)
    return _finished(extracted, base_url=base_url, url=base_url, min_chars=min_chars)


def _finished(
    extracted: ExtractedArticle, *, base_url: str, url: str, min_chars: int
) -> CleanArticle:
    body = sanitize_html(resolve_lazy_images(extracted.body_html), base_url)
    chars = text_length(body)
    if chars < min_chars:
        raise NoContentError(
            f"article body empty or nearly so: {url} ({chars} characters of text)", url=url
        )
    return CleanArticle(body_html=body, base_url=base_url, method=extracted.method,
                        title=extracted.title, author=extracted.author,
                        published_ms=extracted.published_ms, text_chars=chars,
                        rule_check=extracted.rule_check)


__all__ = ["STORED_METHOD", "clean_feed_item", "clean_page", "clean_stored_html"]
