"""The store's entry: an engine for a URL with its backend picked once, and what the rest
of the service writes with (each call is the engine's backend's)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Column, Connection, Engine, Table
from sqlalchemy.engine import URL, make_url

from tracker.store.backend import Backend
from tracker.store.postgres import Postgres
from tracker.store.sqlite import EMBEDDED_URL, KEYED_ONLY, POSITION_TYPE, SCRATCH_URL, SQLite, file_url

# With the embedded backend's defaults and table options, so that no module above the store
# names a backend.
__all__ = ["EMBEDDED_URL", "KEYED_ONLY", "POSITION_TYPE", "SCRATCH_URL", "file_url", "make_engine",
           "backend_of", "writing", "insert_many", "upsert", "insert_new", "lock_rows", "where_in"]
_BACKENDS: tuple[Backend, ...] = (SQLite(), Postgres())
_backends: WeakKeyDictionary[Engine, Backend] = WeakKeyDictionary()


def _pick(url: URL) -> Backend:
    for backend in _BACKENDS:
        if backend.accepts(url):
            return backend
    raise ValueError(f"unsupported database URL: {url.drivername}://…")


def make_engine(url: str | URL) -> Engine:
    """An engine for `url`, set up by the backend the URL names."""
    backend = _pick(make_url(url))
    engine = backend.engine(make_url(url))
    _backends[engine] = backend
    return engine


def backend_of(engine: Engine) -> Backend:
    backend = _backends.get(engine)
    if backend is None:  # an engine made elsewhere
        backend = _backends.setdefault(engine, _pick(engine.url))
    return backend


def writing(engine: Engine, durable: bool = True,
            bulk: bool = False) -> AbstractContextManager[Connection]:
    """A transaction that will write, taking its turn (see the backends).

    `durable=False` is for what can be derived again (projections, their checkpoints, the
    outbox's bookkeeping): its commit need not wait for the disk; a server crash may lose
    the last such commits, never half of one, and never the log's. `bulk`: a rebuild's."""
    return backend_of(engine).writing(engine, durable, bulk)


def insert_many(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows (all with the same columns) by the backend's fastest path: a replay
    writes many thousands."""
    backend_of(conn.engine).insert_many(conn, table, rows)


def upsert(conn: Connection, table: Table, rows: list[dict[str, Any]], key: str) -> None:
    """Insert or update rows (all with the same columns), in one statement run for all."""
    if rows:
        backend_of(conn.engine).upsert(conn, table, rows, key)


def insert_new(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert the rows whose primary keys are not there yet."""
    if rows:
        backend_of(conn.engine).insert_new(conn, table, rows)


def lock_rows(conn: Connection, column: Column, keys: list[Any]) -> None:
    """Lock these rows for the transaction in one order, where the database locks rows."""
    backend_of(conn.engine).lock_rows(conn, column, keys)


def where_in(conn: Connection, query: str, values: list[Any]) -> Iterator[Any]:
    """The rows of `query`, which ends in a column, whose column is one of `values`."""
    return backend_of(conn.engine).where_in(conn, query, values)
