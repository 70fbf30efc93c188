"""Extraction quality: per-page character-bigram recall and precision of the body text.

Usage (from the repository root):

    .venv/bin/python tools/quality.py            # every case, three extractors side by side
    .venv/bin/python tools/quality.py --set labelled

The cases are listed in ``tests/golden/extract/cases.toml``: recorded real pages
(``../shared/fixtures/real``), pages written to the templates of outlets with no
recorded page (``tests/golden/extract/site``), pages written to the templates of
sites readers archive on demand (``tests/golden/extract/ondemand``) and pages with no site rule written
for the labelled set (``tests/golden/extract/labelled``), each with the body
text a reader sees.

Extractors compared:

* ``newsmirror`` — what the mirror stores: site rule when one fits, else generic;
  then the sanitiser; then plain text;
* ``generic`` — the same with no site rules (trafilatura + readability + cleaning);
* ``trafilatura`` — trafilatura alone, its own plain-text output, default options.

The score compares multisets of character bigrams of the whitespace-free text:
recall = shared / expected, precision = shared / extracted.  Bigrams (not single
characters) keep boilerplate in Chinese from scoring as "correct" merely because
its characters also occur in the article.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import trafilatura

from newsmirror.clean.sanitize import plain_text, sanitize_html
from newsmirror.errors import NoContentError
from newsmirror.extract import RuleSet, extract_article
from newsmirror.extract.rules import bundled_rules
from newsmirror.models import Page

REPO_ROOT = Path(__file__).resolve().parents[1]
GOLDEN = REPO_ROOT / "tests" / "golden" / "extract"
REAL = REPO_ROOT.parent / "shared" / "fixtures" / "real"
EXTRACTORS = ("newsmirror", "generic", "trafilatura")
SETS = ("real", "site", "ondemand", "labelled")


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    set: str
    page_path: Path
    url: str
    expected_text: str
    must_not: tuple[str, ...]
    title: str | None = None
    author: str | None = None
    published_ms: int | None = None
    rule: str | None = None

    def page(self) -> Page:
        return Page(url=self.url, final_url=self.url,
                    html=self.page_path.read_text(encoding="utf-8"))


@dataclass(frozen=True, slots=True)
class Score:
    recall: float
    precision: float

    @property
    def f1(self) -> float:
        total = self.recall + self.precision
        return 0.0 if total == 0 else 2 * self.recall * self.precision / total


def load_cases(selected_set: str | None = None) -> list[Case]:
    data = tomllib.loads((GOLDEN / "cases.toml").read_text(encoding="utf-8"))
    cases = []
    for item in data["case"]:
        folder = REAL if item["set"] == "real" else GOLDEN / item["set"]
        expected = GOLDEN / item["set"] / f"{item['name']}.txt"
        cases.append(Case(
            name=item["name"], set=item["set"], page_path=folder / item["page"], url=item["url"],
            expected_text=expected.read_text(encoding="utf-8"),
            must_not=tuple(item.get("must_not", ())), title=item.get("title"),
            author=item.get("author"), published_ms=item.get("published_ms"),
            rule=item.get("rule"),
        ))
    return [c for c in cases if selected_set in (None, c.set)]


def score_text(extracted: str, expected: str) -> Score:
    got, want = _bigrams(extracted), _bigrams(expected)
    shared = sum((got & want).values())
    recall = shared / max(sum(want.values()), 1)
    precision = shared / max(sum(got.values()), 1)
    return Score(recall=recall, precision=precision)


def _bigrams(text: str) -> Counter[str]:
    squeezed = "".join(text.split())
    return Counter(squeezed[i:i + 2] for i in range(len(squeezed) - 1))


def generic_only_rules() -> RuleSet:
    """The bundled defaults (cleaning) without any site rule."""
    bundled = bundled_rules()
    return RuleSet(sites=(), remove=bundled.remove, rewrites=bundled.rewrites)


def text_by_newsmirror(page: Page) -> str:
    return _mirror_text(page, bundled_rules())


def text_by_generic(page: Page) -> str:
    return _mirror_text(page, generic_only_rules())


def text_by_trafilatura(page: Page) -> str:
    return trafilatura.extract(page.html, url=page.final_url) or ""


def _mirror_text(page: Page, rules: RuleSet) -> str:
    try:
        extracted = extract_article(page, rules)
    except NoContentError:
        return ""
    return plain_text(sanitize_html(extracted.body_html, page.final_url))


EXTRACTOR_FUNCTIONS: dict[str, Callable[[Page], str]] = {
    "newsmirror": text_by_newsmirror,
    "generic": text_by_generic,
    "trafilatura": text_by_trafilatura,
}


def score_cases(cases: list[Case], extractor: str) -> dict[str, Score]:
    read = EXTRACTOR_FUNCTIONS[extractor]
    return {case.name: score_text(read(case.page()), case.expected_text) for case in cases}


def mean_f1(scores: dict[str, Score]) -> float:
    return sum(s.f1 for s in scores.values()) / max(len(scores), 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=SETS, default=None)
    args = parser.parse_args(argv)
    cases = load_cases(args.set)
    results = {name: score_cases(cases, name) for name in EXTRACTORS}
    header = f"{'case':<22}" + "".join(f"{name + ' R/P':>24}" for name in EXTRACTORS)
    print(header)
    for case in cases:
        scores = [results[n][case.name] for n in EXTRACTORS]
        cells = "".join(f"{s.recall:>12.3f}{s.precision:>12.3f}" for s in scores)
        print(f"{case.name:<22}{cells}")
    for subset in SETS:
        names = [c.name for c in cases if c.set == subset]
        if names:
            means = [mean_f1({k: results[n][k] for k in names}) for n in EXTRACTORS]
            f1s = "".join(f"{mean:>24.3f}" for mean in means)
            print(f"{'mean F1 ' + subset:<22}{f1s}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
