"""The named content rewrites a site rule may reference: one small function each.

A rewrite changes the parsed page in place before the body is selected.  Rules
name rewrites in ``rules/sites.toml``; a name that is not in ``REWRITES`` is an
error when the rules are loaded.  Rewrites whose ``needs_page`` is true read
the whole page (embedded JSON, page-level scripts) and are skipped on
feed-provided fragments.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from selectolax.lexbor import LexborHTMLParser, LexborNode

from newsmirror.extract.embedded import render_bbc_next_data
from newsmirror.extract.weibo import render_weibo_status

# Attributes where lazy-loading scripts keep the real address of an image.
LAZY_SRC_ATTRIBUTES = ("data-src", "data-original", "data-lazy-src", "data-actualsrc",
                       "data-original-src", "data-url", "data-hi-res-src")
LAZY_SRCSET_ATTRIBUTES = ("data-srcset", "data-lazy-srcset", "data-original-set")
# Containers that hold a paragraph's worth of inline content on some sites (WeChat <section>).
LEAF_CONTAINERS = ("div", "section", "article", "center", "main", "aside", "header", "footer")
BLOCK_SELECTOR = ",".join(("p", "div", "section", "article", "h1", "h2", "h3", "h4", "h5", "h6",
                           "ul", "ol", "table", "blockquote", "figure", "pre", "dl", "hr", "center",
                           "main", "aside", "header", "footer"))
# Parents inside which a container must not become a paragraph (no nested blocks there).
INLINE_PARENTS = frozenset({"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "figcaption",
                            "td", "th", "dt", "dd", "caption", "a", "pre"})
# Boxes holding one image and its caption, and the caption inside them.
CAPTION_BOXES = ".image, .wp-caption, .media-image, .caption-box"
CAPTIONS = ".caption, .wp-caption-text, .image-caption"
_FURNITURE = re.compile(r"header|logo|menu|\bnav|footer|sidebar|breadcrumb|toolbar|copyright",
                        re.I)
_PLACEHOLDER = re.compile(
    r"^(data:|about:)|placeholder|blank\.(gif|png)|spacer\.gif|grey-placeholder", re.I)


@dataclass(frozen=True, slots=True)
class Rewrite:
    """A named rewrite: what it does (``apply(root, page_url)``) and where it may run."""

    name: str
    apply: Callable[[LexborNode, str], None]
    needs_page: bool = False
    help: str = ""


def resolve_lazy_images(root: LexborNode, page_url: str) -> None:
    """``data-src`` (and kin) become ``src`` where ``src`` is missing or a placeholder."""
    for node in root.css("img, source"):
        attrs = node.attrs
        real = next((attrs[name] for name in LAZY_SRC_ATTRIBUTES if attrs.get(name)), None)
        current = attrs.get("src") or ""
        if real and (not current.strip() or _PLACEHOLDER.search(current)):
            attrs["src"] = real
        real_set = next((attrs[name] for name in LAZY_SRCSET_ATTRIBUTES if attrs.get(name)), None)
        if real_set and not (attrs.get("srcset") or "").strip():
            attrs["srcset"] = real_set
        if _PLACEHOLDER.search(attrs.get("src") or "") and attrs.get("srcset"):
            del attrs["src"]


def unwrap_noscript_images(root: LexborNode, page_url: str) -> None:
    """``<noscript><img></noscript>`` fallbacks become real images, once.

    When the noscript sits next to a lazy image that knows its real address, the
    noscript copy is dropped (the lazy image is resolved instead); otherwise the
    noscript's image takes its place.
    """
    for noscript in root.css("noscript"):
        markup = noscript.inner_html or noscript.text(deep=True) or ""
        if "<img" not in markup:
            continue
        if _has_lazy_neighbour(noscript):
            noscript.decompose()
            continue
        fragment = LexborHTMLParser(f"<body>{markup}</body>").body
        images = fragment.css("img") if fragment is not None else []
        for image in images:
            noscript.insert_before(image)
        noscript.decompose()


def _has_lazy_neighbour(node: LexborNode) -> bool:
    for forward in (False, True):
        sibling = node.next if forward else node.prev
        while sibling is not None and sibling.is_text_node and not (sibling.text() or "").strip():
            sibling = sibling.next if forward else sibling.prev
        if sibling is not None and sibling.tag == "img" and any(
            sibling.attributes.get(name) for name in LAZY_SRC_ATTRIBUTES
        ):
            return True
    return False


def paragraph_leaf_containers(root: LexborNode, page_url: str) -> None:
    """A ``<div>``/``<section>`` holding only inline content is a paragraph.

    The sanitiser unwraps these containers, and generic extractors skip text
    that is not in paragraphs; without this, pages that build paragraphs from
    sections (WeChat) would run together or vanish.
    """
    for node in root.css(",".join(LEAF_CONTAINERS)):
        if _has_block_descendant(node) or _inside_inline_parent(node):
            continue
        if (node.text(deep=True) or "").strip() or _has_descendant(node, "img"):
            node.inner_html = f"<p>{node.inner_html or ''}</p>"


def _has_block_descendant(node: LexborNode) -> bool:
    return _has_descendant(node, BLOCK_SELECTOR)


def _has_descendant(node: LexborNode, selector: str) -> bool:
    # lexbor's css() on a node also matches the node itself
    return any(match.mem_id != node.mem_id for match in node.css(selector))


def _inside_inline_parent(node: LexborNode) -> bool:
    """Inside a paragraph-like parent, or in page furniture (header, menu, footer…)."""
    current: LexborNode | None = node
    while current is not None and current.tag not in ("body", "html", None):
        if current is not node and current.tag in INLINE_PARENTS:
            return True
        if current.tag in ("nav", "header", "footer", "aside") and current is not node:
            return True
        names = f"{current.attributes.get('class') or ''} {current.attributes.get('id') or ''}"
        if _FURNITURE.search(names):
            return True
        current = current.parent
    return False


def build_caption_figures(root: LexborNode, page_url: str) -> None:
    """An image box with a caption paragraph (BBC legacy, WordPress) becomes a figure."""
    for box in root.css(CAPTION_BOXES):
        images = [n for n in box.css("img") if n.mem_id != box.mem_id]
        caption = box.css_first(CAPTIONS)
        if len(images) != 1 or caption is None or box.css_first("figure") is not None:
            continue
        text = escape(caption.text(deep=True, separator=" ", strip=True))
        box.inner_html = f"<figure>{images[0].html}<figcaption>{text}</figcaption></figure>"


def show_hidden_content(root: LexborNode, page_url: str) -> None:
    """WeChat serves ``#js_content`` with ``visibility: hidden`` until a script runs."""
    for node in root.css("#js_content, .rich_media_content"):
        style = node.attributes.get("style") or ""
        if "hidden" in style or "opacity" in style:
            del node.attrs["style"]


def render_next_data_body(root: LexborNode, page_url: str) -> None:
    """BBC (Simorgh): the article in ``__NEXT_DATA__`` replaces the server-rendered ``<main>``.

    The JSON holds the text, images, captions, byline and times as data; rendering
    it gives clean markup without the page's styled-component soup.  The author
    and headline are written into ``<head>`` as meta tags so that the rule's
    metadata selectors find them.  Without the JSON the page is left alone.
    """
    script = root.css_first("script#__NEXT_DATA__")
    main = root.css_first("main")
    if script is None or main is None:
        return
    rendered = render_bbc_next_data(script.text(deep=True) or "", page_url)
    if rendered is None:
        return
    main.inner_html = rendered.body_html
    head = root.css_first("head")
    if head is not None and rendered.author:
        head.inner_html = (head.inner_html or "") + _meta("author", rendered.author)


def render_weibo_render_data(root: LexborNode, page_url: str) -> None:
    """Weibo (m.weibo.cn): the post in ``$render_data`` becomes ``<article class="weibo-status">``.

    Its author, time and first words go into ``<head>`` as meta tags (``author``,
    ``article:published_time``, ``og:title``) for the rule's metadata selectors.
    Without the script the page is left alone.
    """
    script = next((s for s in root.css("script") if "$render_data" in (s.text() or "")), None)
    body, head = root.css_first("body"), root.css_first("head")
    if script is None or body is None or head is None:
        return
    post = render_weibo_status(script.text() or "")
    if post is None:
        return
    body.inner_html = f'<article class="weibo-status">{post.body_html}</article>'
    for node in head.css("meta[property='og:title'], meta[name='author']"):
        node.decompose()
    metas = [_meta("author", post.author) if post.author else "",
             _meta("article:published_time", post.published_iso, key="property")
             if post.published_iso else "",
             _meta("og:title", post.title, key="property")]
    head.inner_html = (head.inner_html or "") + "".join(metas)


def _meta(name: str, content: str, *, key: str = "name") -> str:
    escaped = content.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return f'<meta {key}="{name}" content="{escaped}">'


REWRITES: dict[str, Rewrite] = {
    rewrite.name: rewrite
    for rewrite in (
        Rewrite("lazy_images", resolve_lazy_images,
                help="data-src/data-original/data-srcset → src/srcset where src is a placeholder"),
        Rewrite("noscript_images", unwrap_noscript_images,
                help="<noscript> image fallbacks become images (dropped next to a lazy twin)"),
        Rewrite("leaf_paragraphs", paragraph_leaf_containers,
                help="<div>/<section> holding only inline content become paragraphs"),
        Rewrite("caption_figures", build_caption_figures,
                help="an image box with a caption paragraph becomes <figure>/<figcaption>"),
        Rewrite("show_hidden", show_hidden_content,
                help="WeChat #js_content hidden-visibility style removed"),
        Rewrite("bbc_next_data", render_next_data_body, needs_page=True,
                help="BBC __NEXT_DATA__ article JSON rendered into <main>"),
        Rewrite("weibo_render_data", render_weibo_render_data, needs_page=True,
                help="Weibo $render_data post rendered as <article class=weibo-status>"),
    )
}


def apply_rewrites(names: tuple[str, ...], root: LexborNode, page_url: str, *,
                   is_page: bool) -> None:
    """Run the named rewrites in order; page-only rewrites are skipped on fragments."""
    for name in names:
        rewrite = REWRITES[name]
        if is_page or not rewrite.needs_page:
            rewrite.apply(root, page_url)
