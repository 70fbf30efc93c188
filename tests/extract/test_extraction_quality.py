"""The extraction quality gate: pinned floors, and generic ≥ trafilatura alone."""

from __future__ import annotations

import tomllib

import pytest
from tools.quality import GOLDEN, Case, load_cases, mean_f1, score_cases

FLOORS = tomllib.loads((GOLDEN / "quality_floor.toml").read_text(encoding="utf-8"))
CASES = load_cases()


def cases_of(subset: str, prefix: str = "") -> list[Case]:
    return [c for c in CASES if c.set == subset and c.name.startswith(prefix)]


@pytest.mark.parametrize(
    ("extractor", "subset"),
    [(extractor, subset) for extractor, floors in FLOORS.items() for subset in floors],
    ids=lambda value: str(value),
)
def test_mean_f1_stays_above_the_pinned_floor(extractor: str, subset: str) -> None:
    score = mean_f1(score_cases(cases_of(subset), extractor))
    assert score >= FLOORS[extractor][subset], f"{extractor}/{subset}: {score:.3f}"


@pytest.mark.parametrize("language", ["zh-", "en-"], ids=["chinese", "english"])
def test_generic_path_is_at_least_as_accurate_as_trafilatura_alone(language: str) -> None:
    cases = cases_of("labelled", language)
    assert cases
    ours = mean_f1(score_cases(cases, "generic"))
    theirs = mean_f1(score_cases(cases, "trafilatura"))
    assert ours >= theirs, f"generic {ours:.3f} < trafilatura {theirs:.3f}"


def test_generic_path_beats_trafilatura_alone_on_recorded_pages() -> None:
    cases = cases_of("real")
    assert mean_f1(score_cases(cases, "generic")) > mean_f1(score_cases(cases, "trafilatura"))
