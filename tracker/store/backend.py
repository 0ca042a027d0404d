"""What differs between the databases, behind one protocol; `database.make_engine` picks
one backend per engine from its URL, and nothing else asks which database it is on."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, suppress
from typing import Any, Protocol, TypeVar

from sqlalchemy import Column, Connection, Engine, Table, event
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

from tracker.store.checkpoints import Claim
from tracker.store.events import Built, StoredEvent

T = TypeVar("T")

# An arbitrary constant naming the log's append lock (where the database has named locks).
APPEND_LOCK = 7_465_326_110
MIGRATE_LOCK = 7_465_326_111


class Backend(Protocol):
    # -- engines and transactions
    def accepts(self, url: URL) -> bool: ...
    def engine(self, url: URL, **kwargs: Any) -> Engine: ...
    def writer(self, engine: Engine) -> LogWriter: ...

    def writing(self, engine: Engine, durable: bool, bulk: bool
                ) -> AbstractContextManager[Connection]:
        """A transaction that will write. `durable=False`: what can be derived again, whose
        commit need not wait for the disk; `bulk`: a rebuild's batches into tables with no
        statistics yet."""

    def migrating(self, conn: Connection) -> AbstractContextManager[None]:
        """Instances migrating at once take turns."""

    # -- the log's append, on the writer's driver connection, in one of its transactions
    def write_on(self, raw: Any, head: int, built: Built, unseen: Sequence[str]) -> bool:
        """Write `built` if the head is still `head`, none of its keys is known and none of
        the `unseen` streams exists; else write nothing and return False (stale), leaving
        the connection ready for `state`."""

    def state(self, raw: Any, streams: list[str], keys: list[str]
              ) -> tuple[dict[str, int], dict[str, int], tuple[int, str] | None]:
        """Under the append lock: the streams' versions, the positions of the keys already
        known, and the head."""

    def events_at(self, raw: Any, positions: Iterable[int]) -> dict[int, StoredEvent]: ...
    def write(self, raw: Any, built: Built) -> None: ...

    # -- followers
    def claim(self, conn: Connection, name: str) -> int | None:
        """In a writing transaction: the follower's checkpoint, held until it ends; None
        when another instance holds it."""

    def claim_apart(self, engine: Engine, name: str) -> AbstractContextManager[Claim | None]:
        """A claim held while the follower writes in transactions of its own; its `end`
        saved on leaving."""

    # -- bulk writes and row locks
    def insert_many(self, conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None: ...
    def upsert(self, conn: Connection, table: Table, rows: list[dict[str, Any]],
               key: str) -> None: ...
    def insert_new(self, conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None: ...

    def lock_rows(self, conn: Connection, column: Column, keys: list[Any]) -> None:
        """Lock these rows for the transaction, in the column's order (claimers of several
        rows never deadlock)."""

    def where_in(self, conn: Connection, query: str, values: list[Any]) -> Iterator[Any]:
        """The rows of `query`, which ends in a column, whose column is one of `values`:
        straight to the driver (building a thousand-value IN costs more than running it)."""


def upsert_rows(insert: Callable[[Table], Any], conn: Connection, table: Table,
                rows: list[dict[str, Any]], key: str) -> None:
    """INSERT ... ON CONFLICT (key) DO UPDATE of every other column, both dialects having the
    same clause; `insert` is the dialect's own."""
    stmt = insert(table)
    conn.execute(stmt.on_conflict_do_update(
        index_elements=[key], set_={k: stmt.excluded[k] for k in rows[0] if k != key}), rows)


class LogWriter:
    """The event log's own connection to write with, for its hot path: transactions run on
    the driver's connection (no statement building). Driver errors come out as
    SQLAlchemy's, as they do everywhere else, a failure to connect included."""

    def __init__(self, engine: Engine, own: Engine, turn: AbstractContextManager[Any],
                 keep: bool) -> None:
        self.engine, self._own_engine = own, own is not engine
        self._turn, self._keep, self._kept = turn, keep, None
        self._dbapi = engine.dialect.loaded_dbapi
        event.listen(engine, "engine_disposed", lambda _: self.close())

    def transaction(self, raw: Any, work: Callable[[Any], T]) -> T:
        """`work(raw)` in one transaction on the driver's connection, begun the backend's way
        (a plain call where it can be, not a context manager), committed if it returns."""
        raise NotImplementedError

    def run(self, work: Callable[[Any], T]) -> T:
        """`work(connection)` in one transaction, committed if it returns."""
        with self._turn:
            pooled = self._kept or self._connect()
            raw = pooled.driver_connection
            try:
                return self.transaction(raw, work)
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

    def committed(self, raw: Any, work: Callable[[Any], T]) -> T:
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
