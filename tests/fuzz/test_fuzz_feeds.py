"""Feed parsing never crashes, never yields a non-http link, and reads Chinese by its bytes."""

from __future__ import annotations

from html import escape

from hypothesis import given
from hypothesis import strategies as st

from newsmirror.clean.urls import canonical_url
from newsmirror.errors import FeedError
from newsmirror.feeds import parse_feed
from newsmirror.store.files import name_candidate
from tests.faults.content import SIMPLIFIED, TRADITIONAL
from tests.fuzz.profile import FUZZ

FEED_URL = "https://feeds.invalid/rss"
SIMPLIFIED_HAN = "".join(sorted({c for c in SIMPLIFIED if "\u4e00" <= c <= "\u9fff"}))
TRADITIONAL_HAN = "".join(sorted({c for c in TRADITIONAL if "\u4e00" <= c <= "\u9fff"}))
# Link text a hostile or broken feed may carry: schemes, brackets, ports, controls.
link_text = st.one_of(
    st.text(max_size=80),
    st.builds(lambda scheme, rest: f"{scheme}:{rest}",
              st.sampled_from(["http", "https", "javascript", "data", "file", "HTTP", " http"]),
              st.text(alphabet="/[]:@%?#.-abc0123 \t", max_size=40)),
)
item = st.tuples(st.text(max_size=40), link_text, st.text(max_size=200))


def rss(items: list[tuple[str, str, str]], encoding: str = "utf-8") -> str:
    body = "".join(f"<item><title>{escape(t)}</title><link>{escape(link)}</link>"
                   f"<description>{escape(d)}</description></item>" for t, link, d in items)
    return (f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0"><channel>'
            f"<title>t</title>{body}</channel></rss>")


@given(st.binary(max_size=2000))
@FUZZ
def test_any_bytes_parse_or_raise_feed_error(body: bytes) -> None:
    try:
        parse_feed(body, FEED_URL)
    except FeedError:
        pass


@given(st.lists(item, min_size=1, max_size=8))
@FUZZ
def test_every_entry_link_is_http_and_usable_downstream(items: list[tuple[str, str, str]]) -> None:
    try:
        feed = parse_feed(rss(items).encode("utf-8", "surrogatepass"), FEED_URL)
    except (FeedError, UnicodeEncodeError):
        return
    for entry in feed.entries:
        assert entry.link.startswith(("http://", "https://"))
        name_candidate(canonical_url(entry.link))  # must not raise


@given(st.text(alphabet=SIMPLIFIED_HAN + "，。“” ", min_size=8, max_size=60),
       st.sampled_from(["gbk", "utf-8", "big5", "iso-8859-1"]))
@FUZZ
def test_gbk_feed_reads_right_whatever_it_declares(title: str, declared: str) -> None:
    body = rss([(title, "https://news.invalid/a", "x")], encoding=declared).encode("gbk")
    assert parse_feed(body, FEED_URL).entries[0].title == " ".join(title.split())


@given(st.text(alphabet=TRADITIONAL_HAN + "，。「」 ", min_size=8, max_size=60),
       st.sampled_from(["big5", "utf-8", "gbk", "gb2312"]))
@FUZZ
def test_big5_feed_reads_right_whatever_it_declares(title: str, declared: str) -> None:
    body = rss([(title, "https://news.invalid/a", "x")], encoding=declared).encode("big5")
    assert parse_feed(body, FEED_URL).entries[0].title == " ".join(title.split())
