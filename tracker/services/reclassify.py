"""Re-reading the stored observations with the current classifier."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from tracker.config import Catalog
from tracker.domain.events import EntryObserved, EvidenceRecorded
from tracker.domain.timeline import evolve
from tracker.services.designations import DesignationWriter
from tracker.services.followers import Followers
from tracker.services.reader import read_observation
from tracker.store.log import EventLog
from tracker.views import utc


@dataclass(frozen=True)
class ReadingChange:
    designation: str
    observation_id: str
    title: str
    old: str | None
    new: str | None


@dataclass
class Changes:
    readings: list[ReadingChange] = field(default_factory=list)
    stages: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)


def reclassify(log: EventLog, catalog: Catalog, writer: DesignationWriter, followers: Followers,
               since: datetime | None = None, dry_run: bool = False) -> Changes:
    """Compare every stored reading with today's; record the new ones unless `dry_run`.

    The old evidence stays in the log; the status follows the newest reading.
    """
    followers.settle()
    cutoff = utc(since) if since else None
    changes = Changes()
    pending: dict[str, list[EvidenceRecorded]] = defaultdict(list)
    for stored in log.read(types=["EntryObserved"]):
        observation: EntryObserved = stored.decode()
        if cutoff and observation.fetched_at < cutoff:
            continue
        for evidence in read_observation(observation, catalog):
            state = writer.state(evidence.designation)
            old = state.readings.get(evidence.observation_id)
            old_stage = old.stage if old else None
            if old_stage == evidence.stage:
                continue
            changes.readings.append(ReadingChange(evidence.designation, observation.observation_id,
                                                  observation.title, old_stage, evidence.stage))
            pending[evidence.designation].append(evidence)
    for name, evidence in pending.items():
        state = writer.state(name)
        before = state.timeline().stage
        if dry_run:
            scratch = state.copy()
            for i, e in enumerate(evidence):
                evolve(scratch, e, state.position + i + 1, "")
            after = scratch.timeline().stage
        else:
            writer.record(name, evidence)
            after = writer.state(name).timeline().stage
        if before != after:
            changes.stages[name] = (before, after)
    if not dry_run:
        followers.project()
    return changes
