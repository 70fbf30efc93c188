"""The site's search index over runs: new, edited and removed articles, merges, repairs."""

from __future__ import annotations

import dataclasses
import json
import random
from collections.abc import Iterable
from pathlib import Path

import pytest
from tests.render.test_site import add_article, make_config
from tests.support.static_search import find_docids, find_entries, find_ids

from newsmirror.config import Config
from newsmirror.models import ArticleRecord
from newsmirror.render.site import article_page_path
from newsmirror.search.documents import STATE_FILENAME
from newsmirror.search.manifest import FAN_IN
from newsmirror.search.static_index import (
    PENDING_FILENAME,
    IndexOptions,
    SearchReport,
    sync_site_search,
    update_site_search,
)
from newsmirror.store.articles import ArticleFiles
from newsmirror.store.files import CACHE_DIR


@pytest.fixture()
def config(tmp_path: Path) -> Config:
    return make_config(tmp_path, site_search=True)


def folder(config: Config) -> Path:
    return config.root / "docs" / "search"


def manifest(config: Config) -> dict:
    return json.loads((folder(config) / "manifest.json").read_text(encoding="utf-8"))


def sync(config: Config, records: Iterable[ArticleRecord]) -> SearchReport:
    return sync_site_search(config, records, lambda r: ArticleFiles(config.root).body(r.path) or "",
                            page_of=article_page_path)


def update(config: Config, changed: list[ArticleRecord], every: list[ArticleRecord], *,
           removed: Iterable[str] = (), max_files: int | None = None) -> SearchReport:
    options = IndexOptions() if max_files is None else IndexOptions(merge_files=max_files)
    return update_site_search(config, changed, lambda r: ArticleFiles(config.root).body(r.path) or "",
                              page_of=article_page_path, all_records=lambda: every,
                              removed_ids=removed, options=options)


def test_sync_indexes_every_article_with_what_a_result_shows(config: Config) -> None:
    records = [add_article(config.root, n, body=f"<p>第{n}篇：香港大埔發生火災。</p>")
               for n in range(3)]
    sync(config, records)
    entries = find_entries(folder(config), "火灾")
    assert [e[:5] for e in entries] == [
        [article_page_path(r), r.title, "bbc", "2023-11-15", f"第{n}篇：香港大埔發生火災。"]
        for n, r in reversed(list(enumerate(records)))]


def test_new_articles_of_a_run_become_one_small_segment(config: Config) -> None:
    records = [add_article(config.root, n) for n in range(5)]
    sync(config, records)
    new = add_article(config.root, 5, body="<p>出口管制新规。</p>")
    report = update(config, [new], records + [new])
    assert (report.indexed, [s["docs"] for s in manifest(config)["segments"]],
            find_ids(folder(config), "出口管制")) == (1, [5, 1], {new.id})


def test_unchanged_articles_are_not_read_again(config: Config) -> None:
    records = [add_article(config.root, n) for n in range(3)]
    sync(config, records)

    def must_not_read(record: ArticleRecord) -> str:
        raise AssertionError(record.id)

    report = sync_site_search(config, records, must_not_read, page_of=article_page_path)
    assert (report.indexed, report.removed) == (0, 0)


def test_edited_article_is_found_by_its_new_text_only_and_keeps_its_place(config: Config) -> None:
    records = [add_article(config.root, n) for n in range(4)]
    sync(config, records)
    before = find_docids(folder(config), "台湾")
    edited = dataclasses.replace(add_article(config.root, 1, body="<p>改写后的天气报道。</p>"),
                                 content_sha256="edited")
    update(config, [edited], [records[0], edited, *records[2:]])
    assert (find_ids(folder(config), "天气"), len(find_docids(folder(config), "台湾")),
            find_docids(folder(config), "天气")) == ({edited.id}, len(before) - 1, [before[-2]])


def test_removed_article_is_no_longer_found(config: Config) -> None:
    records = [add_article(config.root, n) for n in range(3)]
    sync(config, records)
    update(config, [], records[1:], removed=[records[0].id])
    chunk = json.loads((folder(config) / "docs" / "0.json").read_text(encoding="utf-8"))
    assert (find_ids(folder(config), "台湾"), chunk[0]) == ({r.id for r in records[1:]}, None)


def test_sync_removes_articles_no_longer_in_the_archive(config: Config) -> None:
    records = [add_article(config.root, n) for n in range(3)]
    sync(config, records)
    report = sync(config, records[:2])
    assert (report.removed, find_ids(folder(config), "台湾")) == (1, {r.id for r in records[:2]})


def test_segments_of_one_level_are_merged(config: Config) -> None:
    records: list[ArticleRecord] = []
    for n in range(FAN_IN):
        records.append(add_article(config.root, n))
        update(config, [records[-1]], records)
    segments = manifest(config)["segments"]
    assert ([s["docs"] for s in segments], find_ids(folder(config), "普京")) == (
        [FAN_IN], {r.id for r in records})


def test_merged_away_files_are_deleted(config: Config) -> None:
    records: list[ArticleRecord] = []
    for n in range(FAN_IN):
        records.append(add_article(config.root, n))
        update(config, [records[-1]], records)
    names = {p.name for p in folder(config).iterdir() if p.is_dir()}
    assert names == {"docs", manifest(config)["segments"][0]["name"]}


def long_body(rng: random.Random) -> str:
    """A body of many different character pairs (a segment of a few of them needs buckets)."""
    return "<p>" + "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(3000)) + "</p>"


def test_a_large_merge_goes_on_over_several_runs_and_finds_the_same(config: Config) -> None:
    rng = random.Random(7)
    records: list[ArticleRecord] = []
    for n in range(FAN_IN):
        records.append(add_article(config.root, n, body=long_body(rng) + "<p>香港大火。</p>"))
        update(config, [records[-1]], records, max_files=2)
    runs = 0
    while manifest(config)["merging"] or manifest(config)["garbage"]:
        found = find_ids(folder(config), "大火")
        update(config, [], records, max_files=2)
        runs += 1
        assert found == {r.id for r in records}
    assert (runs > 1, [s["docs"] for s in manifest(config)["segments"]]) == (True, [FAN_IN])


def test_unfinished_update_is_repaired_from_every_record(config: Config) -> None:
    records = [add_article(config.root, n) for n in range(3)]
    sync(config, records)
    (config.root / CACHE_DIR / PENDING_FILENAME).write_text("stopped\n")
    missed = add_article(config.root, 3, body="<p>上次运行中断时的文章。</p>")
    update(config, [], [*records, missed])
    assert (find_ids(folder(config), "中断"),
            (config.root / CACHE_DIR / PENDING_FILENAME).exists()) == ({missed.id}, False)


def test_entries_of_an_unsaved_segment_are_ignored(config: Config) -> None:
    records = [add_article(config.root, n) for n in range(2)]
    sync(config, records)
    saved = (folder(config) / "manifest.json").read_bytes()
    late = add_article(config.root, 2, body="<p>写了一半的索引。</p>")
    update(config, [late], [*records, late])
    (folder(config) / "manifest.json").write_bytes(saved)  # as if stopped before the manifest
    (config.root / CACHE_DIR / STATE_FILENAME).unlink()
    report = update(config, [late], [*records, late])
    assert (report.indexed, find_ids(folder(config), "一半")) == (1, {late.id})


def test_other_time_zone_rebuilds_the_index(config: Config) -> None:
    records = [add_article(config.root, n) for n in range(2)]
    sync(config, records)
    moved = dataclasses.replace(config, mirror=dataclasses.replace(config.mirror,
                                                                   timezone="Europe/Berlin"))
    report = update(moved, [], records)
    assert (report.rebuilt, manifest(config)["timezone"]) == (True, "Europe/Berlin")


def test_sync_deletes_the_old_pagefind_index(config: Config) -> None:
    old = config.root / "docs" / "pagefind" / "pagefind.js"
    old.parent.mkdir(parents=True)
    old.write_text("old")
    sync(config, [add_article(config.root, 0)])
    assert not old.parent.exists()


def test_switched_off_search_writes_nothing(tmp_path: Path) -> None:
    config = make_config(tmp_path, site_search=False)
    report = sync(config, [add_article(tmp_path, 0)])
    assert (report, (tmp_path / "docs" / "search").exists()) == (SearchReport(), False)


def test_random_runs_find_exactly_the_articles_containing_each_word(config: Config) -> None:
    rng = random.Random(3)
    words = ["香港", "台湾", "普京", "火灾", "装甲", "北京"]
    live: dict[int, ArticleRecord] = {}
    texts: dict[str, str] = {}
    for run in range(30):
        changed, removed = [], []
        for _ in range(rng.randint(1, 3)):
            n = rng.randrange(40)
            if n in live and rng.random() < 0.3:
                removed.append(live.pop(n).id)
                continue
            text = "，".join(rng.sample(words, 2))
            record = dataclasses.replace(add_article(config.root, n, title="无", body=f"<p>{text}</p>"),
                                         content_sha256=f"{run}-{n}")
            live[n], texts[record.id] = record, text
            changed.append(record)
        update(config, changed, list(live.values()), removed=removed,
               max_files=1)
    for word in words:
        expected = {r.id for r in live.values() if word in texts[r.id]}
        assert find_ids(folder(config), word) == expected, word


def test_a_build_in_worker_processes_equals_one_in_this_process(tmp_path: Path) -> None:
    built = {}
    for workers in (1, 2):
        config = make_config(tmp_path / str(workers), site_search=True)
        records = [add_article(config.root, n, body=f"<p>第{n}篇，香港{'台湾' * (n % 3)}。</p>")
                   for n in range(3 * FAN_IN + 1)]
        files = ArticleFiles(config.root)
        sync_site_search(config, records, lambda r, files=files: files.body(r.path) or "",
                         page_of=article_page_path, finish_merges=True,
                         options=IndexOptions(batch_docs=1, workers=workers))
        built[workers] = {p.relative_to(config.root).as_posix(): p.read_bytes()
                          for p in folder(config).rglob("*") if p.is_file()}
    assert (built[1] == built[2], len(manifest(config)["segments"])) == (True, 4)


def test_a_long_merge_of_large_segments_does_not_hold_up_small_ones(config: Config) -> None:
    rng = random.Random(5)
    records: list[ArticleRecord] = []
    for run in range(FAN_IN):  # eight segments of eight long articles: one large merge
        batch = [add_article(config.root, run * FAN_IN + n, body=long_body(rng))
                 for n in range(FAN_IN)]
        records += batch
        update(config, batch, records, max_files=2)
    for n in range(FAN_IN):  # eight runs of one short article: a small merge
        records.append(add_article(config.root, 100 + n))
        update(config, [records[-1]], records, max_files=2)
    state = manifest(config)
    assert ([len(m["inputs"]) for m in state["merging"]],
            sorted(s["docs"] for s in state["segments"])[:1]) == ([FAN_IN], [FAN_IN])
