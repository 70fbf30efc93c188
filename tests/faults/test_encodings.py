"""GBK and Big5 feeds and pages, labelled right, wrong or not at all, become correct Chinese."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsmirror.config import load_config
from newsmirror.pipeline import RunOptions, run
from newsmirror.store.articles import parse_article_file
from tests.faults.content import (
    SIMPLIFIED,
    SIMPLIFIED_TITLE,
    TRADITIONAL,
    TRADITIONAL_TITLE,
    article_html,
    full_text_feed,
    page_feed,
)
from tests.faults.mirror import FAULT_SETTINGS
from tests.faults.server import FaultServer, respond
from tests.support.mirrors import SourceSpec, make_mirror

TEXTS = {"gbk": (SIMPLIFIED, SIMPLIFIED_TITLE), "big5": (TRADITIONAL, TRADITIONAL_TITLE)}
# (bytes encoding, label in the document or None, Content-Type header)
CASES = [
    ("gbk", "gbk", "{type}"),
    ("gbk", "gb2312", "{type}; charset=gb2312"),
    ("gbk", "utf-8", "{type}"),
    ("gbk", None, "{type}"),
    ("gbk", None, "{type}; charset=big5"),
    ("gbk", "utf-8", "{type}; charset=iso-8859-1"),
    ("big5", "big5", "{type}"),
    ("big5", "gbk", "{type}"),
    ("big5", "utf-8", "{type}; charset=utf-8"),
    ("big5", None, "{type}"),
    ("big5", None, "{type}; charset=gb2312"),
    ("big5", "big5", "{type}; charset=windows-1252"),
]
IDS = [f"{enc}-says-{label or 'nothing'}-header-{header.partition('=')[2] or 'none'}"
       for enc, label, header in CASES]


def mirrored_body(root: Path) -> str:
    files = [p for p in (root / "articles").rglob("*.md") if p.name != "README.md"]
    assert len(files) == 1, files
    return parse_article_file(files[0].read_text(encoding="utf-8")).body_html


def mirror_one(tmp_path: Path, server: FaultServer, fulltext: str) -> Path:
    root = make_mirror(tmp_path / "m", [SourceSpec("编码", "enc", server.url("/feed"), fulltext)],
                       **FAULT_SETTINGS)
    report = run(load_config(root), RunOptions(commit=False, push=False))
    assert report.sources[0].error is None and report.sources[0].failures == []
    return root


@pytest.mark.parametrize(("encoding", "label", "header"), CASES, ids=IDS)
def test_feed_in_chinese_legacy_encoding_is_decoded_by_its_bytes(
    tmp_path: Path, fault_server: FaultServer, encoding: str, label: str | None, header: str
) -> None:
    text, title = TEXTS[encoding]
    feed = full_text_feed("enc", 1, text, encoding=label, title=title).encode(encoding)
    fault_server.routes["/feed"] = respond(feed, header.format(type="application/rss+xml"))
    root = mirror_one(tmp_path, fault_server, "feed")
    body = mirrored_body(root)
    assert text in body and "\ufffd" not in body
    assert f"{title} 0" in (root / "lists" / "编码.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(("encoding", "label", "header"), CASES, ids=IDS)
def test_page_in_chinese_legacy_encoding_is_decoded_by_its_bytes(
    tmp_path: Path, fault_server: FaultServer, encoding: str, label: str | None, header: str
) -> None:
    text, title = TEXTS[encoding]
    fault_server.routes["/feed"] = respond(page_feed(["/page"]).encode(), "application/rss+xml")
    page = article_html(title, text, charset=label).encode(encoding)
    fault_server.routes["/page"] = respond(page, header.format(type="text/html"))
    body = mirrored_body(mirror_one(tmp_path, fault_server, "page"))
    assert text in body and "\ufffd" not in body


@pytest.mark.parametrize("fulltext", ["feed", "page"])
def test_a_few_invalid_utf8_bytes_do_not_turn_the_rest_into_mojibake(
    tmp_path: Path, fault_server: FaultServer, fulltext: str
) -> None:
    broken = SIMPLIFIED.encode()[:30] + b"\xff\xfe" + SIMPLIFIED.encode()
    if fulltext == "feed":
        feed = full_text_feed("enc", 1, "@@").encode().replace(b"@@", broken)
        fault_server.routes["/feed"] = respond(feed, "application/rss+xml; charset=utf-8")
    else:
        fault_server.routes["/feed"] = respond(page_feed(["/page"]).encode(), "application/rss+xml")
        page = article_html("标题", "@@", charset="utf-8").encode().replace(b"@@", broken)
        fault_server.routes["/page"] = respond(page, "text/html; charset=utf-8")
    body = mirrored_body(mirror_one(tmp_path, fault_server, fulltext))
    assert SIMPLIFIED in body
