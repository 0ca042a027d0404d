"""The status rules, as an incremental fold over a designation's evidence and decisions.

Items are read in effective (publication) order, so history does not depend on arrival order:

- evidence for a higher stage moves the designation up, skipping stages;
- evidence for the same or a lower stage never moves it down, but supports its stage;
- `reversed` evidence moves it one rung down; an analyst's override sets any stage;
- a stage's `since` is the earliest publication among the evidence that reached it.

The fold keeps, per transition, only the first `SHOWN` supporting readings and a count of
the rest, so its size grows with the number of transitions, not of readings. An item that
arrives late either changes nothing, or supports the transition it falls under (no re-fold),
or makes the fold start again from that transition only.
"""

from __future__ import annotations

import bisect
from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import NamedTuple

from tracker.domain.designations import REVERSED, Designation
from tracker.domain.events import (
    EvidenceRecorded,
    EvidenceRejected,
    StageOverridden,
    StatusChanged,
)

SHOWN = 25  # supporting readings kept per transition, earliest first; the rest are counted
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


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
    evidence: tuple[Reading, ...]  # the first SHOWN, in effective order
    evidence_total: int


@dataclass(frozen=True)
class Timeline:
    stage: str | None
    since: datetime | None
    evidence: tuple[Reading, ...]
    history: tuple[Transition, ...]
    evidence_total: int = 0


Item = Reading | Override
Key = tuple[datetime, int]


def key_of(item: Item) -> Key:
    when = item.published_at if isinstance(item, Reading) else item.effective_at
    return (when, item.position)


def micros(when: datetime) -> int:
    """Microseconds since the epoch: the effective time as a sortable integer."""
    return (when - EPOCH) // _MICROSECOND


_MICROSECOND = datetime(1970, 1, 1, 0, 0, 0, 1, tzinfo=UTC) - EPOCH


@dataclass
class Step:
    """One transition being folded, with the readings that support its stage so far."""

    from_stage: str | None
    to_stage: str | None
    key: Key
    recorded_at: str
    cause: str
    reason: str | None
    shown: list[Reading] = field(default_factory=list)
    keys: list[Key] = field(default_factory=list)
    total: int = 0

    def support(self, reading: Reading) -> None:
        self.total += 1
        key = key_of(reading)
        if len(self.keys) < SHOWN or key < self.keys[-1]:
            index = bisect.bisect(self.keys, key)
            self.keys.insert(index, key)
            self.shown.insert(index, reading)
            del self.keys[SHOWN:], self.shown[SHOWN:]

    def transition(self) -> Transition:
        return Transition(self.from_stage, self.to_stage, self.key[0], self.recorded_at,
                          self.key[1], self.cause, self.reason, tuple(self.shown), self.total)

    def copy(self) -> Step:
        return Step(self.from_stage, self.to_stage, self.key, self.recorded_at, self.cause,
                    self.reason, list(self.shown), list(self.keys), self.total)


class Fold:
    """The status rules applied item by item; items may come late, or be taken back."""

    def __init__(self, designation: Designation, rejected: Container[str]) -> None:
        self.designation, self.rejected = designation, rejected
        self.steps: list[Step] = []
        self.keys: list[Key] = []  # each step's key
        self.last: Key | None = None  # the latest key ever taken (a high-water mark)

    @property
    def stage(self) -> str | None:
        return self.steps[-1].to_stage if self.steps else None

    def _effect(self, item: Item, stage: str | None) -> str | None:
        """What the item does after `stage`: None, "support", or the stage it moves to."""
        if isinstance(item, Override):
            return None if item.stage == stage else "move"
        if item.stage == REVERSED:
            return None if stage is None else "move"
        if self.designation.rank(item.stage) > self.designation.rank(stage):
            return "move"
        return "support" if item.stage == stage and self.steps else None

    def feed(self, item: Item) -> None:
        """Take an item whose key is after every key taken so far (or after a cut)."""
        key = key_of(item)
        if self.last is None or key > self.last:
            self.last = key
        if isinstance(item, Reading) and item.observation_id in self.rejected:
            return
        stage = self.stage
        effect = self._effect(item, stage)
        if effect == "support":
            self.steps[-1].support(item)  # type: ignore[arg-type]
        elif effect == "move":
            if isinstance(item, Override):
                new, cause, reason = item.stage, "override", item.reason
            elif item.stage == REVERSED:
                new, cause, reason = self.designation.below(stage), "reversed", None
            else:
                new, cause, reason = item.stage, "evidence", None
            step = Step(stage, new, key, item.recorded_at, cause, reason)
            if isinstance(item, Reading):
                step.support(item)
            self.steps.append(step)
            self.keys.append(key)

    def _span(self, key: Key) -> int:
        """The index of the step whose span holds `key` (-1 before the first)."""
        return bisect.bisect_right(self.keys, key) - 1

    def add(self, item: Item) -> int | None:
        """Take an item at its place; None when done, else the step to fold again from."""
        key = key_of(item)
        if self.last is None or key > self.last:
            self.feed(item)
            return None
        if isinstance(item, Reading) and item.observation_id in self.rejected:
            return None
        at = self._span(key)
        effect = self._effect(item, self.steps[at].to_stage if at >= 0 else None)
        if effect == "support":
            self.steps[at].support(item)  # type: ignore[arg-type]
        return max(at, 0) if effect == "move" else None

    def remove(self, item: Item) -> int | None:
        """Take an item back; None when done, else the step to fold again from."""
        if isinstance(item, Reading) and item.observation_id in self.rejected:
            return None
        at = self._span(key_of(item))
        if at < 0:
            return None  # before the first transition: it changed nothing
        step = self.steps[at]
        if step.key == key_of(item):
            return at
        if isinstance(item, Reading) and item.stage == step.to_stage:
            if key_of(item) in step.keys:
                return at
            step.total -= 1
        return None

    def cut(self, at: int) -> Key | None:
        """Drop the steps from `at` on; the key to feed again from (None: from the start)."""
        start = self.keys[at] if at < len(self.keys) else None
        del self.steps[at:], self.keys[at:]
        return start if at > 0 else None

    def result(self) -> Timeline:
        history = tuple(step.transition() for step in self.steps)
        if not history:
            return Timeline(None, None, (), ())
        last = history[-1]
        return Timeline(last.to_stage, last.since, last.evidence, history, last.evidence_total)

    def copy(self, rejected: Container[str]) -> Fold:
        other = Fold(self.designation, rejected)
        other.steps = [s.copy() for s in self.steps]
        other.keys, other.last = list(self.keys), self.last
        return other


def fold(designation: Designation, items: Iterable[Item], rejected: Container[str],
         as_of: datetime | None = None) -> Timeline:
    """Read the items (in effective order) up to `as_of` and derive the timeline."""
    run = Fold(designation, rejected)
    for item in items:
        if as_of is not None and key_of(item)[0] > as_of:
            break
        run.feed(item)
    return run.result()


def settable(designation: Designation, stage: str | None) -> bool:
    """Whether an override's stage takes part in the rules: no stage, or one of the ladder
    (an older log may hold one since taken off it)."""
    return stage is None or stage in designation.stages


def known(designation: Designation, stage: str | None) -> bool:
    """Whether a reading's stage takes part in the rules (None and unknown stages do not)."""
    return stage is not None and (stage == REVERSED or stage in designation.stages)


@dataclass
class DesignationState:
    """Everything recorded for one designation, in memory, folded as it arrives."""

    designation: Designation
    version: int = 0
    position: int = 0
    recorded_at: str | None = None
    recorded_stage: str | None = None  # the current stage as last announced
    readings: dict[str, Reading] = field(default_factory=dict)  # newest per observation
    rejected: set[str] = field(default_factory=set)
    items: list[Item] = field(default_factory=list)  # sorted by effective time
    _keys: list[Key] = field(default_factory=list)
    _fold: Fold | None = None

    def __post_init__(self) -> None:
        if self._fold is None:
            self._fold = Fold(self.designation, self.rejected)

    def copy(self) -> DesignationState:
        """A copy to decide on: later evolving it leaves this one as it was."""
        rejected = set(self.rejected)
        assert self._fold is not None
        return DesignationState(self.designation, self.version, self.position,
                                self.recorded_at, self.recorded_stage, dict(self.readings),
                                rejected, list(self.items), list(self._keys),
                                self._fold.copy(rejected))

    def _again(self, at: int | None) -> None:
        """Fold again from step `at` on, from the items held."""
        if at is None:
            return
        assert self._fold is not None
        start = self._fold.cut(at)
        index = 0 if start is None else bisect.bisect_left(self._keys, start)
        for item in self.items[index:]:
            self._fold.feed(item)

    def insert(self, item: Item) -> None:
        key = key_of(item)
        index = bisect.bisect(self._keys, key)
        self._keys.insert(index, key)
        self.items.insert(index, item)
        assert self._fold is not None
        self._again(self._fold.add(item))

    def remove(self, item: Item) -> None:
        index = bisect.bisect_left(self._keys, key_of(item))
        del self._keys[index]
        del self.items[index]
        assert self._fold is not None
        self._again(self._fold.remove(item))

    def reject(self, observation_id: str) -> None:
        reading = self.readings.get(observation_id)
        assert self._fold is not None
        at = None
        if reading is not None and known(self.designation, reading.stage):
            at = self._fold.remove(reading)
        self.rejected.add(observation_id)
        self._again(at)

    def timeline(self, as_of: datetime | None = None) -> Timeline:
        """The stage, its since and the history, from the items in effective order."""
        if as_of is not None:
            return fold(self.designation, self.items, self.rejected, as_of)
        assert self._fold is not None
        return self._fold.result()


def reading_of(e: EvidenceRecorded, position: int, recorded_at: str) -> Reading:
    return Reading(e.observation_id, e.stage, e.confidence, e.quote, e.classifier_version,
                   e.feed, e.url, e.title, e.published_at, recorded_at, position)


def override_of(e: StageOverridden, position: int, recorded_at: str) -> Override:
    return Override(e.stage, e.reason, e.effective_at, e.analyst, recorded_at, position)


def evolve(state: DesignationState, event: object, position: int, recorded_at: str,
           version: int | None = None) -> DesignationState:
    """Apply one recorded event (updating `state` in place, for speed) and return it."""
    if isinstance(event, EvidenceRecorded):
        old = state.readings.get(event.observation_id)
        if old is not None and known(state.designation, old.stage):
            state.remove(old)
        reading = reading_of(event, position, recorded_at)
        state.readings[event.observation_id] = reading
        if known(state.designation, reading.stage):
            state.insert(reading)
    elif isinstance(event, StageOverridden):
        if settable(state.designation, event.stage):
            state.insert(override_of(event, position, recorded_at))
    elif isinstance(event, EvidenceRejected):
        state.reject(event.observation_id)
    elif isinstance(event, StatusChanged):
        state.recorded_stage = event.to_stage
    else:
        return state
    state.position, state.recorded_at = position, recorded_at
    state.version = version if version is not None else state.version + 1
    return state
