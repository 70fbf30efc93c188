"""newsmirror.toml: typed, frozen, and clear about what is wrong and where."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from newsmirror.config import CONFIG_FILENAME, MirrorSettings, Source, load_config
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
    ],
    ids=["unknown-mirror-key", "below-minimum", "wrong-type", "bad-timezone", "int-for-bool",
         "missing-feed", "bad-choice", "unknown-source-key", "unsafe-slug", "unsafe-name",
         "non-http-feed", "duplicate-slug", "reserved-slug", "reserved-name", "unknown-table", "broken-toml"],
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


@pytest.mark.parametrize("cls", [MirrorSettings, Source], ids=["mirror", "source"])
def test_every_setting_has_help_text(cls: type) -> None:
    for f in dataclasses.fields(cls):
        assert len(f.metadata.get("help", "")) > 10, f.name


def test_default_outlets_cover_the_eight_outlets() -> None:
    names = {o.name for o in DEFAULT_OUTLETS}
    assert names == {"BBC", "美国之音", "德国之声", "法广", "纽约时报", "金融时报", "自由亚洲电台",
                     "中国数字时代"}
