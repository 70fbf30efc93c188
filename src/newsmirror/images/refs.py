"""Where an article's images are: lazy loading undone, every image URL found.

Two passes over article HTML:

* :func:`resolve_lazy_images` runs on the raw HTML, *before* the sanitiser
  (which drops ``data-*`` attributes, ``<noscript>`` and ``<video>``): the real
  URL of a lazy image (``data-src``, ``data-srcset``, ``data-original``, …)
  becomes its ``src``/``srcset``; a ``<noscript>`` copy either fills in a
  placeholder, is dropped as a duplicate or is unwrapped (the sanitiser would
  drop it with its content); placeholders (data: URIs, 1×1 images) with no
  real image behind them are removed.  (Video posters are the sanitiser's:
  it turns a ``<video poster>`` into a link holding the poster ``<img>``,
  which the image stage then treats like any other image.)
* :func:`find_image_refs` runs on the sanitised HTML and lists every image URL
  left: ``img[src]``, every ``srcset`` candidate and ``<picture><source srcset>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

# Attributes lazy-loading scripts read the real image from, most specific first.
LAZY_SRC_ATTRIBUTES = (
    "data-src", "data-lazy-src", "data-original", "data-original-src", "data-actualsrc",
    "data-hi-res-src", "data-lazyload", "data-echo",
)
LAZY_SRCSET_ATTRIBUTES = ("data-srcset", "data-lazy-srcset", "data-original-srcset")
_DOCUMENT_START = re.compile(r"^\s*(?:<!--.*?-->\s*)*<(?:!doctype|html|head|body)\b", re.I | re.S)
_SPACE = re.compile(r"\s")


@dataclass(frozen=True, slots=True)
class SrcsetCandidate:
    """One entry of a ``srcset``: a URL and its descriptor (``640w``, ``2x`` or none)."""

    url: str
    descriptor: str = ""

    @property
    def width_px(self) -> int | None:
        if self.descriptor.endswith("w") and self.descriptor[:-1].isdigit():
            return int(self.descriptor[:-1])
        return None


@dataclass(frozen=True, slots=True)
class ImageRef:
    """One image URL in sanitised article HTML, and where it sits."""

    url: str
    element: str  # "img" or "source"
    attribute: str  # "src" or "srcset"


def parse_srcset(value: str) -> list[SrcsetCandidate]:
    """The candidates of a ``srcset``, as the HTML standard splits them (URLs may hold commas)."""
    candidates: list[SrcsetCandidate] = []
    position, end = 0, len(value)
    while position < end:
        while position < end and (value[position].isspace() or value[position] == ","):
            position += 1
        start = position
        while position < end and not value[position].isspace():
            position += 1
        url = value[start:position]
        if not url:
            break
        if url.endswith(","):
            candidates.append(SrcsetCandidate(url.rstrip(",")))
            continue
        comma = value.find(",", position)
        descriptor_end = end if comma < 0 else comma
        descriptor = " ".join(value[position:descriptor_end].split())
        candidates.append(SrcsetCandidate(url, descriptor))
        position = descriptor_end + 1
    return [c for c in candidates if c.url]


def format_srcset(candidates: list[SrcsetCandidate]) -> str:
    return ", ".join(f"{c.url} {c.descriptor}".strip() for c in candidates)


def is_placeholder_src(value: str | None) -> bool:
    """No real image: empty, ``data:`` URIs (1×1 GIFs, SVG boxes), ``about:blank``, ``#``."""
    if value is None:
        return True
    stripped = value.strip().lower()
    return stripped in ("", "#", "about:blank") or stripped.startswith(("data:", "javascript:"))


def is_tiny_image(node: LexborNode) -> bool:
    """Declared 1×1 (or 0×0): a tracking pixel or spacer, not a picture."""
    width, height = node.attrs.get("width"), node.attrs.get("height")
    return _declared_px(width) <= 1 and _declared_px(height) <= 1


def resolve_lazy_images(html: str) -> str:
    """Raw article (or page) HTML with every lazy image made real; see the module docstring."""
    if not html or "<" not in html:
        return html
    parser = LexborHTMLParser(html)
    for node in parser.css("img, source"):
        _promote_lazy_attributes(node)
    for noscript in reversed(parser.css("noscript")):  # innermost first
        _settle_noscript(noscript)
    for img in parser.css("img"):
        if (_real_src(img) is None and not img.attrs.get("srcset")) or is_tiny_image(img):
            img.decompose()
    if _DOCUMENT_START.match(html):
        return parser.html or ""
    return (parser.body.inner_html or "") if parser.body is not None else ""


def find_image_refs(html: str) -> list[ImageRef]:
    """Every image URL in sanitised HTML, in document order, duplicates kept."""
    refs: list[ImageRef] = []
    for node in LexborHTMLParser(html).css("img, picture source"):
        src = node.attrs.get("src") if node.tag == "img" else None
        if src and not is_placeholder_src(src):
            refs.append(ImageRef(src, node.tag or "", "src"))
        for candidate in parse_srcset(node.attrs.get("srcset") or ""):
            if not is_placeholder_src(candidate.url):
                refs.append(ImageRef(candidate.url, node.tag or "", "srcset"))
    return refs


def _promote_lazy_attributes(node: LexborNode) -> None:
    attrs = node.attrs
    lazy_src = next((attrs.get(a) for a in LAZY_SRC_ATTRIBUTES
                     if not is_placeholder_src(attrs.get(a))), None)
    lazy_srcset = next((attrs.get(a) for a in LAZY_SRCSET_ATTRIBUTES
                        if not is_placeholder_src(attrs.get(a))), None)
    if node.tag == "img" and lazy_src and not _SPACE.search(lazy_src.strip()):
        attrs["src"] = lazy_src.strip()
    if lazy_srcset:
        attrs["srcset"] = lazy_srcset
    elif is_placeholder_src(attrs.get("srcset")) and "srcset" in attrs:
        del attrs["srcset"]
    if node.tag == "img" and is_placeholder_src(attrs.get("src")) and "src" in attrs:
        del attrs["src"]


def _settle_noscript(noscript: LexborNode) -> None:
    """Drop a noscript image that duplicates one beside it, use it for a placeholder, or unwrap."""
    inner = noscript.css("img")
    if not inner:
        return
    parent = noscript.parent
    siblings = [img for img in (parent.css("img") if parent is not None else [])
                if not _inside(img, noscript)]
    known = {_real_src(img) for img in siblings} - {None}
    if all(_real_src(img) in known for img in inner):
        noscript.decompose()
        return
    placeholders = [img for img in siblings if _real_src(img) is None]
    if placeholders and len(inner) == 1:
        _copy_image_source(inner[0], placeholders[0])
        noscript.decompose()
        return
    noscript.unwrap()


def _copy_image_source(source: LexborNode, target: LexborNode) -> None:
    for name in ("src", "srcset", "alt", "width", "height"):
        value = source.attrs.get(name)
        if value and (name in ("src", "srcset") or not target.attrs.get(name)):
            target.attrs[name] = value


def _real_src(img: LexborNode) -> str | None:
    src = img.attrs.get("src")
    return None if is_placeholder_src(src) else (src or "").strip()


def _inside(node: LexborNode, ancestor: LexborNode) -> bool:
    current = node.parent
    while current is not None:
        if current.mem_id == ancestor.mem_id:
            return True
        current = current.parent
    return False


def _declared_px(value: str | None) -> int:
    if value is None:
        return 1_000_000
    digits = value.strip().removesuffix("px")
    return int(digits) if digits.isdigit() else 1_000_000
