"""PostgreSQL: the log's statements, its writer connection, locking, bulk writes, and the
planner settings, all here.

Appends serialise on a transaction-level advisory lock. A list parameter is an array, sent
in binary (%b: psycopg dumps a binary array several times faster).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from typing import Any

from sqlalchemy import Column, Connection, Engine, Table, create_engine, select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import URL

from tracker.store.backend import APPEND_LOCK, MIGRATE_LOCK, LogWriter, T, upsert_rows
from tracker.store.checkpoints import Claim, stepped
from tracker.store.events import INSERT, SELECT, Built, StoredEvent

# -- the planner, set here only -------------------------------------------------------------
# Two modes. By default every connection plans each run from the current statistics (psycopg
# prepares a statement on its fifth run, and a generic plan made while a table was small would
# keep scanning it until the next ANALYZE). Where the statistics cannot be trusted, a
# transaction goes index-only: no sequential scans, and then a plan can be prepared once and
# kept. That is the append path (the log may have grown since autovacuum last analyzed it) and
# a rebuild (it refills tables that have no statistics yet, and would scan all of one for each
# batch's lookups, slower the longer the log). Live follower steps keep the default: with scans
# off, small tables got worse plans and deliveries arrived twice as late.
# bench/replay.py's rebuild, PostgreSQL, one database replayed by each variant in turn (2-core
# machine, events/s): at 1M events index-only 43,200 and 43,800 against 36,100 and 38,300 with
# scans allowed (+17%), and 26,700 and 38,200 against 24,200 and 34,500 with scans off but
# planning each run (+10%); at 100k neither differs beyond the machine's noise.
CONNECTION_OPTIONS = "-c plan_cache_mode=force_custom_plan"
INDEX_ONLY = "set_config('enable_seqscan', 'off', true), set_config('plan_cache_mode', 'auto', true)"

_LOCK = f"SELECT {INDEX_ONLY}, pg_advisory_xact_lock(%s)"
# The streams' versions ('v'), the keys already known ('k') and the head ('h') at once.
_STATE = ("SELECT 'v', stream, MAX(version) FROM events WHERE stream = ANY(%b) GROUP BY stream "
          "UNION ALL SELECT 'k', key, position FROM event_keys WHERE key = ANY(%b) "
          "UNION ALL SELECT * FROM (SELECT 'h', hash, position FROM events "
          "ORDER BY position DESC LIMIT 1) h")
_EVENTS_AT = f"{SELECT} WHERE position = ANY(%s)"
_UNNEST_EVENTS = ("unnest(%b::bigint[], %b::text[], %b::int[], %b::text[], %b::int[], "
                  "%b::text[], %b::text[], %b::text[], %b::text[], %b::text[])")
_UNNEST_KEYS = "unnest(%b::text[], %b::bigint[])"
_WRITE = (f"WITH e AS ({INSERT} SELECT * FROM {_UNNEST_EVENTS}) "
          f"INSERT INTO event_keys (key, position) SELECT * FROM {_UNNEST_KEYS}")
# The append on a remembered head, written only if it holds.
_WRITE_ON = (
    "WITH ok AS (SELECT COALESCE((SELECT position FROM events ORDER BY position DESC LIMIT 1), "
    "0) = %b::bigint AND NOT EXISTS (SELECT FROM event_keys WHERE key = ANY(%b::text[])) "
    "AND NOT EXISTS (SELECT FROM events WHERE stream = ANY(%b::text[])) AS ok), "
    f"e AS ({INSERT} SELECT * FROM {_UNNEST_EVENTS} WHERE (SELECT ok FROM ok)), "
    f"k AS (INSERT INTO event_keys (key, position) SELECT * FROM {_UNNEST_KEYS} "
    "WHERE (SELECT ok FROM ok)) SELECT ok FROM ok")


def _columns(rows: list[tuple[Any, ...]]) -> list[list[Any]]:
    """Rows as one array per column (unnest takes them so)."""
    return [list(column) for column in zip(*rows, strict=True)]


def _engine(url: URL, **pool: Any) -> Engine:
    driver = url.drivername.partition("+")[2]
    url = url.set(drivername=f"postgresql+{driver or 'psycopg'}")
    return create_engine(url, connect_args={"options": CONNECTION_OPTIONS}, **pool)


class _Writer(LogWriter):
    """A small pool of its own that does not ping on checkout (a round trip each);
    transactions run in one pipeline, so that they wait on the server only where they read
    a result and at commit."""

    def __init__(self, engine: Engine) -> None:
        own = _engine(engine.url, pool_pre_ping=False, pool_size=2, max_overflow=8)
        super().__init__(engine, own, nullcontext(), keep=False)

    def transaction(self, raw: Any, work: Callable[[Any], T]) -> T:
        with raw.pipeline():
            return self.committed(raw, work)


class Postgres:
    def accepts(self, url: URL) -> bool:
        # postgres:// is the scheme Heroku, libpq and many hosts hand out
        return url.drivername.partition("+")[0] in ("postgres", "postgresql")

    def engine(self, url: URL) -> Engine:
        return _engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)

    def writer(self, engine: Engine) -> LogWriter:
        return _Writer(engine)

    @contextmanager
    def writing(self, engine: Engine, durable: bool = True,
                bulk: bool = False) -> Iterator[Connection]:
        with engine.connect() as conn, conn.begin():
            if not durable:  # a server crash may lose the last such commits, never half of one
                conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
            if bulk:
                conn.exec_driver_sql(f"SELECT {INDEX_ONLY}")
            yield conn

    @contextmanager
    def migrating(self, conn: Connection) -> Iterator[None]:
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATE_LOCK})
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATE_LOCK})
            conn.commit()

    # -- the log's append
    def write_on(self, raw: Any, head: int, built: Built, unseen: Sequence[str]) -> bool:
        # The commit is sent with the rows (one round trip); when the head was stale,
        # nothing was written and the state is read in a transaction of its own.
        raw.execute(_LOCK, (APPEND_LOCK,))
        ok = raw.execute(_WRITE_ON, (head, [k for k, _ in built.key_rows], list(unseen),
                                     *_columns(built.rows), *_columns(built.key_rows)))
        raw.commit()
        return bool(ok.fetchone()[0])

    def state(self, raw: Any, streams: list[str], keys: list[str]
              ) -> tuple[dict[str, int], dict[str, int], tuple[int, str] | None]:
        raw.execute(_LOCK, (APPEND_LOCK,))  # sent with the read: one round trip
        found: dict[str, dict[str, int]] = {"v": {}, "k": {}, "h": {}}
        for kind, name, number in raw.execute(_STATE, (streams, keys)):
            found[kind][name] = number
        head = next(((p, h) for h, p in found["h"].items()), None)
        return found["v"], found["k"], head

    def events_at(self, raw: Any, positions: Iterable[int]) -> dict[int, StoredEvent]:
        rows = raw.execute(_EVENTS_AT, (sorted(positions),))
        return {row[0]: StoredEvent._make(row) for row in rows}

    def write(self, raw: Any, built: Built) -> None:
        raw.execute(_WRITE, _columns(built.rows) + _columns(built.key_rows))

    # -- followers
    def claim(self, conn: Connection, name: str) -> int | None:
        lock = text("SELECT position FROM checkpoints WHERE name = :n FOR UPDATE SKIP LOCKED")
        row = conn.execute(lock, {"n": name}).first()
        if row is None:  # locked by another instance, or not made yet
            conn.execute(text("INSERT INTO checkpoints (name, position) VALUES (:n, 0) "
                              "ON CONFLICT (name) DO NOTHING"), {"n": name})
            row = conn.execute(lock, {"n": name}).first()
        return None if row is None else int(row[0])

    @contextmanager
    def claim_apart(self, engine: Engine, name: str) -> Iterator[Claim | None]:
        # The checkpoint's row stays locked while the follower works: one instance at a time.
        with (engine.connect() as conn, conn.begin(),
              stepped(conn, name, self.claim(conn, name)) as claim):
            yield claim

    # -- bulk writes and row locks
    def insert_many(self, conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        # COPY streams the rows in one statement, several times faster than multi-row VALUES.
        columns = list(rows[0])
        with conn.connection.driver_connection.cursor() as cursor, cursor.copy(
                f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(tuple(row[c] for c in columns))

    def upsert(self, conn: Connection, table: Table, rows: list[dict[str, Any]],
               key: str) -> None:
        upsert_rows(postgresql.insert, conn, table, rows, key)

    def insert_new(self, conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
        conn.execute(postgresql.insert(table).on_conflict_do_nothing(), rows)

    def lock_rows(self, conn: Connection, column: Column, keys: list[Any]) -> None:
        conn.execute(select(column).where(column.in_(keys)).order_by(column).with_for_update())

    def where_in(self, conn: Connection, query: str, values: list[Any]) -> Iterator[Any]:
        yield from conn.exec_driver_sql(f"{query} = ANY(%s)", (values,))  # planned once
