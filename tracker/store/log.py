"""The append-only event log: one total order, per-stream versions, a hash chain.

Appends are serialised: on PostgreSQL each append transaction first takes one
transaction-scoped advisory lock, on SQLite it begins IMMEDIATE and so holds the
database's write lock. Positions are assigned under that lock as head + 1, so
transactions commit in position order and a follower that has read up to N never
later finds a committed event below N.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from functools import partial
from typing import Any, NamedTuple

import orjson
from sqlalchemy import Engine, bindparam, text
from sqlalchemy.exc import DBAPIError

from tracker.errors import ConcurrencyConflict
from tracker.store import codec
from tracker.store.database import LogWriter, is_postgres

GENESIS = "0" * 64
# An arbitrary constant naming the log's append lock among PostgreSQL advisory locks.
APPEND_LOCK = 7_465_326_110


class NewEvent(NamedTuple):
    """An event to append: its stream, its encoded form and the keys it is known by (a
    named tuple: a replay or a bulk append builds many)."""

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


class Appended(NamedTuple):
    """Each requested event as it stands in the log, and which of them this append wrote."""

    events: list[StoredEvent]
    written: list[StoredEvent]


_COLUMNS = ("position", "stream", "version", "type", "type_version", "payload",
            "idempotency_key", "recorded_at", "prev_hash", "hash")
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM events"


# Builds a StoredEvent from a tuple without the named tuple's argument handling.
_stored = partial(tuple.__new__, StoredEvent)


def iso_of(micros: int) -> str:
    """The log's timestamp format for a time in microseconds since the epoch: UTC,
    microseconds, fixed width, sorts as text."""
    global _second
    second, fraction = divmod(micros, 1_000_000)
    known = _second  # a tuple, swapped whole: safe for threads without a lock
    if known[0] != second:
        known = _second = (second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second)))
    return f"{known[1]}.{fraction:06d}Z"


# The last whole second formatted: every append stamps its events, and formatting a
# datetime each time cost as much as hashing the event.
_second: tuple[int, str] = (-1, "")


def now_iso() -> str:
    return iso_of(time.time_ns() // 1000)


def event_hash(prev_hash: str, position: int, stream: str, version: int, type_: str,
               type_version: int, payload: str, key: str, recorded_at: str) -> str:
    """SHA-256 over the previous hash and the canonical encoding of the event."""
    # orjson writes a list of strings and integers byte for byte as canonical_json does.
    body = orjson.dumps([position, stream, version, type_, type_version, payload, key,
                         recorded_at])
    return hashlib.sha256(b"%s\n%s" % (prev_hash.encode(), body)).hexdigest()


class EventLog:
    """Append, read and look up events; never update or delete them."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._postgres = is_postgres(engine)
        self._writer: LogWriter | None = None
        # The head this log's last append left, and the versions of the streams it has
        # written, as of that head: while no one else appends, the next append is written
        # without first reading the head, the versions and the keys (_append_on_tip).
        self._tip: tuple[int, str] | None = None
        self._tip_versions: dict[str, int] = {}
        self._tip_lock = threading.Lock()

    def append(self, new: Sequence[NewEvent],
               expected: Mapping[str, int] | None = None) -> Appended:
        """Write the events whose keys are new, atomically; return every one as stored.

        `expected` maps streams to the version the writer last saw; if any stream moved
        on, nothing is written and ConcurrencyConflict is raised.
        """
        # Events with aliases (observations) are the ones that arrive again by another
        # route: their keys are looked up first. The others are written on the tip.
        on_tip = not expected and not any(e.aliases for e in new)

        def work(raw: Any) -> _Built:
            return ((on_tip and self._append_on_tip(raw, new))
                    or self._append(raw, new, expected or {}))

        writer = self._writer or self._open_writer()
        for attempt in (1, 2):
            try:
                built = writer.run(work)
                self._remember(built)
                return Appended(built.result, built.written)
            except DBAPIError as e:
                # Appends check out without a ping (a round trip each): a connection the
                # server dropped is found on first use, and the append tried once more on
                # a fresh one (the keys make a retry safe).
                if attempt == 2 or not e.connection_invalidated:
                    raise
        raise AssertionError("unreachable")

    def _open_writer(self) -> LogWriter:
        self._writer = LogWriter(self.engine)
        return self._writer

    def _append_on_tip(self, raw: Any, new: Sequence[NewEvent]) -> _Built | None:
        """Write the append on the head this log last left, assuming its keys are new and
        the streams it has not written are too. Nothing is written, and None returned
        with a fresh transaction begun, if any of that is not so: on PostgreSQL a check
        sent with the rows says (one round trip, commit included); on SQLite a unique
        key refuses the rows (the head's next position, a stream's next version, a key)."""
        with self._tip_lock:
            if self._tip is None:
                return None
            head, versions = self._tip, self._tip_versions
        # Another append in between is found by the head having moved on (below), so the
        # versions may be read outside the lock.
        built = _build(new, {}, {}, head, versions)
        if not built.written:
            return None
        if not self._postgres:
            try:
                _write(raw, _SQLITE, built.rows, built.key_rows)
            except raw.IntegrityError:
                raw.rollback()
                raw.execute("BEGIN IMMEDIATE")
                return None
            return built
        unseen = sorted({e.stream for e in new if e.stream not in versions})
        raw.execute(_PG.lock, (APPEND_LOCK,))
        ok = raw.execute(_GUARDED_WRITE, (head[0], [k for k, _ in built.key_rows], unseen,
                                          *_columns(built.rows), *_columns(built.key_rows)))
        raw.commit()  # sent with the rest: one round trip
        return built if ok.fetchone()[0] else None

    def _remember(self, built: _Built) -> None:
        """Keep the head and the versions this append left, for the next one."""
        if not built.written:
            return
        first, last = built.written[0], built.written[-1]
        with self._tip_lock:
            if (self._tip is None or first.position != self._tip[0] + 1
                    or len(self._tip_versions) > _TIP_STREAMS):
                # Someone else appended in between (or the map is full): what is known
                # for certain, as of this head, is what this append wrote.
                self._tip_versions = {}
            self._tip_versions.update(built.versions)
            self._tip = (last.position, last.hash)

    def _append(self, raw: Any, new: Sequence[NewEvent],
                expected: Mapping[str, int]) -> _Built:
        """The hot path of every write, straight on the driver's connection: one round
        trip takes the lock and reads the state, one writes the rows."""
        sql = _PG if self._postgres else _SQLITE
        streams = sorted({e.stream for e in new} | set(expected))
        keys = [e.idempotency_key for e in new]
        for e in new:
            if e.aliases:
                keys.extend(e.aliases)
        versions, positions, head = _state(raw, sql, streams, keys)
        for stream, version in expected.items():
            if versions.get(stream, 0) != version:
                raise ConcurrencyConflict(stream, version, versions.get(stream, 0))
        known = _events_at(raw, sql, positions) if positions else {}
        built = _build(new, known, versions, head or (0, GENESIS))
        if built.written:
            _write(raw, sql, built.rows, built.key_rows)
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
        sql = f"{_SELECT} WHERE position > :after"
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


_NO_VERSIONS: Mapping[str, int] = {}


class _Built(NamedTuple):
    result: list[StoredEvent]  # each requested event as it will stand in the log
    written: list[StoredEvent]  # those this append writes
    rows: list[tuple[Any, ...]]  # the written events as plain tuples: the driver binds them faster
    key_rows: list[tuple[str, int]]  # every key of theirs, with its position
    versions: dict[str, int]  # the streams' versions once it is written


def _build(new: Sequence[NewEvent], known: Mapping[str, StoredEvent], versions: dict[str, int],
           head: tuple[int, str], earlier: Mapping[str, int] = _NO_VERSIONS) -> _Built:
    """Number, version and chain the events whose keys are neither `known` nor taken by an
    earlier event of the same append; `versions` (updated here) holds the streams' current
    versions, or `earlier` for those it does not name; `head` is the position and hash the
    chain goes on from."""
    position, prev = head
    recorded_at = now_iso()
    result: list[StoredEvent] = []
    written: list[StoredEvent] = []
    claimed: dict[str, StoredEvent] = {}
    rows: list[tuple[Any, ...]] = []
    key_rows: list[tuple[str, int]] = []
    make = _stored
    for e in new:
        stream, type_, type_version, payload, key, aliases = e
        existing = known.get(key) or claimed.get(key)
        if aliases and existing is None:
            for alias in aliases:
                existing = known.get(alias) or claimed.get(alias)
                if existing is not None:
                    break
        if existing is not None:
            result.append(existing)
            continue
        position += 1
        version = (versions.get(stream) or earlier.get(stream, 0)) + 1
        versions[stream] = version
        digest = event_hash(prev, position, stream, version, type_, type_version, payload,
                            key, recorded_at)
        row = (position, stream, version, type_, type_version, payload, key, recorded_at,
               prev, digest)
        stored = make(row)
        prev = digest
        result.append(stored)
        written.append(stored)
        rows.append(row)
        claimed[key] = stored
        key_rows.append((key, position))
        for alias in aliases:  # usually none
            if alias not in claimed:
                claimed[alias] = stored
                key_rows.append((alias, position))
    return _Built(result, written, rows, key_rows, versions)


def _expanding(name: str, values: list[Any]) -> Any:
    return bindparam(name, value=values, expanding=True)


class _Statements(NamedTuple):
    """The append path's statements in one backend's dialect; a list parameter is an
    array on PostgreSQL and a JSON array (read with json_each) on SQLite."""

    lock: str | None
    state: str
    state_one: str | None  # on SQLite, one stream and one key: the common single append
    events_at: str
    insert_events: str
    insert_keys: str | None


# The streams' versions ('v'), the keys already known ('k') and the head ('h') at once.
_STATE = """SELECT 'v', stream, MAX(version) FROM events WHERE stream {streams} GROUP BY stream
UNION ALL SELECT 'k', key, position FROM event_keys WHERE key {keys}
UNION ALL SELECT * FROM (SELECT 'h', hash, position FROM events ORDER BY position DESC LIMIT 1) h
"""
_INSERT_EVENTS = f"INSERT INTO events ({', '.join(_COLUMNS)}) "
_UNNEST_EVENTS = ("unnest(%b::bigint[], %b::text[], %b::int[], %b::text[], %b::int[], "
                  "%b::text[], %b::text[], %b::text[], %b::text[], %b::text[])")
_UNNEST_KEYS = "unnest(%b::text[], %b::bigint[])"
_PG = _Statements(
    # Every lookup under the lock is by index; a table that has grown since autovacuum
    # last analyzed it would otherwise look small enough to scan. With scans off, the
    # append path's plans can be prepared once and kept (plan_cache_mode auto).
    lock="SELECT set_config('enable_seqscan', 'off', true), "
    "set_config('plan_cache_mode', 'auto', true), pg_advisory_xact_lock(%s)",
    # Binary parameters (%b): psycopg dumps a binary array several times faster.
    state=_STATE.format(streams="= ANY(%b)", keys="= ANY(%b)"),
    state_one=None,
    events_at=f"{_SELECT} WHERE position = ANY(%s)",
    insert_events=f"WITH e AS ({_INSERT_EVENTS} SELECT * FROM {_UNNEST_EVENTS}) "
    f"INSERT INTO event_keys (key, position) SELECT * FROM {_UNNEST_KEYS}",
    insert_keys=None,
)
# The append on the head this log last left (EventLog._append_on_tip), written only if it holds.
_GUARDED_WRITE = (
    "WITH ok AS (SELECT COALESCE((SELECT position FROM events ORDER BY position DESC LIMIT 1), "
    "0) = %b::bigint AND NOT EXISTS (SELECT FROM event_keys WHERE key = ANY(%b::text[])) "
    "AND NOT EXISTS (SELECT FROM events WHERE stream = ANY(%b::text[])) AS ok), "
    f"e AS ({_INSERT_EVENTS} SELECT * FROM {_UNNEST_EVENTS} WHERE (SELECT ok FROM ok)), "
    f"k AS (INSERT INTO event_keys (key, position) SELECT * FROM {_UNNEST_KEYS} "
    "WHERE (SELECT ok FROM ok)) SELECT ok FROM ok")
# How many streams' versions the tip keeps before it starts again from one append's.
_TIP_STREAMS = 100_000
_SQLITE = _Statements(
    lock=None,
    state=_STATE.format(streams="IN (SELECT value FROM json_each(?))",
                        keys="IN (SELECT value FROM json_each(?))"),
    state_one=_STATE.format(streams="= ?", keys="= ?"),
    events_at=f"{_SELECT} WHERE position IN (SELECT value FROM json_each(?))",
    insert_events=f"{_INSERT_EVENTS} VALUES ({', '.join('?' * len(_COLUMNS))})",
    insert_keys="INSERT INTO event_keys (key, position) VALUES (?, ?)",
)


def _param(sql: _Statements, values: list[Any]) -> Any:
    return values if sql is _PG else orjson.dumps(values).decode()


def _state(raw: Any, sql: _Statements, streams: list[str], keys: list[str]
           ) -> tuple[dict[str, int], dict[str, int], tuple[int, str] | None]:
    """Under the append lock: the streams' versions, the positions of the keys already
    known, and the head (on PostgreSQL: the lock and the reads in one round trip)."""
    if sql.lock is not None:
        raw.execute(sql.lock, (APPEND_LOCK,))
    found: dict[str, dict[str, int]] = {"v": {}, "k": {}, "h": {}}
    if sql.state_one and len(streams) == 1 and len(keys) == 1:
        rows = raw.execute(sql.state_one, (streams[0], keys[0]))
    else:
        rows = raw.execute(sql.state, (_param(sql, streams), _param(sql, keys)))
    for kind, name, number in rows:
        found[kind][name] = number
    head = next(((p, h) for h, p in found["h"].items()), None)
    return found["v"], found["k"], head


def _events_at(raw: Any, sql: _Statements, positions: dict[str, int]) -> dict[str, StoredEvent]:
    """The stored events for keys already known, by key."""
    rows = raw.execute(sql.events_at, (_param(sql, sorted(set(positions.values()))),))
    by_position = {row[0]: StoredEvent._make(row) for row in rows}
    return {key: by_position[p] for key, p in positions.items()}


def _write(raw: Any, sql: _Statements, rows: list[tuple[Any, ...]],
           keys: list[tuple[str, int]]) -> None:
    if sql.insert_keys is not None:
        # sqlite3's executemany costs more than execute for a single row.
        for statement, values in ((sql.insert_events, rows), (sql.insert_keys, keys)):
            if len(values) == 1:
                raw.execute(statement, values[0])
            else:
                raw.executemany(statement, values)
        return
    raw.execute(sql.insert_events, _columns(rows) + _columns(keys))


def _columns(rows: list[tuple[Any, ...]]) -> list[list[Any]]:
    """Rows as one array per column (PostgreSQL's unnest takes them so)."""
    return [list(column) for column in zip(*rows, strict=True)]
