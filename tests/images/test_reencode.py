"""Re-encoding large images before they are committed."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from tests.images.pages import image_bytes

from newsmirror.images.reencode import ReencodeSettings, reencode_image

SETTINGS = ReencodeSettings(max_width_px=320, quality=70, above_bytes=50_000)


def size_of(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        return image.size


def test_a_wide_jpeg_is_scaled_to_the_maximum_width() -> None:
    out = reencode_image(image_bytes("JPEG", 1280, 720), "jpg", SETTINGS)
    assert (out.kind, size_of(out.data)) == ("jpg", (320, 180))


def test_a_small_narrow_image_is_kept_byte_for_byte() -> None:
    data = image_bytes("JPEG", 200, 100)
    assert reencode_image(data, "jpg", SETTINGS).data == data


def test_an_opaque_png_photo_becomes_a_smaller_jpeg() -> None:
    data = image_bytes("PNG", 1000, 800)
    out = reencode_image(data, "png", SETTINGS)
    assert out.kind == "jpg" and len(out.data) < len(data)


def test_a_transparent_png_stays_png() -> None:
    image = Image.new("RGBA", (800, 400), (255, 0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    out = reencode_image(buffer.getvalue(), "png", ReencodeSettings(max_width_px=200))
    assert (out.kind, size_of(out.data)) == ("png", (200, 100))


@pytest.mark.parametrize("pillow_format,kind", [("GIF", "gif"), ("AVIF", "avif")])
def test_gif_and_avif_are_never_touched(pillow_format: str, kind: str) -> None:
    data = image_bytes(pillow_format, 1000, 500)
    assert reencode_image(data, kind, SETTINGS).data == data


def test_reencoding_is_deterministic_so_the_content_address_is_stable() -> None:
    data = image_bytes("JPEG", 1280, 720)
    assert reencode_image(data, "jpg", SETTINGS) == reencode_image(data, "jpg", SETTINGS)


def test_exif_orientation_is_applied_and_metadata_dropped() -> None:
    image = Image.new("RGB", (1000, 400), (10, 20, 30))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90° clockwise
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes(), quality=95)
    out = reencode_image(buffer.getvalue(), "jpg", ReencodeSettings(max_width_px=200,
                                                                     above_bytes=0))
    with Image.open(io.BytesIO(out.data)) as result:
        assert result.size == (200, 500)
        assert 0x0112 not in result.getexif()
