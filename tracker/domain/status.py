"""The status rules, as a fold over a designation's evidence and analysts' decisions.

`evolve` takes the designation's recorded events in log order; `timeline` then reads
them in effective (publication) order, so history does not depend on arrival order:

- evidence for a higher stage moves the designation up, skipping stages;
- evidence for the same or a lower stage never moves it down, but supports its stage;
- `reversed` evidence moves it one rung down; an analyst's override sets any stage;
- a stage's `since` is the earliest publication among the evidence that reached it.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import datetime

from tracker.domain.designations import REVERSED, Designation
from tracker.domain.events import (
    EvidenceRecorded,
    EvidenceRejected,
    StageOverridden,
    StatusChanged,
)


@dataclass(frozen=True)
class Reading:
    """One piece of evidence as the status rules use it."""

    observation_id: str
    stage: str | None
    confidence: float
    quote: str | None
    classifier_version: str
    feed: str
    url: str | None
    title: str
    published_at: datetime
    recorded_at: str
    position: int


@dataclass(frozen=True)
class Override:
    stage: str | None
    reason: str
    effective_at: datetime
    analyst: str | None
    recorded_at: str
    position: int


@dataclass(frozen=True)
class Transition:
    from_stage: str | None
    to_stage: str | None
    since: datetime
    recorded_at: str
    position: int
    cause: str  # evidence | reversed | override
    reason: str | None
    evidence: tuple[Reading, ...]


@dataclass(frozen=True)
class Timeline:
    stage: str | None
    since: datetime | None
    evidence: tuple[Reading, ...]
    history: tuple[Transition, ...]


_Item = Reading | Override


def _key(item: _Item) -> tuple[datetime, int]:
    when = item.published_at if isinstance(item, Reading) else item.effective_at
    return (when, item.position)


@dataclass
class DesignationState:
    """Everything recorded for one designation, folded in log order."""

    designation: Designation
    version: int = 0
    position: int = 0
    recorded_at: str | None = None
    recorded_stage: str | None = None  # the current stage as last announced
    readings: dict[str, Reading] = field(default_factory=dict)  # newest per observation
    rejected: dict[str, str] = field(default_factory=dict)  # observation -> reason
    items: list[_Item] = field(default_factory=list)  # sorted by effective time
    _keys: list[tuple[datetime, int]] = field(default_factory=list)

    def _insert(self, item: _Item) -> None:
        key = _key(item)
        index = bisect.bisect(self._keys, key)
        self._keys.insert(index, key)
        self.items.insert(index, item)

    def _remove(self, item: _Item) -> None:
        index = bisect.bisect_left(self._keys, _key(item))
        del self._keys[index]
        del self.items[index]

    def timeline(self, as_of: datetime | None = None) -> Timeline:
        return fold(self.designation, self.items, self.rejected, as_of)


def evolve(state: DesignationState, event: object, position: int, recorded_at: str,
           version: int | None = None) -> DesignationState:
    """Apply one recorded event (updating `state` in place, for speed) and return it."""
    if isinstance(event, EvidenceRecorded):
        old = state.readings.get(event.observation_id)
        if old is not None and old.stage is not None:
            state._remove(old)
        reading = Reading(event.observation_id, event.stage, event.confidence, event.quote,
                          event.classifier_version, event.feed, event.url, event.title,
                          event.published_at, recorded_at, position)
        state.readings[event.observation_id] = reading
        if reading.stage is not None and _known(state.designation, reading.stage):
            state._insert(reading)
    elif isinstance(event, StageOverridden):
        state._insert(Override(event.stage, event.reason, event.effective_at, event.analyst,
                               recorded_at, position))
    elif isinstance(event, EvidenceRejected):
        state.rejected[event.observation_id] = event.reason
    elif isinstance(event, StatusChanged):
        state.recorded_stage = event.to_stage
    else:
        return state
    state.position, state.recorded_at = position, recorded_at
    state.version = version if version is not None else state.version + 1
    return state


def _known(designation: Designation, stage: str) -> bool:
    return stage == REVERSED or stage in designation.stages


def fold(designation: Designation, items: list[_Item], rejected: dict[str, str],
         as_of: datetime | None = None) -> Timeline:
    """Read the items in effective order and derive the stage, its since and the history."""
    stage: str | None = None
    since: datetime | None = None
    history: list[Transition] = []
    supports: list[list[Reading]] = []
    support: list[Reading] = []
    for item in items:
        when, _ = _key(item)
        if as_of is not None and when > as_of:
            break
        if isinstance(item, Reading):
            if item.observation_id in rejected:
                continue
            if item.stage == REVERSED:
                if stage is None:
                    continue
                new, cause, reason = designation.below(stage), "reversed", None
            elif designation.rank(item.stage) > designation.rank(stage):
                new, cause, reason = item.stage, "evidence", None
            else:
                if item.stage == stage:
                    support.append(item)
                continue
        else:
            if item.stage == stage:
                continue
            new, cause, reason = item.stage, "override", item.reason
        if history:
            supports.append(support)
        support = [item] if isinstance(item, Reading) else []
        history.append(Transition(stage, new, when, item.recorded_at, item.position, cause,
                                  reason, ()))
        stage, since = new, when
    if history:
        supports.append(support)
        history = [
            Transition(t.from_stage, t.to_stage, t.since, t.recorded_at, t.position, t.cause,
                       t.reason, tuple(s))
            for t, s in zip(history, supports, strict=True)
        ]
    return Timeline(stage, since, tuple(support) if history else (), tuple(history))
