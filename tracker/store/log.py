"""The append-only event log: one total order, per-stream versions, a hash chain.

Appends are serialised: each append transaction takes one lock (its backend's), and
positions are assigned under it as head + 1, so transactions commit in position order and
a follower that has read up to N never later finds a committed event below N.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Engine, bindparam, text
from sqlalchemy.exc import DBAPIError

from tracker.errors import ConcurrencyConflict
from tracker.store.backend import LogWriter
from tracker.store.database import backend_of
from tracker.store.events import (  # noqa: F401 (the log's names, as its callers know them)
    GENESIS,
    SELECT,
    Appended,
    Built,
    NewEvent,
    StoredEvent,
    Tip,
    build,
    event_hash,
    iso_of,
    now_iso,
)


class EventLog:
    """Append, read and look up events; never update or delete them."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._backend = backend_of(engine)
        self._writer: LogWriter | None = None
        self._tip = Tip()

    def append(self, new: Sequence[NewEvent],
               expected: Mapping[str, int] | None = None) -> Appended:
        """Write the events whose keys are new, atomically; return every one as stored.

        `expected` maps streams to the version the writer last saw; if any stream moved
        on, nothing is written and ConcurrencyConflict is raised.
        """
        # Events with aliases (observations) are the ones that arrive again by another
        # route: their keys are looked up first. The others are written on the tip.
        on_tip = not expected and not any(e.aliases for e in new)

        def work(raw: Any) -> Built:
            return ((on_tip and self._append_on_tip(raw, new))
                    or self._append(raw, new, expected or {}))

        writer = self._writer or self._open_writer()
        try:
            built = writer.run(work)
        except DBAPIError as e:
            # Appends check out without a ping (a round trip each): a connection the server
            # dropped is found on first use, and the append tried once more on a fresh one
            # (the keys make a retry safe).
            if not e.connection_invalidated:
                raise
            built = writer.run(work)
        self._tip.remember(built)
        return Appended(built.result, built.written)

    def _open_writer(self) -> LogWriter:
        self._writer = self._backend.writer(self.engine)
        return self._writer

    def _append_on_tip(self, raw: Any, new: Sequence[NewEvent]) -> Built | None:
        """The append built on the head this log last left, assuming its keys are new and
        the streams it has not written are too; None, nothing written, if the backend finds
        any of that not so."""
        known = self._tip.known()
        if known is None:
            return None
        head, versions = known
        built = build(new, {}, {}, head, versions)
        if not built.written:
            return None
        unseen = sorted({e.stream for e in new if e.stream not in versions})
        return built if self._backend.write_on(raw, head[0], built, unseen) else None

    def _append(self, raw: Any, new: Sequence[NewEvent],
                expected: Mapping[str, int]) -> Built:
        """The append after reading, under the append lock, the streams' versions, the keys
        already known and the head."""
        streams = sorted({e.stream for e in new} | set(expected))
        keys = [e.idempotency_key for e in new]
        for e in new:
            if e.aliases:
                keys.extend(e.aliases)
        versions, positions, head = self._backend.state(raw, streams, keys)
        for stream, version in expected.items():
            if versions.get(stream, 0) != version:
                raise ConcurrencyConflict(stream, version, versions.get(stream, 0))
        known: dict[str, StoredEvent] = {}
        if positions:
            by_position = self._backend.events_at(raw, set(positions.values()))
            known = {key: by_position[p] for key, p in positions.items()}
        built = build(new, known, versions, head or (0, GENESIS))
        if built.written:
            self._backend.write(raw, built)
        return built

    def find(self, key: str) -> StoredEvent | None:
        """The event known by an idempotency key or alias, if any."""
        with self.engine.connect() as conn:
            position = conn.execute(text("SELECT position FROM event_keys WHERE key = :k"),
                                    {"k": key}).scalar()
        return None if position is None else self.at(position)

    def read(self, after: int = 0, limit: int | None = None, batch: int = 2000,
             types: Sequence[str] | None = None) -> Iterator[StoredEvent]:
        """Events after a position, in order, fetched in batches so memory stays flat."""
        remaining = limit
        while remaining is None or remaining > 0:
            size = batch if remaining is None else min(batch, remaining)
            rows = self.read_batch(after, size, types)
            yield from rows
            if len(rows) < size:
                return
            after = rows[-1].position
            if remaining is not None:
                remaining -= len(rows)

    def read_batch(self, after: int, size: int,
                   types: Sequence[str] | None = None) -> list[StoredEvent]:
        sql = f"{SELECT} WHERE position > :after"
        params: dict[str, Any] = {"after": after, "size": size}
        if types:
            sql += " AND type IN :types"
        stmt = text(sql + " ORDER BY position LIMIT :size")
        if types:
            stmt = stmt.bindparams(_expanding("types", list(types)))
        with self.engine.connect() as conn:
            return [StoredEvent._make(row) for row in conn.execute(stmt, params).fetchall()]

    def read_stream(self, stream: str, after_version: int = 0) -> list[StoredEvent]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                text(f"{SELECT} WHERE stream = :s AND version > :v ORDER BY version"),
                {"s": stream, "v": after_version})
            return [StoredEvent._make(row) for row in rows]

    def head(self) -> tuple[int, str]:
        """The last position and its hash; (0, GENESIS) for an empty log."""
        with self.engine.connect() as conn:
            row = conn.execute(text(
                "SELECT position, hash FROM events ORDER BY position DESC LIMIT 1")).first()
        return (row[0], row[1]) if row else (0, GENESIS)

    def at(self, position: int) -> StoredEvent | None:
        with self.engine.connect() as conn:
            row = conn.execute(text(f"{SELECT} WHERE position = :p"), {"p": position}).first()
        return StoredEvent._make(row) if row else None


def _expanding(name: str, values: list[Any]) -> Any:
    return bindparam(name, value=values, expanding=True)
