"""The one normalisation of text and queries for search, in the CLI and in the browser.

Text is folded one character at a time, so its length never changes (a match
found in folded text is at the same place in the original):

- traditional → simplified Chinese characters, one-to-one only, from OpenCC's
  character tables (``t2s`` applied to each character alone: no phrases);
  CJK compatibility ideographs become their unified forms;
- full-width ASCII → ASCII (``Ａ１`` → ``a1``), the ideographic space → space;
- upper → lower case wherever that is one character.

Folded text becomes terms: every pair of neighbouring Chinese characters in a
run of them (``普京访台`` → ``普京 京访 访台``), every run of other letters and
every run of the digits 0-9 (``COVID-19`` → ``covid 19``).  A query becomes the
same terms; a document matches when it has every term of the query.  The map is
also written beside the site's search index so the browser folds queries exactly
the same way (``render/static/search.js``).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from operator import add

import opencc

# Ranges of Chinese characters (CJK unified ideographs, extension A, compatibility
# ideographs, extensions B and later).  search.js keeps the same list.
HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3134F))
_HAN = "".join(f"{chr(low)}-{chr(high)}" for low, high in HAN_RANGES)
# A run of Chinese characters, a run of digits, or a run of other letters.
_PIECE = re.compile(rf"(?P<han>[{_HAN}]+)|(?P<digits>[0-9]+)|(?P<letters>[^\W\d_{_HAN}]+)")
_FULL_WIDTH_OFFSET = 0xFEE0
MAX_TERM_CHARS = 40
MAX_QUERY_TERMS = 8
# Bump when the rules above change: indexes made by other rules are rebuilt.
RULES_VERSION = "1"


@dataclass(frozen=True, slots=True)
class Piece:
    """One run of folded text: Chinese characters, digits or other letters."""

    text: str
    start: int
    is_han: bool


@dataclass(frozen=True, slots=True)
class Query:
    """What a reader typed, folded: the runs to look for, their terms, what was too short."""

    runs: tuple[Piece, ...]
    terms: tuple[str, ...]
    single_han: tuple[str, ...]

    @property
    def is_searchable(self) -> bool:
        return bool(self.terms)


@lru_cache(maxsize=1)
def character_map() -> dict[str, str]:
    """Every character that folding changes, and what it becomes."""
    han = [chr(c) for low, high in HAN_RANGES for c in range(low, high + 1)]
    converted = opencc.OpenCC("t2s").convert("\n".join(han)).split("\n")
    simplified = {a: b for a, b in zip(han, converted, strict=True) if len(b) == 1 and a != b}
    bmp = "".join(map(chr, range(0xD800))) + "".join(map(chr, range(0xE000, 0x10000)))
    candidates = {c for c in bmp if c.lower() != c}
    candidates.update(simplified, map(chr, range(0xFF01, 0xFF5F)), "\u3000")
    folded = {c: _fold_one(c, simplified) for c in sorted(candidates)}
    return {a: b for a, b in folded.items() if a != b}


def _fold_one(char: str, simplified: dict[str, str]) -> str:
    code = ord(char)
    if 0xFF01 <= code <= 0xFF5E:
        char = chr(code - _FULL_WIDTH_OFFSET)
    elif code == 0x3000:
        char = " "
    lowered = char.lower()
    if len(lowered) == 1:
        char = lowered
    seen = {char}
    while char in simplified and simplified[char] not in seen:  # follow chains to the end
        char = simplified[char]
        seen.add(char)
    return char


@lru_cache(maxsize=1)
def _translation() -> dict[int, str]:
    return {ord(a): b for a, b in character_map().items()}


@lru_cache(maxsize=1)
def rules_digest() -> str:
    """A short hash of the rules and the map: an index made with another digest is rebuilt."""
    text = json.dumps([RULES_VERSION, MAX_TERM_CHARS, sorted(character_map().items())],
                      ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def fold(text: str) -> str:
    """``text`` folded character by character (same length)."""
    return text.translate(_translation())


def pieces(folded: str) -> Iterator[Piece]:
    """The runs of Chinese characters, digits and other letters in folded text."""
    for match in _PIECE.finditer(folded):
        yield Piece(match.group(), match.start(), match.lastgroup == "han")


def piece_terms(piece: Piece) -> list[str]:
    """A run's terms: its character pairs, or the run itself (at most MAX_TERM_CHARS)."""
    run = piece.text
    if piece.is_han:
        return [run[i:i + 2] for i in range(len(run) - 1)]
    return [run[:MAX_TERM_CHARS]]


def text_terms(text: str) -> set[str]:
    """Every distinct term of a text (folded first)."""
    terms: set[str] = set()
    for match in _PIECE.finditer(fold(text)):
        run = match.group()
        if match.lastgroup == "han":
            terms.update(map(add, run, run[1:]))  # each character and the next one
        else:
            terms.add(run[:MAX_TERM_CHARS])
    return terms


def parse_query(query: str) -> Query:
    """The runs and terms of a query; single Chinese characters cannot be searched.

    A query of more than :data:`MAX_QUERY_TERMS` terms keeps, of each run of
    Chinese characters, only the pairs that cover it (every other one and the
    last): a long query is precise anyway, and each term costs the browser a
    file per segment.
    """
    runs: list[Piece] = []
    single: list[str] = []
    for piece in pieces(fold(query)):
        if piece.is_han and len(piece.text) == 1:
            single.append(piece.text)
        else:
            runs.append(piece)
    terms = _query_terms(runs, covering=False)
    if len(terms) > MAX_QUERY_TERMS:
        terms = _query_terms(runs, covering=True)
    return Query(tuple(runs), tuple(terms), tuple(single))


def _query_terms(runs: list[Piece], *, covering: bool) -> list[str]:
    terms: list[str] = []
    for piece in runs:
        own = piece_terms(piece)
        if covering and piece.is_han:
            own = own[::2] + own[-1:] * (len(own) % 2 == 0)
        terms += [t for t in own if t not in terms]
    return terms


def character_map_json() -> str:
    """The map as the browser loads it: two strings of equal length, from and to."""
    items = sorted(character_map().items())
    return json.dumps({"rules": rules_digest(), "from": "".join(a for a, _ in items),
                       "to": "".join(b for _, b in items)}, ensure_ascii=False,
                      separators=(",", ":"))


__all__ = [
    "HAN_RANGES",
    "MAX_QUERY_TERMS",
    "MAX_TERM_CHARS",
    "Piece",
    "Query",
    "character_map",
    "character_map_json",
    "fold",
    "parse_query",
    "piece_terms",
    "pieces",
    "rules_digest",
    "text_terms",
]
