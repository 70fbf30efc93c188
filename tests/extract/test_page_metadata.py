"""Publication times and page metadata."""

from __future__ import annotations

import pytest
from selectolax.lexbor import LexborHTMLParser

from newsmirror.extract.metadata import clean_title, parse_time_ms, read_metadata


@pytest.mark.parametrize(
    ("value", "expected_ms"),
    [
        ("2025-11-30T09:13:47+00:00", 1764494027000),
        ("2025-11-30T02:35:18.027Z", 1764470118027),
        ("1659274471", 1659274471000),
        ("1764470118027", 1764470118027),
        ("2024年12月18日 18:08", 1734516480000),
        ("2012年12月10日, 格林尼治标准时间10:41", 1355136060000),
        ("2025-01-06", 1736092800000),
    ],
    ids=["iso-offset", "iso-z-millis", "epoch-s", "epoch-ms", "chinese-beijing", "chinese-gmt",
         "date-only-beijing"],
)
def test_parse_time_ms_reads_common_forms(value: str, expected_ms: int) -> None:
    assert parse_time_ms(value) == expected_ms


@pytest.mark.parametrize("value", ["", "昨天", "前天", "not a date", "2025-13-45"],
                         ids=["empty", "yesterday", "day-before", "words", "impossible"])
def test_parse_time_ms_refuses_what_it_cannot_read(value: str) -> None:
    assert parse_time_ms(value) is None


def test_json_ld_gives_author_and_time_when_meta_tags_are_missing() -> None:
    html = ('<script type="application/ld+json">{"@type":"NewsArticle","headline":"H",'
            '"author":[{"name":"甲"},{"name":"乙"}],"datePublished":"2024-03-05T13:10:00Z"}'
            "</script>")
    meta = read_metadata(LexborHTMLParser(html))
    assert (meta.title, meta.author, meta.published_ms) == ("H", "甲、乙", 1709644200000)


def test_author_meta_that_is_a_url_is_ignored() -> None:
    html = '<meta property="article:author" content="https://www.facebook.com/x">'
    assert read_metadata(LexborHTMLParser(html)).author is None


def test_clean_title_drops_the_site_name_suffix() -> None:
    assert clean_title("标题 - BBC News 中文") == "标题"
