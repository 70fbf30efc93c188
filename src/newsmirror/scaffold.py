"""``newsmirror init``: a new mirror folder with the default outlets, git and .gitignore."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from newsmirror.config import CONFIG_FILENAME, ArchiveSettings, MirrorSettings
from newsmirror.errors import ConfigError
from newsmirror.publish import init_repository
from newsmirror.store.files import write_atomic


@dataclass(frozen=True, slots=True)
class Outlet:
    """A default source: what ``init`` writes into ``[[sources]]``."""

    name: str
    slug: str
    feed: str
    fulltext: str
    note: str


# Feed addresses: the best known public ones for each outlet (see docs/sources.md).
DEFAULT_OUTLETS: tuple[Outlet, ...] = (
    Outlet("BBC", "bbc", "https://feeds.bbci.co.uk/zhongwen/simp/rss.xml", "page",
           "BBC 中文 (简体); the feed has summaries only"),
    Outlet("美国之音", "voa", "https://www.voachinese.com/api/zm_yql-vomx-tpeybti", "auto",
           "美国之音中文; some items carry the full text"),
    Outlet("德国之声", "dw", "https://rss.dw.com/rdf/rss-chi-all", "page",
           "德国之声中文 (RSS 1.0)"),
    Outlet("法广", "rfi", "https://www.rfi.fr/cn/rss", "page", "法广 RFI 中文"),
    Outlet("纽约时报", "nyt", "https://cn.nytimes.com/rss/", "page", "纽约时报中文网"),
    Outlet("金融时报", "ft", "https://www.ftchinese.com/rss/news", "page",
           "FT中文网; paywalled pages keep only the lead"),
    Outlet("自由亚洲电台", "rfa", "https://www.rfa.org/mandarin/rss2.xml", "auto",
           "自由亚洲电台 (普通话); full text in content:encoded"),
    Outlet("中国数字时代", "cdt", "https://chinadigitaltimes.net/chinese/feed/", "auto",
           "中国数字时代; full text in content:encoded"),
)

MIRROR_GITIGNORE = "# newsmirror: cache and temporary files (everything else is the mirror)\n.newsmirror/\n*.tmp\n"


def render_config(outlets: tuple[Outlet, ...] = DEFAULT_OUTLETS, *,
                  mirror_overrides: dict[str, object] | None = None) -> str:
    """A commented ``newsmirror.toml`` with every [mirror] setting and the outlets."""
    overrides = mirror_overrides or {}
    lines = ["# newsmirror configuration. Every [mirror] key is optional; shown are the defaults.",
             "", "[mirror]"]
    for f in dataclasses.fields(MirrorSettings):
        value = overrides.get(f.name, f.default)
        lines.append(f"# {f.metadata['help']}")
        lines.append(f"{f.name} = {toml_value(value)}")
    lines += ["", "# Pages archived on demand (newsmirror archive URL...).", "[archive]"]
    for f in dataclasses.fields(ArchiveSettings):
        lines += [f"# {f.metadata['help']}", f"{f.name} = {toml_value(f.default)}"]
    for outlet in outlets:
        lines += ["", f"# {outlet.note}", "[[sources]]",
                  f"name = {toml_value(outlet.name)}", f"slug = {toml_value(outlet.slug)}",
                  f"feed = {toml_value(outlet.feed)}", f"fulltext = {toml_value(outlet.fulltext)}"]
    return "\n".join(lines) + "\n"


def toml_value(value: object) -> str:
    """A TOML literal for a str, bool, int, float or tuple of str."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def init_mirror(root: Path, *, config_text: str | None = None, force: bool = False) -> Path:
    """Create ``root`` as a mirror: config, .gitignore, git repository.  Returns the config path."""
    root.mkdir(parents=True, exist_ok=True)
    config_path = root / CONFIG_FILENAME
    if config_path.exists() and not force:
        raise ConfigError(f"{config_path} already exists (use --force to overwrite)",
                          url=str(config_path))
    write_atomic(config_path, config_text or render_config())
    gitignore = root / ".gitignore"
    if not gitignore.exists():
        write_atomic(gitignore, MIRROR_GITIGNORE)
    init_repository(root)
    return config_path
