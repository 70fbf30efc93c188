"""A failing feed or page: the run ends in time, says why, keeps what it has, tries again."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.faults.content import NOT_XML_AT_ALL, article_html
from tests.faults.mirror import RUN_BOUND_S, TwoSourceMirror, make_two_source_mirror
from tests.faults.server import BEHAVIOURS, Behaviour, FaultServer, respond

TRANSPORT_FAULTS = [
    ("slow-headers", "timed out"),
    ("stall-body", "timed out"),
    ("reset", "network error"),
    ("not-http", "network error"),
    ("status-500", "HTTP 500"),
    ("status-502", "HTTP 502"),
    ("status-503-retry-after", "HTTP 503"),
    ("status-429-retry-after", "HTTP 429"),
    ("redirect-loop", "redirect loop"),
    ("redirect-to-metadata", "private address refused"),
    ("redirect-to-invalid-url", "invalid redirect"),
    ("endless-chunked", "response too large"),
    ("gzip-bomb", "response too large"),
    ("brotli-bomb", "response too large"),
    ("length-longer-than-body", "network error"),
    ("length-huge", "response too large"),
]
FEED_FAULTS: list[tuple[str, Behaviour, str]] = [
    *((name, BEHAVIOURS[name], reason) for name, reason in TRANSPORT_FAULTS),
    ("html-as-feed", respond(article_html("不是订阅源", "这是一个网页。" * 20).encode(),
                             "application/rss+xml"), "not a feed"),
    ("not-xml-at-all", respond(NOT_XML_AT_ALL, "application/rss+xml"), "not a feed"),
]
PAGE_FAULTS: list[tuple[str, Behaviour, str]] = [
    *((name, BEHAVIOURS[name], reason) for name, reason in TRANSPORT_FAULTS),
    ("pdf-not-html", respond(b"%PDF-1.4 ...", "application/pdf"), "not an HTML page"),
    ("empty-page", respond(b"<html><body></body></html>"), "no article text"),
]


@pytest.fixture()
def by_feed(tmp_path: Path, fault_server: FaultServer) -> TwoSourceMirror:
    return make_two_source_mirror(tmp_path, fault_server, flaky_by_page=False)


@pytest.fixture()
def by_page(tmp_path: Path, fault_server: FaultServer) -> TwoSourceMirror:
    return make_two_source_mirror(tmp_path, fault_server, flaky_by_page=True)


@pytest.mark.parametrize(("fault", "behaviour", "reason"), FEED_FAULTS,
                         ids=[f[0] for f in FEED_FAULTS])
def test_failing_feed_is_reported_and_the_rest_of_the_run_goes_on(
    by_feed: TwoSourceMirror, fault: str, behaviour: Behaviour, reason: str
) -> None:
    assert by_feed.run().source("flaky").new == 2
    before = by_feed.snapshot()
    by_feed.serve_good(3)
    by_feed.server.routes["/flaky/feed"] = behaviour
    second = by_feed.run()
    error = second.source("flaky").error
    assert error is not None and error.stage == "feed"
    assert reason in error.message and by_feed.flaky_feed_url in error.message
    assert "\n" not in error.message
    assert second.source("good").new == 1
    assert second.seconds < RUN_BOUND_S
    assert by_feed.kept(before)


@pytest.mark.parametrize(("fault", "behaviour", "reason"), FEED_FAULTS[:3],
                         ids=[f[0] for f in FEED_FAULTS[:3]])
def test_feed_that_failed_is_fetched_again_on_the_next_run(
    by_feed: TwoSourceMirror, fault: str, behaviour: Behaviour, reason: str
) -> None:
    by_feed.server.routes["/flaky/feed"] = behaviour
    assert by_feed.run().source("flaky").error is not None
    by_feed.serve_flaky(3)
    third = by_feed.run().source("flaky")
    assert third.error is None and third.new == 3


@pytest.mark.parametrize(("fault", "behaviour", "reason"), PAGE_FAULTS,
                         ids=[f[0] for f in PAGE_FAULTS])
def test_failing_page_fails_its_item_only_and_is_retried_next_run(
    by_page: TwoSourceMirror, fault: str, behaviour: Behaviour, reason: str
) -> None:
    assert by_page.run().source("flaky").new == 2
    before = by_page.snapshot()
    by_page.serve_flaky(3)
    bad_url = by_page.server.url("/flaky/page/2")
    by_page.server.routes["/flaky/page/2"] = behaviour
    second = by_page.run()
    flaky = second.source("flaky")
    assert (flaky.new, flaky.failed, flaky.error) == (0, 1, None)
    failure = flaky.failures[0]
    assert failure.url == bad_url and bad_url in failure.message and reason in failure.message
    assert second.seconds < RUN_BOUND_S
    assert by_page.kept(before)
    by_page.serve_flaky(3)
    assert by_page.run().source("flaky").new == 1
