"""Designations and the articles the classifier reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

REVERSED = "reversed"
DEFAULT_STAGES = ("considered", "proposed", "court-approved")
CHANGES = ("listing", "removal")  # the process puts the group on the list, or takes it off
DECIDERS = ("court", "parliament", "executive")  # who takes the binding last step


@dataclass(frozen=True)
class Confirm:
    """What confirms a step up, and what withdraws one (the README's status rules)."""

    confidence: float = 0.8  # a body reading at or above this states the step plainly
    sources: int = 2  # independent sites whose agreeing readings confirm a step
    against: int = 2  # the fewest independent sites reporting a lower step that withdraw one


@dataclass(frozen=True)
class Designation:
    """One entry on one authority's list, with its ordered ladder of stages."""

    id: str
    title: str
    subject: tuple[str, ...]
    authority: tuple[str, ...]
    stages: tuple[str, ...] = DEFAULT_STAGES
    change: str = "removal"
    decided_by: str = "court"
    confirm: Confirm = Confirm()
    list_name: str | None = None  # "Russia's federal list of terrorist organisations"

    def rank(self, stage: str | None) -> int:
        """0 for no stage, 1 for the first rung, and so on."""
        return 0 if stage is None else self.stages.index(stage) + 1

    def below(self, stage: str | None) -> str | None:
        """The rung under `stage` (None under the first)."""
        rank = self.rank(stage)
        return self.stages[rank - 2] if rank >= 2 else None


@dataclass(frozen=True)
class Article:
    """What the classifier reads of one observation."""

    title: str = ""
    summary: str = ""
    content: str = ""
    published: datetime | None = None
    url: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
