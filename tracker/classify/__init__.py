"""The stage classifier: which step of a designation an article reports, and the sentence
that proves it. Deterministic and offline: rules over sentences."""

from __future__ import annotations

from dataclasses import dataclass

from tracker.classify.rules import read
from tracker.domain.designations import Article, Designation

# Bump when the rules change: evidence records the version that read it.
CLASSIFIER_VERSION = "rules-2"


@dataclass(frozen=True)
class Verdict:
    """What the classifier makes of one article for one designation: the stage it reports
    (or None), how sure, and the sentence that says so."""

    stage: str | None  # one of the designation's stages, "reversed", or None
    confidence: float
    quote: str | None
    # Where the deciding sentence stands: "headline" (the entry's title) or "body" (its
    # summary or text). A headline alone never confirms a step (see the status rules).
    basis: str = "body"


def classify(article: Article, designation: Designation) -> Verdict:
    hit = read(article, designation)
    if hit is None or (hit.stage != "reversed" and hit.stage not in designation.stages):
        return Verdict(None, 0.0, None)
    return Verdict(hit.stage, hit.confidence, hit.sentence, hit.basis)


__all__ = ["CLASSIFIER_VERSION", "Verdict", "classify"]
