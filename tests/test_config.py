"""newsmirror.toml: typed, frozen, and clear about what is wrong and where."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from newsmirror.config import (
    CONFIG_FILENAME,
    ArchiveSettings,
    MirrorSettings,
    Source,
    load_config,
)
from newsmirror.errors import ConfigError
from newsmirror.scaffold import DEFAULT_OUTLETS, render_config

SOURCE = '[[sources]]\nname = "BBC"\nslug = "bbc"\nfeed = "https://feeds.bbci.co.uk/zhongwen/simp/rss.xml"\n'


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / CONFIG_FILENAME).write_text(text, encoding="utf-8")
    return tmp_path


def test_default_config_names_every_default_outlet(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, render_config()))
    assert [s.slug for s in config.sources] == ["bbc", "voa", "dw", "rfi", "nyt", "ft", "rfa", "cdt"]
    assert all(s.feed.startswith("https://") for s in config.sources)
    assert config.mirror == MirrorSettings()
    assert config.archive == ArchiveSettings()


def test_config_objects_are_frozen(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, SOURCE))
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.mirror.list_size = 5  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[mirror]\nlist_sise = 3\n" + SOURCE, "mirror.list_sise"),
        ("[mirror]\nlist_size = 0\n" + SOURCE, "mirror.list_size"),
        ("[mirror]\nlist_size = \"many\"\n" + SOURCE, "mirror.list_size"),
        ("[mirror]\ntimezone = \"Mars/Olympus\"\n" + SOURCE, "mirror.timezone"),
        ("[mirror]\nallow_private_networks = 1\n" + SOURCE, "mirror.allow_private_networks"),
        ('[[sources]]\nname = "BBC"\nslug = "bbc"\n', "sources[0].feed"),
        (SOURCE + 'fulltext = "everything"\n', "sources[0].fulltext"),
        (SOURCE + 'colour = "red"\n', "sources[0].colour"),
        (SOURCE.replace('"bbc"', '"../etc"'), "sources[0].slug"),
        (SOURCE.replace('"BBC"', '"a/b"'), "sources[0].name"),
        (SOURCE.replace("https://", "file:///"), "sources[0].feed"),
        (SOURCE + SOURCE, "sources[1].slug"),
        (SOURCE.replace('"bbc"', '"media"'), "sources[0].slug"),
        (SOURCE.replace('"BBC"', '"Deleted"'), "sources[0].name"),
        ("[extra]\n" + SOURCE, "extra"),
        ("not toml = = =", "not valid TOML"),
        ('[archive]\nslug = "bbc"\n' + SOURCE, "archive.slug"),
        ('[archive]\nname = "bbc"\n' + SOURCE, "archive.name"),
        ('[archive]\nslug = "feeds"\n', "archive.slug"),
        ('[archive]\nname = "deleted"\n', "archive.name"),
        ('[archive]\nname = "a/b"\n', "archive.name"),
        ('[archive]\nfallbacks = ["https://web.archive.org/web/"]\n', "archive.fallbacks"),
        ('[archive]\nfallbacks = ["file:///{url}"]\n', "archive.fallbacks"),
        ('[archive]\nissue_authors = "members"\n', "archive.issue_authors"),
        ('[archive]\nimages = "copy"\n', "archive.images"),
        ('[archive]\ncolour = "red"\n', "archive.colour"),
        ("archive = 3\n", "archive"),
    ],
    ids=["unknown-mirror-key", "below-minimum", "wrong-type", "bad-timezone", "int-for-bool",
         "missing-feed", "bad-choice", "unknown-source-key", "unsafe-slug", "unsafe-name",
         "non-http-feed", "duplicate-slug", "reserved-slug", "reserved-name", "unknown-table", "broken-toml",
         "archive-slug-of-a-source", "archive-name-of-a-source", "archive-reserved-slug",
         "archive-reserved-name", "archive-unsafe-name", "fallback-without-url",
         "fallback-not-http", "unknown-issue-authors", "archive-bad-images", "unknown-archive-key",
         "archive-not-a-table"],
)
def test_bad_config_names_file_and_key(tmp_path: Path, text: str, key: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(write(tmp_path, text))
    assert CONFIG_FILENAME in str(raised.value)
    assert key in str(raised.value)


def test_missing_config_says_to_run_init(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="newsmirror init"):
        load_config(tmp_path)


def test_retired_setting_of_an_earlier_version_is_accepted(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "[mirror]\nsite_search_every_h = 24.0\n" + SOURCE))
    assert config.mirror == MirrorSettings()


def test_search_is_a_reserved_slug(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"sources\[0\]\.slug"):
        load_config(write(tmp_path, SOURCE.replace('"bbc"', '"search"')))


def test_environment_overrides_file(tmp_path: Path) -> None:
    root = write(tmp_path, "[mirror]\nlist_size = 10\n" + SOURCE)
    config = load_config(root, environ={"NEWSMIRROR_LIST_SIZE": "20"})
    assert config.mirror.list_size == 20


@pytest.mark.parametrize("cls", [MirrorSettings, Source, ArchiveSettings],
                         ids=["mirror", "source", "archive"])
def test_every_setting_has_help_text(cls: type) -> None:
    for f in dataclasses.fields(cls):
        assert len(f.metadata.get("help", "")) > 10, f.name


def test_default_outlets_cover_the_eight_outlets() -> None:
    names = {o.name for o in DEFAULT_OUTLETS}
    assert names == {"BBC", "美国之音", "德国之声", "法广", "纽约时报", "金融时报", "自由亚洲电台",
                     "中国数字时代"}


def test_a_mirror_may_have_no_sources_and_archive_on_demand_only(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, '[mirror]\ntimezone = "UTC"\n'))
    assert config.sources == ()
    assert config.archive.as_source().slug == "archive"


def test_archive_table_sets_the_on_demand_source(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, SOURCE + (
        '[archive]\nslug = "saved"\nname = "读者存档"\nimages = "proxy"\n'
        'fallbacks = ["https://archive.ph/newest/{url}", "http://127.0.0.1:9/?u={url_encoded}"]\n'
        'issue_authors = "collaborators"\n')))
    source = config.archive.as_source()
    assert (source.slug, source.name, config.image_mode(source)) == ("saved", "读者存档", "proxy")
    assert config.archive.fallbacks == ("https://archive.ph/newest/{url}",
                                        "http://127.0.0.1:9/?u={url_encoded}")
    assert config.archive.issue_authors == "collaborators"


def test_archived_pages_keep_local_images_by_default(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, SOURCE))
    assert config.image_mode(config.archive.as_source()) == "local"
    assert config.archive.fallbacks == ("https://web.archive.org/web/2id_/{url}",)


def test_the_on_demand_archive_is_listed_once_it_holds_an_article(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, SOURCE))
    assert [s.slug for s in config.listed_sources(lambda slug: False)] == ["bbc"]
    assert [s.slug for s in config.listed_sources(lambda slug: True)] == ["bbc", "archive"]
