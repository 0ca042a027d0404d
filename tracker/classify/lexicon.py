"""The language of each stage, shared by every designation (names come from feeds.yaml)."""

from __future__ import annotations

import re


def words(*patterns: str) -> re.Pattern[str]:
    """One pattern of alternatives, matched against lowercased text (Python's re is several
    times slower on long alternations with IGNORECASE)."""
    return re.compile("|".join(f"(?:{p.lower()})" for p in patterns))


# Any word that can carry a step: sentences without one are not read further.
CUE = re.compile(r"remov|delist|lift|list|ban|terror|designat|exclu|drop|struck|strik|off |"
                 r"no longer|petition|bill|court|withdr|reinstat|proscri|back on|status")


# What the designation is: a list of terrorist or banned organisations, or a ban.
LIST = words(
    r"\b(terror(ist)?|terrorism|banned|prohibited|extremist|proscribed)\b[\w\s,'-]{0,40}"
    r"\b(list|register|registry|blacklist|organi[sz]ations?|groups?|designation)",
    r"\blist of (banned|terror|prohibited|outlawed)", r"\bblacklist", r"\bterror(ist)? list",
    r"\bban\b", r"\bbanned\b", r"\bdesignation\b", r"\bterrorist (organi[sz]ation|group|status)",
    r"\bdelist", r"\bterror(ist)? label",
)

# Taking the group off the list, said of a step that happened.
REMOVED = words(
    r"\b(has|have|had)\s+(now\s+|officially\s+|formally\s+|finally\s+)?(been\s+)?"
    r"(removed|delisted|dropped|struck|lifted|suspended|excluded|scrapped)",
    r"\b(has|have|had)\s+(officially\s+)?taken\s+(the\s+)?[\w-]+(\s+[\w-]+)?\s+off\b",
    r"\b(has|have|had|was|were)\s+(been\s+)?taken\s+off\b",
    r"\b(was|were|is|are)\s+(now\s+|officially\s+|formally\s+)?(removed|delisted|dropped|struck|"
    r"taken off|excluded|no longer)",
    r"(?<!be )(?<!being )\b(removed|delisted|dropped|struck)\s+(the\s+)?\w*\s*(from|off)\b",
    r"\b(removes|delists|drops|lifts|suspends|scraps|strikes)\b",
    r"\blifted\s+(the|its|a)\s+(ban|designation|terror)", r"\bsuspended\s+(the|its)\s+ban",
    r"\bno longer (considered|designated|listed|banned|recognised|recognized|deemed|on)\b",
    r"\bofficially (removed|delisted|lifted)", r"\bthe removal of\b.{0,60}\b(took effect|came into)",
    r"\bended (the|a|its) (ban|designation)",
)

# A court decided, in favour of removal.
COURT = words(r"\bsupreme court\b", r"\bcourt\b", r"\bjudges?\b", r"\bjudicial\b")
COURT_APPROVED = words(
    r"\bcourt\b[^.]{0,80}\b(approved|approves|granted|grants|upheld|satisfied|ruled|rules|"
    r"lifted|lifts|suspended|suspends|removed|removes|sided|agreed|accepted|endorsed)\b",
    r"\b(approved|granted|backed|endorsed)\s+by\s+(the\s+)?(supreme\s+)?court",
    r"\b(approval|ruling|decision|verdict)\s+(by|of|from)\s+(the\s+)?(supreme\s+)?court\b",
    r"\bcourt('s)?\s+(ruling|decision|verdict|approval)\b",
)

# A formal step toward removal: a recommendation, a bill, a petition to the court.
PROPOSED = words(
    r"\b(has|have|had)\s+(officially\s+|formally\s+)?(proposed|recommended|submitted|filed|"
    r"lodged|introduced|presented|tabled|petitioned|asked|requested|sent)",
    r"\b(formally|officially)\s+(proposed|recommended|requested|asked)",
    r"\b(proposed|recommended|submitted|filed|lodged|introduced|presented|tabled|petitioned|"
    r"requested|sent)\b",
    r"\b(propose|proposes|recommend|recommends|submit|submits|file|files|petition|petitions|"
    r"ask|asks|request|requests|seek|seeks|urge|urges|urged)\b",
    r"\b(bill|draft law|draft legislation|petition|motion|lawsuit|proposal|request|"
    r"application)\b",
)

# Thinking about it: no formal step yet.
CONSIDERED = words(
    r"\bconsider(s|ed|ing)?\b", r"\bweigh(s|ed|ing)?\b", r"\bmull(s|ed|ing)?\b",
    r"\bexplor(e|es|ed|ing)\b", r"\b(review|reviewing|reassess|reassessing|reconsider\w*)\b",
    r"\bdiscuss(es|ed|ing|ion|ions)?\b", r"\bdeliberat\w+", r"\bstud(y|ies|ying)\b",
    r"\blooking (into|at)\b", r"\bopen to\b", r"\bthe (possibility|prospect|question) of\b",
    r"\b(plans?|planning|intends?|intention|prepar\w+|ready|expected|set|likely|poised|"
    r"moving|aims?|seeks?)\s+to\b", r"\b(may|might|could|would|will|shall|should|can)\s+(soon\s+)?"
    r"(be\s+)?(remove|removed|delist|delisted|lift|lifted|drop|dropped|take|taken|strike|exclude)",
    r"\b(signal(l)?ed|hinted|suggested|said)\b[^.]{0,40}\b(remov|delist|lift)",
    r"\bno (final )?decision\b", r"\bsteps? (towards?|toward)\b", r"\bpush(es|ed|ing)? for\b",
)

# Whether the group stays listed, as an open question.
STAYS_LISTED = words(
    r"\b(whether|if)\b[^.]{0,60}\b(stay|stays|remain|remains|be kept|keep|kept)\b[^.]{0,40}"
    r"\b(list|ban|designation)",
    r"\b(future|fate) of\b[^.]{0,40}\b(designation|listing|ban)\b",
)

# The court has the case before it: a petition filed, not yet decided.
COURT_PENDING = words(
    r"\bcourt\b[^.]{0,60}\b(to hear|will hear|hearing|to consider|will consider|to review|"
    r"will review|to examine|scheduled|set to rule|date)\b[^.]{0,60}\b(petition|request|motion|"
    r"case|lawsuit|application)",
    r"\b(petition|request|motion|lawsuit|application)\b[^.]{0,80}\b(supreme\s+)?court\b",
)

# Taking the group off a list, in any tense.
REMOVAL = words(
    r"\bremov", r"\bdelist", r"\blift", r"\btak(e|es|ing|en)\s+(the\s+)?[\w-]+(\s+[\w-]+)?\s+off\b",
    r"\btak(e|es|ing|en)\s+off\b", r"\b(strik\w*|struck)\s+([\w-]+\s+)?(off|from)\b", r"\bexclu",
    r"\bdrop", r"\bsuspen\w*\s+(of\s+)?(the|its)\s+ban", r"\bend\w*\s+(the|its)\s+(ban|designation)",
    r"\bno longer\b", r"\bunban", r"\bderegist", r"\bremoval\b", r"\boff (the|its|a) [\w\s]{0,20}list",
)

# Undoing a step: a withdrawn proposal, a refused petition, the group put back.
REVERSED = words(
    r"\bwithdr(ew|awn|aws|awing)\b[^.]{0,60}\b(bill|proposal|petition|motion|request|"
    r"recommendation|application)",
    r"\b(bill|proposal|petition|motion|request|application)\b[^.]{0,80}\b(withdrawn|rejected|"
    r"refused|dismissed|denied|thrown out|turned down|shelved|scrapped|blocked)\b",
    r"\bcourt\b[^.]{0,60}\b(rejected|refused|dismissed|denied|threw out|turned down|declined)\b",
    r"\b(rejected|refused|dismissed|denied|threw out|turned down|declined|blocked|shelved)\b"
    r"[^.]{0,30}\b(the\s+)?(prosecutor'?s?\s+|government'?s?\s+|ministry'?s?\s+)?"
    r"(bill|petition|motion|request|proposal|application|appeal)",
    r"\b(reinstated|restored|re-?imposed|returned)\b[^.]{0,40}\b(ban|list|designation)",
    r"\bput\b[^.]{0,30}\bback on\b",
)

# A statement that nothing is happening (not a step, nor a reversal of one).
NEGATED = words(
    r"\b(no|not any)\s+(plans?|intention|proposal|move|decision)s?\s+to\b",
    r"\bhas no plans?\b", r"\bnot\s+(considering|planning|going|weighing|preparing|about|"
    r"discussing)\b", r"\bruled out\b", r"\bruling out\b", r"\brules out\b",
    r"\b(denied|denies|deny|dismissed|dismisses|refuted|refutes)\s+(\w+\s+){0,2}(reports?|"
    r"claims?|rumou?rs?|speculation|suggestions?|plans?|that)\b", r"\bnot on the agenda\b",
    r"\b(will|would|does|do|did|has|have)\s+not\s+(remove|delist|lift|drop|consider|propose)",
    r"\b(won't|wouldn't|doesn't|didn't|hasn't|haven't)\s+(remove|delist|lift|drop|consider)",
    r"\b(reject|refuse|resist)(s|ed|d)?\s+(calls|demands|pressure|suggestions|proposals)\b",
    r"\bnever\b[^.]{0,20}\b(remove|delist|lift)",
    r"\bpremature\b", r"\bno (such )?(step|move)s?\b",
)

# Maybe, later, if: a report of intent, not of a step taken (a proposal is still a proposal
# when it asks the court "to remove"; a removal "to remove" is not yet done).
MODAL_PROPOSAL = words(
    # (not "a bill that would allow": the modality is the bill's, the bill is real)
    r"(?<!that )(?<!which )\b(may|might|could|would|will|shall|should)\b(?!\s+not)",
    r"\bif\b", r"\bwhether\b",
    r"\b(plans?|planning|intends?|expected|likely|poised|hopes?)\s+to\b",
    r"\bpossib(le|ly|ility)\b", r"\bpotential(ly)?\b", r"\bconsider(s|ing)\b",
)
MODAL = words(
    r"\bto (remove|delist|lift|drop|take|strike|exclude|suspend)\b",
    r"\b(may|might|could|would|will|shall|should)\b(?!\s+not)", r"\bif\b", r"\bwhether\b",
    r"\b(plans?|planning|intends?|prepar\w+|expected|set|likely|poised|aims?|seeks?|hopes?)\s+to\b",
    r"\bpossib(le|ly|ility)\b", r"\bpotential(ly)?\b", r"\bcould soon\b", r"\bconsider\w*\b",
    r"\bready to\b",
)

# The original listing, mentioned as history: not a step of the removal.
LISTING = words(
    r"\b(recogni[sz]ed|declared|designated|labell?ed|branded|listed|added|banned|outlawed|"
    r"put|placed|blacklisted)\b[^.]{0,60}\b(as (a )?terror|terrorist|on (its|the) list|ban)",
    r"\bsince (19|20)\d\d\b", r"\bin (19|20)0\d\b", r"\b(19|20)0[0-9]\b[^.]{0,40}\b(banned|ruling)",
    r"\boriginal(ly)? (ban|listing|designation)\b",
)

# Lists that belong to someone else.
OTHER_LISTS = words(
    r"\b(UN|U\.N\.|united nations|security council|1988 committee|1267)\b[^.]{0,60}"
    r"\b(list|sanctions?|committee|travel ban)",
    r"\b(sanctions?)\s+(list|regime)\b[^.]{0,40}\b(UN|U\.N\.|united nations|security council)",
)

FOREIGN = (
    "Kazakhstan", "Kazakh", "Kyrgyzstan", "Kyrgyz", "Uzbekistan", "Uzbek", "Tajikistan", "Tajik",
    "Turkmenistan", "Belarus", "Belarusian", "China", "Chinese", "Beijing", "Iran", "Iranian",
    "Tehran", "Pakistan", "Pakistani", "Islamabad", "India", "Indian", "United States", "U.S.",
    "US", "American", "Washington", "Canada", "Canadian", "Britain", "British", "UK", "U.K.",
    "European Union", "EU", "Germany", "German", "France", "French", "Turkey", "Turkish",
    "Azerbaijan", "Qatar", "Saudi", "United Nations", "UN", "U.N.", "Security Council",
    "Kabul", "Afghan government", "Ukraine", "Ukrainian", "Kyiv", "Japan", "Australia",
)
