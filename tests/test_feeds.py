"""Feed parsing over the recorded real feeds and small hand-written ones."""

from __future__ import annotations

import pytest

from newsmirror.errors import FeedError
from newsmirror.feeds import parse_feed
from tests.support.recorded import FEEDS, REAL


def recorded(outlet: str) -> bytes:
    return (REAL / FEEDS[outlet][0]).read_bytes()


@pytest.mark.parametrize(
    ("outlet", "count", "first_title"),
    [
        ("bbc", 66, "萨达姆之墓在反“伊斯兰国”战事中被毁"),
        ("dw", 85, "格林沃尔德获德国新闻记者奖"),
        ("nyt", 22, "回收场一瞥：北京的碎片，在此重生"),
        ("cdt", 15, "中国军网 | 徐才厚在病榻上结束了可悲可耻的一生"),
    ],
    ids=["bbc-atom", "dw-rdf", "nyt-rss2-cdata", "cdt-wordpress"],
)
def test_recorded_feeds_parse_with_titles_links_and_dates(
    outlet: str, count: int, first_title: str
) -> None:
    feed = parse_feed(recorded(outlet), "https://feeds.example/")
    assert len(feed.entries) == count
    assert feed.entries[0].title == first_title
    assert all(e.link.startswith("http") for e in feed.entries)
    assert all(e.published_ms and e.published_ms > 1_100_000_000_000 for e in feed.entries)
    assert not feed.warnings


def test_full_text_comes_from_content_encoded() -> None:
    entry = parse_feed(recorded("cdt"), "https://feeds.example/").entries[0]
    assert entry.content_html and len(entry.content_html) > 2000
    assert entry.guid == "https://dhnq96zntgnq1.cloudfront.net/chinese/?p=385722"


def test_summary_only_feed_has_no_full_content() -> None:
    entry = parse_feed(recorded("bbc"), "https://feeds.example/").entries[0]
    assert entry.content_html is None
    assert entry.summary_html


RSS091 = b"""<?xml version="1.0" encoding="ISO-8859-1"?>
<rss version="0.91"><channel><title>Old</title><link>http://old.example/</link>
<description>d</description><item><title>Caf\xe9 opens</title><link>/news/cafe</link>
<description>A caf\xe9.</description></item></channel></rss>"""


def test_rss_091_with_latin1_declaration_and_relative_link() -> None:
    feed = parse_feed(RSS091, "http://old.example/rss.xml")
    assert feed.entries[0].title == "Café opens"
    assert feed.entries[0].link == "http://old.example/news/cafe"


GBK_RSS = ('<?xml version="1.0" encoding="gbk"?><rss version="2.0"><channel><title>中文</title>'
           '<item><title>台湾选举结果揭晓</title><link>http://x.example/a</link></item>'
           '</channel></rss>').encode("gbk")


def test_gbk_feed_decoded_from_its_xml_declaration() -> None:
    feed = parse_feed(GBK_RSS, "http://x.example/rss", content_type="text/xml")
    assert feed.entries[0].title == "台湾选举结果揭晓"


@pytest.mark.parametrize(
    "body",
    [b"", b"<html><body><p>not a feed</p></body></html>", b"<rss><channel><item><title>x</ti",
     b"\x00\x01\x02garbage"],
    ids=["empty", "html-page", "truncated-xml", "binary"],
)
def test_things_that_are_not_feeds_raise_feed_error_naming_the_url(body: bytes) -> None:
    with pytest.raises(FeedError, match=r"https://bad\.example/feed"):
        parse_feed(body, "https://bad.example/feed")


def test_item_without_link_is_skipped_with_a_warning() -> None:
    body = (b'<rss version="2.0"><channel><title>t</title><item><title>no link</title></item>'
            b"<item><title>ok</title><link>http://x.example/a</link></item></channel></rss>")
    feed = parse_feed(body, "http://x.example/rss")
    assert [e.title for e in feed.entries] == ["ok"]
    assert any("without a usable link" in w for w in feed.warnings)
