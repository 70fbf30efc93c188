"""Which extractor reads a page, and when a feed item's own content is the article.

Every path cleans the same way before the sanitiser: a page read by a site
rule, a page read generically, and content a feed delivers all get the rules'
default rewrites and removals (plus the site's own, when its host has a rule).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser

from newsmirror.errors import NoContentError, NotArticleError
from newsmirror.extract.generic import extract_generic
from newsmirror.extract.metadata import read_declared_addresses
from newsmirror.extract.page_kind import read_page_signals
from newsmirror.extract.rewrites import apply_rewrites
from newsmirror.extract.rules import RuleSet, SiteRule, bundled_rules
from newsmirror.extract.site import extract_by_rule, remove_nodes, visible_chars
from newsmirror.models import ExtractedArticle, FeedEntry, Page, RuleCheck

log = logging.getLogger(__name__)

# A feed item whose content has at least this many characters of text, or is
# markedly longer than its summary, is taken to carry the whole article.
FULL_TEXT_MIN_CHARS = 600
# A site rule is judged only on pages where the generic extractor reads this much text.
RULE_CHECK_MIN_CHARS = 300


def extract_article(page: Page, rules: RuleSet | None = None) -> ExtractedArticle:
    """The article in ``page``: by the site's rule when one fits, else generically.

    The rule is chosen by the page's addresses (:func:`page_addresses`), so a page
    fetched through a proxy or mirror host still gets its outlet's rule.  A rule's
    reading is checked against the generic extractor's (on a fresh parse of the
    page; skipped when the rule read at least half of all the page's text, more
    than the generic extractor could find); a rule that read much less has stopped
    matching its outlet's pages, and the generic reading is kept (``rule_check``
    says which, and by how much).
    Raises NotArticleError for a front page or section index (see
    :mod:`newsmirror.extract.page_kind`), NoContentError when no extractor finds
    an article.
    """
    rules = rules or bundled_rules()
    tree = LexborHTMLParser(page.html)
    refuse_non_article(page, tree)
    addresses = page_addresses(page, tree)
    rule = rules.rule_for_page(addresses, tree)
    if rule is None:
        return extract_generic(tree, page, rules)
    host = next((urlsplit(a).hostname for a in addresses if rule.matches_host(a)), None)
    return _extract_checked(tree, page, rule, rules,
                            host or urlsplit(page.final_url).hostname or "")


def is_rule_failing(rule_chars: int, generic_chars: int) -> bool:
    """True when a rule read under half the text the generic extractor read on the page.

    Pages where the generic extractor reads fewer than ``RULE_CHECK_MIN_CHARS``
    characters are not judged: on a short page the two readings differ by a
    caption or a byline, and the verdict would flap from run to run.
    """
    return generic_chars >= RULE_CHECK_MIN_CHARS and rule_chars * 2 < generic_chars


def _extract_checked(tree: LexborHTMLParser, page: Page, rule: SiteRule, rules: RuleSet,
                     host: str) -> ExtractedArticle:
    most_generic_chars = _page_text_chars(tree)  # read before the rule changes the tree
    by_rule = _attempt(lambda: extract_by_rule(tree, page, rule, rules))
    rule_chars = _chars(by_rule)
    if isinstance(by_rule, ExtractedArticle) and not is_rule_failing(rule_chars,
                                                                     most_generic_chars):
        check = RuleCheck(rule.name, host, page.final_url, rule_chars, None, failed=False)
        return replace(by_rule, rule_check=check)
    generic = _attempt(lambda: extract_generic(LexborHTMLParser(page.html), page, rules))
    generic_chars = _chars(generic)
    failed = is_rule_failing(rule_chars, generic_chars)
    check = RuleCheck(rule.name, host, page.final_url, rule_chars, generic_chars, failed)
    if isinstance(by_rule, ExtractedArticle) and not failed:
        return replace(by_rule, rule_check=check)
    if isinstance(generic, NoContentError):
        raise generic
    if failed:
        log.warning("site rule failing, generic text kept rule=%s host=%s url=%s rule_chars=%d "
                    "generic_chars=%d", rule.name, host, page.final_url, rule_chars, generic_chars)
        return replace(generic, rule_check=check)
    log.warning("site rule found no article, generic text kept rule=%s url=%s reason=%s",
                rule.name, page.final_url, by_rule)
    return generic  # too short a page to judge the rule by


def _page_text_chars(tree: LexborHTMLParser) -> int:
    """Characters of text in the page's body, scripts and styles left out: more than any
    extractor can read from it."""
    body = tree.body
    if body is None:
        return 0
    scripts = sum(len("".join((node.text(deep=True) or "").split()))
                  for node in body.css("script, style"))
    return len("".join((body.text(deep=True) or "").split())) - scripts


def _attempt(read: Callable[[], ExtractedArticle]) -> ExtractedArticle | NoContentError:
    try:
        return read()
    except NoContentError as exc:
        return exc


def _chars(reading: ExtractedArticle | NoContentError) -> int:
    return visible_chars(reading.body_html) if isinstance(reading, ExtractedArticle) else 0


def refuse_non_article(page: Page, tree: LexborHTMLParser | None = None) -> None:
    """Raise NotArticleError when the page is a front page or a section index.

    ``tree``: the page already parsed, if it is (it is left unchanged).
    """
    signals = read_page_signals(page.html, tree)
    if not signals.is_article:
        raise NotArticleError(f"not an article page: {page.final_url} ({signals.describe()})",
                              url=page.url)


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
