"""Keeping media/ small: large images re-encoded before they are committed.

An image is left as downloaded when it is no wider than ``max_width_px`` and
no larger than ``above_bytes``.  Otherwise it is turned upright (EXIF
orientation), scaled down to ``max_width_px`` and saved again - JPEG as JPEG,
WebP as WebP, an opaque PNG as JPEG, a transparent PNG as an optimised PNG -
which also drops metadata such as GPS positions.  GIF (often animated) and AVIF
(already compact) are never touched.  The smaller of the two versions is kept,
and the output depends only on the input and the settings, so the same picture
always gets the same content address.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps

_UNTOUCHED_KINDS = frozenset({"gif", "avif"})


@dataclass(frozen=True, slots=True)
class EncodedImage:
    data: bytes
    kind: str


@dataclass(frozen=True, slots=True)
class ReencodeSettings:
    max_width_px: int = 960
    quality: int = 75
    above_bytes: int = 200_000


def should_reencode(kind: str, width_px: int, size_bytes: int, settings: ReencodeSettings) -> bool:
    if kind in _UNTOUCHED_KINDS:
        return False
    return width_px > settings.max_width_px or size_bytes > settings.above_bytes


def reencode_image(data: bytes, kind: str, settings: ReencodeSettings) -> EncodedImage:
    """``data`` re-encoded per the module docstring, or unchanged when that is not smaller."""
    with Image.open(io.BytesIO(data)) as opened:
        if not should_reencode(kind, opened.width, len(data), settings):
            return EncodedImage(data, kind)
        image = ImageOps.exif_transpose(opened)
        if image.width > settings.max_width_px:
            height = max(1, round(image.height * settings.max_width_px / image.width))
            image = image.resize((settings.max_width_px, height), Image.Resampling.LANCZOS)
        encoded = _encode(image, kind, settings.quality)
    if len(encoded.data) >= len(data):
        return EncodedImage(data, kind)
    return encoded


def _encode(image: Image.Image, kind: str, quality: int) -> EncodedImage:
    buffer = io.BytesIO()
    if kind == "webp":
        image.save(buffer, "WEBP", quality=quality, method=4)
        return EncodedImage(buffer.getvalue(), "webp")
    if kind == "png" and _has_alpha(image):
        image.save(buffer, "PNG", optimize=True)
        return EncodedImage(buffer.getvalue(), "png")
    if image.mode != "RGB":
        image = image.convert("RGB")
    image.save(buffer, "JPEG", quality=quality, optimize=True, progressive=True)
    return EncodedImage(buffer.getvalue(), "jpg")


def _has_alpha(image: Image.Image) -> bool:
    if image.mode in ("RGBA", "LA", "PA"):
        return image.getextrema()[-1][0] < 255  # type: ignore[index]
    return image.mode == "P" and "transparency" in image.info
