"""Full-text search of the archive: Chinese words of any length, both scripts, ranked."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsmirror.clean.sanitize import plain_text
from newsmirror.models import ArticleRecord
from newsmirror.search.fts import SearchIndex, match_expression

BODIES = {
    "putin": "<p>俄罗斯总统普京周四在莫斯科会见外国记者。</p>",
    "taiwan": "<p>台湾立法院今天通过预算。</p><p>普京没有回应。</p>",
    "fire-trad": "<p>香港大埔宏福苑發生火災，消防員到場。</p>",
    "fire-simp": "<p>北京一栋住宅发生火灾。</p>",
    "english": "<p>Reuters reported the Kremlin denied the claims.</p>",
    "title-only": "<p>没有相关内容。</p>",
}
TITLES = {"title-only": "普京的一周", "fire-trad": "火災現場"}


def record(key: str, n: int = 0) -> ArticleRecord:
    return ArticleRecord(
        id=key, source="dw" if key == "english" else "bbc", url=f"https://example.invalid/{key}",
        canonical_url=f"https://example.invalid/{key}", title=TITLES.get(key, f"标题{key}"),
        published_ms=1_700_000_000_000 + n, first_seen_ms=1_700_000_000_000,
        path=f"articles/bbc/2023/11/{key}.md", content_sha256=key * 3,
    )


@pytest.fixture()
def index(tmp_path: Path) -> SearchIndex:
    search = SearchIndex.open(tmp_path)
    search.sync([record(k, n) for n, k in enumerate(BODIES)], lambda r: BODIES[r.id])
    yield search
    search.close()


def found(index: SearchIndex, query: str, **kwargs: object) -> set[str]:
    return {hit.id for hit in index.search(query, **kwargs)}  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("普京", {"putin", "taiwan", "title-only"}),
        ("台湾", {"taiwan"}),
        ("火灾", {"fire-trad", "fire-simp"}),
        ("火災", {"fire-trad", "fire-simp"}),
        ("臺灣", {"taiwan"}),
        ("莫斯科会见", {"putin"}),
        ("普", {"putin", "taiwan", "title-only"}),
        ("灾", {"fire-trad", "fire-simp"}),
        ("kremlin", {"english"}),
        ("普京 莫斯科", {"putin"}),
        ("莫斯科 台湾", set()),
    ],
    ids=["two-chars", "taiwan", "simplified-finds-traditional", "traditional-finds-simplified",
         "traditional-variant", "phrase", "one-char", "last-char-of-run", "latin-case-folded",
         "all-words-required", "no-article-has-both"],
)
def test_search_finds_every_article_containing_query(index, query: str, expected: set) -> None:
    assert found(index, query) == expected


def test_two_chars_do_not_match_across_a_gap(index) -> None:
    assert found(index, "科会") == {"putin"} and found(index, "普周") == set()


def test_title_match_ranks_above_body_match(index) -> None:
    assert index.search("普京")[0].id == "title-only"


def test_passage_shows_the_match(index) -> None:
    hit = index.search("火灾", source="bbc")[0]
    matched = hit.passage[hit.match_start: hit.match_start + hit.match_length]
    assert matched in ("火災", "火灾") and "发生" in hit.passage or "發生" in hit.passage


def test_source_filter(index) -> None:
    assert found(index, "kremlin", source="bbc") == set()


def test_limit(index) -> None:
    assert len(index.search("普京", limit=2)) == 2


def test_changed_article_is_reindexed(index) -> None:
    records = [record(k, n) for n, k in enumerate(BODIES)]
    records[0] = dataclasses.replace(records[0], content_sha256="new")
    updated = index.sync(records, lambda r: "<p>内容改成了关于天气的报道。</p>" if r.id == "putin"
                         else BODIES[r.id])
    assert (updated, found(index, "莫斯科"), found(index, "天气")) == (1, set(), {"putin"})


def test_removed_article_leaves_index(index) -> None:
    index.sync([record(k, n) for n, k in enumerate(BODIES) if k != "taiwan"],
               lambda r: BODIES[r.id])
    assert found(index, "台湾") == set() and index.count() == len(BODIES) - 1


def test_unchanged_archive_reads_no_body(index) -> None:
    def must_not_read(r: ArticleRecord) -> str:
        raise AssertionError(f"read {r.id}")

    assert index.sync([record(k, n) for n, k in enumerate(BODIES)], must_not_read) == 0


def test_unreadable_cache_is_rebuilt(tmp_path: Path) -> None:
    (tmp_path / ".newsmirror").mkdir()
    (tmp_path / ".newsmirror" / "search.sqlite").write_bytes(b"not a database" * 100)
    search = SearchIndex.open(tmp_path)
    assert search.count() == 0
    search.close()


@pytest.mark.parametrize("query", ['"', "AND", "*", "NEAR(", "- ( )"],
                         ids=["quote", "operator", "star", "near", "punctuation"])
def test_query_syntax_characters_are_plain_text(index, query: str) -> None:
    assert index.search(query) == []


def test_empty_query_has_no_expression() -> None:
    assert match_expression("  ，。 ") is None


def test_plain_text_of_a_body_keeps_paragraph_breaks() -> None:
    assert plain_text("<p>一&amp;二</p><p>三<b>四</b></p>") == "一&二\n三四"


_HAN_SAMPLE = "普京台湾火灾北京中国香港人民政府新闻"


def _pairs(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)}


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.text(alphabet=_HAN_SAMPLE + "，。 a", min_size=1, max_size=30),
                      min_size=1, max_size=6),
       query=st.text(alphabet=_HAN_SAMPLE, min_size=1, max_size=4))
def test_search_finds_the_articles_with_every_pair_those_with_the_query_first(
    tmp_path_factory: pytest.TempPathFactory, texts: list[str], query: str
) -> None:
    search = SearchIndex.open(tmp_path_factory.mktemp("search"))
    records = [dataclasses.replace(record("putin", n), id=f"a{n}", title="无")
               for n in range(len(texts))]
    search.sync(records, lambda r: f"<p>{texts[int(r.id[1:])]}</p>")
    try:
        hits = [hit.id for hit in search.search(query, limit=100)]
    finally:
        search.close()
    holding = {f"a{n}" for n, text in enumerate(texts) if query in text}
    having_pairs = {f"a{n}" for n, text in enumerate(texts)
                    if _pairs(query) <= _pairs(text) and (len(query) > 1 or query in text)}
    assert (set(hits), set(hits[:len(holding)])) == (having_pairs, holding)
