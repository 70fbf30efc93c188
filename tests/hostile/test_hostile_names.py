"""No title, URL or feed field can choose a path outside the mirror, a reserved or long name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsmirror.clean.urls import canonical_url
from newsmirror.store.files import MAX_NAME_CHARS, is_inside, name_candidate, unique_name
from tests.fuzz.profile import FUZZ
from tests.hostile.mirror import HostileMirror

SAFE_NAME = re.compile(rf"^[a-z0-9][a-z0-9-]{{0,{MAX_NAME_CHARS - 1}}}$")
RESERVED = {"con", "prn", "aux", "nul", "readme", "index", "license",
            *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
HOSTILE_URLS = [
    "https://news.invalid/../../../etc/passwd",
    "https://news.invalid/a/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "https://news.invalid/%2e%2e%2f%2e%2e%2fconfig",
    "https://news.invalid/..%5c..%5cwindows%5csystem32",
    "https://news.invalid/CON",
    "https://news.invalid/aux.html",
    "https://news.invalid/LPT1.shtml",
    "https://news.invalid/README",
    "https://news.invalid/index.html",
    "https://news.invalid/" + "a" * 5000,
    "https://news.invalid/" + "新闻" * 200,
    "https://news.invalid/%00%00/.git/config",
    "https://news.invalid/.git",
    "https://news.invalid/....",
    "https://news.invalid/-rf",
    "https://news.invalid/a b\tc\nd",
    "https://news.invalid/C:%5cUsers%5cpublic",
    "https://news.invalid//etc//shadow",
]


def is_safe_name(name: str) -> bool:
    return bool(SAFE_NAME.match(name)) and name not in RESERVED and not name.endswith("-")


@pytest.mark.parametrize("url", HOSTILE_URLS, ids=range(len(HOSTILE_URLS)))
def test_hostile_url_gives_a_short_plain_name_inside_the_folder(url: str, tmp_path: Path) -> None:
    name = name_candidate(canonical_url(url))
    assert is_safe_name(name), name
    assert is_inside(tmp_path, f"articles/src/2026/03/{name}.md")


@given(st.text(max_size=300))
@FUZZ
def test_any_url_text_gives_a_safe_name(path_text: str) -> None:
    name = name_candidate(canonical_url("https://news.invalid/" + path_text))
    assert is_safe_name(name)


@given(st.text(max_size=120), st.sets(st.text(max_size=60), max_size=5))
@FUZZ
def test_a_name_made_unique_stays_safe_and_unique(path_text: str, taken: set[str]) -> None:
    canonical = canonical_url("https://news.invalid/" + path_text)
    candidate = name_candidate(canonical)
    name = unique_name(candidate, canonical, taken | {candidate})
    assert name not in taken | {candidate}
    assert len(name) <= MAX_NAME_CHARS and not re.search(r"[^a-z0-9-]", name)


@pytest.mark.parametrize(
    "relative", ["../outside.md", "/etc/passwd", "articles/../../x", "articles/a/../../../x"],
)
def test_is_inside_refuses_paths_that_leave_the_mirror(relative: str, tmp_path: Path) -> None:
    assert not is_inside(tmp_path, relative)


def test_titles_and_fields_of_a_hostile_feed_choose_no_path(hostile_mirror: HostileMirror) -> None:
    """Every record of the hostile run lies in its source's month folder under a safe name."""
    for record in hostile_mirror.records():
        path = str(record["path"])
        match = re.fullmatch(r"articles/(feed|generic|site)/\d{4}/\d{2}(?:-\d+)?/(.+)\.md", path)
        assert match and is_safe_name(match.group(2)), path
        assert is_inside(hostile_mirror.root, path)
