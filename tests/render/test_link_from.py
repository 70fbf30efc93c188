"""Relative links between site files: the same answer as posixpath.relpath, without its cost."""

from __future__ import annotations

import posixpath

from hypothesis import given
from hypothesis import strategies as st

from newsmirror.render.body import link_from

SEGMENT = st.sampled_from(["bbc", "2024", "03", "a", "index.html", "page-2.html", "..", "."])
PATH = st.lists(SEGMENT, min_size=1, max_size=5).map("/".join)


@given(PATH, PATH)
def test_link_from_gives_what_relpath_gives(page: str, target: str) -> None:
    assert link_from(page, target) == posixpath.relpath(target, posixpath.dirname(page) or ".")


def test_links_between_article_month_and_index_pages() -> None:
    assert link_from("bbc/2024/03/story.html", "bbc/2024-03.html") == "../../2024-03.html"
    assert link_from("bbc/index.html", "bbc/2024/03/story.html") == "2024/03/story.html"
    assert link_from("index.html", "dw/index.html") == "dw/index.html"
    assert link_from("lists/BBC.md", "articles/bbc/2024/03/a.md") == "../articles/bbc/2024/03/a.md"
