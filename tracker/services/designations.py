"""Writing to a designation's stream: evidence, analysts' decisions, and the status changes
they cause, appended together under the stream's expected version."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

from tracker.domain.designations import Designation
from tracker.domain.events import (
    EvidenceRecorded,
    StatusChanged,
)
from tracker.domain.status import Timeline
from tracker.domain.timeline import DesignationState, evolve
from tracker.errors import ConcurrencyConflict
from tracker.metrics import Metrics
from tracker.store.log import EventLog, NewEvent, StoredEvent

ATTEMPTS = 20
logger = logging.getLogger("tracker.status")


def stream_of(designation: str) -> str:
    return f"designation-{designation}"


def evidence_key(e: EvidenceRecorded) -> str:
    return f"evidence:{e.designation}:{e.observation_id}:{e.classifier_version}"


def announcement(designation: Designation, recorded: str | None,
                 timeline: Timeline) -> StatusChanged | None:
    """The StatusChanged that brings the recorded stage to the timeline's, if it differs: a
    fall that no reversal or override explains is a step withdrawn by later news."""
    if timeline.stage == recorded:
        return None
    current = next((t for t in reversed(timeline.history) if t.withdrawn is None), None)
    # a stage recorded before the ladder was edited may be off it: no fall to judge then
    falls = recorded in designation.stages and \
        designation.rank(timeline.stage) < designation.rank(recorded)
    if falls and (current is None or current.cause == "evidence"):
        withdrawn = [t.withdrawn for t in timeline.history if t.withdrawn is not None]
        if withdrawn:
            last = max(withdrawn, key=lambda w: (w.at, w.position))
            return StatusChanged(designation.id, recorded, timeline.stage, last.at,
                                 "correction",
                                 tuple(r.observation_id for r in last.evidence[:10]))
    if current is None or timeline.since is None:
        return None
    return StatusChanged(designation.id, recorded, timeline.stage, timeline.since,
                         current.cause, tuple(r.observation_id for r in timeline.evidence[:10]))


class DesignationWriter:
    """Keeps each designation's state in memory, in step with its stream."""

    def __init__(self, log: EventLog, designations: dict[str, Designation],
                 metrics: Metrics | None = None) -> None:
        self.log = log
        self.metrics = metrics or Metrics()
        self.designations = designations
        self._states: dict[str, DesignationState] = {}
        self._lock = threading.Lock()

    def state(self, name: str) -> DesignationState:
        """The designation's state, brought up to the stream's head."""
        with self._lock:
            state = self._states.get(name) or DesignationState(self.designations[name])
            for stored in self.log.read_stream(stream_of(name), state.version):
                evolve(state, stored.decode(), stored.position, stored.recorded_at,
                       stored.version)
            self._states[name] = state
            return state

    def record(self, name: str, events: Sequence[Any]) -> list[StoredEvent]:
        """Append evidence or decisions, each followed by the StatusChanged it causes."""
        for _ in range(ATTEMPTS):
            state = self.state(name)
            new = self._decide(state, events)
            try:
                appended = self.log.append(new, expected={stream_of(name): state.version})
            except ConcurrencyConflict:
                continue
            self._tell(appended.written)
            return appended.written
        raise ConcurrencyConflict(stream_of(name), -1, -1)

    def _tell(self, written: list[StoredEvent]) -> None:
        """Count what was recorded, and log each transition: the lines worth knowing."""
        for stored in written:
            event = stored.decode()
            if isinstance(event, EvidenceRecorded):
                self.metrics.evidence.labels(event.stage or "none").inc()
            elif isinstance(event, StatusChanged):
                self.metrics.transitions.labels(event.designation).inc()
                logger.info("transition %s: %s -> %s since %s (%s, position %d)",
                            event.designation, event.from_stage or "none",
                            event.to_stage or "none", event.since.date(), event.cause,
                            stored.position)

    def _decide(self, state: DesignationState, events: Sequence[Any]) -> list[NewEvent]:
        scratch = state.copy()
        stream = stream_of(state.designation.id)
        out: list[NewEvent] = []
        version = state.version
        for event in events:
            if isinstance(event, EvidenceRecorded):
                key = evidence_key(event)
                old = scratch.readings.get(event.observation_id)
                if old is not None and old.classifier_version == event.classifier_version:
                    continue  # this reading is already recorded
            else:
                key = f"decision:{state.designation.id}:{version + 1}"
            version += 1
            out.append(NewEvent.of(stream, event, key))
            evolve(scratch, event, scratch.position + 1, scratch.recorded_at or "", version)
            change = announcement(state.designation, scratch.recorded_stage,
                                  scratch.timeline())
            if change is not None:
                version += 1
                out.append(NewEvent.of(stream, change, f"status:{state.designation.id}:{version}"))
                evolve(scratch, change, scratch.position + 1, scratch.recorded_at or "", version)
        return out


