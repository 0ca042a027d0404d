"""Splitting an article into sentences, keeping each one's text as written."""

from __future__ import annotations

import re

# A sentence ends at . ! or ? followed by space and a capital, a quote or a digit; or at a
# line break. A piece that ends in a common abbreviation is joined to the next.
_ABBREVIATIONS = frozenset({"mr", "mrs", "ms", "dr", "gen", "col", "lt", "sgt", "sen", "rep", "st",
                            "no", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
                            "oct", "nov", "dec", "u.s", "u.n", "u.k", "e.g", "i.e", "vs", "maj",
                            "gov", "prof", "jr", "sr", "inc", "co", "corp", "ltd", "mt"})
_BOUNDARY = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)]?\s+(?=[\"'\u201c\u2018(]?[A-Z0-9])|\n+")
_SPACE = re.compile(r"\s+")


def split(text: str) -> list[str]:
    """The sentences of `text`, whitespace collapsed, empty ones dropped."""
    out: list[str] = []
    carry = ""
    for piece in _BOUNDARY.split(text):
        if not piece:
            continue
        piece = carry + piece
        last = piece.rstrip().rsplit(" ", 1)[-1].rstrip(".").lower()
        if piece.rstrip().endswith(".") and last in _ABBREVIATIONS:
            carry = piece + " "
            continue
        carry = ""
        sentence = _SPACE.sub(" ", piece).strip(" \t-\u2022*\u2013\u2014")
        if len(sentence) > 2:
            out.append(sentence)
    if carry.strip():
        out.append(_SPACE.sub(" ", carry).strip())
    return out
