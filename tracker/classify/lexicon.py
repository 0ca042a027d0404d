"""The language of each step, shared by every designation: what a listing and a removal are
called, what a court, a parliament and a government do to make one binding, how a formal
proposal and mere deliberation are said, and how a sentence hedges, denies or looks back.

Nothing here names a group, a country or an outlet: those come from feeds.yaml (and other
jurisdictions from the gazetteer in `places`). Patterns are matched against lowercased text
(Python's re is several times slower on long alternations with IGNORECASE)."""

from __future__ import annotations

import re


def words(*patterns: str) -> re.Pattern[str]:
    """One pattern of alternatives."""
    return re.compile("|".join(f"(?:{p.lower()})" for p in patterns))


_LABEL = r"(terror\w*|extremis\w*|undesirable|proscribed|banned|prohibited|outlawed|fto)"

# Putting a group on a list, in any tense.
LISTING = words(
    r"\bdesignat\w*", r"\bproscri\w*", r"\bblacklist\w*", r"\boutlaw\w*",
    r"\bban(s|ned|ning)?\b", r"\b(add|adds|added|adding|include[sd]?|including|plac\w+|put|puts|"
    r"putting|enter\w*)\b[^.;]{0,60}\b" + _LABEL + r"[^.;]{0,30}\b(lists?|registers?|registry)\b",
    r"\blisted\b[^.;]{0,200}\bas (an? )?(foreign )?(terror\w*|fto)",
    r"\b(add|adds|added|adding|include[sd]?|including|plac\w+|put|puts|putting|enter\w*)\b"
    r"[^.;]{0,80}\b(list|register|registry) of [\"'\u201c\u2018]?(\w+\s+)?" + _LABEL,
    r"\blist(s|ed|ing)?\b[^.;]{0,110}\b" + _LABEL,
    r"\b(found|ruled|finds|rules|declared)\b[^.;]{0,40}\bguilty of\b[^.;]{0,20}" + _LABEL,
    r"\b" + _LABEL + r"[^.;]{0,30}\blist(ed|ing)\b",
    r"\b(recogni[sz]\w*|declar\w*|label\w*|brand\w*|classif\w*|class(es|ed|ing)?|treat\w*|"
    r"deem\w*|nam(e|es|ed|ing))\b"
    r"[^.;]{0,150}?\b(as\s+)?(an?\s+|the\s+)?[\"'\u201c\u2018]?" + _LABEL,
    r"\b(fto|terrorist) (status|label|tag)\b", r"\bliquidat\w*",
    # a ban said as its effect: "end the company's activity"
    r"\b(end|ends|ending|halt|halts|halted|stop|stops|stopped|shut\w* down|terminat\w+|cease)\b"
    r"[^.;]{0,30}\b(activit(y|ies))\b",
    r"\bactivit(y|ies)\b[^.;]{0,30}\b(ended|halted|stopped|terminated|shut down)\b",
)

# Taking a group off a list, in any tense.
REMOVAL = words(
    r"\bremov\w*", r"\bdelist\w*", r"\bde-?proscri\w*", r"\bunban\w*", r"\bderegist\w*",
    r"\btak(e|es|ing|en)\b[^.;]{0,40}\boff\b", r"\btook\b[^.;]{0,40}\boff\b",
    r"\b(strik\w*|struck)\b[^.;]{0,40}\b(off|from)\b", r"\bexclu\w*",
    r"\blift\w*\b[^.;]{0,40}\b(ban|designation|status|label|listing|prohibition)",
    r"\b(ban|designation|status|label|listing|prohibition)\b[^.;]{0,30}\blift\w*",
    r"\b(suspen\w*|revok\w*|revoc\w*|rescind\w*|end\w*)\b[^.;]{0,50}\b(ban|designation|listing|"
    r"terrorist status|prohibition)",
    r"\bno longer\b[^.;]{0,30}\b(list|ban|designat|terror|consider|recogni|deem|proscri)",
    r"\boff (the|its|a) [\w\s-]{0,30}list",
)

# A court at work.
COURT = words(r"\bcourts?\b", r"\bjudges?\b", r"\bjudicial\b", r"\btribunal\b", r"\bjustices?\b")

# What a court says when it decides a case (for the process, or against it).
COURT_RULED = words(
    r"\b(ruled|rules|ruling|upheld|upholds|upholding|granted|grants|satisfied|approved|approves|"
    r"sided|declared|declares|recogni[sz]ed|recogni[sz]es|found|finds|banned|bans|designated|"
    r"designates|outlawed|outlaws|ordered|orders|agreed|accepted|endorsed|lifted|lifts|labell?ed|"
    r"branded|classified|"
    r"removed|removes|confirmed|decided|decides|verdict|judgment|judgement|decision)\b",
)

# A court or a government saying no to the process, or undoing it.
REFUSED = words(
    r"\b(rejected|rejects|refused|refuses|dismissed|dismisses|denied|denies|threw out|throws out|"
    r"turned down|turns down|declined|declines)\b",
)
# A court undoing the designation or the decision to make it.
QUASHED = words(
    r"\b(overturn\w*|quash\w*|annul\w*|struck down|strikes down|strike down|set aside|sets aside|"
    r"invalidat\w+)\b",
    r"\b(ruled|rules|found|finds|held|holds|declared|acted)\b[^.;]{0,80}\b(unlawful\w*|illegal\w*|"
    r"disproportionate\w*|unconstitutional\w*|invalid|error|erred|flawed|irrational)\b",
)
# What a refusal can be of that leaves the designation standing: a bid to undo it.
UNDOING = words(r"\b(overturn|quash|annul|cancel|revoke|reverse|block|halt|stop|delay|pause|"
                r"set aside|drop the case|end the case)\b")
# Whose request a court refused: the group's own bid is not the process turned back.
OWN_BID = words(
    r"\b(appeal|appeals|challenge|challenges|complaint|complaints|bid|bids|motion to|"
    r"application to (lift|overturn|quash|halt|block|suspend)|attempt|lawsuit against|"
    r"request to (lift|overturn|quash|halt|block|suspend|delay))\b",
)
PROCESS_REQUEST = words(
    r"\b(prosecutor\w*|ministry\w*|government\w*|state'?s?|authorit\w+)\b[^.;]{0,40}\b(request|"
    r"petition|claim|lawsuit|motion|application|suit|case)\b",
    r"\b(request|petition|claim|lawsuit|motion|application|suit)\b[^.;]{0,30}\b(by|of|from)\b"
    r"[^.;]{0,20}\b(prosecutor\w*|ministry|government)",
)

# A plan or proposal halted, dropped or undone.
HALTED = words(
    r"\bwithdr(ew|awn|aws|awing|awal)\b[^.;]{0,60}\b(bill|proposal|petition|motion|request|"
    r"recommendation|application|plan|designation|order|lawsuit|claim|suit|case)",
    r"\b(bill|proposal|petition|motion|request|application|plan|plans|designation|order|move)\b"
    r"[^.;]{0,100}\b(was|were|is|are|been|being|got|gets)\s+(\w+\s+)?(withdrawn|shelved|scrapped|"
    r"abandoned|dropped|paused|halted|put on hold|frozen|suspended)\b",
    r"\b(bill|proposal|petition|plan|plans|designation|order|move)\b[^.;]{0,60}\bon hold\b",
    r"\b(gave up|given up|giving up|gives up|backed away from|walked back|dropp\w+ (its |the )?plans?|"
    r"puts? off|putting off|hold(s|ing)? off|held off|hold(s|ing)? back|held back)"
    r"\b[^.;]{0,60}\b(designat\w*|proscri\w*|listing|classif\w*|plan|plans|proposal|move|nam\w+|"
    r"list|label|tag|delist\w*|remov\w*|lift\w*)",
    r"\b(postpon\w+|delay\w*|defer\w*)\b[^.;]{0,30}\b(designat\w*|proscri\w*|listing|label|removal)",
    r"\b(shelv\w+|scrapp\w+|abandon\w*|paus\w+|halt\w*|froze|freez\w+|put on hold|"
    r"puts on hold|putting on hold|back(ed|s)? down)\b[^.;]{0,60}\b(designat\w*|proscri\w*|"
    r"listing|classif\w*|plan|proposal|move|bill|delist\w*|removal|label|tag)",
)

# The binding step, said of a fact: in force, taken effect, published, signed, done.
IN_FORCE = words(
    r"\b(came|entered|went)\s+into\s+(force|effect)\b", r"\b(took|has taken)\s+effect\b",
    r"(?<!before )(?<!until )(?<!from )\b(come|comes|enters|goes)\s+into\s+(force|effect)\b",
    r"(?<!before )(?<!until )(?<!from )(?<!to )\btakes\s+effect\b",
    r"(?<!not )(?<!not yet )\bin force\b", r"\beffective (immediately|from|as of|on)\b",
    r"\bpublished\b[^.;]{0,40}\b(register|gazette|journal)\b",
    r"\b(federal register|official journal|gazette)\b",
    r"\b(it is now|it's now|it became|became|is now|it has become)\b[^.;]{0,20}\b(a criminal "
    r"offen[cs]e|illegal|a crime|an offen[cs]e)\b",
    r"\b(remains|remained|stays|stayed)\s+(listed|banned|proscribed|designated|outlawed|on the)\b",
    r"\b(designation|ban|label|listing|status|proscription)\b[^.;]{0,20}\b(was|were|has been|had been)\s+"
    r"(applied|imposed|extended|issued|confirmed|upheld)\b",
)
# The last steps of a parliamentary order before it is in force.
PARLIAMENT_ACT = words(
    r"\b(parliament|mps|peers|lords|commons|house|houses|senate|duma|deputies|lawmakers|"
    r"legislat\w+|assembly)\b[^.;]{0,60}\b(approved|approves|passed|passes|backed|backs|voted|"
    r"votes|endorsed|adopted|adopts|cleared|clears)\b",
)
# A formal act that moves the process on without deciding it.
FORMAL = words(
    r"\b(filed|files|filing|lodged|lodges|submitted|submits|petitioned|petitions|applied|"
    r"applies|sued|sues|tabled|tables|introduced|introduces|laid|lays(?! groundwork)|laying(?! groundwork)|"
    r"recommended|recommends|recommendation|referred|refers|notified|notifies|notification|"
    r"sent|sends|forwarded|formally proposed|officially proposed|moved to|initiated|initiates|"
    r"launched|launches|started|starts|began|begins|opened|opens)\b",
    r"\b(ask|asked|asks|asking|request|requested|requests|requesting|sought|seeks|seeking|urged)\b[^.;]{0,60}"
    r"\b(court|judges?|tribunal)\b",
    r"\b(court|judges?|tribunal)\b[^.;]{0,60}\b(asked|asking|requested|petition|request|claim|lawsuit|"
    r"motion|suit|application|case)\b",
    r"\b(bill|draft law|draft legislation|draft order|draft decree|legislation|order|"
    r"statutory instrument|notice of intent|notice|executive order|memorandum|directive)\b"
    r"(?<!in order)",
    r"\b(petition|lawsuit|claim|request|motion|application|suit)\b",
    r"\b(signed|signs|passed|passes|adopted|adopts|approved|approves)\s+(a|the|an)\s+(new\s+)?law\b",
    r"\b(case|hearing)\b[^.;]{0,100}\b(set down|scheduled|set for|listed for|adjourned|postponed|"
    r"pushed back|moved)\b",
    r"\b(decision|decided|agreed|agreement) in principle\b", r"\b(agreed|agrees) to\b",
    r"\bpolitical agreement\b", r"\b(hearing|hearings|trial|session|proceedings)\b",
    r"\b(to|will|would) hear\b",
    r"\b(postponed|adjourned|scheduled|rescheduled|deferred)\b",
    r"\b(proposal|proposed|proposes|propose)\b",
    r"\b(decided|decision|determined|determination) to\b(?! (explore|consider|study|review|"
    r"discuss|examine|weigh|look|assess|evaluate|begin talks|seek|ask))",
    r"\bstarted the process\b", r"\b(a|the|its|this)\s+(\w+\s+)?move to\b",
    r"\bprocess (of|to|for)\b", r"\b(acted|acts|moved|moves) to\b",
    r"\b(took|taken|taking|takes) (the )?(first |formal )?steps? to\b",
)

# Deliberation, calls and pledges: no formal act yet.
DELIBERATION = words(
    r"\bconsider\w*", r"\bweigh\w*", r"\bmull\w*", r"\bexplor\w+", r"\breview\w*",
    r"\breassess\w*", r"\bdiscuss\w*", r"\bdebat\w+", r"\bdeliberat\w+", r"\bstud(y|ies|ying|ied)\b",
    r"\blook(s|ed|ing)? (into|at)\b", r"\bopen to\b", r"\b(possibility|prospect|question|idea) of\b",
    r"\bcall(s|ed|ing)? (for|on)\b", r"\burg(e|es|ed|ing)\b", r"\bpush(es|ed|ing)? for\b",
    r"\bpress(es|ed|ing)? (for|to)\b", r"\bdemand\w*", r"\bpledg\w+", r"\bpromis\w+", r"\bvow\w*",
    r"\bthreat\w*", r"\bpetition(s|ed)? (the government|ministers)\b", r"\bin favou?r of\b",
    r"\bplanned\b",
    r"\b(plans?|planning|intends?|intention|prepar\w+|ready|expected|set|likely|poised|moving|"
    r"aims?|wants?|would like|hopes?|seeks?|seeking|sought) to\b",
    r"\bsupport(s|ed)? (the )?(idea|move|call)",
    r"\b(may|might|could|would|will|shall|should|can)\b", r"\bsignal\w*", r"\bhint\w*",
    r"\bno (final )?decision\b", r"\bsteps? (towards?|toward)\b",
    r"\bmov(e|es|ing) (toward|towards|closer)\b",
    r"\bwork(s|ed|ing)? (on|toward|towards)\b", r"\bassess\w*", r"\bevaluat\w+",
)

# The step is not (yet) taken, or nobody intends it.
DENIED = words(
    r"\b(no|not any)\s+(plans?|intention|proposal|move|decision)s?\s+to\b", r"\bno plans?\b",
    r"\bnot\s+(considering|planning|going|weighing|preparing|about|discussing|seeking)\b",
    r"\bruled out\b", r"\bruling out\b", r"\brules out\b", r"\bnot on the agenda\b",
    r"\b(denied|denies|deny|dismissed|dismisses|refuted|refutes)\s+(\w+\s+){0,2}(reports?|claims?|"
    r"rumou?rs?|speculation|suggestions?|plans?|that)\b",
    r"\b(will|would|does|do|did|has|have|had|is|are|was|were|could|can)\s+not\s+(be\s+)?"
    r"(remov|delist|lift|drop|consider|propos|designat|proscri|ban|list|add|outlaw|put|place|name|"
    r"declar|brand|classif)",
    r"\b(legally |politically )?(impossible|not possible)\b", r"\bno legal basis\b",
    r"\b(won't|wouldn't|doesn't|don't|didn't|hasn't|haven't|isn't|aren't|wasn't|weren't|"
    r"cannot|can't)\s+(be\s+)?(remov|delist|lift|drop|consider|propos|designat|proscri|ban|list|"
    r"add|outlaw|put|place|name|declar|brand|classif)",
    r"\b(denied|denies|deny)\s+(that\s+)?(it|they|he|she)\s+(had|has|have|was|were|is|are)\b",
    r"\bcold water on\b", r"\b(hits?|hitting) back at\b",
    r"\b(refus\w+|reject\w*|resist\w*|declin\w+|rebuff\w*|brush\w* aside|dismiss\w*)\s+"
    r"(the\s+)?(calls|demands|pressure|suggestions|proposals|to)\b", r"\bnever\b", r"\bpremature\b",
    r"\bno (such )?(step|move)s?\b",
    r"\b(rather than|instead of|short of|stopp\w+ short)\b", r"\bnot\s+(yet\s+)?(been\s+)?"
    r"(designat|proscri|list|ban|remov|delist)\w*",
)

# The step in the future or as a condition: intent, not a step taken.
HEDGED = words(
    r"(?<!that )(?<!which )\b(may|might|could|would|will|shall|should|can|must|ought)\b",
    r"\bif\b", r"\bwhether\b", r"\bunless\b", r"\bonce\b",
    r"\b(plans?|planning|intends?|expected|likely|poised|set|hopes?|ready|prepar\w+|aims?|"
    r"wants?|moving|going|seeks?|seeking|sought|vow\w*|pledg\w+|promis\w+|threaten\w*|"
    r"call\w*|urg\w+|push\w*) to\b",
    r"\bpossib(le|ly|ility)\b", r"\bpotential(ly)?\b", r"\bproposed\b", r"\bproposal\b",
    r"\bdraft\w*", r"\bbeing prepared\b", r"\bprepar\w+\b", r"\bgroundwork\b",
    r"\b(bring|brings|bringing) in\b",
    r"\bconsider\w*\b", r"\bweigh\w*", r"\bcalls? for\b", r"\bwhat would\b",
)

# Lists and labels: the sentence speaks of a list at all.
ABOUT_LIST = words(
    r"\b(list|lists|listed|listing|register|registry|blacklist\w*|designat\w*|proscri\w*|"
    r"terror\w*|extremis\w*|undesirable|banned|ban|bans|outlaw\w*|fto)\b",
)

# Before a place that is a destination or a partner, not an actor: "envoy for X", "ties with X".
NOT_ACTOR = re.compile(r"\b(for|with|to|from|about|into|toward|towards|against|across|between|"
                       r"among|within|inside|over|through)\s+(the\s+)?$", re.IGNORECASE)

# A year: a step dated before the article's year is history.
YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")

# A place's adjective describing a group: "X mercenary organisation", "X-backed militia".
GROUP_NOUN = re.compile(r"(-\w+)?(\s+[a-z-]+){0,2}\s+(group|groups|organi[sz]ation|movement|"
                        r"regiment|battalion|network|militia|outfit|cartels?|mercenar\w+)\b")

# Words that refer back to a group named earlier.
ANAPHOR = words(
    r"\bthe ((?!other|rival|another|new|second|same|former)[a-z-]+\s+){0,2}"
    r"(group|groups|organi[sz]ation|organi[sz]ations|movement|regiment|battalion|network|"
    r"foundation|company|firm|corporation|cartels?|militia|force|corps|guards?|outfit|entity|"
    r"entities|party|brotherhood|unit|mercenar\w+|campaign|collective)\b",
    r"\bits\b", r"\bthe (ban|proscription)\b",
)

# A bare status tag after a name: "(banned in X)", "(designated terrorist in X)".
TAG = re.compile(r"\([^)]{0,80}\)")

# A mention of people or a part of the group, not of the group itself.
PART_BEFORE = words(r"\b(founder|co-?founder|leader|head|chief|member|members|supporters?|"
                    r"fighters?|commanders?|employees|staff|allies|ally|director|spokes\w+|"
                    r"activists?|wing|branch|affiliates?) of (the )?(\w+('s|\u2019s) )?$")
# A legislature's motion or resolution: a call on the government, unless parliament decides.
_LEGISLATORS = r"(mps|house|commons|parliament|lawmakers|senate|senators|congress|congressmen|" \
               r"representatives|deputies|legislat\w+)"
MOTION = words(r"\b(motion|resolution)\b[^.;]{0,80}\b" + _LEGISLATORS + r"\b",
               r"\b" + _LEGISLATORS + r"\b[^.;]{0,80}\b(motion|resolution)\b",
               r"\bthe motion\b", r"\bnon-binding\b")
PART_AFTER = words(r"^('s|\u2019s)?\s*(founder|co-?founder|leader|leaders|head|chief|member|members|"
                   r"supporters?|fighters?|commanders?|employees|staff|activists?|armed wing|"
                   r"military wing|political wing|wing|branch|affiliates?|prisoners?|soldiers?)\b")
