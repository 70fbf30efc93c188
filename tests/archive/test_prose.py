"""Links taken out of free text: issue bodies in Chinese, Markdown, angle brackets."""

from __future__ import annotations

import pytest

from newsmirror.archive.prose import find_urls

WECHAT = "https://mp.weixin.qq.com/s/ZhDXTjv5ciEGOZirqQ6BJA"
BIZ = ("https://mp.weixin.qq.com/s?__biz=MzI2MzEwNTY3OQ==&mid=2648978231&idx=1"
       "&sn=dd091611fcf1aa0c2aef9655f13e7731&chksm=f2506b4ec527e25&scene=21#rd")


@pytest.mark.parametrize(
    ("text", "urls"),
    [
        (f"请存档：{WECHAT}", [WECHAT]),
        (f"（链接：{WECHAT}）", [WECHAT]),
        (f"【{WECHAT}】", [WECHAT]),
        (f"「{WECHAT}」，谢谢", [WECHAT]),
        (f"『{WECHAT}』", [WECHAT]),
        (f"《{WECHAT}》", [WECHAT]),
        (f"“{WECHAT}”", [WECHAT]),
        (f"‘{WECHAT}’", [WECHAT]),
        (f"{WECHAT}，这篇快被删了。", [WECHAT]),
        (f"{WECHAT}。", [WECHAT]),
        (f"{WECHAT}；还有", [WECHAT]),
        (f"{WECHAT}！", [WECHAT]),
        (f"{WECHAT}？", [WECHAT]),
        (f"{WECHAT}、{WECHAT}2", [WECHAT, f"{WECHAT}2"]),
        (f"{WECHAT}这篇文章", [WECHAT]),
        (f"见{WECHAT}\u3000谢谢", [WECHAT]),
        (f"{BIZ}", [BIZ]),
        (f"原文 {BIZ} 已删", [BIZ]),
    ],
    ids=["colon-before", "full-width-parens", "lenticular", "corner-quotes", "white-corner",
         "book-title", "double-quotes", "single-quotes", "comma-after", "full-stop-after",
         "semicolon-after", "exclamation-after", "question-after", "enumeration-comma",
         "chinese-text-after", "ideographic-space", "query-and-fragment", "spaces-around"],
)
def test_links_in_chinese_prose_end_at_full_width_punctuation(text: str, urls: list[str]) -> None:
    assert find_urls(text) == tuple(urls)


@pytest.mark.parametrize(
    ("text", "urls"),
    [
        ("[标题](https://x.com/a)", ["https://x.com/a"]),
        ("[https://x.com/a](https://x.com/a)", ["https://x.com/a"]),
        ('[t](https://x.com/a "title")', ["https://x.com/a"]),
        ("<https://x.com/a>", ["https://x.com/a"]),
        ('<a href="https://x.com/a">x</a>', ["https://x.com/a"]),
        ("**https://x.com/a**", ["https://x.com/a"]),
        ("`https://x.com/a`", ["https://x.com/a"]),
        ("(see https://x.com/a)", ["https://x.com/a"]),
        ("https://en.wikipedia.org/wiki/Foo_(bar).", ["https://en.wikipedia.org/wiki/Foo_(bar)"]),
        ("[https://x.com/a]", ["https://x.com/a"]),
        ("'https://x.com/a'", ["https://x.com/a"]),
        ("https://x.com/a...", ["https://x.com/a"]),
        ("https://x.com/a?, and", ["https://x.com/a"]),
        ("- https://x.com/a\n- https://y.org/b\n", ["https://x.com/a", "https://y.org/b"]),
    ],
    ids=["markdown-link", "markdown-link-to-itself", "markdown-link-title", "angle-brackets",
         "html-attribute", "bold", "code", "parenthesis", "balanced-parenthesis-kept",
         "square-brackets", "ascii-quotes", "ellipsis", "question-mark-comma", "list"],
)
def test_links_in_markup_lose_the_markup(text: str, urls: list[str]) -> None:
    assert find_urls(text) == tuple(urls)


@pytest.mark.parametrize(
    ("text", "urls"),
    [
        ("HTTPS://X.com/a", ["https://X.com/a"]),
        ("https：//x.com/a", ["https://x.com/a"]),
        ("http://127.0.0.1:8080/a?b=1#c", ["http://127.0.0.1:8080/a?b=1#c"]),
        ("http://[::1]:8080/a", ["http://[::1]:8080/a"]),
        ("https://x.com/%E4%B8%AD", ["https://x.com/%E4%B8%AD"]),
        ("https://web.archive.org/web/2id_/https://x.com/a",
         ["https://web.archive.org/web/2id_/https://x.com/a"]),
    ],
    ids=["upper-case-scheme", "full-width-colon", "port-query-fragment", "ipv6", "percent-encoded",
         "link-inside-link"],
)
def test_link_forms_are_kept_whole(text: str, urls: list[str]) -> None:
    assert find_urls(text) == tuple(urls)


@pytest.mark.parametrize(
    "text",
    ["", "请帮忙存档这篇文章", "ftp://x.com/a", "mailto:a@x.com", "www.x.com/a", "https://",
     "https://，", "https:///path", "xhttps://x.com/a", "javascript:alert(1)",
     "file:///etc/passwd", "data:text/html,<b>x</b>"],
    ids=["empty", "prose-only", "ftp", "mailto", "no-scheme", "scheme-only", "scheme-then-comma",
         "no-host", "glued-to-a-word", "javascript", "file", "data"],
)
def test_anything_that_is_not_an_http_link_is_ignored(text: str) -> None:
    assert find_urls(text) == ()


def test_each_link_is_given_once_in_first_seen_order() -> None:
    text = "https://b.com/1 https://a.com/2 https://b.com/1。[x](https://a.com/2)"
    assert find_urls(text) == ("https://b.com/1", "https://a.com/2")


def test_an_issue_body_gives_every_link_and_nothing_else() -> None:
    body = (f"这两篇文章可能很快会被删除，请帮忙存档：\r\n\r\n1. {WECHAT}（作者已注销）\r\n"
            f"2. [微博原文](https://m.weibo.cn/status/4578123456789012)\r\n\r\n"
            "谢谢！也可以看看 <https://matters.town/@someone/12345-title>。")
    assert find_urls(body) == (WECHAT, "https://m.weibo.cn/status/4578123456789012",
                               "https://matters.town/@someone/12345-title")
