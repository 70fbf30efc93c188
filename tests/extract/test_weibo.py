"""Weibo's mobile status pages: the post in ``$render_data`` read as an article."""

from __future__ import annotations

import json
from typing import Any

import pytest

from newsmirror.errors import NoContentError
from newsmirror.extract import extract_article
from newsmirror.extract.weibo import render_weibo_status
from newsmirror.models import Page

URL = "https://m.weibo.cn/status/O4abcDEFg"


def script(status: Any) -> str:
    data = json.dumps([{"status": status, "call": "1"}], ensure_ascii=False, indent=4)
    return f"var $config = {{env: 'prod'}}\n    var $render_data = {data}[0] || {{}};"


def page(status: Any) -> Page:
    html = (f"<html><head><title>微博</title></head><body><div id='app'></div>"
            f"<script>{script(status)}</script></body></html>")
    return Page(url=URL, final_url=URL, html=html)


POST = {"created_at": "Sat Mar 09 20:15:42 +0800 2024", "text": "樱花开了",
        "user": {"screen_name": "河边散步的人"}}


def test_a_one_line_post_is_an_article_with_its_author_and_time() -> None:
    extracted = extract_article(page(POST))
    assert (extracted.method, extracted.author, extracted.published_ms) == (
        "site:weibo", "河边散步的人", 1709986542000)
    assert "樱花开了" in extracted.body_html
    assert extracted.title == "河边散步的人：樱花开了"


def test_a_long_post_gives_its_whole_text() -> None:
    status = {**POST, "isLongText": True, "text": "开头……<a href='/status/1'>全文</a>",
              "longText": {"longTextContent": "第一段\n第二段，全文在这里"}}
    rendered = render_weibo_status(script(status))
    assert rendered is not None
    assert "第二段，全文在这里" in rendered.body_html and "全文</a>" not in rendered.body_html


def test_a_repost_of_a_deleted_post_keeps_the_notice() -> None:
    status = {**POST, "retweeted_status": {"text": "抱歉，此微博已被作者删除。", "user": None}}
    rendered = render_weibo_status(script(status))
    assert rendered is not None
    assert "<blockquote><p>转发：</p><p>抱歉，此微博已被作者删除。</p></blockquote>" in rendered.body_html


def test_pictures_are_the_large_versions_and_only_http_ones() -> None:
    status = {**POST, "pics": [{"url": "https://wx1.sinaimg.cn/orj360/a.jpg",
                                "large": {"url": "https://wx1.sinaimg.cn/large/a.jpg"}},
                               {"url": "javascript:alert(1)"}, "not a picture"]}
    rendered = render_weibo_status(script(status))
    assert rendered is not None
    assert rendered.body_html.count("<img") == 1
    assert 'src="https://wx1.sinaimg.cn/large/a.jpg"' in rendered.body_html


def test_a_long_first_line_is_cut_for_the_title() -> None:
    rendered = render_weibo_status(script({**POST, "text": "长" * 100, "user": {}}))
    assert rendered is not None
    assert rendered.title == "长" * 40 + "…" and rendered.author is None


@pytest.mark.parametrize(
    "text",
    ["var $config = {};", "var $render_data = [{}][0] || {};", "var $render_data = [{][0]",
     'var $render_data = [{"status": null}][0] || {};', "var $render_data = [][0] || {};"],
    ids=["no-render-data", "no-status", "broken-json", "null-status", "empty-list"],
)
def test_a_script_without_a_post_gives_none(text: str) -> None:
    assert render_weibo_status(text) is None


def test_a_weibo_page_without_a_post_is_no_article() -> None:
    html = "<html><head><title>微博</title></head><body><div id='app'></div></body></html>"
    with pytest.raises(NoContentError):
        extract_article(Page(url=URL, final_url=URL, html=html))
