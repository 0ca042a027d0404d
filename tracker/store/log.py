"""The append-only event log: one total order, per-stream versions, a hash chain.

Appends are serialised: on PostgreSQL each append transaction first takes one
transaction-scoped advisory lock, on SQLite it begins IMMEDIATE and so holds the
database's write lock. Positions are assigned under that lock as head + 1, so
transactions commit in position order and a follower that has read up to N never
later finds a committed event below N.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence, Sized
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, Engine, bindparam, text

from tracker.errors import ConcurrencyConflict
from tracker.store import codec
from tracker.store.database import insert_many, is_postgres, writing
from tracker.store.tables import event_keys, events

GENESIS = "0" * 64
# An arbitrary constant naming the log's append lock among PostgreSQL advisory locks.
APPEND_LOCK = 7_465_326_110


@dataclass(frozen=True)
class NewEvent:
    """An event to append: its stream, its encoded form and the keys it is known by."""

    stream: str
    type: str
    type_version: int
    payload: str
    idempotency_key: str
    aliases: tuple[str, ...] = ()

    @classmethod
    def of(cls, stream: str, event: Any, key: str, aliases: Sequence[str] = ()) -> NewEvent:
        name, version, payload = codec.encode(event)
        return cls(stream, name, version, payload, key, tuple(a for a in aliases if a != key))


class StoredEvent(NamedTuple):
    """One event as the log holds it (a named tuple: reading a long log builds millions)."""

    position: int
    stream: str
    version: int
    type: str
    type_version: int
    payload: str
    idempotency_key: str
    recorded_at: str
    prev_hash: str
    hash: str

    def decode(self) -> Any:
        return codec.decode(self.type, self.type_version, self.payload)

    def as_dict(self) -> dict[str, Any]:
        return self._asdict()


@dataclass(frozen=True)
class Appended:
    """Each requested event as it stands in the log, and which of them this append wrote."""

    events: list[StoredEvent]
    written: list[StoredEvent]


_COLUMNS = ("position", "stream", "version", "type", "type_version", "payload",
            "idempotency_key", "recorded_at", "prev_hash", "hash")
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM events"


def now_iso() -> str:
    """The log's timestamp format: UTC, microseconds, fixed width, sorts as text."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(prev_hash: str, position: int, stream: str, version: int, type_: str,
               type_version: int, payload: str, key: str, recorded_at: str) -> str:
    """SHA-256 over the previous hash and the canonical encoding of the event."""
    body = codec.canonical_json([position, stream, version, type_, type_version, payload, key,
                                 recorded_at])
    return hashlib.sha256(f"{prev_hash}\n{body}".encode()).hexdigest()


class EventLog:
    """Append, read and look up events; never update or delete them."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._postgres = is_postgres(engine)

    def append(self, new: Sequence[NewEvent],
               expected: Mapping[str, int] | None = None) -> Appended:
        """Write the events whose keys are new, atomically; return every one as stored.

        `expected` maps streams to the version the writer last saw; if any stream moved
        on, nothing is written and ConcurrencyConflict is raised.
        """
        with writing(self.engine) as conn:
            if self._postgres:
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": APPEND_LOCK})
            result = self._append(conn, new, expected or {})
        return result

    def _append(self, conn: Connection, new: Sequence[NewEvent],
                expected: Mapping[str, int]) -> Appended:
        versions = self._stream_versions(conn, {e.stream for e in new} | set(expected))
        for stream, version in expected.items():
            if versions.get(stream, 0) != version:
                raise ConcurrencyConflict(stream, version, versions.get(stream, 0))
        known = self._known(conn, [k for e in new for k in (e.idempotency_key, *e.aliases)])
        head = conn.exec_driver_sql(
            "SELECT position, hash FROM events ORDER BY position DESC LIMIT 1").first()
        position, prev = (head[0], head[1]) if head else (0, GENESIS)
        recorded_at = now_iso()
        result: list[StoredEvent] = []
        written: list[StoredEvent] = []
        claimed: dict[str, StoredEvent] = {}
        for e in new:
            keys = (e.idempotency_key, *e.aliases)
            existing = next((known.get(k) or claimed.get(k) for k in keys
                             if k in known or k in claimed), None)
            if existing is not None:
                result.append(existing)
                continue
            position += 1
            version = versions.get(e.stream, 0) + 1
            versions[e.stream] = version
            digest = event_hash(prev, position, e.stream, version, e.type, e.type_version,
                                e.payload, e.idempotency_key, recorded_at)
            stored = StoredEvent(position, e.stream, version, e.type, e.type_version,
                                 e.payload, e.idempotency_key, recorded_at, prev, digest)
            prev = digest
            result.append(stored)
            written.append(stored)
            for k in keys:
                claimed.setdefault(k, stored)
        if written:
            insert_many(conn, events, [s.as_dict() for s in written])
            insert_many(conn, event_keys, [
                {"key": k, "position": s.position} for k, s in claimed.items()])
        return Appended(result, written)

    def _stream_versions(self, conn: Connection, streams: set[str]) -> dict[str, int]:
        if not streams:
            return {}
        rows = conn.exec_driver_sql(
            f"SELECT stream, MAX(version) FROM events WHERE stream IN ({_marks(conn, streams)}) "
            "GROUP BY stream", tuple(streams))
        return {stream: version for stream, version in rows}

    def _known(self, conn: Connection, keys: list[str]) -> dict[str, StoredEvent]:
        if not keys:
            return {}
        found: dict[str, StoredEvent] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            # The hot path of every append: straight to the driver, no statement building.
            rows = conn.exec_driver_sql(
                f"SELECT k.key, {', '.join('e.' + c for c in _COLUMNS)} FROM event_keys k "
                f"JOIN events e ON e.position = k.position WHERE k.key IN ({_marks(conn, chunk)})",
                tuple(chunk))
            for key, *row in rows:
                found[key] = StoredEvent._make(row)
        return found

    def find(self, key: str) -> StoredEvent | None:
        """The event known by an idempotency key or alias, if any."""
        with self.engine.connect() as conn:
            return self._known(conn, [key]).get(key)

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
        sql = f"{_SELECT} WHERE position > :after"
        params: dict[str, Any] = {"after": after, "size": size}
        if types:
            sql += " AND type IN :types"
        stmt = text(sql + " ORDER BY position LIMIT :size")
        if types:
            stmt = stmt.bindparams(_expanding("types", list(types)))
        with self.engine.connect() as conn:
            return [StoredEvent._make(row) for row in conn.execute(stmt, params)]

    def read_stream(self, stream: str, after_version: int = 0) -> list[StoredEvent]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                text(f"{_SELECT} WHERE stream = :s AND version > :v ORDER BY version"),
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
            row = conn.execute(text(f"{_SELECT} WHERE position = :p"), {"p": position}).first()
        return StoredEvent._make(row) if row else None


def _marks(conn: Connection, values: Sized) -> str:
    """Placeholders in the driver's own style, one per value."""
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    return ", ".join([mark] * len(values))


def _expanding(name: str, values: list[Any]) -> Any:
    return bindparam(name, value=values, expanding=True)
