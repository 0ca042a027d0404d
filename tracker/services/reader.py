"""The reader: follows the log's observations and records the classifier's evidence, and
the official evidence of the lists' changes."""

from __future__ import annotations

import logging
import threading
from collections import defaultdict

from sqlalchemy import Engine

from tracker import classify as classifier
from tracker.config import Catalog
from tracker.domain.designations import Article
from tracker.domain.events import EntryObserved, EvidenceRecorded
from tracker.errors import FollowerStopped
from tracker.lists.watch import official_readings
from tracker.services.designations import DesignationWriter
from tracker.store.faults import transient
from tracker.store.followers import claimed
from tracker.store.log import EventLog

NAME = "reader"
logger = logging.getLogger("tracker.reader")


def article_of(e: EntryObserved) -> Article:
    return Article(title=e.title, summary=e.summary, content=e.content,
                   published=e.published_at, url=e.link)


def date_source(e: EntryObserved) -> str:
    """Where an observation's date came from, as evidence records it."""
    return {"page": "page", "fetched": "first_seen"}.get(e.published_source, "feed")


def read_observation(e: EntryObserved, catalog: Catalog) -> list[EvidenceRecorded]:
    """The current classifier's readings of one observation, one per designation it
    concerns."""
    names = e.designations or tuple(catalog.designations)
    out = []
    for name in names:
        designation = catalog.designations.get(name)
        if designation is None:
            continue
        reading = classifier.classify(article_of(e), designation)
        out.append(EvidenceRecorded(name, e.observation_id, reading.stage, reading.confidence,
                                    reading.quote, classifier.CLASSIFIER_VERSION, e.feed, e.link,
                                    e.title, e.published_at, reading.basis, date_source(e)))
    return out


def worth_recording(e: EvidenceRecorded, writer: DesignationWriter) -> bool:
    """A reading that finds nothing is recorded only to supersede an earlier one that did."""
    if e.stage is not None:
        return True
    old = writer.state(e.designation).readings.get(e.observation_id)
    return old is not None and old.stage is not None


class Reader:
    """A checkpointed follower; evidence keys make a repeated batch harmless."""

    def __init__(self, engine: Engine, log: EventLog, catalog: Catalog,
                 writer: DesignationWriter, batch: int = 500) -> None:
        self.engine, self.log, self.catalog, self.writer = engine, log, catalog, writer
        self.batch = batch
        self._lock = threading.Lock()
        self.stopped: FollowerStopped | None = None  # an observation it cannot read

    def step(self) -> int:
        """Read one batch of observations; return how many events it moved past."""
        return self._step()[0]

    def _step(self) -> tuple[int, bool]:
        """How many events one batch moved past, and whether it reached the head it saw."""
        # Its evidence is appended to the log in transactions of its own: the checkpoint
        # moves after them (apart).
        with self._lock, claimed(self.engine, NAME, apart=True) as claim:
            if claim is None:  # another instance reads now
                return 0, True
            claim.end, at_head = self._read(claim.start)
            return claim.end - claim.start, at_head

    def _read(self, start: int) -> tuple[int, bool]:
        if self.stopped is not None:
            return start, True
        head, _ = self.log.head()
        stored = self.log.read_batch(start, self.batch, types=["EntryObserved", "ListChanged"])
        stored = [s for s in stored if s.position <= head]
        by_designation: dict[str, list[EvidenceRecorded]] = defaultdict(list)
        for n, s in enumerate(stored):
            try:
                if s.type == "ListChanged":  # an official list's entries came or went
                    found = official_readings(s, s.decode(), self.catalog, self.log)
                else:
                    found = [e for e in read_observation(s.decode(), self.catalog)
                             if worth_recording(e, self.writer)]
            except Exception as exc:
                if transient(exc):
                    raise
                # Stop before it: what came before is recorded, it is not retried forever.
                self.stopped = FollowerStopped(NAME, s.position,
                                               f"{s.type}: {type(exc).__name__}: {exc}")
                logger.error("%s; it goes no further until fixed", self.stopped)
                stored, head = stored[:n], s.position - 1
                break
            for e in found:
                by_designation[e.designation].append(e)
        for name, evidence in by_designation.items():
            self.writer.record(name, evidence)
        if len(stored) == self.batch:
            return stored[-1].position, False
        return head, True

    def catch_up(self) -> None:
        while True:
            moved, at_head = self._step()
            if at_head or not moved:
                return
