"""The image stage: sanitised article HTML in, HTML whose images load behind the wall out.

In local mode the images an article needs are downloaded a few at a time, in
document order, each checked (:mod:`.download`), shrunk when large
(:mod:`.reencode`) and stored once (:mod:`.media`).  Whatever cannot be
stored - a failed download, an image over ``image_max_bytes``, bytes over the
article's ``image_max_bytes_per_article`` - is proxied instead.  Failures that
may pass (network, timeouts, server errors) are returned as ``pending`` so the
pipeline can note the article for another try on a later run
(:func:`localise_pending`).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser

from newsmirror.errors import BlockedAddressError, FetchError, ImageError, ResponseTooLarge
from newsmirror.fetch import Fetcher
from newsmirror.images.download import DownloadedImage, download_image
from newsmirror.images.media import MediaStore
from newsmirror.images.policy import (
    ARTICLE_TO_ROOT,
    LOCALISE_ATTRIBUTE,
    ImagePolicy,
    point_at_local,
    rewrite_images,
    wanted_downloads,
)
from newsmirror.images.reencode import ReencodeSettings, reencode_image

log = logging.getLogger(__name__)
DOWNLOAD_WINDOW = 4


@dataclass(frozen=True, slots=True)
class ImageOutcome:
    """The article HTML after the image stage, its ``images/*`` counts, and what to retry."""

    html: str
    counts: Counter[str]
    pending: tuple[str, ...] = ()
    last_error: str = ""


@dataclass(slots=True)
class _Downloads:
    local_paths: dict[str, str]
    counts: Counter[str]
    pending: list[str]
    last_error: str = ""
    bytes_added: int = 0


async def mirror_images(
    html: str, policy: ImagePolicy, *, page_url: str, fetcher: Fetcher, media: MediaStore | None
) -> ImageOutcome:
    """Apply ``policy`` to the images of one article's sanitised HTML."""
    if policy.mode != "local":
        rewrite = rewrite_images(html, policy)
        return ImageOutcome(rewrite.html, rewrite.counts)
    downloads = await _localise(wanted_downloads(html, policy), policy, page_url, fetcher, media)
    rewrite = rewrite_images(html, policy, downloads.local_paths, downloads.pending)
    return ImageOutcome(rewrite.html, rewrite.counts + downloads.counts,
                        tuple(downloads.pending), downloads.last_error)


async def localise_pending(
    html: str, policy: ImagePolicy, *, page_url: str, fetcher: Fetcher, media: MediaStore | None
) -> ImageOutcome:
    """Try again the images an earlier run left proxied (``data-localise``) in stored HTML."""
    parser = LexborHTMLParser(html)
    urls = list(dict.fromkeys(
        img.attrs.get(LOCALISE_ATTRIBUTE) or "" for img in parser.css(f"img[{LOCALISE_ATTRIBUTE}]")
    ))
    downloads = await _localise([u for u in urls if u], policy, page_url, fetcher, media)
    counts = downloads.counts
    for img in parser.css(f"img[{LOCALISE_ATTRIBUTE}]"):
        local = downloads.local_paths.get(img.attrs.get(LOCALISE_ATTRIBUTE) or "")
        if local is not None:
            point_at_local(img, ARTICLE_TO_ROOT + local)
            counts["images/localised_later"] += 1
    body = parser.body
    if not counts["images/localised_later"] or body is None:
        return ImageOutcome(html, counts, tuple(downloads.pending), downloads.last_error)
    return ImageOutcome(body.inner_html or "", counts, tuple(downloads.pending),
                        downloads.last_error)


async def _localise(
    urls: list[str], policy: ImagePolicy, page_url: str, fetcher: Fetcher,
    media: MediaStore | None,
) -> _Downloads:
    """Download ``urls`` a window at a time, in order, until the article's byte cap."""
    state = _Downloads({}, Counter(), [])
    if media is None:  # nowhere to keep them: every image is proxied
        return state
    todo: list[str] = []
    for url in urls:
        known = media.known_path(url)
        if known is not None:
            state.local_paths[url] = known
        else:
            todo.append(url)
    for start in range(0, len(todo), DOWNLOAD_WINDOW):
        window = todo[start:start + DOWNLOAD_WINDOW]
        results = await asyncio.gather(*(_fetch_one(fetcher, url, page_url, policy)
                                         for url in window))
        for url, result in zip(window, results, strict=True):
            await _keep(url, result, policy, media, state)
    return state


async def _fetch_one(
    fetcher: Fetcher, url: str, page_url: str, policy: ImagePolicy
) -> DownloadedImage | FetchError | ImageError:
    """One image, or the error that stopped it (a value: the article goes on without it)."""
    try:
        return await download_image(fetcher, url, page_url=page_url, max_bytes=policy.max_bytes)
    except (FetchError, ImageError) as exc:
        return exc


async def _keep(
    url: str,
    result: DownloadedImage | FetchError | ImageError,
    policy: ImagePolicy,
    media: MediaStore,
    state: _Downloads,
) -> None:
    if isinstance(result, (FetchError, ImageError)):
        log.warning("image not localised url=%s reason=%s", url, result)
        state.counts["images/failed"] += 1
        if _is_passing(result):
            state.pending.append(url)
            state.last_error = str(result)
        return
    data, kind = result.data, result.kind
    if policy.reencode:
        settings = ReencodeSettings(policy.max_width_px, policy.quality,
                                    policy.reencode_above_bytes)
        encoded = await asyncio.to_thread(reencode_image, data, kind, settings)
        data, kind = encoded.data, encoded.kind
    if state.bytes_added + len(data) > policy.max_bytes_per_article:
        log.info("image over the article's cap url=%s bytes=%d", url, len(data))
        state.counts["images/over_article_cap"] += 1
        return
    relative = media.save(data, kind)
    media.remember(url, relative)
    state.bytes_added += len(data)
    state.local_paths[url] = relative


def _is_passing(error: FetchError | ImageError) -> bool:
    """Worth another try on a later run? Not for what the image *is* (too big, not an
    image, on a refused address)."""
    return isinstance(error, FetchError) and not isinstance(
        error, (ResponseTooLarge, BlockedAddressError)
    )
