"""The named rewrites, one behaviour each."""

from __future__ import annotations

import json

from selectolax.lexbor import LexborHTMLParser

from newsmirror.extract.embedded import render_bbc_next_data
from newsmirror.extract.rewrites import REWRITES

PAGE_URL = "https://example.com/a"


def rewrite(name: str, html: str) -> str:
    tree = LexborHTMLParser(f"<html><head></head><body>{html}</body></html>")
    REWRITES[name].apply(tree.root, PAGE_URL)  # type: ignore[arg-type]
    return tree.body.inner_html  # type: ignore[union-attr,return-value]


def test_lazy_images_take_the_real_address_from_data_src() -> None:
    out = rewrite("lazy_images", '<img src="data:image/gif;base64,R0l" data-src="https://i/x.jpg">')
    assert 'src="https://i/x.jpg"' in out


def test_lazy_images_take_data_srcset_when_srcset_is_missing() -> None:
    out = rewrite("lazy_images", '<img data-srcset="https://i/x.jpg 1x" data-src="https://i/x.jpg">')
    assert 'srcset="https://i/x.jpg 1x"' in out


def test_lazy_images_keep_a_real_src() -> None:
    out = rewrite("lazy_images", '<img src="https://i/real.jpg" data-src="https://i/other.jpg">')
    assert 'src="https://i/real.jpg"' in out


def test_noscript_image_is_dropped_next_to_its_lazy_twin() -> None:
    html = ('<noscript><img src="https://i/x.jpg"></noscript>'
            '<img src="data:image/svg+xml,%3Csvg%3E" data-src="https://i/x.jpg">')
    assert rewrite("noscript_images", html).count("<img") == 1


def test_noscript_image_becomes_an_image_when_alone() -> None:
    out = rewrite("noscript_images", '<p>a</p><noscript><img src="https://i/x.jpg"></noscript>')
    assert "<noscript" not in out and 'src="https://i/x.jpg"' in out


def test_leaf_sections_become_paragraphs() -> None:
    out = rewrite("leaf_paragraphs", "<section><span>一</span></section><section>二</section>")
    assert out.count("<p>") == 2


def test_sections_holding_blocks_are_not_paragraphs() -> None:
    out = rewrite("leaf_paragraphs", "<section><p>一</p><p>二</p></section>")
    assert out.count("<p>") == 2


def test_navigation_containers_are_not_paragraphs() -> None:
    out = rewrite("leaf_paragraphs", '<div class="site-header"><div>Logo</div></div>')
    assert "<p>" not in out


def test_show_hidden_removes_wechat_hidden_visibility() -> None:
    out = rewrite("show_hidden", '<div id="js_content" style="visibility: hidden;">t</div>')
    assert "hidden" not in out


def _next_data(blocks: list[dict[str, object]]) -> str:
    return json.dumps({"props": {"pageProps": {"pageData": {
        "metadata": {"locators": {"canonicalUrl": "https://www.bbc.com/zhongwen/articles/x/simp"}},
        "content": {"model": {"blocks": blocks}}}}}})


def _paragraphs(*texts: str, kind: str = "text") -> dict[str, object]:
    return {"type": kind, "model": {"blocks": [
        {"type": "paragraph", "model": {"text": t, "blocks": [
            {"type": "fragment", "model": {"text": t, "attributes": []}}]}} for t in texts]}}


def test_bbc_json_renders_paragraphs_and_subheadings() -> None:
    rendered = render_bbc_next_data(
        _next_data([_paragraphs("第一段", "第二段"), _paragraphs("小标题", kind="subheadline")]),
        PAGE_URL)
    assert rendered is not None
    assert rendered.body_html == "<p>第一段</p><p>第二段</p><h2>小标题</h2>"


def test_bbc_json_skips_ads_and_recommendations() -> None:
    rendered = render_bbc_next_data(
        _next_data([_paragraphs("正文"), {"type": "mpu", "model": {}},
                    {"type": "wsoj", "model": {"data": [{"title": "推荐"}]}}]), PAGE_URL)
    assert rendered is not None and rendered.body_html == "<p>正文</p>"


def test_bbc_json_link_fragments_become_links() -> None:
    block = {"type": "text", "model": {"blocks": [{"type": "paragraph", "model": {"blocks": [
        {"type": "fragment", "model": {"text": "见", "attributes": ["bold"]}},
        {"type": "urlLink", "model": {"text": "此文", "locator": "https://www.bbc.com/x",
                                      "blocks": [{"type": "fragment", "model": {"text": "此文"}}]}},
    ]}}]}}
    rendered = render_bbc_next_data(_next_data([block]), PAGE_URL)
    assert rendered is not None
    assert rendered.body_html == '<p><strong>见</strong><a href="https://www.bbc.com/x">此文</a></p>'


def test_bbc_json_without_article_is_none() -> None:
    assert render_bbc_next_data('{"props": {}}', PAGE_URL) is None
    assert render_bbc_next_data("not json", PAGE_URL) is None


def test_caption_boxes_become_figures() -> None:
    out = rewrite("caption_figures",
                  '<div class="image"><img src="https://i/x.jpg"><p class="caption">说明</p></div>')
    assert '<figure><img src="https://i/x.jpg"><figcaption>说明</figcaption></figure>' in out


def test_caption_boxes_with_several_images_are_left_alone() -> None:
    html = ('<div class="image"><img src="https://i/a.jpg"><img src="https://i/b.jpg">'
            '<p class="caption">c</p></div>')
    assert "<figure>" not in rewrite("caption_figures", html)
