"""The generic extractor for pages without a site rule.

The only importer of trafilatura and readability.  The page is cleaned first
(lazy images resolved, the default removals applied) so that both extractors
see real images and less boilerplate.  trafilatura reads first (HTML output,
images, links, tables kept); when its text is short or missing, readability
gives a second opinion and the longer of the two wins.
"""

from __future__ import annotations

import logging

import trafilatura
from lxml.etree import ParserError
from readability import Document
from readability.readability import Unparseable
from selectolax.lexbor import LexborHTMLParser

from newsmirror.errors import NoContentError
from newsmirror.extract.metadata import read_metadata
from newsmirror.extract.rewrites import apply_rewrites
from newsmirror.extract.rules import RuleSet
from newsmirror.extract.site import remove_nodes, visible_chars
from newsmirror.models import ExtractedArticle, Page

log = logging.getLogger(__name__)

# Below this many characters of text, trafilatura's answer gets a second opinion.
SECOND_OPINION_BELOW_CHARS = 300
# A body with fewer characters than this is no article.
GENERIC_MIN_CHARS = 40


def extract_generic(tree: LexborHTMLParser, page: Page, rules: RuleSet) -> ExtractedArticle:
    """Body HTML found by trafilatura (or readability when that is better), plus metadata."""
    meta = read_metadata(tree)
    root = tree.root
    if root is not None:
        apply_rewrites(rules.rewrites, root, page.final_url, is_page=True)
        remove_nodes(root, rules.remove)
    html = tree.html or ""
    body, method = read_with_trafilatura(html, page.final_url), "generic"
    if visible_chars(body) < SECOND_OPINION_BELOW_CHARS:
        second = read_with_readability(html, page.final_url)
        if visible_chars(second) > visible_chars(body):
            body, method = second, "generic:readability"
    body = drop_leading_title(body, meta.title)
    if visible_chars(body) < GENERIC_MIN_CHARS:
        raise NoContentError(
            f"no article text found: {page.final_url} ({visible_chars(body)} characters of text)",
            url=page.url)
    return ExtractedArticle(body_html=body, method=method, title=meta.title,
                            author=meta.author, published_ms=meta.published_ms)


def read_with_trafilatura(html: str, url: str) -> str:
    """trafilatura's body HTML, or "" when it finds none."""
    body = trafilatura.extract(
        html,
        url=url,
        output_format="html",
        include_images=True,
        include_links=True,
        include_formatting=True,
        include_tables=True,
        include_comments=False,
        favor_precision=True,
        with_metadata=False,
        deduplicate=False,
    )
    return body or ""


def read_with_readability(html: str, url: str) -> str:
    """readability-lxml's body HTML, or "" when it cannot read the page."""
    try:
        return Document(html, url=url).summary(html_partial=True) or ""
    except (Unparseable, ParserError, ValueError) as exc:
        log.debug("readability failed url=%s reason=%s", url, exc)
        return ""


def drop_leading_title(body: str, title: str | None) -> str:
    """The body without a first block that only repeats the article's title."""
    if not body or not title:
        return body
    fragment = LexborHTMLParser(f"<body>{body}</body>").body
    if fragment is None:
        return body
    wanted = "".join(title.split())
    for node in fragment.css("h1, h2, h3, p, div"):
        text = "".join((node.text(deep=True) or "").split())
        if not text:
            continue
        if text == wanted and node.css_first("img") is None:
            node.decompose()
            return fragment.inner_html or ""
        return body
    return body
