"""The one cleaning stage: a page, a feed item and stored HTML give the same kind of body."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from newsmirror.article_body import clean_feed_item, clean_page, clean_stored_html
from newsmirror.errors import NoContentError
from newsmirror.models import CleanArticle, Page

URL = "https://news.example.invalid/world/story-1"
FINAL_URL = "https://www.example.invalid/world/story-1"  # after a redirect
PARAGRAPHS = (
    "新华社报道，当地政府今天宣布了新的防洪措施，计划在未来三个月内加固沿河堤坝。",
    "记者在现场看到，居民正在排队等候领取物资，许多人表示会继续关注事态发展。",
)
BODY = (
    f"<p>{PARAGRAPHS[0]}<script>alert(1)</script></p>"
    '<p><img src="data:image/gif;base64,R0lGOD" data-src="/img/flood.jpg" alt="洪水"></p>'
    f'<p onclick="steal()">{PARAGRAPHS[1]} <a href="more">更多</a></p>'
)
Cleaner = Callable[..., CleanArticle]


def from_page(body: str, *, min_chars: int) -> CleanArticle:
    html = f"<html><head><title>防洪</title></head><body><article>{body}</article></body></html>"
    return clean_page(Page(url=URL, final_url=FINAL_URL, html=html), min_chars=min_chars)


def from_feed_item(body: str, *, min_chars: int) -> CleanArticle:
    return clean_feed_item(body, URL, min_chars=min_chars)


def from_stored_html(body: str, *, min_chars: int) -> CleanArticle:
    return clean_stored_html(body, URL, min_chars=min_chars)


WAYS = [from_page, from_feed_item, from_stored_html]


@pytest.mark.parametrize("clean", WAYS, ids=lambda f: f.__name__)
def test_every_way_in_makes_lazy_images_real_and_sanitises_last(clean: Cleaner) -> None:
    article = clean(BODY, min_chars=10)
    assert "/img/flood.jpg" in article.body_html and "data:image" not in article.body_html
    assert "<script" not in article.body_html and "onclick" not in article.body_html
    assert all(text in article.body_html for text in PARAGRAPHS)
    assert "\n" not in article.body_html


@pytest.mark.parametrize("clean", WAYS, ids=lambda f: f.__name__)
def test_every_way_in_refuses_a_body_under_the_minimum_naming_the_url(clean: Cleaner) -> None:
    with pytest.raises(NoContentError) as raised:
        clean(BODY, min_chars=10_000)
    assert raised.value.url == URL and URL in str(raised.value)


@pytest.mark.parametrize("clean", WAYS, ids=lambda f: f.__name__)
def test_text_length_is_counted_on_the_stored_body(clean: Cleaner) -> None:
    article = clean(BODY, min_chars=0)
    assert article.text_chars >= sum(len(p) for p in PARAGRAPHS)


def test_page_links_resolve_against_the_final_url() -> None:
    article = from_page(BODY, min_chars=0)
    assert article.base_url == FINAL_URL
    assert 'src="https://www.example.invalid/img/flood.jpg"' in article.body_html


@pytest.mark.parametrize(("clean", "method"),
                         [(from_feed_item, "feed"), (from_stored_html, "stored")],
                         ids=["feed", "stored"])
def test_feed_items_and_stored_html_resolve_against_their_own_url(
    clean: Cleaner, method: str
) -> None:
    article = clean(BODY, min_chars=0)
    assert (article.base_url, article.method) == (URL, method)
    assert 'href="https://news.example.invalid/world/more"' in article.body_html


def test_stored_body_cleaned_again_is_the_same() -> None:
    stored = from_page(BODY, min_chars=0).body_html
    assert clean_stored_html(stored, FINAL_URL, min_chars=0).body_html == stored
