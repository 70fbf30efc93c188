"""How a source's images load, and rewriting sanitised article HTML to match.

Modes (``images`` in ``[mirror]``, overridable per source):

``proxy``
    Every image URL - ``img src``, every ``srcset`` candidate, every
    ``<picture><source srcset>`` - goes through the first ``image_proxy``.
``local``
    One copy of each image lives in ``media/`` (see :mod:`.download`); the
    ``<img>`` points at it with a path relative to the article file, and its
    ``srcset`` and ``<picture>`` sources go (there is one local size).  An image
    that could not be copied is proxied instead and marked for a later run.
``original``
    URLs stay as the outlet serves them.

The contract with whatever displays the article (documented for the site):

``data-fallback="URL URL …"`` on an ``<img>``
    The same image through the other configured proxies, in order.  A reader's
    page may, when the image fails to load, set ``src`` to the next one and
    drop ``srcset`` and the ``<source>`` siblings.  No inline event handlers
    are ever written; the article HTML works without any script.
``data-localise="URL"`` on an ``<img>``
    Local mode could not copy this original URL yet; a later run replaces the
    ``src`` with the media path and removes the attribute.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from newsmirror.config import Config, ImageMode, MirrorSettings, Source
from newsmirror.images.refs import (
    SrcsetCandidate,
    format_srcset,
    is_placeholder_src,
    is_tiny_image,
    parse_srcset,
)

# From an article file (articles/{slug}/{YYYY}/{MM}/{name}.md) up to the mirror root.
ARTICLE_TO_ROOT = "../../../../"
MEDIA_DIR = "media"
FALLBACK_ATTRIBUTE = "data-fallback"
LOCALISE_ATTRIBUTE = "data-localise"
_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif")
# Kept as they are when a URL goes into a query value; everything else (&, #, %, +, the comma
# that would split a srcset candidate, …) is percent-encoded.
_NO_SCHEME_SAFE = "/:@!$'()*;=-._~?"


@dataclass(frozen=True, slots=True)
class ImagePolicy:
    """Everything the image stage needs to know about one source's images."""

    mode: ImageMode
    proxies: tuple[str, ...]
    max_bytes: int = 5_000_000
    max_bytes_per_article: int = 20_000_000
    reencode: bool = True
    max_width_px: int = 960
    quality: int = 75
    reencode_above_bytes: int = 200_000

    @classmethod
    def for_source(cls, config: Config, source: Source) -> ImagePolicy:
        return cls.from_settings(config.mirror, config.image_mode(source))

    @classmethod
    def from_settings(cls, settings: MirrorSettings, mode: ImageMode) -> ImagePolicy:
        return cls(
            mode=mode,
            proxies=settings.image_proxy,
            max_bytes=settings.image_max_bytes,
            max_bytes_per_article=settings.image_max_bytes_per_article,
            reencode=settings.image_reencode,
            max_width_px=settings.image_max_width_px,
            quality=min(settings.image_quality, 95),
            reencode_above_bytes=settings.image_reencode_above_bytes,
        )


@dataclass(frozen=True, slots=True)
class ImageRewrite:
    """Rewritten HTML and what became of its images (``images/*`` counters)."""

    html: str
    counts: Counter[str]


def is_proxied(url: str, proxies: tuple[str, ...]) -> bool:
    """Already an address on one of the proxies (a feed may carry proxied images)."""
    return any(url.startswith(template.split("{", 1)[0]) for template in proxies if "{" in template)


def proxy_url(template: str, url: str) -> str:
    """``url`` through a proxy template.

    ``{url}`` is the URL percent-encoded whole; ``{url_no_scheme}`` drops ``http(s)://``
    and encodes only what would break a query value (``&``, ``#``, ``%``, ``,``, …).
    """
    no_scheme = url.split("://", 1)[1] if "://" in url else url
    return template.replace("{url}", quote(url, safe="")).replace(
        "{url_no_scheme}", quote(no_scheme, safe=_NO_SCHEME_SAFE)
    )


def media_prefix(file_path: str) -> str:
    """From a mirror file up to the mirror root (``../../../../`` from an article file)."""
    return "../" * (len(file_path.strip("/").split("/")) - 1)


def rebase_media_paths(html: str, from_path: str, to_path: str) -> str:
    """Article HTML written for ``from_path``, with its media/ paths made right for ``to_path``
    (a copy kept at another depth, such as an earlier version under revisions/)."""
    old, new = media_prefix(from_path) + MEDIA_DIR + "/", media_prefix(to_path) + MEDIA_DIR + "/"
    if old == new:
        return html
    return html.replace(f'src="{old}', f'src="{new}').replace(f'href="{old}', f'href="{new}')


def download_candidate(img: LexborNode, max_width_px: int) -> str | None:
    """The one URL local mode copies for an ``<img>``: the widest ``srcset`` candidate
    no wider than ``max_width_px`` (else the narrowest), or ``src``."""
    candidates = [c for c in parse_srcset(img.attrs.get("srcset") or "")
                  if not is_placeholder_src(c.url)]
    sized = [c for c in candidates if c.width_px is not None]
    if sized:
        fitting = [c for c in sized if (c.width_px or 0) <= max_width_px]
        if fitting:
            return max(fitting, key=lambda c: c.width_px or 0).url
        return min(sized, key=lambda c: c.width_px or 0).url
    src = img.attrs.get("src")
    if src and not is_placeholder_src(src):
        return src
    return candidates[0].url if candidates else None


def wanted_downloads(html: str, policy: ImagePolicy) -> list[str]:
    """The URLs local mode copies for this article, in document order, each once."""
    urls: list[str] = []
    for img in LexborHTMLParser(html).css("img"):
        url = download_candidate(img, policy.max_width_px)
        if url is not None and _is_http(url) and url not in urls:
            urls.append(url)
    return urls


def rewrite_images(
    html: str,
    policy: ImagePolicy,
    local_paths: Mapping[str, str] | None = None,
    retry_urls: Collection[str] = (),
) -> ImageRewrite:
    """Sanitised article HTML with its images made to load per ``policy``.

    ``local_paths`` maps original URLs to mirror-relative media paths
    (``media/ab/….jpg``); in local mode, images without one are proxied, and
    those whose URL is in ``retry_urls`` are marked with ``data-localise``.
    """
    counts: Counter[str] = Counter()
    if "<img" not in html and "<source" not in html:
        return ImageRewrite(html, counts)
    parser = LexborHTMLParser(html)
    unwanted = [img for img in parser.css("img")
                if not _rewrite_img(img, policy, local_paths or {}, retry_urls, counts)]
    for img in unwanted:  # removed after the walk: no node is used once freed
        img.decompose()
        counts["images/removed"] += 1
    for picture in parser.css("picture"):
        if picture.css_first("img") is None:
            picture.decompose()
    for source in parser.css("source"):
        _rewrite_source(source, policy)
    for link in parser.css("a"):
        _unwrap_zoom_link(link, policy)
    body = parser.body
    return ImageRewrite((body.inner_html or "") if body is not None else "", counts)


def _rewrite_img(
    img: LexborNode,
    policy: ImagePolicy,
    local_paths: Mapping[str, str],
    retry_urls: Collection[str],
    counts: Counter[str],
) -> bool:
    """Point one image where ``policy`` says; False when it is no image at all (to remove)."""
    wanted = download_candidate(img, policy.max_width_px)
    if is_tiny_image(img) or wanted is None:
        return False
    if is_placeholder_src(img.attrs.get("src")):
        img.attrs["src"] = wanted
    if policy.mode == "original" or (policy.mode == "proxy" and not policy.proxies):
        return True
    local = local_paths.get(wanted)
    if policy.mode == "local" and local is not None:
        point_at_local(img, ARTICLE_TO_ROOT + local)
        counts["images/localised"] += 1
        return True
    _point_at_proxy(img, policy.proxies)
    if policy.mode == "local" and wanted in retry_urls:
        img.attrs[LOCALISE_ATTRIBUTE] = wanted
    counts["images/proxied"] += 1
    return True


def point_at_local(img: LexborNode, path: str) -> None:
    """Make ``img`` show the local copy only: no srcset, no proxies, no ``<picture>`` sources."""
    img.attrs["src"] = path
    for name in ("srcset", "sizes", FALLBACK_ATTRIBUTE, LOCALISE_ATTRIBUTE):
        if name in img.attrs:
            del img.attrs[name]
    picture = img.parent
    if picture is not None and picture.tag == "picture":
        for source in picture.css("source"):
            source.decompose()


def _point_at_proxy(img: LexborNode, proxies: tuple[str, ...]) -> None:
    if not proxies:
        return
    original = img.attrs.get("src") or ""
    if _is_http(original) and not is_proxied(original, proxies):
        img.attrs["src"] = proxy_url(proxies[0], original)
        fallbacks = [proxy_url(template, original) for template in proxies[1:]]
        if fallbacks:
            img.attrs[FALLBACK_ATTRIBUTE] = " ".join(fallbacks)
    srcset = img.attrs.get("srcset")
    if srcset:
        img.attrs["srcset"] = _proxied_srcset(srcset, proxies)


def _rewrite_source(source: LexborNode, policy: ImagePolicy) -> None:
    """``<source>`` outside ``<picture>`` (a stripped video's) goes; inside, it follows the mode."""
    parent = source.parent
    srcset = source.attrs.get("srcset")
    if parent is None or parent.tag != "picture" or not srcset:
        source.decompose()
        return
    if policy.mode in ("proxy", "local") and policy.proxies:
        source.attrs["srcset"] = _proxied_srcset(srcset, policy.proxies)


def _proxied_srcset(srcset: str, proxies: tuple[str, ...]) -> str:
    candidates = [
        SrcsetCandidate(proxy_url(proxies[0], c.url)
                        if _is_http(c.url) and not is_proxied(c.url, proxies) else c.url,
                        c.descriptor)
        for c in parse_srcset(srcset) if not is_placeholder_src(c.url)
    ]
    return format_srcset(candidates)


def _unwrap_zoom_link(link: LexborNode, policy: ImagePolicy) -> None:
    """A link that only wraps an image and leads to the image file opens a blocked host."""
    if policy.mode == "original":
        return
    href = (link.attrs.get("href") or "").lower()
    if not urlsplit(href).path.endswith(_IMAGE_SUFFIXES):
        return
    if link.css("img") and not (link.text(strip=True) or ""):
        link.unwrap()


def _is_http(url: str) -> bool:
    return url.startswith(("http://", "https://"))
