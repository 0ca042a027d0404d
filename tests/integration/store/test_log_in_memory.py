"""A log in a SQLite database in memory (the audit's scratch replay): it exists only on the
engine's own connection, so the log writes on that one."""

from __future__ import annotations

import pytest

from tracker.store.database import make_engine
from tracker.store.log import EventLog, NewEvent
from tracker.store.migrate import upgrade


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:", "sqlite:///"])
def test_a_log_in_memory_reads_back_what_it_appended(url: str) -> None:
    engine = make_engine(url)
    try:
        upgrade(engine)
        log = EventLog(engine)
        log.append([NewEvent("a", "Thing", 1, "{}", "k1")])
        log.append([NewEvent("a", "Thing", 1, "{}", "k2"), NewEvent("b", "Thing", 1, "{}", "k3")])
        assert [(e.stream, e.version) for e in log.read()] == [("a", 1), ("a", 2), ("b", 1)]
        assert log.head()[0] == 3
    finally:
        engine.dispose()
