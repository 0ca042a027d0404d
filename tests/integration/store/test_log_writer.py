"""The log's own writer connection: errors come out as the driver said them, and disposing
the engine closes every connection the log opened."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError

from tests.conftest import PG_ADMIN_URL
from tracker.store.database import make_engine
from tracker.store.log import EventLog, NewEvent


def thing(key: str) -> NewEvent:
    return NewEvent("a", "Thing", 1, "{}", key)


def open_connections(url: str) -> int:
    """Connections to this database other than the counting one."""
    if url.startswith("sqlite"):
        path = os.path.realpath(url.split("///", 1)[1])
        fds = Path("/proc/self/fd")
        return sum(1 for fd in fds.iterdir() if os.path.realpath(fd) == path)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()")).scalar()
    finally:
        engine.dispose()


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="counts open files in /proc")
def test_disposing_the_engine_closes_every_connection_of_the_log(database_url: str) -> None:
    engine = make_engine(database_url)
    log = EventLog(engine)
    log.append([thing("k1")])
    log.append([thing("k2")])
    assert [e.idempotency_key for e in log.read()] == ["k1", "k2"]
    engine.dispose()
    assert open_connections(database_url) == 0


def test_an_append_the_database_refuses_raises_the_drivers_error(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        log = EventLog(engine)
        log.append([thing("k1")])
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE event_keys"))
        with pytest.raises(DBAPIError, match="event_keys"):
            log.append([thing("k2")], expected={"a": 1})
    finally:
        engine.dispose()


@pytest.mark.parametrize("where", ["sqlite", "postgres"])
def test_a_log_it_cannot_connect_to_says_why(where: str, tmp_path: Path,
                                             request: pytest.FixtureRequest) -> None:
    if where == "postgres":
        request.getfixturevalue("postgres_template")  # a server to ask, or skip or fail
        url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/tracker_no_such_database"
    else:
        url = f"sqlite:///{tmp_path / 'missing' / 'tracker.db'}"
    engine = make_engine(url)
    try:
        with pytest.raises(OperationalError, match="unable to open|does not exist"):
            EventLog(engine).append([thing("k1")])
    finally:
        engine.dispose()
