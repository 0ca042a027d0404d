"""Reading an article sentence by sentence: which step of one designation it reports.

A sentence is read for the designation when it names the group (or refers back to it just
after naming it), speaks of the designation's own change (a listing, or a removal), and the
step is the authority's, not another country's or body's. Its step is, in order of checks:
`reversed` (a proposal halted, the process refused by a court, the change undone), nothing
(a denial), the binding step (by `decided_by`: a court's ruling; an order in force; a
designation made, published or in force), `proposed` (a formal act: a filing, a bill, an
order laid, a hearing, a decision in principle), `considered` (deliberation, calls, pledges,
intent). The body's sentences outrank the headline: the title decides only when the body
reports nothing, so a headline that overstates its article does not carry the reading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from tracker.classify import lexicon as lx
from tracker.classify.places import foreign_pattern
from tracker.classify.sentences import split
from tracker.domain.designations import REVERSED, Article, Designation

BINDING = "court-approved"
# Higher wins among the readings of one part of an article.
RANK = {"considered": 1, "proposed": 2, BINDING: 3, REVERSED: 4}
BASE_CONFIDENCE = {"considered": 0.8, "proposed": 0.85, BINDING: 0.9, REVERSED: 0.85}
_PAST = re.compile(r"(ed|en|wn)$|^(put|took|struck|made|set|cut)$")
_AUX = re.compile(r"\b(has|have|had|was|were|is|are|been|became|become|becomes|now|"
                  r"formally|officially|finally|already|also|effectively|legally)\s+(an?\s+)?$")
# Asked for, not done: "asked the court to ban", "sued to have it declared", "called for".
_REQUESTED = re.compile(r"\b(ask\w*|request\w*|petition\w*|seek\w*|sought|su(e|ed|es|ing)|"
                        r"filed|fil(es|ing)|call\w*|urg\w+|demand\w*|push\w*|press\w*|want\w*|"
                        r"attempt\w*|bid|to have|to prevent|to stop|to block)\b")
_GRANTED = re.compile(r"\b(granted|grants|satisfied|satisfies|backed|backs|upheld|upholds|approved|"
                      r"approves)\b[^.;]{0,60}\b(request|petition|lawsuit|claim|motion|"
                      r"application|suit)")
_WILL = r"(will|would|is to|are to|plans to|planned to|intends to|intended to|is going to)"
# The deciding government announcing its act: "says it will proscribe", "announced plans to".
_ANNOUNCED = re.compile(r"\b(government|ministry|department|office|secretary|minister|"
                        r"administration|cabinet)\b[^.;]{0,40}\b(announc\w*|said|says|confirm\w*)\b"
                        r"(\s+(that\s+)?(it|they|he|she))?\s+" + _WILL + r"\s+(\w+ly\s+)?$")
# An announcement that still weighs the step: "said it would consider", "if it won".
_WEIGHED = re.compile(r"\b(consider\w*|weigh\w*|review\w*|discuss\w*|whether|may|might|could|if|"
                      r"unless|possibl\w*)\b")
# An instrument made that carries the change: "adopted the legal act adding", "issued a decree".
_INSTRUMENT = re.compile(r"\b(adopted|adopts|published|publishes|signed|signs|issued|issues|"
                         r"approved|approves|made|makes|handed down)\s+(the|a|an|its)\s+([\w-]+\s+){0,2}"
                         r"(act|regulation|decision|order|decree|notice|instrument|ruling|"
                         r"resolution)\s+$")
# A future that is not fixed: "expected to take effect", "could come into force".
_UNSURE = re.compile(r"\b(expected|likely|may|might|could|would|if|unless|once|whether|possibly|"
                     r"plans?|planned|hopes?|aims?)\b")
# "banned methods", "a proscribed group": a participle used as an adjective.
_ADJECTIVAL = re.compile(r"^(an?|the|any|other|its|their)\s+$")
_FOLLOWING_NOUN = re.compile(r"^\s*(?!as\b|in\b|by\b|on\b|from\b|the\b|a\b|an\b|it\b|them\b|"
                             r"other\b|several\b|two\b|three\b|four\b|five\b|its\b|their\b|"
                             r"all\b|some\b|many\b|more\b|both\b|"
                             r"for\b|since\b|under\b|at\b|and\b|or\b|last\b|this\b|after\b|"
                             r"with\b|until\b|because\b|over\b|following\b)[a-z]+\b")
_CLAUSE = re.compile(r"[,;:]|\b(to|of|from|on|by|in|and|has|have|had|was|were|is|are|the|a|"
                     r"decision|list|said|says)\b")
_AGENT_OR_TIME = re.compile(r"\bby\b|\b(19[5-9]\d|20\d\d)\b|\b(last|this|in)\s+(year|month|week|"
                            r"january|february|march|april|may|june|july|august|september|"
                            r"october|november|december)\b|\b(on|since) \w+day\b")


@dataclass(frozen=True)
class Hit:
    stage: str
    confidence: float
    sentence: str
    basis: str = "body"  # "headline" when the title decided it
    history: bool = False  # an earlier year's step, told as background: decides nothing


# A step of an earlier year, told as background: it decides nothing, and it keeps the
# headline out (the body told the story).
HISTORY = Hit("", 0.0, "", history=True)


@dataclass(frozen=True)
class Language:
    """The patterns of one designation: its names, and which change is its own."""

    subject: re.Pattern[str]
    authority: re.Pattern[str]
    foreign: re.Pattern[str]
    act: re.Pattern[str]  # the designation's own change, in any tense
    undo: re.Pattern[str]  # the opposite change
    decided_by: str
    removal: bool


@cache
def language_of(designation: Designation) -> Language:
    def alternation(values: tuple[str, ...], *patterns: str) -> re.Pattern[str]:
        ordered = [re.escape(v) for v in sorted(values, key=len, reverse=True)]
        return re.compile(r"(?<![\w.])(" + "|".join([*patterns, *ordered])
                          + r")(?:'s|\u2019s)?(?![\w])", re.IGNORECASE)

    removal = designation.change == "removal"
    subject = designation.subject
    return Language(alternation(subject + _shared_word(subject), *_founded_by(subject)),
                    alternation(designation.authority),
                    foreign_pattern(designation.authority),
                    lx.REMOVAL if removal else lx.LISTING, lx.LISTING if removal else lx.REMOVAL,
                    designation.decided_by, removal)


_ORGANISATIONS = r"(organi[sz]ations?|groups?|network|foundation|movement|structures|offices|" \
                 r"headquarters|outfits?|entities)"


def _founded_by(names: tuple[str, ...]) -> tuple[str, ...]:
    """Patterns for a group named after a person ("Navalny's organisations"): the person's
    other organisations words, and "the organisations set up by ... Navalny"."""
    people = {n.split("'")[0].split("\u2019")[0] for n in names
              if re.fullmatch(r"[A-Z][\w-]+['\u2019]s [a-z]+", n)}
    return tuple(
        pattern for person in sorted(people) for pattern in (
            re.escape(person) + r"['\u2019]s\s+(\w+\s+)?" + _ORGANISATIONS,
            _ORGANISATIONS + r"\s+(\w+\s+){0,2}(of|by|to|tied to|linked to|set up by|founded by|"
            r"led by)\s+([\w-]+\s+){0,4}" + re.escape(person)))


def _shared_word(names: tuple[str, ...]) -> tuple[str, ...]:
    """The word every name of a group has in common, when it has several names of several
    words ("LGBT" of "LGBT movement", "international LGBT movement")."""
    split_names = [set(n.split()) for n in names]
    if len(names) < 2 or any(len(words) < 2 for words in split_names):
        return ()
    common = set.intersection(*split_names)
    return tuple(w for w in common if w[:1].isupper() and len(w) > 2)


def _mentions(sentence: str, lang: Language) -> bool:
    """Whether the sentence names the group itself (not its members, its wing or its founder;
    not as an example of a kind; not in brackets)."""
    for m in lang.subject.finditer(sentence):
        before, after = sentence[max(0, m.start() - 40):m.start()].lower(), sentence[m.end():].lower()
        if lx.PART_BEFORE.search(before) or lx.PART_AFTER.search(after[:40]):
            continue
        opened = sentence.rfind("(", 0, m.start())
        if opened > sentence.rfind(")", 0, m.start()) and lx.ABOUT_LIST.search(
                sentence[opened:sentence.find(")", m.end()) % (len(sentence) + 1)].lower()):
            continue  # "(banned in X, like the group)": a tag
        return True
    return False


def read(article: Article, designation: Designation) -> Hit | None:
    """The step the article reports, with the sentence that says so."""
    lang = language_of(designation)
    title = article.title.strip()
    body = split(" ".join(p for p in (article.summary, article.content) if p))
    year = article.published.year if article.published else None
    opening = [title, *body[:5]]
    own_context = any(lang.authority.search(s) for s in opening)
    # an article about another jurisdiction: it names one, not the authority, at the start
    foreign_context = not own_context and any(_foreign(s, lang) for s in opening)
    named_title = _mentions(title, lang) if title else False
    best: tuple[tuple[int, int, float], Hit] | None = None
    body_spoke = False  # the body told the story, if only as history: the title stays out
    named_before = named_title
    for sentence in body:
        named = _mentions(sentence, lang)
        if not named and not (named_before and _refers_back(sentence)
                              and not lang.subject.search(sentence)):
            continue  # "the group", "the ban": the subject named earlier in the article
        named_before = True
        hit = _read_sentence(sentence, lang, named, own_context, foreign_context, year, "body")
        if hit is None:
            continue
        body_spoke = True
        if hit.history:
            continue
        current = 0 if hit.stage != BINDING and _looks_back(sentence, year) else 1
        rank = (current, RANK[hit.stage], hit.confidence)
        if best is None or rank > best[0]:
            best = (rank, hit)
    if best is not None:
        return best[1]
    if named_title and not body_spoke:
        return _read_sentence(title, lang, True, own_context, foreign_context, year, "headline")
    return None


def _refers_back(sentence: str) -> bool:
    """Whether the sentence calls the group named earlier "the group", "the regiment", "the
    Russian mercenary organisation", "the Guards" (not "the Anti-Corruption Foundation": a name
    of its own)."""
    low = sentence.lower()
    return any(len(m.group().split()) <= 2 or sentence[head].islower()
               for m in lx.ANAPHOR.finditer(low) for head in [m.end() - len(m.group().split()[-1])])


def _looks_back(sentence: str, year: int | None, at: int | None = None) -> bool:
    """Whether a sentence places its step (before `at`, when given) in an earlier year than
    the article's."""
    if year is None:
        return False
    return any(int(y) < year for y in lx.YEAR.findall(sentence[:at]))


def _read_sentence(sentence: str, lang: Language, named: bool, own_context: bool,
                   foreign_context: bool, year: int | None, basis: str) -> Hit | None:
    low = lx.TAG.sub(lambda m: " " * len(m.group()) if lx.ABOUT_LIST.search(m.group())
                     else m.group(), sentence.lower())
    if not (lang.act.search(low) or lx.ABOUT_LIST.search(low) or " status" in low
            or lx.COURT.search(low) and lx.FORMAL.search(low) or _in_force(low)):
        return None
    best: tuple[int, str, bool | None] | None = None
    for act in [*(a for a in _acts(low, lang) if not _other_patient(sentence, a, lang)), None][:4]:
        stage, at = _stage(low, lang, act)
        if stage is None:
            continue
        whose = _jurisdiction(sentence, lang, at)
        if whose is False or (whose is None and foreign_context):
            continue
        if best is None or RANK[stage] > RANK[best[1]]:
            best = (at, stage, whose)
    if best is None:
        return None
    at, stage, whose = best
    if stage != BINDING and _looks_back(sentence, year, at + 1) and basis == "body" \
            and not re.search(r"\b(now|today|this week)\b", low):
        return HISTORY
    confidence = BASE_CONFIDENCE[stage]
    if not named:
        confidence -= 0.1
    if whose is None and not own_context:
        confidence -= 0.1
    if _looks_back(sentence, year):
        confidence -= 0.05
    return Hit(stage, round(confidence, 2), sentence, basis)  # 0.55 to 0.9


def _near(pattern: re.Pattern[str], s: str, at: int, before: int) -> bool:
    """Whether `pattern` matches within the `before` characters before `at`."""
    return bool(pattern.search(s, max(0, at - before), at))


def _other_patient(sentence: str, act: re.Match[str], lang: Language) -> bool:
    """Whether a verb of the change is done to another named group: "proscribe the IRGC"
    read for Hamas, "labelled Los Lobos" read for the cartels."""
    word = act.group().split()[0]
    if _verb_form(word) == "other" and not word.endswith(("e", "t", "st")):
        return False  # a noun ("designation", "ban"): no object to look at
    rest = sentence[act.start() + len(word):act.start() + len(word) + 50]
    rest = re.sub(r"^\s+(the\s+)?", "", rest)
    if not rest[:1].isupper() or lang.authority.match(rest):
        return False
    patients = re.split(r"\s(as|to|on|in|for)\s|,\s+(\w+\s+)?(after|before|when|while|which|who|"
                        r"but|because|since)\b", sentence[act.start() + len(word):], maxsplit=1)[0]
    if lang.subject.search(patients[:200]):
        return False  # "listed Venezuela's Tren de Aragua, MS-13 and six cartels as"
    name = re.match(r"([A-Z][\w.'-]*\s*)+", rest)
    return name is not None and not lang.subject.search(name.group()) \
        and not lang.foreign.fullmatch(name.group().strip())


def _acts(s: str, lang: Language) -> list[re.Match[str]]:
    """The mentions of the designation's own change, less those that are an adjective of some
    other noun ("banned methods of warfare")."""
    out = []
    for m in lang.act.finditer(s):
        word = m.group().split()[0]
        if m.group() == word and _verb_form(word) == "past" and _FOLLOWING_NOUN.match(s[m.end():]) \
                and not lang.subject.match(s[m.end():].lstrip()) \
                and not _AUX.search(s[:m.start()]) and not s[:m.start()].endswith("be "):
            continue
        if m.group() == word and _verb_form(word) == "past" and re.search(
                r"\b(organi[sz]ations|groups|entities|movements|outfits)\s+$", s[:m.start()]):
            continue  # "other organisations proscribed in Britain": a class, not a step
        out.append(m)
    return out


def _stage(s: str, lang: Language, act: re.Match[str] | None) -> tuple[str | None, int]:
    """The step a lowercased sentence reports about one mention of the change (or about
    none), and where its deciding words start."""
    at = act.start() if act else 0
    about = act is not None or lx.ABOUT_LIST.search(s) is not None
    halted = lx.HALTED.search(s)
    if halted and about and not _REQUESTED.search(s, max(0, halted.start() - 40), halted.start()) \
            and not _infinitive(s, halted.start()) and not _hearsay(s, halted.start()):
        return REVERSED, halted.start()
    quashed = lx.QUASHED.search(s)
    ruled = re.search(r"\b(court|judges?)\b[^.;]{0,20}\b(rules|ruled|held|holds|found|finds)\b", s)
    if quashed and about and (not _near(lx.HEDGED, s, quashed.start(), 40)
                              or ruled and ruled.start() < quashed.start()) \
            and not _REQUESTED.search(s, max(0, quashed.start() - 80), quashed.start()) \
            and not re.search(r"\b(paus\w+|suspend\w*|halt\w*) (the )?$", s[:quashed.start()]) \
            and not lx.REFUSED.search(s, max(0, quashed.start() - 30), quashed.start()):
        return REVERSED, quashed.start()
    refused = lx.REFUSED.search(s)
    denied = lx.DENIED.search(s)
    upheld = False
    if refused and about and (not denied or lx.COURT.search(s)):
        rest = s[refused.start():]
        upheld = bool(lx.UNDOING.search(rest[:40])
                      or not lang.removal and lang.undo.search(rest[:40])
                      or lx.OWN_BID.search(rest[:80]) or _possessed(rest[:50], lang))
        process = re.match(r"[^.;]{0,40}\b(designation|proscription|ban|order|listing|"
                           r"decision)\b", rest) or lang.decided_by == "court" and (
            lx.PROCESS_REQUEST.search(s) or re.match(r"[^.;]{0,40}\b(request|petition|claim|"
                                                     r"lawsuit)\b", rest))
        if (process or re.match(r"\S+ to \w+", rest) and lang.act.search(rest[:60])) \
                and not upheld:
            return REVERSED, refused.start()
    if upheld and refused and lx.COURT.search(s) and act:
        if re.search(r"\b(case|proceedings|lawsuit|claim|hearing)\b", s[refused.start():]):
            return "proposed", refused.start()  # the group's bid to stop a pending case
        if lang.decided_by == "court" and not _near(lx.HEDGED, s, refused.start(), 40):
            return BINDING, at
    if denied and not upheld:
        return None, at
    undo = lang.undo.search(s)
    if undo and _undone(s, undo, lang):
        return REVERSED, undo.start()
    if act is None:
        if _in_force(s) and not lx.HEDGED.search(s):
            return BINDING, 0  # "the order takes effect immediately"
        hearing = re.search(r"\b(hearing|postponed|adjourned|scheduled|proceedings|"
                            r"(to|will|would) hear)\b", s)
        if lx.COURT.search(s) and hearing and (about or re.search(
                r"\b(case|consideration|request|petition|lawsuit|claim)\b", s)):
            return "proposed", 0
        deliberation = lx.DELIBERATION.search(s)
        if deliberation and re.search(r"\b(status|designation|listing|whether)\b",
                                      s[max(0, deliberation.start() - 60):deliberation.end() + 60]):
            return "considered", deliberation.start()  # "reviewing its terrorist status"
        return None, at
    if lang.decided_by != "parliament" and lx.MOTION.search(s):
        return "considered", at  # a legislature's motion calls on the government
    if lang.decided_by == "executive" and re.search(r"('s|\u2019s) decision to\s+$", s[:at]):
        return BINDING, at  # "the government's decision to designate": the designation made
    if _verb_form(act.group().split()[0]) == "ing" and re.match(
            r"[^.;,]{0,40}\b(would|could|might)\b", s[act.end():]):
        return None, at  # "proscribing it would mean ...": a consequence weighed, not a step
    if _binding(s, act, lang):
        return BINDING, at
    if "executive order" in s and not _near(lx.HEDGED, s, s.index("executive order"), 40):
        return "proposed", s.index("executive order")
    formal = _formal(s, at)
    if lang.decided_by == "parliament" and lx.PARLIAMENT_ACT.search(s):
        return "proposed", at  # a house approved the order: the other, or its coming into force, remains
    if formal is not None:
        return "proposed", formal
    if re.search(r"\bto be\s+$", s[:at]) and not lx.HEDGED.search(s) \
            and not lx.DELIBERATION.search(s):
        return "proposed", at  # "X to be banned": announced as decided
    if lang.decided_by != "court" and (_ANNOUNCED.search(s[max(0, at - 90):at])
                                       or _announces(s, at, lang)) and not _WEIGHED.search(s):
        return "proposed", at  # the government says it will designate: its notice of intent
    if lx.FORMAL.search(s) or lx.DELIBERATION.search(s) or lx.HEDGED.search(s) \
            or _infinitive(s, act.start()):
        return "considered", at
    return None, at


def _announces(s: str, at: int, lang: Language) -> bool:
    """"Britain will proscribe X, the Home Secretary announced": the authority itself says it
    will act, and the sentence says that it was announced."""
    will = re.search(r"\b" + _WILL + r"\s+(\w+ly\s+)?$", s[max(0, at - 30):at])
    if will is None:
        return False
    before = s[:max(0, at - 30) + will.start()].rstrip()
    return any(m.end() == len(before) for m in lang.authority.finditer(before)) \
        and re.search(r"\b(announc\w*|said|says|confirm\w*)\b", s) is not None


def _hearsay(s: str, at: int) -> bool:
    """Whether the words at `at` are someone else's claim: inside quotation marks ("UK 'halts
    plan'"), or told as what a report says. A halt must be news, not a rumour of one."""
    return bool(re.search(r"(^|\s)['\u2018\"\u201c][^'\u2019\"\u201d]*$", s[:at])
                or re.search(r"\b(reportedly|a report|reports? (says?|said|suggest\w*)|according to "
                             r"(a |media |press )?reports?)\b", s))


def _in_force(s: str) -> bool:
    """Whether the sentence says that the order, ban or designation itself is in force."""
    found = lx.IN_FORCE.search(s)
    return found is not None and re.search(r"\b(order|ban|designation|proscription|listing|"
                                           r"decision|ruling)\b", s[:found.start()]) is not None


def _possessed(s: str, lang: Language) -> bool:
    """Whether the group owns what is named: "Meta's request", "a request from Meta"."""
    return any(m.group().endswith(("'s", "\u2019s")) or re.search(
        r"\b(from|by|of)\s+(the\s+)?$", s[:m.start()]) for m in lang.subject.finditer(s))


def _formal(s: str, at: int) -> int | None:
    """Where the first formal act of the sentence starts that is not itself hedged, drafted
    or merely called for (None when there is none)."""
    court = lx.COURT.search(s) is not None
    for m in lx.FORMAL.finditer(s):
        if court and re.match(r"(hearing|postponed|adjourned|scheduled|petition|lawsuit|claim|"
                              r"request|motion|suit|filed|asked|ask|to hear|will hear)", m.group()):
            return m.start()
        if abs(m.start() - at) > 80 or _near(lx.HEDGED, s, m.start(), 40) \
                or _near(lx.DELIBERATION, s, m.start(), 40):
            continue
        if re.search(r"\b(being|been|is|are) (prepared|drafted|considered|discussed)\b", s[m.end():]) \
                or m.group().startswith("decision") and re.search(
                    r"\b(will|would|could|may|might|yet to|to) be (taken|made|reached)\b(?! off)",
                    s[m.end():m.end() + 100]):
            continue  # "a bill is being drafted", "the decision will be taken": not yet
        return m.start()
    return None


def _infinitive(s: str, at: int) -> bool:
    """"to remove", "to formally remove", "that it be removed": wanted, not done."""
    return re.search(r"\b(to|be)\s+(\w+ly\s+)?$", s[max(0, at - 20):at]) is not None


def _verb_form(word: str) -> str:
    """past, present, ing or other, for the first word of an act."""
    if word.endswith("ing"):
        return "ing"
    if _PAST.search(word):
        return "past"
    if word.endswith("s") and not word.endswith(("ss", "ions", "ings")) \
            and word not in ("status", "terrorists"):
        return "present"
    return "other"


def _binding(s: str, act: re.Match[str], lang: Language) -> bool:
    """Whether the sentence states the designation's binding step as done."""
    at = act.start()
    if lang.decided_by == "court" and lx.COURT.search(s) and (
            _GRANTED.search(s) or re.search(r"\b(ruled|rules|decided|ordered)\s+to\s+$", s[:at])) \
            and not _near(lx.HEDGED, s, at, 50):
        return True  # the court granted the request to ban, or ruled to ban
    if re.search(r"\b(has|have|had)\s+(just\s+|now\s+|formally\s+)?(taken|made)\s+(the\s+)?(\w+\s+)?"
                 r"(step|decision)\s+(of|to)\s+$", s[:at]):
        return True  # "had taken the decisive step of designating"
    if lang.decided_by != "parliament" and _verb_form(act.group().split()[0]) == "ing" \
            and _INSTRUMENT.search(s[max(0, at - 80):at]) and not _near(lx.HEDGED, s, at, 80):
        return True  # "adopted the legal act adding X", "issued a ruling banning X"
    if re.search(r"\b(has|have|had)\s+(already\s+)?used\b[^.;]{0,60}\bto\s+$", s[:at]):
        return True  # "has used the extremist label to ban"
    requested = _REQUESTED.search(s[max(0, at - 150):at]) is not None and not re.search(
        r"\b(granted|grants|satisfied|approved|approves|upheld|upholds)\b", s[:at])
    hedged = _near(lx.HEDGED, s, at, 50) or _infinitive(s, at)
    in_force = lx.IN_FORCE.search(s)
    if in_force and not _REQUESTED.search(s, max(0, in_force.start() - 60), in_force.start()):
        future = _near(lx.HEDGED, s, in_force.start(), 30)
        if not future or lang.decided_by == "executive" and not _near(_UNSURE, s, in_force.start(), 30):
            return True  # an executive's designation in force on a fixed date is made
    if hedged or requested:
        return False
    if lx.COURT.search(s) and lang.decided_by != "court" and (
            lx.COURT_RULED.search(s) or re.search(r"\b(says|said|say)\b", s)):
        return False  # a court's finding in another case is not a government's designation
    word = act.group().split()[0]
    form = _verb_form(word)
    auxiliary = _AUX.search(s[:at]) is not None
    court = lx.COURT.search(s)
    if court and lx.COURT_RULED.search(s):
        # a court's ruling is the binding step only where a court decides
        return lang.decided_by == "court"
    if word.startswith(("brand", "label", "call")):
        return False  # a minister "brands" a group terrorist: words, not a designation
    if lang.decided_by == "parliament" and not re.search(
            r"\b(been|was|were|is|are|became|become|becomes|now)\s+(an?\s+)?$|"
            r"\b(has|have)\s+(\w+ly\s+)?$", s[:at]):
        # a minister's order is proposed until parliament approves it and it is in force
        return False
    if lang.decided_by == "executive" and "executive order" in s and re.search(
            r"\b(direct\w*|start\w*|begin\w*|launch\w*|process|paving|path)\b", s):
        return False  # an order that starts a designation process
    if form == "past" and not auxiliary:
        # "X, banned in 2022, ..." states it; "a banned group", "X (banned in Y)" do not
        before = s[max(0, at - 6):at]
        if _ADJECTIVAL.search(before[-4:]) or before.endswith(", ") or before.endswith("- "):
            return bool(_AGENT_OR_TIME.search(s, at, at + 60))
        return True
    if form == "present" and re.match(r"\s*(and|or|for|of|in|on|to|with|[,.;:]|$)",
                                      s[act.start() + len(word):]):
        return False  # "travel bans and": a plural noun, not a verb
    return form in ("past", "present") or (auxiliary and form != "ing")


def _undone(s: str, undo: re.Match[str], lang: Language) -> bool:
    """The opposite change reported as news: a listing lifted, a removal reversed."""
    if _near(lx.HEDGED, s, undo.start(), 50) or lx.DENIED.search(s):
        return False
    if lang.removal:
        return bool(re.search(r"\b(again|back on|reinstat\w*|re-?list\w*|restor\w*|re-?impos\w*)\b",
                              s))
    for verb in re.finditer(r"[a-z]+", undo.group()):
        if _verb_form(verb.group()) == "past":
            at = undo.start() + verb.start()
            return bool(_AUX.search(s[:at]) or lang.authority.search(s[:at]))
    return False


def _foreign(sentence: str, lang: Language) -> list[re.Match[str]]:
    """The other jurisdictions a sentence names as actors, less those inside the group's own
    names ("Palestine" in "Palestine Action") and those named as a destination or partner
    ("the envoy for X", "ties with X") or as the group's description ("the Russian mercenary
    organisation")."""
    subject = [m.span() for m in lang.subject.finditer(sentence)]
    return [m for m in lang.foreign.finditer(sentence)
            if not any(a <= m.start() < b for a, b in subject)
            and not lx.NOT_ACTOR.search(sentence, max(0, m.start() - 16), m.start())
            and not lx.GROUP_NOUN.match(sentence.lower(), m.end())]


def _jurisdiction(sentence: str, lang: Language, at: int) -> bool | None:
    """True: the step is the authority's; False: another's; None: the sentence does not say."""
    if re.search(r"\bby (many|several|other|some|most|various)\s+(\w+\s+)?(states|countries|"
                 r"governments|nations)\b", sentence[at:]) and not lang.authority.search(sentence):
        return False  # "classified as terrorist by many Western states"
    subject = [m.span() for m in lang.subject.finditer(sentence)]
    if not _foreign(sentence, lang):
        return True if lang.authority.search(sentence) else None

    def modifies_subject(end: int) -> bool:  # "Iran's Revolutionary Guard", "Russian group X"
        for start, stop in subject:
            if stop <= end and re.match(r"^\s*,(?!\s*(which|who|whom|whose|that|where|when|while|"
                                        r"but|and)\b)\s*(the|a|an)?\s*[\w'-]*\s*$",
                                        sentence[stop:end - len(sentence[:end].split()[-1])]):
                return True  # "Wagner Group, the Russian mercenary organisation,"
            gap = sentence[end:start].split() if start >= end else None
            if gap is not None and len(gap) <= 2 and all(
                    w[:1].isupper() or not (w.endswith("s") or w.endswith("ed") or _CLAUSE.match(w))
                    for w in gap):
                return True
        return False

    own = [m.start() for m in lang.authority.finditer(sentence)
           if not modifies_subject(m.end())]
    foreign = [m.start() for m in _foreign(sentence, lang) if not modifies_subject(m.end())]
    if not foreign:
        return True if own else None
    if not own:  # another's step when another is named before its words, or as its agent
        agent = any(p > at and re.search(r"\b(in|by)\s+(the\s+)?$", sentence[max(0, p - 8):p])
                    for p in foreign)
        return False if agent or any(p <= at for p in foreign) else None
    last_own = max((p for p in own if p <= at), default=-1)
    last_foreign = max((p for p in foreign if p <= at), default=-1)
    if last_own == last_foreign == -1:
        return min(own) < min(foreign)
    if -1 < last_own < last_foreign:
        # "The United States, Canada, Australia and others have listed": ours among several
        between = lang.foreign.sub("", lang.authority.sub("", sentence[last_own:last_foreign + 1]))
        if re.fullmatch(r"[\s,]*((and|as well as|the|or)\s*[\s,]*)*\w?", between):
            return True
    return last_own > last_foreign
