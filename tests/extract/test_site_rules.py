"""Site rules are data, validated when loaded."""

from __future__ import annotations

import pytest

from newsmirror.extract.rules import RuleError, bundled_rules, parse_rules

VALID_SITE = '[[site]]\nname = "x"\nhosts = ["example.com"]\nbody = "article"\n'


def test_bundled_rules_load() -> None:
    assert len(bundled_rules().sites) >= 10


@pytest.mark.parametrize(
    ("host", "rule"),
    [
        ("https://www.bbc.com/zhongwen/articles/x/simp", "bbc"),
        ("https://www.voachinese.com/a/x.html", "voa"),
        ("https://www.dw.com/zh/x/a-1", "dw"),
        ("https://www.rfi.fr/cn/x", "rfi"),
        ("https://cn.nytimes.com/world/20250101/x/", "nyt"),
        ("https://www.ftchinese.com/story/001", "ft"),
        ("https://www.rfa.org/mandarin/x.html", "rfa"),
        ("https://chinadigitaltimes.net/chinese/1.html", "cdt"),
        ("https://mp.weixin.qq.com/s/abc", "wechat"),
    ],
    ids=["bbc", "voa", "dw", "rfi", "nyt", "ft", "rfa", "cdt", "wechat"],
)
def test_every_default_outlet_has_a_rule(host: str, rule: str) -> None:
    found = bundled_rules().rule_for_url(host)
    assert found is not None and found.name == rule


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (VALID_SITE + 'bodyy = "x"\n', "unknown key 'bodyy'"),
        (VALID_SITE + 'rewrites = ["lazy_imgs"]\n', "unknown rewrite 'lazy_imgs'"),
        ('[defaults]\nrewrites = ["nope"]\n', "unknown rewrite 'nope'"),
        ('[defaults]\nremoves = []\n', "unknown key 'removes'"),
        ('[sites]\n', "unknown key 'sites'"),
        (VALID_SITE + 'remove = ["[[bad"]\n', "bad CSS selector"),
        (VALID_SITE.replace('body = "article"', 'body = ""'), "'body' must be a non-empty"),
        ('[[site]]\nname = "x"\nbody = "p"\n', "needs 'hosts' or 'detect'"),
        (VALID_SITE + 'published_pattern = "(unclosed"\n', "bad published_pattern"),
        (VALID_SITE + 'published_pattern = "no group"\n', "needs one group"),
        (VALID_SITE + VALID_SITE, "duplicate rule names: x"),
        (VALID_SITE + 'title = 3\n', "'title' must be a list of strings"),
        (VALID_SITE + 'min_chars = -1\n', "'min_chars' must be an integer"),
        ("not toml =", "invalid rules"),
    ],
    ids=["unknown-key", "unknown-rewrite", "unknown-default-rewrite", "unknown-default-key",
         "unknown-top-key", "bad-selector", "empty-body", "no-host-or-detect", "bad-regex",
         "regex-without-group", "duplicate-name", "title-not-selector", "negative-min-chars",
         "not-toml"],
)
def test_invalid_rules_are_rejected_at_load(text: str, message: str) -> None:
    with pytest.raises(RuleError, match=message.replace("[", r"\[").replace("(", r"\(")):
        parse_rules(text, "test.toml")


def test_rule_error_names_the_file() -> None:
    with pytest.raises(RuleError, match="my-rules.toml"):
        parse_rules(VALID_SITE + "bogus = 1\n", "my-rules.toml")


def test_host_rule_matches_subdomains_only_on_label_boundary() -> None:
    rule = parse_rules(VALID_SITE, "t").sites[0]
    assert rule.matches_host("https://news.example.com/a")
    assert not rule.matches_host("https://badexample.com/a")
