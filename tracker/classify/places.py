"""Other jurisdictions: every country's names, demonym and capital (from the `countryinfo`
gazetteer) and the international bodies that keep lists of their own, less the designation's
own authority. A step whose actor is one of these is not the designation's step."""

from __future__ import annotations

import re
from functools import cache

from countryinfo import CountryInfo

# Bodies that keep lists or sanctions of their own.
BODIES = (
    ("United Nations", "UN", "U.N.", "Security Council", "UNSC", "1267 Committee",
     "1988 Committee"),
    ("European Union", "EU", "E.U.", "European Council", "Council of the EU", "Brussels",
     "European Parliament", "European Commission"),
    ("NATO",), ("African Union",), ("Interpol",), ("OSCE",), ("Arab League",),
    ("Shanghai Cooperation Organisation", "SCO"), ("CSTO",),
)
# Short all-capital spellings that stand for a country in running text (the gazetteer's other
# two- and three-letter codes are ISO codes, which clash with ordinary words).
_ABBREVIATIONS = frozenset({"US", "USA", "UK", "UAE", "DRC", "PRC", "ROK", "DPRK"})


@cache
def jurisdictions() -> tuple[tuple[str, ...], ...]:
    """Each jurisdiction as the tuple of names it goes by."""
    out = []
    for data in CountryInfo.all().values():
        name = data.get("name") or ""
        names = {name, data.get("demonym") or ""}
        if name.endswith("stan") and len(name) > 8:  # "Uzbek", "Kazakh": the people's name
            names.add(name.removesuffix("stan").removesuffix("i"))
        capitals = data.get("capital") or ()
        for capital in [capitals] if isinstance(capitals, str) else capitals:
            names.add(capital.split(" D.C.")[0])
        for spelling in data.get("altSpellings") or ():
            if spelling.isascii() and (len(spelling) > 3 or spelling in _ABBREVIATIONS):
                names.add(spelling)
        if "US" in names:
            names |= {"U.S.", "American", "Americans"}
        if "UK" in names:
            names |= {"U.K.", "Britain", "Britons"}
        out.append(tuple(sorted(n for n in names if len(n) > 1)))
    return (*out, *BODIES)


@cache
def foreign_pattern(authority: tuple[str, ...]) -> re.Pattern[str]:
    """Names of every jurisdiction that shares no name with `authority` (case kept: "US" is
    not "us")."""
    own = {a.casefold() for a in authority}
    names = {n for group in jurisdictions() if not own & {n.casefold() for n in group}
             for n in group}
    return re.compile(r"(?<![\w.])(" + _trie(sorted(names)) + r")(?:'s|\u2019s|s)?(?![\w])")


def _trie(words: list[str]) -> str:
    """One pattern for many literal names, their common prefixes factored out: Python's re
    tries each branch of a flat alternation in turn, so a flat one of 1,500 names is slow."""
    root: dict = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: dict) -> str:
        ends = "" in node
        branches = [re.escape(char) + pattern(child) for char, child in sorted(node.items())
                    if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:  # the longer names first: a name may continue past a shorter one
            return "(?:" + body + ")?"
        return body

    return pattern(root)
