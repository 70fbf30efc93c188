"""The feed stylesheet turns any feed the mirror writes into an HTML page (checked with lxml's
XSLT, the same libxslt a browser uses)."""

from __future__ import annotations

from lxml import etree

from newsmirror.render.atom import AtomEntry, AtomFeed, feed_stylesheet, render_atom_feed

FEED = AtomFeed(
    id="urn:uuid:1", title="新闻镜像", updated="2026-03-01T00:00:00Z", self_href="all.xml",
    site_href="../docs/index.html", author="新闻镜像",
    entries=tuple(AtomEntry(
        id=f"urn:uuid:e{n}", title=f"第{n}篇 <b>不是标签</b>", updated="2026-03-01T00:00:00Z",
        published=f"2026-03-0{n}T08:00:00Z", href=f"../docs/bbc/2026/03/a{n}.html",
        original_url=f"https://www.bbc.com/zhongwen/simp/a{n}", author=None, source_slug="bbc",
        source_name="BBC", content_html="<p>正文</p>") for n in (1, 2)),
)


def test_stylesheet_renders_each_entry_with_its_link_date_and_source() -> None:
    transform = etree.XSLT(etree.fromstring(feed_stylesheet()))
    page = transform(etree.fromstring(render_atom_feed(FEED).encode("utf-8")))
    html = etree.tostring(page, encoding="unicode", method="html")
    root = etree.HTML(html)
    assert root.findtext(".//h1") == "新闻镜像"
    items = root.findall(".//ol/li")
    assert [li.find("a").text for li in items] == ["第1篇 <b>不是标签</b>", "第2篇 <b>不是标签</b>"]
    assert items[0].find("a").get("href") == "../docs/bbc/2026/03/a1.html"
    assert "2026-03-01" in "".join(items[0].itertext()) and "BBC" in "".join(items[0].itertext())
    assert "<script" not in html and "http" not in html.split("<body", 1)[0]
