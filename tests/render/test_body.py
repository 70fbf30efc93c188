"""A stored body as a site page shows it: parsed, never rewritten as text."""

from __future__ import annotations

from newsmirror.render.body import prepare_body_html

ARTICLE = "articles/bbc/2023/11/a.md"
PAGE = "bbc/2023/11/a.html"


def test_srcset_media_candidates_point_at_the_site_copy_and_keep_descriptors() -> None:
    html = prepare_body_html(
        '<img src="../../../../media/ab/a.jpg" srcset="../../../../media/ab/a.jpg 480w, '
        'https://cdn.example.invalid/a,b.jpg 960w">', ARTICLE, PAGE, remote_images=True)
    assert ('srcset="../../../media/ab/a.jpg 480w, https://cdn.example.invalid/a,b.jpg 960w"'
            in html)


def test_images_load_lazily_without_doubling_attributes_already_there() -> None:
    html = prepare_body_html('<p><img src="https://cdn.example.invalid/a.jpg" loading="eager">'
                             "</p>", ARTICLE, PAGE, remote_images=True)
    assert html.count("loading=") == 1 and 'loading="eager"' in html
    assert 'decoding="async"' in html


def test_remote_picture_becomes_one_safe_link_when_remote_images_are_off() -> None:
    html = prepare_body_html(
        '<picture><source srcset="https://cdn.example.invalid/a.webp">'
        '<img src="https://cdn.example.invalid/a.jpg" alt="&lt;b&gt;照片&quot;"></picture>',
        ARTICLE, PAGE, remote_images=False)
    assert "<img" not in html and "<source" not in html and "<b>" not in html
    assert 'class="remote-image" href="https://cdn.example.invalid/a.jpg"' in html
    assert "[&lt;b&gt;照片\"]" in html


def test_body_without_images_is_returned_as_it_is() -> None:
    body = "<p>正文 &amp; <a href=\"https://example.invalid/?a=1&amp;b=2\">链接</a></p>"
    assert prepare_body_html(body, ARTICLE, PAGE, remote_images=False) == body
