"""Plain-text helpers shared by stages: whitespace normalisation and sentence spans.

Input is article text (paragraphs separated by blank lines); output is offsets into that
same text, so a quote found later can always be traced back to its place.
"""

from __future__ import annotations

import re

# Words that end in a full stop without ending a sentence.
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sen rep gov gen col lt sgt capt cmdr adm st jr sr rev hon
    no vs etc inc ltd co corp dept est approx jan feb mar apr jun jul aug sep sept oct nov dec
    mon tue tues wed thu thur thurs fri sat sun u.s u.k u.n e.g i.e a.m p.m""".split()
)

_SPACE = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
# A candidate end: terminal punctuation, optional closing quotes/brackets, then space;
# or a line break (paragraphs and headlines end without a full stop).
_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)|\n")


def normalize(text: str) -> str:
    """Collapse runs of spaces, trim lines, keep paragraphs apart by one blank line."""
    paragraphs = (_SPACE.sub(" ", p).strip() for p in _BLANK_LINES.split(text))
    lines = ("\n".join(line.strip() for line in p.splitlines()) for p in paragraphs)
    return "\n\n".join(p for p in lines if p)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Offsets of each sentence in `text`, end exclusive, surrounding space left out."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _END.finditer(text):
        end = match.end()
        if match.group() != "\n" and (
            _is_abbreviation(text, match.start()) or not _starts_sentence(text, end)
        ):
            continue
        _add(spans, text, start, end)
        start = end
    _add(spans, text, start, len(text))
    return spans


_LAST_WORD = re.compile(r"[\w.]+$")


def _is_abbreviation(text: str, dot: int) -> bool:
    if text[dot] != ".":
        return False
    word = _LAST_WORD.search(text, max(0, dot - 12), dot)
    if word is None:
        return False
    token = word.group().lower()
    # "U.S." and single capital initials ("John F. Kennedy") do not end sentences.
    return token in _ABBREVIATIONS or (len(token) == 1 and text[dot - 1].isupper())


def _starts_sentence(text: str, end: int) -> bool:
    rest = text[end : end + 4].lstrip()
    return not rest or rest[0].isupper() or rest[0].isdigit() or rest[0] in "\"'“‘(["


def _add(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))
