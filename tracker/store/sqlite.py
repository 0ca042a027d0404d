"""SQLite: the log's statements, its writer connection, locking and bulk writes.

One writer at a time: every writing transaction begins IMMEDIATE and so holds the
database's write lock, the log's appends included; the threads of this process first queue
on a lock of their own, which wakes the next one at once where SQLite's busy handler would
sleep and poll. A list parameter is a JSON array, read with json_each.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any
from weakref import WeakKeyDictionary

import orjson
from sqlalchemy import BigInteger, Column, Connection, Engine, Integer, Table, create_engine, event
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import URL

from tracker.store.backend import LogWriter, T, upsert_rows
from tracker.store.checkpoints import Claim, checkpoint_of, save_checkpoint
from tracker.store.events import COLUMNS, INSERT, SELECT, Built, StoredEvent

EMBEDDED_URL = "sqlite:///./tracker.db"  # the service's default: a file beside it
SCRATCH_URL = "sqlite://"  # a private in-memory database, gone when its engine is
# The log's position: SQLite's rowid where it can be (one index fewer), a BIGINT elsewhere.
POSITION_TYPE = BigInteger().with_variant(Integer, "sqlite")
KEYED_ONLY = {"sqlite_with_rowid": False}  # a table stored by its primary key alone


def file_url(path: object) -> str:
    """The URL of an embedded database in the file at `path`."""
    return f"sqlite:///{path}"


# The streams' versions ('v'), the keys already known ('k') and the head ('h') at once.
_STATE = """SELECT 'v', stream, MAX(version) FROM events WHERE stream {streams} GROUP BY stream
UNION ALL SELECT 'k', key, position FROM event_keys WHERE key {keys}
UNION ALL SELECT * FROM (SELECT 'h', hash, position FROM events ORDER BY position DESC LIMIT 1) h
"""
_IN = "IN (SELECT value FROM json_each(?))"
_STATE_MANY = _STATE.format(streams=_IN, keys=_IN)
_STATE_ONE = _STATE.format(streams="= ?", keys="= ?")  # the common single append
_EVENTS_AT = f"{SELECT} WHERE position {_IN}"
_INSERT_EVENTS = f"{INSERT} VALUES ({', '.join('?' * len(COLUMNS))})"
_INSERT_KEYS = "INSERT INTO event_keys (key, position) VALUES (?, ?)"
def _insert(raw: Any, rows: Sequence[tuple[Any, ...]], key_rows: Sequence[tuple[str, int]]
            ) -> None:
    # sqlite3's executemany costs more than execute for a single row.
    for statement, values in ((_INSERT_EVENTS, rows), (_INSERT_KEYS, key_rows)):
        if len(values) == 1:
            raw.execute(statement, values[0])
        elif values:
            raw.executemany(statement, values)


def _json(values: Iterable[Any]) -> str:
    return orjson.dumps(list(values)).decode()


_turns: WeakKeyDictionary[Engine, threading.RLock] = WeakKeyDictionary()


def _turn(engine: Engine) -> threading.RLock:
    turn = _turns.get(engine)
    return turn if turn is not None else _turns.setdefault(engine, threading.RLock())


def _in_memory(engine: Engine) -> bool:
    return engine.url.database in (None, "", ":memory:")


class _Writer(LogWriter):
    """One connection kept open between appends (checking one out of a pool costs as much as
    writing a small append), used under the same turn as the engine's other writers."""

    def __init__(self, engine: Engine) -> None:
        memory = _in_memory(engine)  # a database in memory exists only on the engine's own
        own = engine if memory else SQLite().engine(engine.url)
        super().__init__(engine, own, _turn(engine), keep=not memory)

    def transaction(self, raw: Any, work: Callable[[Any], T]) -> T:
        raw.execute("BEGIN IMMEDIATE")
        return self.committed(raw, work)


class SQLite:
    def accepts(self, url: URL) -> bool:
        return url.get_backend_name() == "sqlite"

    def engine(self, url: URL) -> Engine:
        """WAL, a busy timeout, durable commits, and BEGIN emitted by hand."""
        engine = create_engine(url)

        # pysqlite's own transaction handling defers BEGIN and cannot take a write lock
        # up front; turn it off and emit BEGIN ourselves (the SQLAlchemy recipe), so that
        # writers can BEGIN IMMEDIATE and serialise on the database's write lock.
        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA busy_timeout = 60000")
            if not _in_memory(engine):
                cursor.execute("PRAGMA journal_mode = WAL")
            # FULL: a committed append survives a power cut, not only a crash (SQLite's default).
            cursor.execute("PRAGMA synchronous = FULL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(connection: Any) -> None:
            immediate = connection.get_execution_options().get("sqlite_immediate")
            connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine

    def writer(self, engine: Engine) -> LogWriter:
        return _Writer(engine)

    @contextmanager
    def writing(self, engine: Engine, durable: bool = True,
                bulk: bool = False) -> Iterator[Connection]:
        # The write lock up front (BEGIN IMMEDIATE): a writer waits its turn instead of
        # failing when it upgrades a read. Every commit is durable.
        with (_turn(engine), engine.connect().execution_options(sqlite_immediate=True) as conn,
              conn.begin()):
            yield conn

    def migrating(self, conn: Connection) -> AbstractContextManager[None]:
        return nullcontext()  # a migration's transaction holds the write lock

    # -- the log's append
    def write_on(self, raw: Any, head: int, built: Built, unseen: Sequence[str]) -> bool:
        # The inserts' own unique indexes find what a check would, at no extra cost: a moved
        # head (the position after it is taken, positions being dense), a known key, a stream
        # taken as new that exists. Then what they wrote is undone, not the transaction.
        raw.execute("SAVEPOINT on_head")
        try:
            _insert(raw, built.rows, built.key_rows)
        except sqlite3.IntegrityError:
            raw.execute("ROLLBACK TO on_head")
            return False
        finally:
            raw.execute("RELEASE on_head")
        return True

    def state(self, raw: Any, streams: list[str], keys: list[str]
              ) -> tuple[dict[str, int], dict[str, int], tuple[int, str] | None]:
        # The write lock is the append lock: the writer's transaction began IMMEDIATE.
        if len(streams) == 1 and len(keys) == 1:
            rows = raw.execute(_STATE_ONE, (streams[0], keys[0]))
        else:
            rows = raw.execute(_STATE_MANY, (_json(streams), _json(keys)))
        found: dict[str, dict[str, int]] = {"v": {}, "k": {}, "h": {}}
        for kind, name, number in rows:
            found[kind][name] = number
        head = next(((p, h) for h, p in found["h"].items()), None)
        return found["v"], found["k"], head

    def events_at(self, raw: Any, positions: Iterable[int]) -> dict[int, StoredEvent]:
        rows = raw.execute(_EVENTS_AT, (_json(sorted(positions)),))
        return {row[0]: StoredEvent._make(row) for row in rows}

    def write(self, raw: Any, built: Built) -> None:
        _insert(raw, built.rows, built.key_rows)

    # -- followers
    def claim(self, conn: Connection, name: str) -> int | None:
        return checkpoint_of(conn, name)  # the transaction holds the write lock

    @contextmanager
    def claim_apart(self, engine: Engine, name: str) -> Iterator[Claim | None]:
        # No transaction can wait across the follower's own writes (one writer at a time):
        # the checkpoint is read, and saved after under the write lock.
        with engine.connect() as conn:
            start = checkpoint_of(conn, name)
        claim = Claim(None, start, start)
        yield claim
        if claim.end != start:
            with self.writing(engine) as conn:
                save_checkpoint(conn, name, claim.end)

    # -- bulk writes and row locks
    def insert_many(self, conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        columns = list(rows[0])
        conn.exec_driver_sql(
            f"INSERT INTO {table.name} ({', '.join(columns)}) "
            f"VALUES ({', '.join(['?'] * len(columns))})",
            [tuple(row[c] for c in columns) for row in rows])

    def upsert(self, conn: Connection, table: Table, rows: list[dict[str, Any]],
               key: str) -> None:
        upsert_rows(sqlite.insert, conn, table, rows, key)

    def insert_new(self, conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
        conn.execute(sqlite.insert(table).on_conflict_do_nothing(), rows)

    def lock_rows(self, conn: Connection, column: Column, keys: list[Any]) -> None:
        pass  # the transaction holds the write lock

    def where_in(self, conn: Connection, query: str, values: list[Any]) -> Iterator[Any]:
        for i in range(0, len(values), 1000):  # at most a thousand parameters a statement
            chunk = tuple(values[i:i + 1000])
            yield from conn.exec_driver_sql(f"{query} IN ({', '.join(['?'] * len(chunk))})",
                                            chunk)
