"""Which extractor reads a page, and how feed content is cleaned."""

from __future__ import annotations

import pytest
from tests.support.recorded import REAL

from newsmirror.errors import NoContentError
from newsmirror.extract import clean_feed_content, extract_article
from newsmirror.extract.rules import parse_rules
from newsmirror.models import Page

BBC_2025 = REAL / "bbc" / "article_2025-11-30_cwyv1yz8yrno_simp_reindented.html"
ARTICLE = "<p>" + "这是一段足够长的新闻正文，用来让通用提取器认出文章。" * 8 + "</p>"


def page(html: str, url: str = "https://www.bbc.com/zhongwen/articles/x/simp") -> Page:
    return Page(url=url, final_url=url, html=html)


def test_a_recognised_template_on_an_unknown_host_uses_its_rule() -> None:
    html = BBC_2025.read_text(encoding="utf-8")
    assert extract_article(page(html, "http://127.0.0.1:8000/page/bbc/1")).method == "site:bbc"


def test_an_unknown_host_without_fingerprint_goes_generic() -> None:
    html = f"<html><body><article>{ARTICLE}</article></body></html>"
    assert extract_article(page(html, "https://unknown.example/a")).method.startswith("generic")


def test_a_rule_that_finds_no_body_falls_back_to_generic() -> None:
    rules = parse_rules('[[site]]\nname = "x"\nhosts = ["example.com"]\nbody = ".story"\n', "t")
    html = f"<html><body><article>{ARTICLE}</article></body></html>"
    extracted = extract_article(page(html, "https://www.example.com/a"), rules)
    assert extracted.method.startswith("generic") and "新闻正文" in extracted.body_html


def test_a_page_without_article_is_an_error_never_an_empty_body() -> None:
    html = "<html><body><nav><a href='/'>首页</a></nav><footer>版权所有</footer></body></html>"
    with pytest.raises(NoContentError, match="no article text found: https://unknown.example/a"):
        extract_article(page(html, "https://unknown.example/a"))


def test_feed_content_gets_the_site_rules_removals() -> None:
    html = ('<p>正文</p><div class="addtoany_share_save_container"><a href="https://www.addtoany.'
            'com/add_to/facebook">Facebook</a></div>')
    assert clean_feed_content(html, "https://chinadigitaltimes.net/chinese/1.html") == "<p>正文</p>"


def test_feed_content_from_any_host_gets_lazy_images_resolved() -> None:
    html = '<p><img src="data:image/gif;base64,R0l" data-src="https://i.example/x.jpg"></p>'
    assert 'src="https://i.example/x.jpg"' in clean_feed_content(html, "https://unknown.example/a")


def test_feed_content_skips_page_only_rewrites() -> None:
    html = '<main><p>正文</p></main><script id="__NEXT_DATA__">{}</script>'
    assert "<p>正文</p>" in clean_feed_content(html, "https://www.bbc.com/zhongwen/x")
