"""Huge, deep, mislabelled and malformed inputs: the run finishes and keeps what it can."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from newsmirror.config import load_config
from newsmirror.models import SourceReport
from newsmirror.pipeline import RunOptions, run
from newsmirror.store.articles import parse_article_file
from tests.faults.content import (
    MALFORMED_FEED,
    SIMPLIFIED,
    deeply_nested_page,
    full_text_feed,
    page_feed,
    rss,
)
from tests.faults.mirror import FAULT_SETTINGS, RUN_BOUND_S
from tests.faults.server import FaultServer, respond
from tests.support.mirrors import SourceSpec, make_mirror


def run_one(tmp_path: Path, server: FaultServer, fulltext: str, **settings: object
            ) -> tuple[SourceReport, Path]:
    root = make_mirror(tmp_path / "m", [SourceSpec("来源", "src", server.url("/feed"), fulltext)],
                       **{**FAULT_SETTINGS, **settings})
    started = time.monotonic()
    report = run(load_config(root), RunOptions(commit=False, push=False))
    assert time.monotonic() - started < RUN_BOUND_S
    return report.sources[0], root


def bodies(root: Path) -> list[str]:
    return [parse_article_file(p.read_text(encoding="utf-8")).body_html
            for p in sorted((root / "articles").rglob("*.md")) if p.name != "README.md"]


def test_feed_with_ten_thousand_items_mirrors_the_per_run_cap(
    tmp_path: Path, fault_server: FaultServer
) -> None:
    feed = page_feed([f"/page/{i}" for i in range(10_000)]).encode()
    fault_server.routes["/feed"] = respond(feed, "application/rss+xml")
    for i in range(10_000):
        fault_server.routes[f"/page/{i}"] = respond(
            f"<html><body><article><p>{SIMPLIFIED}</p></article></body></html>".encode())
    report, _ = run_one(tmp_path, fault_server, "page", max_new_per_source=5,
                        max_response_bytes=10_000_000)
    assert (report.error, report.new) == (None, 5)
    assert fault_server.count("/feed") == 1 and len(fault_server.requests) == 6


@pytest.mark.parametrize("fulltext", ["page", "feed"])
def test_hundred_thousand_nested_elements_are_read_in_bounded_time(
    tmp_path: Path, fault_server: FaultServer, fulltext: str
) -> None:
    nested = deeply_nested_page(100_000)
    if fulltext == "page":
        fault_server.routes["/feed"] = respond(page_feed(["/deep"]).encode(), "application/rss+xml")
        fault_server.routes["/deep"] = respond(nested)
    else:
        feed = full_text_feed("deep", 1, "@@").encode().replace(
            b"&lt;p&gt;@@&lt;/p&gt;", nested.replace(b"&", b"&amp;").replace(b"<", b"&lt;"), 1)
        fault_server.routes["/feed"] = respond(feed, "application/rss+xml")
    report, root = run_one(tmp_path, fault_server, fulltext, max_response_bytes=10_000_000)
    assert (report.new, report.failures) == (1, [])
    assert SIMPLIFIED in bodies(root)[0]


def test_feed_labelled_as_html_is_still_read_as_a_feed(
    tmp_path: Path, fault_server: FaultServer
) -> None:
    fault_server.routes["/feed"] = respond(full_text_feed("f", 2).encode(),
                                           "text/html; charset=utf-8")
    report, _ = run_one(tmp_path, fault_server, "feed")
    assert (report.error, report.new) == (None, 2)


def test_feed_served_where_a_page_should_be_fails_that_item_naming_it(
    tmp_path: Path, fault_server: FaultServer
) -> None:
    fault_server.routes["/feed"] = respond(page_feed(["/page"]).encode(), "application/rss+xml")
    fault_server.routes["/page"] = respond(rss([]).encode(), "text/html; charset=utf-8")
    report, _ = run_one(tmp_path, fault_server, "page")
    assert report.new == 0 and report.failed == 1
    assert fault_server.url("/page") in report.failures[0].message


def test_malformed_xml_keeps_the_items_that_can_be_read(
    tmp_path: Path, fault_server: FaultServer
) -> None:
    fault_server.routes["/feed"] = respond(MALFORMED_FEED, "application/rss+xml")
    report, root = run_one(tmp_path, fault_server, "feed")
    assert (report.error, report.new) == (None, 1)
    assert SIMPLIFIED in bodies(root)[0]
