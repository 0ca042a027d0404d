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
from typing import NamedTuple

from tracker.domain.designations import REVERSED, Designation
from tracker.domain.events import (
    EvidenceRecorded,
    EvidenceRejected,
    StageOverridden,
    StatusChanged,
)


class Reading(NamedTuple):
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


class Override(NamedTuple):
    stage: str | None
    reason: str
    effective_at: datetime
    analyst: str | None
    recorded_at: str
    position: int


class Transition(NamedTuple):
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


class _Fold:
    """The status rules applied item by item in effective order; resumable at the end."""

    def __init__(self, designation: Designation, rejected: dict[str, str]) -> None:
        self.designation, self.rejected = designation, rejected
        self.stage: str | None = None
        self.since: datetime | None = None
        self.history: list[Transition] = []
        self.supports: list[list[Reading]] = []
        self.count = 0  # how many items have been fed

    def feed(self, item: _Item) -> None:
        self.count += 1
        when, _ = _key(item)
        designation, stage = self.designation, self.stage
        if isinstance(item, Reading):
            if item.observation_id in self.rejected:
                return
            if item.stage == REVERSED:
                if stage is None:
                    return
                new, cause, reason = designation.below(stage), "reversed", None
            elif designation.rank(item.stage) > designation.rank(stage):
                new, cause, reason = item.stage, "evidence", None
            else:
                if item.stage == stage and self.supports:
                    self.supports[-1].append(item)
                return
        else:
            if item.stage == stage:
                return
            new, cause, reason = item.stage, "override", item.reason
        self.supports.append([item] if isinstance(item, Reading) else [])
        self.history.append(Transition(stage, new, when, item.recorded_at, item.position, cause,
                                       reason, ()))
        self.stage, self.since = new, when

    def copy(self) -> _Fold:
        other = _Fold(self.designation, self.rejected)
        other.stage, other.since, other.count = self.stage, self.since, self.count
        other.history = list(self.history)
        other.supports = [*self.supports[:-1], list(self.supports[-1])] if self.supports else []
        return other

    def result(self) -> Timeline:
        history = tuple(
            Transition(t.from_stage, t.to_stage, t.since, t.recorded_at, t.position, t.cause,
                       t.reason, tuple(s))
            for t, s in zip(self.history, self.supports, strict=True))
        support = tuple(self.supports[-1]) if self.supports else ()
        return Timeline(self.stage, self.since, support, history)


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
    _fold: _Fold | None = None  # the fold of items[:_fold.count], while still valid

    def copy(self) -> DesignationState:
        """A copy to decide on: later evolving it leaves this one as it was."""
        other = DesignationState(self.designation, self.version, self.position,
                                 self.recorded_at, self.recorded_stage, dict(self.readings),
                                 dict(self.rejected), list(self.items), list(self._keys))
        if self._fold is not None:
            other._fold = self._fold.copy()
            other._fold.rejected = other.rejected
        return other

    def _insert(self, item: _Item) -> None:
        key = _key(item)
        index = bisect.bisect(self._keys, key)
        self._keys.insert(index, key)
        self.items.insert(index, item)
        if self._fold is not None and index < self._fold.count:
            self._fold = None  # an earlier item arrived late: fold again from the start

    def _remove(self, item: _Item) -> None:
        index = bisect.bisect_left(self._keys, _key(item))
        del self._keys[index]
        del self.items[index]
        self._fold = None

    def timeline(self, as_of: datetime | None = None) -> Timeline:
        """The stage, its since and the history, from the items in effective order."""
        if as_of is not None:
            return fold(self.designation, self.items, self.rejected, as_of)
        if self._fold is None:
            self._fold = _Fold(self.designation, self.rejected)
        for item in self.items[self._fold.count:]:
            self._fold.feed(item)
        return self._fold.result()


def evolve(state: DesignationState, event: object, position: int, recorded_at: str,
           version: int | None = None) -> DesignationState:
    """Apply one recorded event (updating `state` in place, for speed) and return it."""
    if isinstance(event, EvidenceRecorded):
        old = state.readings.get(event.observation_id)
        if old is not None and old.stage is not None and _known(state.designation, old.stage):
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
        state._fold = None
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
    """Read the items in effective order, up to `as_of`, and derive the timeline."""
    run = _Fold(designation, rejected)
    for item in items:
        if as_of is not None and _key(item)[0] > as_of:
            break
        run.feed(item)
    return run.result()
