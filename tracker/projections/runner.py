"""Running projections: read after the checkpoint, apply, move the checkpoint, one transaction."""

from __future__ import annotations

import logging
from collections.abc import Callable
from operator import itemgetter
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, Table, delete, text

from tracker.errors import FollowerStopped
from tracker.store.checkpoints import checkpoint_of, save_checkpoint
from tracker.store.database import writing
from tracker.store.faults import transient
from tracker.store.followers import claimed
from tracker.store.log import SELECT, EventLog, StoredEvent, _expanding
from tracker.store.tables import checkpoints

logger = logging.getLogger("tracker.projections")


class Projection(Protocol):
    name: str
    types: frozenset[str]  # the event types it reads
    tables: tuple[Table, ...]  # the tables it owns, emptied on rebuild

    def apply(self, conn: Connection, batch: list[tuple[StoredEvent, Any]]) -> None: ...

    def forget(self) -> None:
        """Drop any in-memory state (after a rebuild, or when another instance moved on)."""


class Runner:
    """Brings projections up to the head of the log."""

    def __init__(self, engine: Engine, batch: int = 20000, source: EventLog | None = None) -> None:
        """Projects into `engine`, reading the log there, or from `source` when given."""
        self.engine, self.batch, self.source = engine, batch, source
        self._seen: dict[str, int] = {}  # the checkpoint each projection's memory matches
        # Followers that met an event they cannot apply: they stay before it, keep serving
        # what they have, and say where and why (in /healthz, /metrics and one log line).
        self.stopped: dict[str, FollowerStopped] = {}

    def step(self, projection: Projection) -> int:
        """Apply one batch; return how many events it read (0 when caught up or busy)."""
        return self._step(projection)[0]

    def _step(self, projection: Projection) -> tuple[int, bool]:
        """How many events one batch read, and whether it reached the head it saw."""
        if projection.name in self.stopped:
            return 0, True
        try:
            return self._apply_batch(projection)
        except Exception as exc:
            if transient(exc):
                raise  # the database's trouble passes; the step is tried again
            projection.forget()
            self._seen.pop(projection.name, None)
            return self._isolate(projection)

    def _isolate(self, projection: Projection) -> tuple[int, bool]:
        """Apply the failed batch an event at a time, each in its own transaction, up to
        the one that cannot be applied; stop the follower before it."""
        moved = 0
        with self.engine.connect() as conn:
            start = checkpoint_of(conn, projection.name)
            _, end, events = self._read(conn, start, projection.types)
        for event in events:
            try:
                with claimed(self.engine, projection.name) as claim:
                    if claim is None or claim.start != start:
                        return moved, True  # another instance moved it meanwhile
                    projection.apply(claim.conn, [(event, event.decode())])
                    claim.end = event.position
            except Exception as exc:
                if transient(exc):
                    raise
                projection.forget()
                self._seen.pop(projection.name, None)
                stop = FollowerStopped(projection.name, event.position,
                                       f"{event.type}: {type(exc).__name__}: {exc}")
                self.stopped[projection.name] = stop
                logger.error("%s; it serves what it had and goes no further until fixed", stop)
                return moved, True
            moved, start = moved + event.position - start, event.position
        self._seen.pop(projection.name, None)
        return moved, False

    def _apply_batch(self, projection: Projection) -> tuple[int, bool]:
        with claimed(self.engine, projection.name) as claim:
            if claim is None:
                return 0, True
            start, conn = claim.start, claim.conn
            if self._seen.get(projection.name) != start:
                projection.forget()
            head, end, events = self._read(conn, start, projection.types)
            if head <= start:
                return 0, True
            if events:
                projection.apply(conn, [(e, e.decode()) for e in events])
            claim.end = end
        self._seen[projection.name] = end
        return end - start, end == head

    def _read(self, conn: Connection, start: int,
              types: frozenset[str]) -> tuple[int, int, list[StoredEvent]]:
        """The log's head, how far this batch reaches, and its events of these types.

        A batch spans at most `batch` positions: bounded by position alone, each read
        touches only its own stretch of the log, whatever the planner knows of the table
        (with no statistics a server database would scan from `start` to the head and sort it all,
        every batch)."""
        if self.source is not None:
            head = self.source.head()[0]
            events = [e for e in self.source.read_batch(start, self.batch, sorted(types))
                      if e.position <= head]
            return head, events[-1].position if len(events) == self.batch else head, events
        head = int(conn.execute(text("SELECT COALESCE(MAX(position), 0) FROM events")).scalar()
                   or 0)
        end = min(head, start + self.batch)
        rows = conn.execute(
            text(f"{SELECT} WHERE position > :a AND position <= :b AND type IN :types")
            .bindparams(_expanding("types", sorted(types))),
            {"a": start, "b": end}).all()
        rows.sort(key=itemgetter(0))
        return head, end, [StoredEvent._make(row) for row in rows]

    def catch_up(self, projection: Projection,
                 progress: Callable[[int], None] | None = None) -> None:
        while True:
            moved, at_head = self._step(projection)
            if moved and progress:
                progress(self._seen[projection.name])
            if at_head:  # no second transaction just to find nothing new
                return

    def _stop_where(self, projections: list[Projection], start: int,
                    types: frozenset[str]) -> None:
        """After a rebuild's batch failed: apply it again an event at a time, in a
        transaction rolled back after, to name the position that cannot be applied."""
        for projection in projections:
            projection.forget()
        conn = self.engine.connect()
        searching = conn.begin()
        try:
            _, _, events = self._read(conn, start, types)
            for event in events:
                for projection in projections:
                    if event.type not in projection.types:
                        continue
                    try:
                        projection.apply(conn, [(event, event.decode())])
                    except Exception as exc:
                        if not transient(exc):
                            self.stopped[projection.name] = FollowerStopped(
                                projection.name, event.position,
                                f"{event.type}: {type(exc).__name__}: {exc}")
                        return
        finally:
            searching.rollback()
            conn.close()
            for projection in projections:
                projection.forget()
                self._seen.pop(projection.name, None)

    def rebuild(self, projections: list[Projection],
                progress: Callable[[int], None] | None = None) -> None:
        """Empty the projections' tables and checkpoints, then replay the log from 0 into all
        of them in one pass over it."""
        with writing(self.engine) as conn:
            for projection in projections:
                for table in projection.tables:
                    conn.execute(delete(table))
                conn.execute(delete(checkpoints).where(checkpoints.c.name == projection.name))
        types = frozenset().union(*(p.types for p in projections))
        for projection in projections:
            projection.forget()
            self._seen.pop(projection.name, None)
        self.stopped = {}
        start = 0
        while True:
            try:
                with writing(self.engine, durable=False, bulk=True) as conn:
                    head, end, events = self._read(conn, start, types)
                    if head <= start:
                        return
                    decoded = [(e, e.decode()) for e in events]
                    for projection in projections:
                        mine = [pair for pair in decoded if pair[0].type in projection.types]
                        if mine:
                            projection.apply(conn, mine)
                        save_checkpoint(conn, projection.name, end)
            except Exception as exc:
                if not transient(exc):
                    self._stop_where(projections, start, types)
                raise
            for projection in projections:
                self._seen[projection.name] = end
            start = end
            if progress:
                progress(end)
