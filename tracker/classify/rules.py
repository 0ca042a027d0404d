"""Reading an article sentence by sentence: which step of which designation it reports."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from tracker.classify import lexicon as lx
from tracker.classify.sentences import split
from tracker.domain.designations import REVERSED, Article, Designation

# Higher wins when an article reports several steps.
RANK = {"considered": 1, "proposed": 2, REVERSED: 3, "court-approved": 4}
BASE_CONFIDENCE = {"considered": 0.7, "proposed": 0.8, REVERSED: 0.8, "court-approved": 0.85}
_OWN_LIST = re.compile(r"\b(its|their|own|national|federal|domestic|russia\w*)\s+(own\s+)?"
                       r"(list|register|registry|ban)")
_STATUS = re.compile(r"\b(status|designation|listing|ban)\b")


@dataclass(frozen=True)
class Hit:
    stage: str
    confidence: float
    sentence: str
    basis: str = "body"  # "headline" when the title decided it


@dataclass(frozen=True)
class Names:
    subject: re.Pattern[str]
    authority: re.Pattern[str]
    foreign: re.Pattern[str]


@cache
def names_of(designation: Designation) -> Names:
    def alternation(values: tuple[str, ...], flags: int = re.IGNORECASE) -> re.Pattern[str]:
        ordered = sorted(values, key=len, reverse=True)
        return re.compile(r"(?<![\w.])(" + "|".join(re.escape(v) for v in ordered)
                          + r")(?:'s|\u2019s)?(?![\w])", flags)

    own = {a.casefold() for a in designation.authority}
    foreign = tuple(f for f in lx.FOREIGN if f.casefold() not in own)
    return Names(alternation(designation.subject), alternation(designation.authority),
                 alternation(foreign, 0))


def read(article: Article, designation: Designation) -> Hit | None:
    """The highest step the article reports, with the sentence that says so."""
    names = names_of(designation)
    title = article.title.strip()
    body = split(" ".join(p for p in (article.summary, article.content) if p))
    sentences = ([title] if title else []) + body
    context_authority = bool(names.authority.search(title)) or sum(
        1 for s in sentences[:6] if names.authority.search(s)) >= 1
    best: Hit | None = None
    subject_seen = False
    for i, sentence in enumerate(sentences):
        subject_before = subject_seen
        subject_seen = subject_seen or bool(names.subject.search(sentence))
        low = sentence.lower()
        if not lx.CUE.search(low) or not (lx.REMOVAL.search(low) or lx.LIST.search(low)):
            continue
        nearby = sentences[max(0, i - 2):i]
        hit = _read_sentence(sentence, low, names, nearby, context_authority, subject_before,
                             headline=i == 0 and bool(title))
        if hit and (best is None or (RANK[hit.stage], hit.confidence) >
                    (RANK[best.stage], best.confidence)):
            best = hit
    return best


def _read_sentence(sentence: str, low: str, names: Names, nearby: list[str],
                   context_authority: bool, subject_before: bool, headline: bool) -> Hit | None:
    confidence = 0.05 if headline else 0.0
    if not names.subject.search(sentence):
        if not subject_before:  # "the group", "the movement": named earlier in the article
            return None
        confidence -= 0.1
    stage = _stage(low)
    if stage is None:
        return None
    if not _jurisdiction(sentence, low, names, nearby, context_authority):
        return None
    if not names.authority.search(sentence):
        confidence -= 0.1
    confidence += BASE_CONFIDENCE[stage]
    return Hit(stage, round(max(0.05, min(0.99, confidence)), 2), sentence,
               "headline" if headline else "body")


def _stage(s: str) -> str | None:
    """The step a (lowercased) sentence reports, by its verbs, tense, modality, negation."""
    removal = lx.REMOVAL.search(s)
    if lx.REVERSED.search(s) and (removal or lx.LIST.search(s) or lx.COURT.search(s)):
        return REVERSED
    if lx.NEGATED.search(s):
        return None
    if not removal and not lx.LIST.search(s):
        return None
    if lx.LISTING.search(s) and not removal:
        return None  # the original listing, mentioned in passing
    modal = lx.MODAL_PROPOSAL.search(s)
    if removal and not modal and not lx.MODAL.search(s) and (
            lx.REMOVED.search(s) or lx.COURT_APPROVED.search(s) and lx.COURT.search(s)):
        return "court-approved"
    if lx.COURT_APPROVED.search(s) and removal and not modal and not lx.COURT_PENDING.search(s):
        return "court-approved"
    if lx.COURT_PENDING.search(s) and not modal:
        return "proposed"
    if lx.PROPOSED.search(s) and (removal or lx.LIST.search(s)) and not modal:
        return "proposed"
    if removal and (lx.CONSIDERED.search(s) or lx.MODAL.search(s) or modal or
                    lx.PROPOSED.search(s) or lx.REMOVED.search(s)):
        return "considered"
    if lx.CONSIDERED.search(s) and lx.LIST.search(s) and (lx.STAYS_LISTED.search(s) or
                                                          _STATUS.search(s)):
        return "considered"
    return None


def _jurisdiction(s: str, low: str, names: Names, nearby: list[str],
                  context_authority: bool) -> bool:
    """Is the step the authority's, on its own list (not another country's, nor the UN's)?"""
    if lx.OTHER_LISTS.search(low) and not _OWN_LIST.search(low):
        return False
    own = list(names.authority.finditer(s))
    foreign = list(names.foreign.finditer(s))
    if foreign and not own:
        return False
    if foreign and own:
        verb = _first_step_verb(low)
        before = verb if verb is not None else len(s)
        last_own = max((m.start() for m in own if m.start() < before), default=-1)
        last_foreign = max((m.start() for m in foreign if m.start() < before), default=-1)
        return last_own > last_foreign
    if own:
        return True
    return context_authority or any(names.authority.search(n) for n in nearby)


def _first_step_verb(s: str) -> int | None:
    starts = [m.start() for p in (lx.REMOVED, lx.PROPOSED, lx.CONSIDERED, lx.REVERSED,
                                  lx.COURT_APPROVED, lx.REMOVAL) if (m := p.search(s))]
    return min(starts) if starts else None
