"""Where articles live: short stable ASCII names, month folders that never overflow."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from newsmirror.store.files import (
    MAX_ARTICLES_PER_FOLDER,
    folder_for,
    month_shard,
    name_candidate,
    unique_name,
    write_atomic,
)


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://bbc.com/zhongwen/simp/world-66806764", "world-66806764"),
        ("https://bbc.com/zhongwen/articles/cwyv1yz8yrno/simp", "cwyv1yz8yrno"),
        ("https://voachinese.com/a/some-title-20200708/5494822.html", "some-title-20200708"),
        ("https://cn.nytimes.com/world/20240424/germany-china-spying/", "germany-china-spying"),
        ("https://rfa.org/mandarin/yataibaodao/jingmao/ql1-04242024050127.html",
         "ql1-04242024050127"),
        ("https://dw.com/zh/%E6%AC%A7%E5%85%83/a-57388955", "a-57388955"),
    ],
    ids=["bbc", "bbc-new", "voa", "nyt", "rfa", "dw"],
)
def test_names_come_from_the_distinctive_part_of_the_url(url: str, name: str) -> None:
    assert name_candidate(url) == name


CDT_URL = ("https://chinadigitaltimes.net/chinese/2015/03/%e4%b8%ad%e5%9b%bd%e5%86%9b%e7%bd%91-"
           "%e5%be%90%e6%89%8d%e5%8e%9a/")


@pytest.mark.parametrize(
    ("url", "title", "name"),
    [(CDT_URL, "中国军网：徐才厚在病榻上结束了可悲可耻一生",
      "zhong-guo-jun-wang-xu-cai-hou-zai-bing-ta-shang"),
     ("https://dw.com/zh/%E6%AC%A7%E5%85%83/a-57388955", "欧元区第一季度经济再衰退",
      "ou-yuan-qu-di-yi-ji-du-jing-ji-zai-shuai-tui"),
     ("https://www.rfa.org/mandarin/yataibaodao/ql1-04242024050127.html", "東網｜陳定定對沈大偉",
      "dong-wang-chen-ding-ding-dui-shen-da-wei"),
     ("https://cn.nytimes.com/world/20240424/germany-china-spying/", "德国逮捕三名涉嫌为中国从事间谍活动的人",
      "germany-china-spying"),
     ("https://www.bbc.com/zhongwen/articles/cwyv1yz8yrno/simp", "Café crème: iPhone 7 launch",
      "cafe-creme-iphone-7-launch"),
     ("https://www.bbc.com/zhongwen/articles/cwyv1yz8yrno/simp", "", "cwyv1yz8yrno")],
    ids=["cdt-chinese-slug", "dw-id", "traditional", "url-words-first", "latin-title", "no-title"],
)
def test_names_say_which_article_from_the_url_words_or_the_title(
    url: str, title: str, name: str
) -> None:
    assert name_candidate(url, title) == name


def test_the_cdt_items_of_march_2015_get_names_of_their_own() -> None:
    """Once they all became ``2015-<hash>``: the only ASCII in their URLs was the year."""
    titles = ["中国军网：徐才厚在病榻上结束了可悲可耻一生", "【真理部】徐才厚因膀胱癌死亡",
              "东网｜东步亮：陈定定对沈大伟的反驳同样无力"]
    names = [name_candidate(CDT_URL.replace("e5%be%90", f"e5%be%9{n}"), t)
             for n, t in enumerate(titles)]
    assert len(set(names)) == 3 and not any(n.startswith("2015") for n in names)
    assert all(n.isascii() and 4 <= len(n) <= 48 for n in names)


@pytest.mark.parametrize(
    "url",
    ["https://rfi.fr/cn/中国/20230128-俄罗斯空袭", "https://mp.weixin.qq.com/s?__biz=A&mid=1",
     "https://x.com/", "https://x.com/con", "https://x.com/" + "a" * 300],
    ids=["chinese-path", "query-only", "root", "reserved", "very-long"],
)
def test_names_are_short_ascii_and_not_reserved(url: str) -> None:
    name = name_candidate(url)
    assert name.isascii() and 4 <= len(name) <= 48
    assert name not in {"con", "readme", "index"}


def test_taken_name_gets_a_stable_hash_suffix() -> None:
    first = unique_name("story", "https://a.example/story", {"story"})
    assert first.startswith("story-") and first == unique_name("story", "https://a.example/story",
                                                                {"story"})
    assert unique_name("story", "https://b.example/story", {"story"}) != first


def test_full_month_folder_spills_into_a_numbered_sibling() -> None:
    counts = {"articles/voa/2026/03": MAX_ARTICLES_PER_FOLDER}
    assert folder_for("voa", "2026/03", counts) == "articles/voa/2026/03-2"
    assert folder_for("voa", "2026/04", counts) == "articles/voa/2026/04"


def test_month_is_taken_in_the_mirror_time_zone() -> None:
    ms = 1_772_294_400_000  # 2026-02-28 16:00 UTC = 2026-03-01 00:00 in Shanghai
    assert month_shard(ms, ZoneInfo("Asia/Shanghai")) == "2026/03"
    assert month_shard(ms, ZoneInfo("UTC")) == "2026/02"


def test_write_atomic_leaves_unchanged_files_alone(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b.md"
    assert write_atomic(target, "内容") is True
    mtime = target.stat().st_mtime_ns
    assert write_atomic(target, "内容") is False
    assert target.stat().st_mtime_ns == mtime
    assert write_atomic(target, "新内容") is True
    assert target.read_text(encoding="utf-8") == "新内容"
    assert [p.name for p in target.parent.iterdir()] == ["b.md"]
