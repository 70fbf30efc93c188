"""Every hostile payload, down every path to an article body, comes out inert."""

from __future__ import annotations

import pytest

from newsmirror.store.articles import parse_article_file
from tests.hostile.checks import dangers
from tests.hostile.corpus import PAYLOADS
from tests.hostile.mirror import JAVASCRIPT_ITEM, PATHS, HostileMirror

CASES = [(path, name) for path in PATHS for name, _ in PAYLOADS]


@pytest.mark.parametrize(("path", "name"), CASES, ids=[f"{p}-{n}" for p, n in CASES])
def test_mirrored_body_holds_nothing_executable(
    hostile_mirror: HostileMirror, path: str, name: str
) -> None:
    article = parse_article_file(
        hostile_mirror.article_path(path, name).read_text(encoding="utf-8"))
    assert dangers(article.body_html) == []
    assert "香港立法会" in article.body_html  # the article around the payload survived


@pytest.mark.parametrize("path", PATHS)
def test_every_item_of_every_path_was_mirrored(hostile_mirror: HostileMirror, path: str) -> None:
    report = next(s for s in hostile_mirror.report.sources if s.slug == path)
    assert (report.error, report.failed, report.new) == (None, 0, len(PAYLOADS))


def test_feed_item_with_a_javascript_link_is_never_published(
    hostile_mirror: HostileMirror,
) -> None:
    assert all(not str(r["url"]).startswith("javascript") for r in hostile_mirror.records())
    published = [p for p in (hostile_mirror.root / "articles").rglob("*")
                 if p.is_file() and JAVASCRIPT_ITEM in p.read_text(encoding="utf-8")]
    assert published == []


@pytest.mark.parametrize(
    ("fragment", "danger"),
    [("<img src=x onerror=alert(1)>", "<img onerror>"),
     ('<a href="jav&#x09;ascript:alert(1)">x</a>', "<a href="),
     ("<svg></svg>", "<svg>"),
     ('<p style="x">y</p>', "<p style>")],
    ids=["handler", "obfuscated-url", "foreign-element", "style"],
)
def test_the_check_itself_sees_each_kind_of_danger(fragment: str, danger: str) -> None:
    assert [found for found in dangers(fragment) if found.startswith(danger)]
