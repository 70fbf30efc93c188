"""media/: content-addressed files, the URL cache and the retry list."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.images.pages import image_bytes

from newsmirror.images.media import MAX_ATTEMPTS, MediaStore, media_path_for


@pytest.fixture()
def media(tmp_path: Path) -> Iterator[MediaStore]:
    store = MediaStore.open(tmp_path)
    yield store
    store.close()


def test_media_path_is_the_hash_of_the_bytes_in_one_of_256_folders() -> None:
    path = media_path_for(b"abc", "jpg")
    assert path == "media/ba/ba7816bf8f01cfea414140de5dae2223.jpg"


def test_identical_images_are_stored_once(media: MediaStore, tmp_path: Path) -> None:
    data = image_bytes("JPEG")
    first, second = media.save(data, "jpg"), media.save(data, "jpg")
    assert first == second
    stored = [p.relative_to(tmp_path).as_posix() for p in (tmp_path / "media").rglob("*.*")]
    assert stored == [first]
    assert (tmp_path / first).read_bytes() == data


def test_a_known_url_is_not_downloaded_again_while_its_file_exists(
    media: MediaStore, tmp_path: Path
) -> None:
    path = media.save(image_bytes("PNG"), "png")
    media.remember("https://i.test/a.png", path)
    assert media.known_path("https://i.test/a.png") == path
    (tmp_path / path).unlink()
    assert media.known_path("https://i.test/a.png") is None


def test_pending_articles_are_given_up_after_the_last_attempt(media: MediaStore) -> None:
    for _ in range(MAX_ATTEMPTS):
        media.mark_pending("articles/x/2024/08/a.md", "timed out")
    assert media.pending_articles(10) == ["articles/x/2024/08/a.md"]
    media.mark_pending("articles/x/2024/08/a.md", "timed out")
    assert media.pending_articles(10) == []


def test_the_cache_survives_reopening(tmp_path: Path) -> None:
    store = MediaStore.open(tmp_path)
    store.mark_pending("articles/x/2024/08/a.md", "HTTP 503")
    store.close()
    reopened = MediaStore.open(tmp_path)
    assert reopened.pending_articles(10) == ["articles/x/2024/08/a.md"]
    reopened.close()
