"""One designation's status as it is recorded: the fold of tracker/domain/status.py fed
event by event, by the writer (in memory) and by the status projection (from its tables)."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from tracker.domain.designations import Designation
from tracker.domain.events import (
    EvidenceRecorded,
    EvidenceRejected,
    OverrideWithdrawn,
    StageOverridden,
    StatusChanged,
)
from tracker.domain.status import (
    Fold,
    Item,
    Key,
    Override,
    Reading,
    Timeline,
    fold,
    key_of,
    known,
    settable,
    withdrawn_key,
)

Source = Callable[[Key | None], Iterable[Item]]  # a designation's items from a key on


class DesignationTimeline:
    """One designation's status fold, fed event by event, by the writer (which decides what
    is announced) and by the status projection (what the API serves) alike.

    When an item makes part of the fold start again, that part is read back from a source
    (the writer's items in memory, the projection's tables) at `settle`; items that fall in
    that part meanwhile are left to the source."""

    def __init__(self, designation: Designation, rejected: set[str] | None = None) -> None:
        self.designation = designation
        self.rejected = rejected if rejected is not None else set()
        self.fold = Fold(designation, self.rejected)
        self.dirty = False  # some steps were cut: fold again from `again` (None: the start)
        self.again: Key | None = None

    def copy(self) -> DesignationTimeline:
        other = DesignationTimeline(self.designation, set(self.rejected))
        other.fold = self.fold.copy(other.rejected)
        other.dirty, other.again = self.dirty, self.again
        return other

    def apply(self, event: object, position: int, recorded_at: str,
              previous: Reading | None) -> Reading | None:
        """Take one event; `previous` is the newest earlier reading of the observation it
        names. Returns the event's reading, for evidence."""
        if isinstance(event, EvidenceRecorded):
            reading = reading_of(event, position, recorded_at)
            if previous is not None and known(self.designation, previous.stage):
                self._remove(previous)
            if known(self.designation, reading.stage):
                self._add(reading)
            return reading
        if isinstance(event, StageOverridden):
            if settable(self.designation, event.stage):  # an older log's stage off the ladder
                self._add(override_of(event, position, recorded_at))
        elif isinstance(event, OverrideWithdrawn):
            # Rare: fold again from the start, with the override ruled out.
            self.rejected.add(withdrawn_key(event.override_position))
            self._cut(0)
        elif isinstance(event, EvidenceRejected):
            at = None
            if previous is not None and known(self.designation, previous.stage) \
                    and not self._pending(previous):
                at = self.fold.remove(previous)
            self.rejected.add(event.observation_id)
            self._cut(at)
        return None

    def _pending(self, item: Item) -> bool:
        """Whether the item lies in the part to be read back from the source."""
        return self.dirty and (self.again is None or key_of(item) >= self.again)

    def _add(self, item: Item) -> None:
        if not self._pending(item):
            self._cut(self.fold.add(item))

    def _remove(self, item: Item) -> None:
        if not self._pending(item):
            self._cut(self.fold.remove(item))

    def _cut(self, at: int | None) -> None:
        if at is None:
            return
        start = self.fold.cut(at)
        if not self.dirty:
            self.again = start
        elif self.again is not None:
            self.again = None if start is None else min(self.again, start)
        self.dirty = True

    def settle(self, source: Source) -> None:
        """Fold again the cut part, from the source (which holds every item by now)."""
        if self.dirty:
            for item in source(self.again):
                self.fold.feed(item)
            self.dirty, self.again = False, None

    def result(self) -> Timeline:
        assert not self.dirty, "settle before reading the result"
        return self.fold.result()


@dataclass
class DesignationState:
    """Everything recorded for one designation, in memory, folded as it arrives."""

    designation: Designation
    version: int = 0
    position: int = 0
    recorded_at: str | None = None
    recorded_stage: str | None = None  # the current stage as last announced
    readings: dict[str, Reading] = field(default_factory=dict)  # newest per observation
    items: list[Item] = field(default_factory=list)  # sorted by effective time
    _keys: list[Key] = field(default_factory=list)
    status: DesignationTimeline | None = None

    def __post_init__(self) -> None:
        if self.status is None:
            self.status = DesignationTimeline(self.designation)

    @property
    def rejected(self) -> set[str]:
        assert self.status is not None
        return self.status.rejected

    def copy(self) -> DesignationState:
        """A copy to decide on: later evolving it leaves this one as it was."""
        assert self.status is not None
        return DesignationState(self.designation, self.version, self.position,
                                self.recorded_at, self.recorded_stage, dict(self.readings),
                                list(self.items), list(self._keys), self.status.copy())

    def _from(self, after: Key | None) -> Iterable[Item]:
        return self.items[0 if after is None else bisect.bisect_left(self._keys, after):]

    def _hold(self, item: Item) -> None:
        key = key_of(item)
        index = bisect.bisect(self._keys, key)
        self._keys.insert(index, key)
        self.items.insert(index, item)

    def _drop(self, item: Item) -> None:
        index = bisect.bisect_left(self._keys, key_of(item))
        del self._keys[index], self.items[index]

    def timeline(self, as_of: datetime | None = None) -> Timeline:
        """The stage, its since and the history, from the items in effective order."""
        if as_of is not None:
            return fold(self.designation, self.items, self.rejected, as_of)
        assert self.status is not None
        return self.status.result()


def reading_of(e: EvidenceRecorded, position: int, recorded_at: str) -> Reading:
    return Reading(e.observation_id, e.stage, e.confidence, e.quote, e.classifier_version,
                   e.feed, e.url, e.title, e.published_at, recorded_at, position, e.basis,
                   e.date_source)


def override_of(e: StageOverridden, position: int, recorded_at: str) -> Override:
    return Override(e.stage, e.reason, e.effective_at, e.analyst, recorded_at, position)


def evolve(state: DesignationState, event: object, position: int, recorded_at: str,
           version: int | None = None) -> DesignationState:
    """Apply one recorded event (updating `state` in place, for speed) and return it."""
    status = state.status
    assert status is not None
    if isinstance(event, EvidenceRecorded):
        old = state.readings.get(event.observation_id)
        if old is not None and known(state.designation, old.stage):
            state._drop(old)
        reading = status.apply(event, position, recorded_at, old)
        assert reading is not None
        state.readings[event.observation_id] = reading
        if known(state.designation, reading.stage):
            state._hold(reading)
    elif isinstance(event, StageOverridden):
        if settable(state.designation, event.stage):
            state._hold(override_of(event, position, recorded_at))
        status.apply(event, position, recorded_at, None)
    elif isinstance(event, EvidenceRejected):
        status.apply(event, position, recorded_at, state.readings.get(event.observation_id))
    elif isinstance(event, OverrideWithdrawn):
        status.apply(event, position, recorded_at, None)
    elif isinstance(event, StatusChanged):
        state.recorded_stage = event.to_stage
    else:
        return state
    status.settle(state._from)
    state.position, state.recorded_at = position, recorded_at
    state.version = version if version is not None else state.version + 1
    return state
