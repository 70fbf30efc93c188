"""Which extractor reads a page, and when a feed item's own content is the article.

Every path cleans the same way before the sanitiser: a page read by a site
rule, a page read generically, and content a feed delivers all get the rules'
default rewrites and removals (plus the site's own, when its host has a rule).
"""

from __future__ import annotations

import logging

from selectolax.lexbor import LexborHTMLParser

from newsmirror.errors import NoContentError
from newsmirror.extract.generic import extract_generic
from newsmirror.extract.metadata import read_declared_addresses
from newsmirror.extract.rewrites import apply_rewrites
from newsmirror.extract.rules import RuleSet, bundled_rules
from newsmirror.extract.site import extract_by_rule, remove_nodes
from newsmirror.models import ExtractedArticle, FeedEntry, Page

log = logging.getLogger(__name__)

# A feed item whose content has at least this many characters of text, or is
# markedly longer than its summary, is taken to carry the whole article.
FULL_TEXT_MIN_CHARS = 600


def extract_article(page: Page, rules: RuleSet | None = None) -> ExtractedArticle:
    """The article in ``page``: by the site's rule when one fits, else generically.

    The rule is chosen by the page's addresses (:func:`page_addresses`), so a page
    fetched through a proxy or mirror host still gets its outlet's rule.  The page
    is parsed once.  When a rule fits but finds no body (the outlet
    changed its template), the generic extractor reads a fresh parse of the page.
    Raises NoContentError when neither finds an article.
    """
    rules = rules or bundled_rules()
    tree = LexborHTMLParser(page.html)
    rule = rules.rule_for_page(page_addresses(page, tree), tree)
    if rule is not None:
        try:
            return extract_by_rule(tree, page, rule, rules)
        except NoContentError as exc:
            log.warning("site rule failed, trying generic url=%s rule=%s reason=%s",
                        page.final_url, rule.name, exc)
            tree = LexborHTMLParser(page.html)
    return extract_generic(tree, page, rules)


def page_addresses(page: Page, tree: LexborHTMLParser) -> tuple[str, ...]:
    """Where a page is from, most trusted first: the address it was fetched from, the
    addresses it declares (canonical link, og:url), then the feed item's link."""
    return (page.final_url, *read_declared_addresses(tree), page.url)


def clean_feed_content(html: str, url: str, rules: RuleSet | None = None) -> str:
    """Feed-provided article HTML with the same rewrites and removals a page would get."""
    if not html:
        return ""
    rules = rules or bundled_rules()
    tree = LexborHTMLParser(f"<body>{html}</body>")
    body = tree.body
    if body is None:
        return ""
    rule = rules.rule_for_url(url)
    rewrites = (rule.rewrites if rule else ()) + rules.rewrites
    apply_rewrites(rewrites, body, url, is_page=False)
    remove_nodes(body, rules.remove + (rule.remove if rule else ()))
    return body.inner_html or ""


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
