"""A site rule that stopped matching is caught: its short reading loses to the generic one.

The redesigned page is the recorded RFI article with its body class renamed
(``t-content__body`` → ``t-article__text``), as an outlet's redesign would do:
the RFI rule then reads only the standfirst.
"""

from __future__ import annotations

import logging

import pytest
from selectolax.lexbor import LexborHTMLParser
from tests.support.recorded import REAL
from tools.quality import Case, load_cases

from newsmirror.extract import extract_article
from newsmirror.extract.choose import RULE_CHECK_MIN_CHARS, is_rule_failing
from newsmirror.extract.generic import extract_generic
from newsmirror.extract.rules import bundled_rules
from newsmirror.models import Page

RFI_PAGE = REAL / "rfi" / "article_2025-11-30_taiwan-defense-budget.html"
RFI_URL = "https://www.rfi.fr/cn/%E6%94%BF%E6%B2%BB/20251130-x"


def redesigned_rfi_page() -> Page:
    html = RFI_PAGE.read_text(encoding="utf-8")
    assert html.count("t-content__body") >= 1
    return Page(RFI_URL, RFI_URL, html.replace("t-content__body", "t-article__text"))


def test_a_rule_that_reads_only_the_standfirst_is_reported_failing() -> None:
    check = extract_article(redesigned_rfi_page()).rule_check
    assert check is not None and check.failed
    assert (check.rule, check.host, check.url) == ("rfi", "www.rfi.fr", RFI_URL)
    assert check.rule_chars * 2 < check.generic_chars


def test_the_failing_rules_page_is_stored_as_the_generic_extractor_reads_it() -> None:
    page = redesigned_rfi_page()
    generic = extract_generic(LexborHTMLParser(page.html), page, bundled_rules())
    extracted = extract_article(page)
    assert extracted.method.startswith("generic") and extracted.body_html == generic.body_html


def test_a_failing_rule_is_a_warning_with_rule_host_url_and_lengths(
        caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="newsmirror.extract"):
        check = extract_article(redesigned_rfi_page()).rule_check
    assert check is not None
    message = next(r.getMessage() for r in caplog.records if "site rule failing" in r.getMessage())
    for part in ("rule=rfi", "host=www.rfi.fr", f"url={RFI_URL}",
                 f"rule_chars={check.rule_chars}", f"generic_chars={check.generic_chars}"):
        assert part in message


RULE_CASES = [c for c in load_cases() if c.rule]


@pytest.mark.parametrize("case", RULE_CASES, ids=lambda c: c.name)
def test_no_recorded_or_template_page_reports_its_rule_failing(case: Case) -> None:
    check = extract_article(case.page()).rule_check
    assert check is not None and check.rule == case.rule and not check.failed


@pytest.mark.parametrize(("rule_chars", "generic_chars", "failing"), [
    (164, 1189, True),
    (594, 1189, True),
    (595, 1189, False),
    (0, RULE_CHECK_MIN_CHARS, True),
    (RULE_CHECK_MIN_CHARS // 2, RULE_CHECK_MIN_CHARS, False),
    (0, RULE_CHECK_MIN_CHARS - 1, False),
    (2000, 1189, False),
], ids=["standfirst", "just-under-half", "half", "nothing-at-floor", "half-at-floor",
        "under-floor", "rule-reads-more"])
def test_a_rule_fails_under_half_the_generic_text_above_a_floor(
        rule_chars: int, generic_chars: int, failing: bool) -> None:
    assert is_rule_failing(rule_chars, generic_chars) is failing


@pytest.mark.parametrize(("name", "asked"), [("wechat-harmonyos", False), ("bbc-2012-a", True)],
                         ids=["rule-read-most-of-the-page", "page-full-of-navigation"])
def test_the_generic_extractor_is_asked_only_where_the_rule_read_under_half_the_page(
        name: str, asked: bool) -> None:
    case = next(c for c in RULE_CASES if c.name == name)
    check = extract_article(case.page()).rule_check
    assert check is not None and (check.generic_chars is not None) is asked


def test_a_page_without_a_rule_has_no_rule_check() -> None:
    page = next(c for c in load_cases("labelled")).page()
    assert extract_article(page).rule_check is None
