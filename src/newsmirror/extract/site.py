"""Applying a site rule to a parsed page: rewrites, metadata, removals, then the body."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser, LexborNode

from newsmirror.errors import NoContentError
from newsmirror.extract.metadata import (
    clean_author,
    clean_title,
    parse_time_ms,
    read_metadata,
    select_text,
)
from newsmirror.extract.rewrites import apply_rewrites
from newsmirror.extract.rules import RuleSet, SiteRule
from newsmirror.models import ExtractedArticle, Page


def extract_by_rule(
    tree: LexborHTMLParser, page: Page, rule: SiteRule, rules: RuleSet
) -> ExtractedArticle:
    """The article as ``rule`` describes it; NoContentError when its body is (nearly) empty.

    ``tree`` is changed in place (rewrites and removals).
    """
    url = page.final_url
    root = tree.root
    if root is None:
        raise NoContentError(f"empty page: {url}", url=page.url)
    apply_rewrites(rule.rewrites, root, url, is_page=True)
    meta = read_metadata(tree)
    title = clean_title(select_text(tree, rule.title)) or meta.title
    author = clean_author(select_text(tree, rule.author)) or meta.author
    published = _rule_published_ms(tree, rule, page.html) or meta.published_ms
    remove_nodes(root, rules.remove + rule.remove)
    nodes = select_body_nodes(tree, rule.body)
    for node in nodes:  # the cleaning every article gets, on the body only
        apply_rewrites(rules.rewrites, node, url, is_page=False)
    body = "".join(node.html or "" for node in nodes)
    if visible_chars(body) < rule.min_chars:
        raise NoContentError(
            f"site rule found no article: {url} (rule {rule.name}, body {rule.body!r}: "
            f"{visible_chars(body)} characters of text)", url=page.url)
    return ExtractedArticle(body_html=body, method=f"site:{rule.name}", title=title,
                            author=author, published_ms=published)


def remove_nodes(root: LexborNode, selectors: tuple[str, ...]) -> None:
    """Drop every node matching any of ``selectors`` (ads, share bars, related lists…)."""
    if not selectors:
        return
    for node in root.css(", ".join(selectors)):
        if node.parent is not None:
            node.decompose()


def select_body_nodes(tree: LexborHTMLParser, selector: str) -> list[LexborNode]:
    """Every node matching ``selector``, in page order, a node nested in another match once."""
    nodes = list({node.mem_id: node for node in tree.css(selector)}.values())  # a group may repeat
    ids = {node.mem_id for node in nodes}
    return [node for node in nodes if not _has_ancestor_in(node, ids)]


def _has_ancestor_in(node: LexborNode, ids: set[int]) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.mem_id in ids:
            return True
        parent = parent.parent
    return False


def _rule_published_ms(tree: LexborHTMLParser, rule: SiteRule, html: str) -> int | None:
    published = None
    for selector in rule.published:
        value = select_text(tree, (selector,))
        published = parse_time_ms(value) if value else None
        if published is not None:
            break
    if published is None and rule.published_pattern is not None:
        match = rule.published_pattern.search(html)
        published = parse_time_ms(match.group(1)) if match else None
    return published


def visible_chars(html: str) -> int:
    """Characters of text in ``html``, whitespace not counted."""
    if not html:
        return 0
    text = LexborHTMLParser(html).text(deep=True, strip=True)
    return len("".join(text.split()))
