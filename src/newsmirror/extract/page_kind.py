"""Whether a page is an article at all, or an outlet's front page or section index.

Feeds sometimes link to a front page, a topic page or a section index.  Such a
page has plenty of text and a site rule may even "read" it, but it is a list of
other articles, not one.  The page's own signals decide, never its address:

- **Article markup** settles it: ``og:type`` ``article``, a JSON-LD or
  microdata type ending in ``Article``, ``BlogPosting`` or ``Report``, a
  publication-time meta tag, or a single ``<article>`` holding most of the text.
- **Without it, links decide.**  The main content (``<main>``, else the body;
  navigation, header, footer, asides, forms and scripts left out) is a list when
  at least ``LIST_LINK_SHARE`` of its text is link text, or when at least
  ``TEASER_LINK_SHARE`` is and most of its headings are links (teaser headlines).
"""

from __future__ import annotations

from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

from newsmirror.extract.metadata import PUBLISHED_META, json_ld_types

ARTICLE_TYPE_SUFFIXES = ("Article", "BlogPosting", "Report")
LISTING_TYPES = frozenset({"CollectionPage", "ItemList", "SearchResultsPage"})
NOT_CONTENT = ("script, style, noscript, template, nav, header, footer, aside, form, select, "
               "button, svg, iframe")
LIST_LINK_SHARE = 0.6  # main text this much link text is a list, whatever else it holds
TEASER_LINK_SHARE = 0.3  # … or this much, when its headings are mostly links
TEASER_MIN_HEADINGS = 5
TEASER_HEADING_SHARE = 0.75


@dataclass(frozen=True, slots=True)
class PageSignals:
    """What a page says about itself, and how much of its main content is links."""

    article_markup: str | None  # what declares it an article, if anything
    listing_markup: str | None  # what declares it a listing, if anything
    link_share: float = 0.0  # share of the main content's text inside links
    headings: int = 0
    linked_headings: int = 0

    @property
    def is_article(self) -> bool:
        if self.article_markup is not None:
            return True
        teasers = (self.headings >= TEASER_MIN_HEADINGS
                   and self.linked_headings >= TEASER_HEADING_SHARE * self.headings)
        return not (self.link_share >= LIST_LINK_SHARE
                    or (teasers and self.link_share >= TEASER_LINK_SHARE))

    def describe(self) -> str:
        """The signals, for an error message: ``og:type website; 70% of … links``."""
        parts = [self.listing_markup] if self.listing_markup else ["no article markup"]
        parts.append(f"{self.link_share:.0%} of the main text and {self.linked_headings} of "
                     f"{self.headings} headings are links")
        return "; ".join(parts)


def read_page_signals(html: str, parsed: LexborHTMLParser | None = None) -> PageSignals:
    """The page's signals; the link counts only when no article markup settles it.

    ``parsed``: the page already parsed, if it is; it is read, never changed.
    """
    declared = _declared_article(parsed if parsed is not None else LexborHTMLParser(html))
    if declared is not None:
        return PageSignals(declared, None)
    tree = LexborHTMLParser(html)  # a copy to take navigation and the like out of
    listing = _listing_markup(tree)
    main = _main_content(tree)
    text_chars = _chars(main) if main is not None else 0
    if main is None or text_chars == 0:
        return PageSignals(None, listing)
    articles = tree.css("article")
    if len(articles) == 1 and 2 * _chars(articles[0]) >= text_chars:
        return PageSignals("one <article>", listing)
    link_chars = sum(_chars(link) for link in main.css("a"))
    headings = [h for h in main.css("h1, h2, h3, h4, h5, h6") if _chars(h)]
    linked = [h for h in headings if h.css_first("a") is not None or _inside_link(h)]
    return PageSignals(None, listing, link_chars / text_chars, len(headings), len(linked))


def _declared_article(tree: LexborHTMLParser) -> str | None:
    og_type = _og_type(tree)
    if og_type.startswith("article"):
        return f"og:type {og_type}"
    article_types = sorted(t for t in _schema_types(tree) if t.endswith(ARTICLE_TYPE_SUFFIXES))
    if article_types:
        return f"schema.org {article_types[0]}"
    if any((node.attributes.get("content") or "").strip()
           for node in tree.css(", ".join(PUBLISHED_META))):
        return "a publication time"
    return None


def _listing_markup(tree: LexborHTMLParser) -> str | None:
    if _og_type(tree) == "website":
        return "og:type website"
    listing_types = sorted(_schema_types(tree) & LISTING_TYPES)
    return f"schema.org {listing_types[0]}" if listing_types else None


def _og_type(tree: LexborHTMLParser) -> str:
    node = tree.css_first("meta[property='og:type']")
    return (node.attributes.get("content") or "").strip().lower() if node is not None else ""


def _schema_types(tree: LexborHTMLParser) -> frozenset[str]:
    """JSON-LD ``@type`` values and microdata ``itemtype`` names on the page."""
    microdata = {(node.attributes.get("itemtype") or "").rstrip("/").rsplit("/", 1)[-1]
                 for node in tree.css("[itemtype]")}
    return json_ld_types(tree) | frozenset(microdata - {""})


def _main_content(tree: LexborHTMLParser) -> LexborNode | None:
    for node in tree.css(NOT_CONTENT):
        if node.parent is not None:
            node.decompose()
    return tree.css_first("main, [role='main']") or tree.body


def _inside_link(node: LexborNode) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.tag == "a":
            return True
        parent = parent.parent
    return False


def _chars(node: LexborNode) -> int:
    return len("".join((node.text(deep=True) or "").split()))
