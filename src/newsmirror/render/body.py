"""An article's stored body as a site page or a feed shows it.

The body was sanitised and its images set by the images stage before it was
stored; here only where it is shown changes: local media (``media/...`` at the
mirror root, or a path relative to the article file that leads there) points at
the site's copy, relative to the page; images load lazily; with remote images
turned off, an image from another host becomes a link to it.  The body is parsed
(never rewritten as text), and ``srcset`` is read by the images stage's parser.
"""

from __future__ import annotations

import html
import posixpath
import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from newsmirror.images.refs import SrcsetCandidate, format_srcset, parse_srcset

MEDIA_DIR = "media"
REMOTE_IMAGE_LABEL = "图片"
_REMOTE = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//)")  # a scheme, or another host


def link_from(page: str, target: str) -> str:
    """The relative link from one site page to another file of the site.

    Plain relative paths (no ``.``, ``..`` or empty segments: every page and file
    the site names) are compared segment by segment, as ``posixpath.relpath``
    would, without its calls to the file system's current folder; anything else
    goes through ``relpath``.
    """
    folder, parts = page.split("/")[:-1], target.split("/")
    if not _is_plain(folder) or not _is_plain(parts) or folder[:len(parts)] == parts:
        return posixpath.relpath(target, posixpath.dirname(page) or ".")
    common = 0
    while common < min(len(folder), len(parts) - 1) and folder[common] == parts[common]:
        common += 1
    return "/".join([".."] * (len(folder) - common) + parts[common:])


def _is_plain(segments: list[str]) -> bool:
    return all(segment not in ("", ".", "..") for segment in segments)


def prepare_body_html(body: str, article_path: str, page: str, *, remote_images: bool) -> str:
    """The stored body of the article at ``article_path`` as the site file ``page`` shows it."""
    if "<img" not in body and "<source" not in body:
        return body
    parser = LexborHTMLParser(body)
    shown_as_links = [node for node in parser.css("img, source")
                      if not _prepare_image(node, article_path, page, remote_images)]
    for node in shown_as_links:  # replaced after the walk: no node is used once freed
        _replace_with_link(node)
    return (parser.body.inner_html or "") if parser.body is not None else ""


def _prepare_image(node: LexborNode, article_path: str, page: str, remote_images: bool) -> bool:
    """Point one ``<img>``/``<source>`` at the site's media; False when it must become a link."""
    attrs = node.attrs
    if "src" in attrs:
        attrs["src"] = _media_link(attrs["src"] or "", article_path, page)
    candidates = parse_srcset(attrs["srcset"] or "") if "srcset" in attrs else []
    if "srcset" in attrs:
        attrs["srcset"] = format_srcset([SrcsetCandidate(
            _media_link(c.url, article_path, page), c.descriptor) for c in candidates])
    urls = [attrs.get("src") or "", *(c.url for c in candidates)]
    if not remote_images and any(_is_remote(url) for url in urls):
        return False
    if node.tag == "img":
        for name, value in (("loading", "lazy"), ("decoding", "async")):
            if name not in attrs:
                attrs[name] = value
    return True


def _replace_with_link(node: LexborNode) -> None:
    """A remote ``<img>`` becomes a link to the image; a remote ``<source>`` goes."""
    if node.tag != "img":
        node.decompose()
        return
    srcset = parse_srcset(node.attrs.get("srcset") or "")
    href = node.attrs.get("src") or (srcset[0].url if srcset else "")
    label = node.attrs.get("alt") or REMOTE_IMAGE_LABEL
    markup = (f'<a class="remote-image" href="{html.escape(href)}" '
              f'rel="noopener noreferrer">[{html.escape(label, quote=False)}]</a>')
    link = LexborHTMLParser(f"<body>{markup}</body>").css_first("a")
    if link is None:
        node.decompose()
    else:
        node.replace_with(link)


def _is_remote(url: str) -> bool:
    return bool(_REMOTE.match(url)) and not url.startswith("data:")


def _media_link(url: str, article_path: str, page: str) -> str:
    """A ``media/`` reference, relative to the site page; anything else unchanged."""
    if not url or _REMOTE.match(url) or url.startswith("#"):
        return url
    if url.startswith("/"):
        target = url.lstrip("/")
    else:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(article_path), url))
        if not target.startswith(MEDIA_DIR + "/") and url.startswith(MEDIA_DIR + "/"):
            target = url
    if not target.startswith(MEDIA_DIR + "/"):
        return url
    return link_from(page, target)


__all__ = ["MEDIA_DIR", "link_from", "prepare_body_html"]
