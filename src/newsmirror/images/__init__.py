"""Images that load behind the wall: proxied, copied to media/, or left as served.

``resolve_lazy_images`` runs on raw article HTML before the sanitiser;
``mirror_images`` runs on the sanitised HTML before the article is stored;
``localise_pending`` retries, on a later run, downloads that failed.
See :mod:`newsmirror.images.policy` for the modes and the attributes the
article HTML carries for the static site.
"""

from newsmirror.images.download import DownloadedImage, download_image, sniff_image_kind
from newsmirror.images.media import MediaStore, media_path_for
from newsmirror.images.policy import (
    ARTICLE_TO_ROOT,
    MEDIA_DIR,
    ImagePolicy,
    media_prefix,
    proxy_url,
    rebase_media_paths,
    rewrite_images,
)
from newsmirror.images.refs import ImageRef, find_image_refs, parse_srcset, resolve_lazy_images
from newsmirror.images.stage import ImageOutcome, localise_pending, mirror_images

__all__ = [
    "ARTICLE_TO_ROOT",
    "DownloadedImage",
    "ImageOutcome",
    "ImagePolicy",
    "ImageRef",
    "MEDIA_DIR",
    "MediaStore",
    "download_image",
    "find_image_refs",
    "localise_pending",
    "media_path_for",
    "media_prefix",
    "mirror_images",
    "parse_srcset",
    "proxy_url",
    "rebase_media_paths",
    "resolve_lazy_images",
    "rewrite_images",
    "sniff_image_kind",
]
