"""The allowlist sanitiser: always the last transformation of article HTML.

``sanitize_html`` runs in three passes over one fragment:

1. *prepare* (selectolax): embedded media (iframe, video, audio, embed, object)
   become a link to the original media, with the poster image when there is one;
   ``<pre>`` line breaks become ``<br>`` so that the output can be one line.
2. *allowlist* (nh3): only the tags and attributes in the tables below survive;
   every URL must be http(s) (``mailto:`` for links) and is made absolute.
   ``data:`` URLs are refused everywhere, images included: real articles
   never need them and lazy-load placeholders are always ``data:``.
3. *tidy* (selectolax): links without an address are unwrapped, images
   without a source dropped, empty wrappers and spacers (``<p> </p>``,
   ``<p><br></p>``) removed; then nh3 runs once more, so the allowlist is
   truly the last step, and whitespace is collapsed to one line.
"""

from __future__ import annotations

import html as html_escape
import re
from urllib.parse import parse_qs, urlsplit

import nh3
from selectolax.lexbor import LexborHTMLParser, LexborNode

from newsmirror.clean.urls import absolute_url

ALLOWED_TAGS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "figure",
     "figcaption", "img", "a", "strong", "em", "b", "i", "u", "s", "sub", "sup", "br", "hr",
     "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "pre", "code", "cite",
     "q", "small", "mark", "time", "picture", "source", "dl", "dt", "dd", "abbr"}
)
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "srcset", "alt", "title", "width", "height"},
    "source": {"srcset", "type", "media"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "time": {"datetime"},
    "abbr": {"title"},
    "q": {"cite"},
    "blockquote": {"cite"},
}
# Elements removed together with everything inside them.
DROPPED_WITH_CONTENT = frozenset(
    {"script", "style", "noscript", "template", "form", "button", "input", "select",
     "textarea", "svg", "math", "canvas", "map", "dialog", "head", "title", "meta", "link"}
)
URL_SCHEMES = frozenset({"http", "https"})
LINK_SCHEMES = URL_SCHEMES | {"mailto"}
LINK_REL = "noopener noreferrer"
MEDIA_TAGS = ("iframe", "video", "audio", "embed", "object")
MEDIA_LABELS = {"audio": "收听音频", "video": "观看视频"}
# Elements that mean something even when they hold no text.
CONTENT_WITHOUT_TEXT = ("img", "hr", "picture", "source", "table", "td", "th", "tr")
# Elements that are removed when, after cleaning, they hold no text and no image.
REMOVED_WHEN_EMPTY = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "blockquote",
                      "figure", "figcaption", "strong", "em", "b", "i", "u", "s", "small",
                      "a", "span", "div", "section", "dl", "dt", "dd", "pre", "code", "mark",
                      "caption", "cite", "q", "sub", "sup", "time")
# Block-level tags of the allowlist: anything else at the top level is inline.
BLOCK_TAGS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote",
                        "figure", "figcaption", "table", "thead", "tbody", "tfoot", "tr", "td",
                        "th", "caption", "pre", "hr", "dl", "dt", "dd", "picture", "source"})
_SPACE = re.compile(r"\s+")
_PRE = re.compile(r"(<pre\b[^>]*>.*?</pre>)", re.S | re.I)
_BLOCK_EDGE = re.compile(
    r"\s*(</?(?:p|h[1-6]|ul|ol|li|blockquote|figure|figcaption|table|thead|tbody|tfoot|tr|td"
    r"|th|caption|pre|dl|dt|dd|picture|source|hr|br)\b[^>]*>)\s*", re.I
)


def sanitize_html(html: str, base_url: str) -> str:
    """Allowlisted, one-line HTML with absolute links; nothing executable survives."""
    prepared = _prepare(html, base_url)
    cleaned = _allowlist(prepared, base_url)
    tidied = _allowlist(_tidy(cleaned), base_url)
    return _one_line(tidied)


def text_length(html: str) -> int:
    """Characters of visible text in an HTML fragment, whitespace excluded."""
    text = LexborHTMLParser(html).text(strip=True) if html else ""
    return len(_SPACE.sub("", text))


def _allowlist(html: str, base_url: str) -> str:
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(LINK_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
        attribute_filter=lambda tag, attribute, value: _filter_attribute(
            tag, attribute, value, base_url),
    )


def _filter_attribute(tag: str, attribute: str, value: str, base_url: str) -> str | None:
    """The attribute's value made absolute and safe, or None to drop the attribute."""
    if attribute == "srcset":
        return _safe_srcset(value, base_url)
    if attribute in ("width", "height", "title") and not value.strip():
        return None
    if attribute in ("href", "src", "cite"):
        schemes = LINK_SCHEMES if (tag, attribute) == ("a", "href") else URL_SCHEMES
        return _safe_url(value, base_url, schemes)
    return value


def _safe_url(value: str, base_url: str, schemes: frozenset[str]) -> str | None:
    if not value.strip() or value.strip().startswith("#"):
        return None
    url = absolute_url(value, base_url)
    return url if urlsplit(url).scheme.lower() in schemes else None


def _safe_srcset(value: str, base_url: str) -> str | None:
    candidates = []
    for candidate in value.split(","):
        parts = candidate.strip().split()
        if not parts:
            continue
        url = _safe_url(parts[0], base_url, URL_SCHEMES)
        if url is None:
            return None
        candidates.append(" ".join([url, *parts[1:]]))
    return ", ".join(candidates) or None


# -- pass 1: prepare ------------------------------------------------------------------------

def _prepare(html: str, base_url: str) -> str:
    tree = LexborHTMLParser(f"<body>{html}</body>")
    body = tree.body
    if body is None:
        return ""
    for tag in MEDIA_TAGS:
        for node in body.css(tag):
            if node.parent is not None:  # nested media may already be gone
                _replace_media(node, base_url)
    for pre in body.css("pre"):
        _break_pre_lines(pre)
    return body.inner_html or ""


def _replace_media(node: LexborNode, base_url: str) -> None:
    """An embed becomes ``<p><a href=original>[poster] label</a></p>``."""
    url = _media_url(node, base_url)
    poster = node.attributes.get("poster") if node.tag == "video" else None
    label = html_escape.escape(_media_label(node))
    image = f'<img src="{html_escape.escape(poster)}" alt="{label}">' if poster else ""
    if url:
        link = f'<a href="{html_escape.escape(url)}">{image}▶ {label}</a>'
        _replace_with_markup(node, f"<p>{link}</p>")
    elif image:
        _replace_with_markup(node, f"<p>{image}</p>")
    else:
        node.decompose()


def _replace_with_markup(node: LexborNode, markup: str) -> None:
    """Replace ``node`` by the element ``markup`` parses to (a string would become text)."""
    body = LexborHTMLParser(f"<body>{markup}</body>").body
    replacement = body.child if body is not None else None
    if replacement is None:
        node.decompose()
    else:
        node.replace_with(replacement)


def _media_url(node: LexborNode, base_url: str) -> str | None:
    attrs = node.attributes
    raw = attrs.get("src") or attrs.get("data-src") or attrs.get("data")
    if not raw:
        source = node.css_first("source[src]")
        raw = source.attributes.get("src") if source is not None else None
    if not raw:
        return None
    url = absolute_url(raw, base_url)
    if url.startswith("//"):
        url = "https:" + url
    if urlsplit(url).scheme.lower() not in URL_SCHEMES:
        return None
    return _original_media_url(url)


def _original_media_url(url: str) -> str:
    """Embed players' addresses turned into the page a reader can open."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host.endswith(("youtube.com", "youtube-nocookie.com")) and parts.path.startswith("/embed/"):
        return "https://www.youtube.com/watch?v=" + parts.path.split("/")[2]
    if host == "player.vimeo.com" and parts.path.startswith("/video/"):
        return "https://vimeo.com/" + parts.path.split("/")[2]
    if host.endswith("v.qq.com") and "vid" in parse_qs(parts.query):
        return "https://v.qq.com/x/page/" + parse_qs(parts.query)["vid"][0] + ".html"
    return url


def _media_label(node: LexborNode) -> str:
    title = (node.attributes.get("title") or node.attributes.get("aria-label") or "").strip()
    default = MEDIA_LABELS.get(node.tag or "", "查看原始媒体")
    return f"{default}：{title}" if title else default


def _break_pre_lines(pre: LexborNode) -> None:
    markup = pre.inner_html or ""
    pre.inner_html = markup.replace("\r\n", "\n").strip("\n").replace("\n", "<br>")


# -- pass 3: tidy ---------------------------------------------------------------------------

def _tidy(html: str) -> str:
    tree = LexborHTMLParser(f"<body>{html}</body>")
    body = tree.body
    if body is None:
        return ""
    for link in body.css("a"):
        if not link.attributes.get("href"):
            link.unwrap()
    for image in body.css("img"):
        if not image.attributes.get("src") and not image.attributes.get("srcset"):
            image.decompose()
    for picture in body.css("picture"):
        if picture.css_first("img") is None:
            picture.decompose()
    _remove_edge_breaks(body)
    _remove_empty(body)
    _trim_separators(body)
    return _paragraph_loose_text(body)


def _paragraph_loose_text(body: LexborNode) -> str:
    """Text and inline elements lying loose between blocks are wrapped in ``<p>``."""
    pieces: list[str] = []
    run: list[str] = []
    node = body.child
    while node is not None:
        if node.tag in BLOCK_TAGS or _holds_block(node):
            pieces.append(_wrap_run(run))
            run = []
            pieces.append(node.html or "")
        elif not node.is_comment_node:
            run.append(node.html or "")
        node = node.next
    pieces.append(_wrap_run(run))
    return "".join(pieces)


def _holds_block(node: LexborNode) -> bool:
    """An inline element wrapping blocks (``<a><h2>…</h2></a>``) cannot go into a ``<p>``."""
    if not node.is_element_node:
        return False
    return any(child.mem_id != node.mem_id for child in node.css(",".join(BLOCK_TAGS)))


def _wrap_run(run: list[str]) -> str:
    markup = "".join(run)
    if not markup.strip():
        return markup
    stripped = markup.strip()
    while stripped.startswith("<br>"):
        stripped = stripped[4:].strip()
    while stripped.endswith("<br>"):
        stripped = stripped[:-4].strip()
    return f"<p>{stripped}</p>" if stripped else ""


def _trim_separators(body: LexborNode) -> None:
    """``<br>``/``<hr>`` before the first or after the last content separate nothing."""
    for forward in (True, False):
        node = body.child if forward else body.last_child
        while node is not None and (node.tag in ("br", "hr") or (
                node.is_text_node and not (node.text() or "").strip())):
            following = node.next if forward else node.prev
            node.decompose()
            node = following


def _remove_edge_breaks(body: LexborNode) -> None:
    """``<br>`` at the start or end of a block is a spacer, not a line break."""
    for rule in body.css("br"):
        parent = rule.parent
        if parent is not None and parent.tag in ("p", "li", "td", "figcaption", "blockquote") and (
            _is_edge(rule, forward=False) or _is_edge(rule, forward=True)
        ):
            rule.decompose()


def _remove_empty(body: LexborNode) -> None:
    """Remove empty wrappers, innermost first, so that emptied parents go too."""
    for node in reversed(body.css(",".join(REMOVED_WHEN_EMPTY))):
        if _is_empty(node):
            node.decompose()


def _is_empty(node: LexborNode) -> bool:
    if node.css_first(",".join(CONTENT_WITHOUT_TEXT)) is not None:
        return False
    return not (node.text(deep=True) or "").strip()


def _is_edge(node: LexborNode, *, forward: bool) -> bool:
    sibling = node.next if forward else node.prev
    while sibling is not None:
        if sibling.tag == "br" or (sibling.is_text_node and not (sibling.text() or "").strip()):
            sibling = sibling.next if forward else sibling.prev
            continue
        return False
    return True


# -- whitespace -----------------------------------------------------------------------------

def _one_line(html: str) -> str:
    """Collapse whitespace to single spaces (kept as-is inside ``<pre>``), trim block edges."""
    pieces = []
    for i, piece in enumerate(_PRE.split(html)):
        if i % 2:
            pieces.append(piece.replace("\n", " "))
        else:
            pieces.append(_BLOCK_EDGE.sub(r"\1", _SPACE.sub(" ", piece)))
    return "".join(pieces).strip()


_BLOCK_END = re.compile(
    r"</?(?:p|h[1-6]|li|ul|ol|blockquote|figcaption|figure|pre|tr|dt|dd|table|caption)\b[^>]*>"
    r"|<br\s*/?>|<hr\s*/?>", re.I)


# Characters that take no room on screen; they only make equal texts differ.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


def plain_text(html: str) -> str:
    """HTML as plain text: one line per paragraph, heading, list item or caption,
    whitespace collapsed and invisible characters dropped."""
    if not html:
        return ""
    marked = _BLOCK_END.sub(lambda m: "\n" + m.group(0) + "\n", _SPACE.sub(" ", html))
    text = LexborHTMLParser(f"<body>{marked}</body>").text(deep=True)
    lines = (" ".join(line.translate(_INVISIBLE).split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)
