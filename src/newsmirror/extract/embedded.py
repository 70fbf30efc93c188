"""Article bodies that pages carry as embedded JSON rather than as HTML.

BBC's current pages (Simorgh, Next.js) hold the article in ``__NEXT_DATA__`` as a
tree of typed blocks: ``text`` → ``paragraph`` → ``fragment``/``urlLink``,
``subheadline``, ``image`` (``rawImage``, ``caption``, ``altText``), ``video``
(``aresMedia``), ``byline``.  Promotions, ads (``mpu``), social embeds,
recommendations (``wsoj``) and related content are not rendered.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape
from typing import Any

BBC_IMAGE_HOST = "https://ichef.bbci.co.uk/ace/ws"
BBC_IMAGE_WIDTHS = (240, 320, 480, 624, 800)
BBC_SKIPPED_BLOCKS = frozenset(
    {"headline", "fauxHeadline", "visuallyHiddenHeadline", "timestamp", "byline", "mpu", "wsoj",
     "relatedContent", "continueReading", "links", "podcastPromo", "promo"}
)

Block = dict[str, Any]


@dataclass(frozen=True, slots=True)
class RenderedArticle:
    """HTML rendered from embedded JSON, with the metadata found alongside."""

    body_html: str
    headline: str | None = None
    author: str | None = None


def render_bbc_next_data(script_text: str, page_url: str) -> RenderedArticle | None:
    """The article in a BBC ``__NEXT_DATA__`` script, or None when the JSON has none."""
    try:
        data = json.loads(script_text)
        blocks = data["props"]["pageProps"]["pageData"]["content"]["model"]["blocks"]
    except (ValueError, KeyError, TypeError):
        return None
    if not isinstance(blocks, list):
        return None
    canonical = _canonical(data) or page_url
    headline = next((_plain(b) for b in blocks if b.get("type") in
                     ("headline", "fauxHeadline", "visuallyHiddenHeadline")), None)
    author = next((_byline_name(b) for b in blocks if b.get("type") == "byline"), None)
    parts = [f"<h1>{escape(headline)}</h1>"] if headline else []
    byline = next((_byline(b) for b in blocks if b.get("type") == "byline"), "")
    parts.append(byline)
    parts.extend(_render_block(block, canonical) for block in blocks)
    return RenderedArticle("".join(parts), headline=headline, author=author)


def _canonical(data: Block) -> str | None:
    try:
        url = data["props"]["pageProps"]["pageData"]["metadata"]["locators"]["canonicalUrl"]
    except (KeyError, TypeError):
        return None
    return url if isinstance(url, str) else None


def _render_block(block: Block, canonical: str) -> str:
    kind = block.get("type")
    if kind in BBC_SKIPPED_BLOCKS:
        return ""
    if kind == "text":
        return "".join(_render_text_child(child) for child in _children(block))
    if kind == "subheadline":
        return f"<h2>{_inline_of(block)}</h2>"
    if kind == "image":
        return _render_image(block)
    if kind == "video":
        return _render_video(block, canonical)
    if kind == "social":
        return _render_social(block)
    return ""


def _render_social(block: Block) -> str:
    """An embedded post (Instagram, X, YouTube…) becomes a link to it."""
    model = block.get("model") or {}
    source, provider = model.get("source"), model.get("providerName") or ""
    if not isinstance(source, str) or not source.startswith("http"):
        return ""
    label = escape(f"查看 {provider} 帖子" if provider else "查看原帖")
    return f'<p><a href="{escape(source)}">▶ {label}</a></p>'



def _render_text_child(block: Block) -> str:
    kind = block.get("type")
    if kind == "paragraph":
        return f"<p>{_inline(block)}</p>"
    if kind in ("unorderedList", "orderedList"):
        tag = "ul" if kind == "unorderedList" else "ol"
        items = "".join(f"<li>{_inline_of(item)}</li>" for item in _children(block))
        return f"<{tag}>{items}</{tag}>"
    return ""


def _inline(paragraph: Block) -> str:
    """A paragraph's fragments and links as inline HTML."""
    pieces = []
    for child in _children(paragraph):
        kind = child.get("type")
        if kind == "fragment":
            pieces.append(_fragment(child))
        elif kind == "urlLink":
            model = child.get("model") or {}
            inner = "".join(_fragment(f) for f in _children(child)) or escape(model.get("text", ""))
            pieces.append(f'<a href="{escape(model.get("locator", ""))}">{inner}</a>')
    if not pieces:
        return escape((paragraph.get("model") or {}).get("text", ""))
    return "".join(pieces)


def _fragment(block: Block) -> str:
    model = block.get("model") or {}
    text = escape(model.get("text", ""))
    attributes = model.get("attributes") or []
    if "bold" in attributes:
        text = f"<strong>{text}</strong>"
    if "italic" in attributes:
        text = f"<em>{text}</em>"
    return text


def _inline_of(block: Block) -> str:
    """Inline HTML of every paragraph below ``block`` (headings, list items, captions)."""
    return " ".join(_inline(p) for p in _descendants(block, "paragraph"))


def _plain(block: Block) -> str | None:
    texts = [(p.get("model") or {}).get("text", "") for p in _descendants(block, "paragraph")]
    joined = " ".join(t for t in texts if t).strip()
    return joined or None


def _byline_name(block: Block) -> str | None:
    names = [_plain(b) for b in _descendants(block, "name")]
    joined = "、".join(n for n in names if n)
    return joined or None


def _byline(block: Block) -> str:
    """Name and role of each contributor, as the page shows them above the text."""
    lines = []
    for contributor in _descendants(block, "contributor"):
        name = next((_plain(b) for b in _children(contributor) if b.get("type") == "name"), None)
        role = next((_plain(b) for b in _children(contributor) if b.get("type") == "role"), None)
        if name:
            lines.append(escape(name) + (f"，{escape(role)}" if role else ""))
    return f"<p>{'<br>'.join(lines)}</p>" if lines else ""


def _render_image(block: Block) -> str:
    raw = next(iter(_descendants(block, "rawImage")), None)
    if raw is None:
        return ""
    model = raw.get("model") or {}
    locator, origin = model.get("locator"), model.get("originCode")
    if not locator or not origin:
        return ""
    alt = next((_plain(b) for b in _children(block) if b.get("type") == "altText"), None) or ""
    caption = next((_inline_of(b) for b in _children(block) if b.get("type") == "caption"), "")
    srcset = ", ".join(f"{_image_url(origin, locator, w)} {w}w" for w in BBC_IMAGE_WIDTHS)
    size = "".join(f' {k}="{int(model[k])}"' for k in ("width", "height")
                   if isinstance(model.get(k), int | float))
    src = _image_url(origin, locator, BBC_IMAGE_WIDTHS[-1])
    img = f'<img src="{escape(src)}" srcset="{escape(srcset)}" alt="{escape(alt)}"{size}>'
    figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f"<figure>{img}{figcaption}</figure>"


def _image_url(origin: str, locator: str, width: int) -> str:
    """ichef address of an image at ``width`` pixels (media posters use a template)."""
    if origin == "mpv" or "$width" in locator:
        return "https://" + locator.replace("$width", str(width)).removeprefix("https://")
    return f"{BBC_IMAGE_HOST}/{width}/{origin}/{locator}.webp"


def _render_video(block: Block, canonical: str) -> str:
    """A video is a link to the article page (where it plays), with its poster image."""
    metadata = next(iter(_descendants(block, "aresMediaMetadata")), None)
    title = ((metadata or {}).get("model") or {}).get("title") or ""
    poster = _render_image(next(iter(_descendants(block, "image")), {}))
    poster_img = poster.removeprefix("<figure>").split("<figcaption>")[0].removesuffix("</figure>")
    caption = next((_inline_of(b) for b in _children(block) if b.get("type") == "caption"), "")
    shown = title and title not in caption
    label = escape(f"观看视频：{title}" if shown else "观看视频")
    figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
    return (f'<figure><a href="{escape(canonical)}">{poster_img}▶ {label}</a>'
            f"{figcaption}</figure>")


def _children(block: Block) -> list[Block]:
    blocks = (block.get("model") or {}).get("blocks") or []
    return [b for b in blocks if isinstance(b, dict)]


def _descendants(block: Block, kind: str) -> list[Block]:
    """Every block of type ``kind`` below ``block``, depth first, in order."""
    found: list[Block] = []
    for child in _children(block):
        if child.get("type") == kind:
            found.append(child)
        else:
            found.extend(_descendants(child, kind))
    return found
