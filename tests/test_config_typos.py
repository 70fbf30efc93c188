"""Typos in newsmirror.toml, NEWSMIRROR_* variables and --source are caught with a suggestion."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsmirror.cli import app
from newsmirror.config import CONFIG_FILENAME, load_config
from newsmirror.errors import ConfigError
from tests.support.mirrors import SourceSpec, make_mirror

runner = CliRunner()
SOURCE = '[[sources]]\nname = "BBC"\nslug = "bbc"\nfeed = "https://example.org/rss"\n'


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / CONFIG_FILENAME).write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("text", "key", "closest"),
    [("[mirror]\nlist_siz = 10\n" + SOURCE, "mirror.list_siz", "list_size"),
     (SOURCE + 'fulltxt = "page"\n', "sources[0].fulltxt", "fulltext"),
     ('[mirorr]\n' + SOURCE, "mirorr", "mirror")],
    ids=["mirror-key", "source-key", "table"],
)
def test_unknown_key_names_file_key_and_the_closest_known_key(
    tmp_path: Path, text: str, key: str, closest: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(write(tmp_path, text))
    assert str(raised.value) == (f"{tmp_path / CONFIG_FILENAME}: {key}: unknown key "
                                 f"(did you mean {closest}?)")


def test_unknown_key_exits_2_on_the_command_line(tmp_path: Path) -> None:
    root = write(tmp_path, "[mirror]\nlist_siz = 10\n" + SOURCE)
    result = runner.invoke(app, ["run", "--mirror", str(root)])
    assert result.exit_code == 2
    assert "mirror.list_siz: unknown key (did you mean list_size?)" in result.output


def test_unknown_variable_is_a_warning_naming_the_closest_setting(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = write(tmp_path, SOURCE)
    with caplog.at_level(logging.WARNING, logger="newsmirror.config"):
        config = load_config(root, environ={"NEWSMIRROR_LIST_SIZ": "20",
                                            "NEWSMIRROR_REMOTE_ORIGIN_TOKEN": "secret"})
    assert config.mirror.list_size == 300
    assert caplog.messages == ["unknown environment variable NEWSMIRROR_LIST_SIZ ignored "
                               "(did you mean NEWSMIRROR_LIST_SIZE?)"]


@pytest.mark.parametrize(
    ("variable", "value"),
    [("NEWSMIRROR_LIST_SIZE", "many"), ("NEWSMIRROR_LIST_SIZE", "0"),
     ("NEWSMIRROR_PUSH", "flase"), ("NEWSMIRROR_IMAGES", "all"),
     ("NEWSMIRROR_TIMEZONE", "Mars/Olympus")],
    ids=["not-a-number", "below-minimum", "not-a-bool", "not-a-choice", "bad-timezone"],
)
def test_bad_value_from_the_environment_names_the_variable_not_the_file(
    tmp_path: Path, variable: str, value: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(write(tmp_path, SOURCE), environ={variable: value})
    assert str(raised.value).startswith(f"environment variable {variable}: ")
    assert CONFIG_FILENAME not in str(raised.value)


def test_unknown_source_lists_the_known_slugs(tmp_path: Path) -> None:
    root = make_mirror(tmp_path / "m", [SourceSpec("BBC", "bbc", "http://127.0.0.1:9/a"),
                                        SourceSpec("DW", "dw", "http://127.0.0.1:9/b")])
    result = runner.invoke(app, ["run", "--mirror", str(root), "-s", "nosuch", "-s", "bbx"])
    assert result.exit_code == 2
    assert "no such source: bbx, nosuch (did you mean bbc?) (sources: bbc, dw)" in result.output
