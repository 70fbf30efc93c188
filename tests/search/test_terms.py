"""The one normalisation: folding that keeps length, character pairs, words, queries."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsmirror.search.terms import (
    character_map,
    character_map_json,
    fold,
    parse_query,
    rules_digest,
    text_terms,
)


@pytest.mark.parametrize(
    ("text", "folded"),
    [("火災", "火灾"), ("裝甲兵", "装甲兵"), ("臺灣", "台湾"), ("女性軍人", "女性军人"),
     ("ＣＯＶＩＤ－１９", "covid-19"), ("T-Dome", "t-dome"), ("乾隆", "干隆"),
     ("\u3000空格", " 空格"), ("\uf907", "龟")],
    ids=["fire", "armour", "taiwan-variant", "soldiers", "full-width", "case", "character-only",
         "ideographic-space", "compatibility-ideograph"],
)
def test_fold_maps_characters_one_to_one(text: str, folded: str) -> None:
    assert fold(text) == folded


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.text())
def test_fold_keeps_length_and_is_idempotent(text: str) -> None:
    once = fold(text)
    assert (len(once), fold(once)) == (len(text), once)


def test_character_map_is_thousands_of_characters_from_opencc() -> None:
    folded = character_map()
    han = [c for c in folded if "\u3400" <= c <= "\u9fff"]
    assert (len(han) > 3500, all(len(v) == 1 for v in folded.values())) == (True, True)


def test_character_map_json_pairs_every_character() -> None:
    loaded = json.loads(character_map_json())
    pairs = dict(zip(loaded["from"], loaded["to"], strict=True))
    assert (pairs == character_map(), loaded["rules"]) == (True, rules_digest())


@pytest.mark.parametrize(
    ("text", "terms"),
    [("普京访台", {"普京", "京访", "访台"}),
     ("俄羅斯總統", {"俄罗", "罗斯", "斯总", "总统"}),
     ("COVID-19 疫情", {"covid", "19", "疫情"}),
     ("iPhone15上市", {"iphone", "15", "上市"}),
     ("一，二。三", set()),
     ("T-Dome（台灣之盾）", {"t", "dome", "台湾", "湾之", "之盾"})],
    ids=["pairs", "traditional", "latin-and-digits", "letters-digits-han", "single-characters",
         "mixed"],
)
def test_text_terms(text: str, terms: set[str]) -> None:
    assert text_terms(text) == terms


def test_long_words_are_cut() -> None:
    assert text_terms("a" * 100) == {"a" * 40}


def test_query_runs_terms_and_single_characters() -> None:
    query = parse_query("裝甲兵 火 T-Dome 兵")
    assert ([r.text for r in query.runs], query.terms, query.single_han) == (
        ["装甲兵", "t", "dome"], ("装甲", "甲兵", "t", "dome"), ("火", "兵"))


@pytest.mark.parametrize(
    ("query", "terms"),
    [("美国总统", ("美国", "国总", "总统")),
     ("美国总统特朗普今天表示", ("美国", "总统", "特朗", "普今", "天表", "表示")),
     ("中华人民共和国 外交部发言人", ("中华", "人民", "共和", "和国", "外交", "部发", "言人"))],
    ids=["every-pair", "long-run-covered", "two-runs-covered"],
)
def test_long_queries_keep_the_pairs_that_cover_them(query: str, terms: tuple[str, ...]) -> None:
    assert parse_query(query).terms == terms


@pytest.mark.parametrize("query", ["", "  ，。 ", "火"], ids=["empty", "punctuation", "one-han"])
def test_query_without_terms_is_not_searchable(query: str) -> None:
    assert not parse_query(query).is_searchable


@settings(max_examples=100, deadline=None, derandomize=True)
@given(text=st.text(alphabet="普京台湾火灾災香港大埔北京ab1 ，", max_size=40),
       start=st.integers(0, 40), length=st.integers(2, 6))
def test_every_query_term_of_a_substring_is_a_term_of_the_text(text: str, start: int,
                                                              length: int) -> None:
    query = parse_query(text[start:start + length])
    han = [r for r in query.runs if r.is_han]
    assert set(t for r in han for t in text_terms(r.text)) <= text_terms(text)
