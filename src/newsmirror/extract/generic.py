"""The generic extractor for pages without a site rule.  The only importer of trafilatura."""

from __future__ import annotations

import trafilatura

from newsmirror.errors import NoContentError
from newsmirror.models import ExtractedArticle, Page


def extract_generic(page: Page) -> ExtractedArticle:
    """Body HTML (paragraphs, headings, lists, images, links) found by trafilatura."""
    body = trafilatura.extract(
        page.html,
        url=page.final_url,
        output_format="html",
        include_images=True,
        include_links=True,
        include_formatting=True,
        include_tables=True,
        include_comments=False,
        favor_precision=True,
        with_metadata=False,
    )
    if not body:
        raise NoContentError(f"no article text found: {page.final_url}", url=page.url)
    metadata = trafilatura.extract_metadata(page.html, default_url=page.final_url)
    return ExtractedArticle(
        body_html=body,
        method="generic",
        title=(metadata.title if metadata else None) or None,
        author=(metadata.author if metadata else None) or None,
    )
