"""Golden extraction cases: every recorded real page and the labelled set.

Each case's expected body text (``tests/golden/extract/{set}/{name}.txt``) was
written down from reading the page; the test compares the stored body's plain
text to it exactly and shows a diff on failure.
"""

from __future__ import annotations

import difflib

import pytest
from tools.quality import Case, load_cases

from newsmirror.article_body import clean_page
from newsmirror.clean.sanitize import plain_text
from newsmirror.extract import extract_article
from newsmirror.extract.rules import bundled_rules

CASES = load_cases()
REAL_CASES = [c for c in CASES if c.set in ("real", "site", "ondemand")]


def stored_text(case: Case) -> str:
    return plain_text(clean_page(case.page(), min_chars=0).body_html)


@pytest.mark.parametrize("case", REAL_CASES, ids=lambda c: c.name)
def test_page_body_matches_what_a_reader_sees(case: Case) -> None:
    got = stored_text(case).splitlines()
    want = case.expected_text.splitlines()
    diff = "\n".join(difflib.unified_diff(want, got, "expected", "extracted", lineterm=""))
    assert got == want, diff


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_boilerplate_does_not_reach_the_article(case: Case) -> None:
    text = stored_text(case)
    assert [s for s in case.must_not if s in text] == []


@pytest.mark.parametrize("case", REAL_CASES, ids=lambda c: c.name)
def test_real_page_is_read_by_its_site_rule(case: Case) -> None:
    assert extract_article(case.page()).method == f"site:{case.rule}"


@pytest.mark.parametrize("case", [c for c in CASES if c.title], ids=lambda c: c.name)
def test_title_comes_from_the_page(case: Case) -> None:
    assert extract_article(case.page()).title == case.title


@pytest.mark.parametrize("case", [c for c in CASES if c.published_ms], ids=lambda c: c.name)
def test_publication_time_comes_from_the_page(case: Case) -> None:
    assert extract_article(case.page()).published_ms == case.published_ms


@pytest.mark.parametrize("case", [c for c in CASES if c.author], ids=lambda c: c.name)
def test_author_comes_from_the_page(case: Case) -> None:
    assert extract_article(case.page()).author == case.author


def test_every_site_rule_is_exercised_by_a_golden_case() -> None:
    covered = {c.rule for c in CASES}
    assert {rule.name for rule in bundled_rules().sites} <= covered
