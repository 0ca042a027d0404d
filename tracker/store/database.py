"""Engines for SQLite and PostgreSQL, set up for a serialised append-only log."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext, suppress
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine, Table, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

T = TypeVar("T")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`; SQLite gets WAL, a busy timeout and explicit BEGINs."""
    parsed = make_url(url)
    backend, _, driver = parsed.drivername.partition("+")
    if backend == "postgres":  # the scheme Heroku, libpq and many hosts hand out
        parsed = parsed.set(drivername="postgresql" + (f"+{driver}" if driver else ""))
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 20)
        kwargs.setdefault("pool_pre_ping", True)
        # psycopg prepares a statement on its fifth run; a generic plan made while a table
        # was small (a seq scan) would stay until the next ANALYZE. Plan each run instead.
        connect_args = kwargs.setdefault("connect_args", {})
        connect_args.setdefault("options", "-c plan_cache_mode=force_custom_plan")
        return create_engine(parsed, **kwargs)
    engine = create_engine(parsed, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        _configure_sqlite(engine)
    return engine


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling defers BEGIN and cannot take a write lock
    # up front; turn it off and emit BEGIN ourselves (the SQLAlchemy recipe), so that
    # appends can BEGIN IMMEDIATE and serialise on the database's write lock.
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 60000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
        # FULL: a committed append survives a power cut, not only a crash (SQLite's default).
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get("sqlite_immediate")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


_turns: WeakKeyDictionary[Engine, threading.RLock] = WeakKeyDictionary()


def _turn(engine: Engine) -> threading.RLock:
    turn = _turns.get(engine)
    return turn if turn is not None else _turns.setdefault(engine, threading.RLock())


@contextmanager
def writing(engine: Engine, durable: bool = True) -> Iterator[Connection]:
    """A transaction that will write. On SQLite it takes the write lock up front (BEGIN
    IMMEDIATE), so that it waits its turn instead of failing when it upgrades a read; the
    threads of this process first queue on a lock of their own, which wakes the next one at
    once where SQLite's busy handler would sleep and poll.

    `durable=False` is for what can be derived again (projections, their checkpoints, the
    outbox's bookkeeping): on PostgreSQL its commit does not wait for the disk; a server
    crash may lose the last such commits, never half of one, and never the log's."""
    if engine.dialect.name != "sqlite":
        with engine.connect() as conn, conn.begin():
            if not durable:
                conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
            yield conn
        return
    with _turn(engine), engine.connect().execution_options(sqlite_immediate=True) as conn, conn.begin():
        yield conn


class LogWriter:
    """The event log's own connection to write with, for its hot path: transactions run on
    the driver's connection (no statement building), and on PostgreSQL in one pipeline, so
    that they wait on the server only where they read a result and at commit.

    PostgreSQL: a small pool of its own that does not ping on checkout (a round trip each).
    SQLite: one connection kept open between appends (checking one out of a pool costs as
    much as writing a small append), used under the same turn as `engine`'s other writers.
    Driver errors come out as SQLAlchemy's, as they do everywhere else, a failure to
    connect included."""

    def __init__(self, engine: Engine) -> None:
        self.postgres = is_postgres(engine)
        url = engine.url.render_as_string(hide_password=False)
        memory = not self.postgres and engine.url.database in (None, "", ":memory:")
        if self.postgres:
            self.engine = make_engine(url, pool_pre_ping=False, pool_size=2, max_overflow=8)
        else:  # a database in memory exists only on the engine's own connection
            self.engine = engine if memory else make_engine(url)
        self._own_engine = self.engine is not engine
        self._keep = not self.postgres and not memory
        self._kept: Any = None
        self._turn: Any = nullcontext() if self.postgres else _turn(engine)
        self._dbapi = engine.dialect.loaded_dbapi
        event.listen(engine, "engine_disposed", lambda _: self.close())

    def run(self, work: Callable[[Any], T]) -> T:
        """`work(connection)` in one transaction, committed if it returns."""
        with self._turn:
            pooled = self._kept or self._connect()
            raw = pooled.driver_connection
            try:
                if self.postgres:
                    with raw.pipeline():
                        return self._transaction(raw, work)
                raw.execute("BEGIN IMMEDIATE")
                return self._transaction(raw, work)
            except self._dbapi.Error as e:
                gone = self.engine.dialect.is_disconnect(e, raw, None)
                if gone:
                    pooled.invalidate(e)
                raise DBAPIError.instance(None, None, e, self._dbapi.Error,
                                          connection_invalidated=gone) from e
            finally:
                if self._keep and pooled.is_valid:
                    self._kept = pooled
                else:
                    self._kept = None
                    pooled.close()

    def _transaction(self, raw: Any, work: Callable[[Any], T]) -> T:
        try:
            result = work(raw)
            raw.commit()
            return result
        except BaseException:
            with suppress(self._dbapi.Error):
                raw.rollback()
            raise

    def _connect(self) -> Any:
        try:
            return self.engine.raw_connection()
        except self._dbapi.Error as e:
            raise DBAPIError.instance(None, None, e, self._dbapi.Error) from e

    def close(self) -> None:
        """Close the kept connection and the pool; the next `run` connects afresh."""
        with self._turn:
            kept, self._kept = self._kept, None
            if kept is not None:
                kept.close()
            if self._own_engine:
                self.engine.dispose()


def insert_many(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows through the driver's executemany: a replay writes many thousands."""
    if not rows:
        return
    columns = list(rows[0])
    if conn.dialect.name == "postgresql":
        # COPY streams the rows in one statement, several times faster than multi-row VALUES.
        with conn.connection.driver_connection.cursor() as cursor, cursor.copy(
                f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(tuple(row[c] for c in columns))
        return
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (f"INSERT INTO {table.name} ({', '.join(columns)}) "
           f"VALUES ({', '.join([mark] * len(columns))})")
    conn.exec_driver_sql(sql, [tuple(row[c] for c in columns) for row in rows])
