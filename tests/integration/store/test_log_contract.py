"""The event log's contract, run unchanged on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tracker.errors import ChainBroken, ConcurrencyConflict
from tracker.store.database import make_engine
from tracker.store.log import GENESIS, EventLog, NewEvent
from tracker.store.verify import verify_chain


def new(stream: str, key: str, payload: str = '{"n":1}', aliases: tuple[str, ...] = ()):
    return NewEvent(stream, "Thing", 1, payload, key, aliases)


@pytest.fixture
def log(database_url: str):
    engine = make_engine(database_url)
    yield EventLog(engine)
    engine.dispose()


def test_an_empty_log_has_the_genesis_head(log: EventLog) -> None:
    assert log.head() == (0, GENESIS)
    assert list(log.read()) == []
    assert verify_chain(log.read()).position == 0


def test_appends_get_one_total_order_and_per_stream_versions(log: EventLog) -> None:
    log.append([new("a", "k1"), new("b", "k2")])
    log.append([new("a", "k3")])
    stored = list(log.read())
    assert [(e.position, e.stream, e.version) for e in stored] == [
        (1, "a", 1), (2, "b", 1), (3, "a", 2)]
    assert stored[0].prev_hash == GENESIS
    assert [e.prev_hash for e in stored[1:]] == [e.hash for e in stored[:-1]]
    assert verify_chain(stored).hash == stored[-1].hash


def test_a_stale_expected_version_conflicts_and_writes_nothing(log: EventLog) -> None:
    log.append([new("a", "k1")])
    with pytest.raises(ConcurrencyConflict) as caught:
        log.append([new("b", "k2"), new("a", "k3")], expected={"a": 0})
    assert "stream 'a' is at version 1, not the expected 0" in str(caught.value)
    assert [e.idempotency_key for e in log.read()] == ["k1"]
    log.append([new("a", "k3")], expected={"a": 1})
    assert log.head()[0] == 2


def test_a_known_idempotency_key_returns_the_event_already_there(log: EventLog) -> None:
    first = log.append([new("a", "k1", '{"n":1}')]).events[0]
    again = log.append([new("a", "k1", '{"n":2}')])
    assert again.written == []
    assert again.events == [first]
    assert log.head()[0] == 1


def test_an_alias_finds_the_event_as_well(log: EventLog) -> None:
    first = log.append([new("a", "link:1", aliases=("guid:1",))]).events[0]
    again = log.append([new("b", "guid:1", aliases=("content:9",))])
    assert again.events == [first] and again.written == []
    assert log.find("guid:1") == first


def test_an_event_is_found_by_any_of_its_aliases_matching_one_stored(log: EventLog) -> None:
    """A later arrival under a new key whose second alias is an alias already stored."""
    first = log.append([new("a", "link:1", aliases=("guid:1",))]).events[0]
    again = log.append([new("a", "link:2", aliases=("content:7", "guid:1"))])
    assert again.events == [first] and again.written == []


def test_a_batch_of_known_and_new_keys_writes_only_the_new(log: EventLog) -> None:
    first = log.append([new("a", "k1")]).events[0]
    again = log.append([new("a", "k2"), new("a", "k1")])  # streams the log has written
    assert again.events[1] == first
    assert [(e.idempotency_key, e.position, e.version) for e in again.written] == [("k2", 2, 2)]
    more = log.append([new("a", "k3"), new("a", "k2"), new("b", "k4")])  # and a new one
    assert more.events[1] == again.events[0]
    assert [(e.idempotency_key, e.position, e.version) for e in more.written] == [
        ("k3", 3, 3), ("k4", 4, 1)]


def test_a_stream_named_only_in_expected_is_checked_too(log: EventLog) -> None:
    log.append([new("b", "k1")])
    with pytest.raises(ConcurrencyConflict):
        log.append([new("a", "k2")], expected={"a": 0, "b": 0})
    assert log.head()[0] == 1


def test_duplicates_within_one_batch_are_written_once(log: EventLog) -> None:
    result = log.append([new("a", "k1"), new("a", "k1"), new("a", "k2")])
    assert len(result.written) == 2
    assert result.events[0] == result.events[1]


def test_reading_streams_in_batches_and_honours_after_and_limit(log: EventLog) -> None:
    log.append([new("s", f"k{i}") for i in range(25)])
    assert [e.position for e in log.read(after=5, limit=7, batch=3)] == list(range(6, 13))
    assert len(list(log.read(batch=4))) == 25
    assert [e.version for e in log.read_stream("s", after_version=20)] == [21, 22, 23, 24, 25]
    assert [e.version for e in log.read_stream("s")] == list(range(1, 26))


def test_the_database_refuses_to_change_or_remove_events(log: EventLog) -> None:
    log.append([new("a", "k1")])
    for statement in ("UPDATE events SET payload = '{}'", "DELETE FROM events"):
        with pytest.raises(DBAPIError, match="append-only"), log.engine.begin() as conn:
            conn.execute(text(statement))
    assert log.head()[0] == 1


def test_verify_names_the_first_tampered_position(log: EventLog) -> None:
    log.append([new("a", f"k{i}") for i in range(5)])
    stored = list(log.read())
    edited = stored[:2] + [stored[2].__class__(**{**stored[2].as_dict(), "payload": '{"n":9}'})]
    with pytest.raises(ChainBroken) as caught:
        verify_chain(edited + stored[3:])
    assert caught.value.position == 3
    with pytest.raises(ChainBroken) as caught:
        verify_chain(stored[:1] + stored[2:])
    assert caught.value.position == 2


def test_concurrent_writers_never_leave_a_follower_behind(log: EventLog) -> None:
    """A follower reading while many threads append never later finds an event below its mark."""
    writers, per_writer = 6, 40
    done = threading.Event()
    missed: list[int] = []

    def write(w: int) -> None:
        for i in range(per_writer):
            log.append([new(f"w{w}", f"w{w}-{i}")])

    def follow() -> None:
        seen = 0
        while True:
            finished = done.is_set()
            for e in log.read(after=seen):
                if e.position != seen + 1:
                    missed.append(e.position)
                seen = e.position
            if finished:
                return

    follower = threading.Thread(target=follow)
    follower.start()
    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done.set()
    follower.join()
    assert missed == []
    assert log.head()[0] == writers * per_writer
    verify_chain(log.read())


def test_verify_catches_inserted_and_reordered_events(log: EventLog) -> None:
    log.append([new("a", f"k{i}") for i in range(4)])
    stored = list(log.read())
    swapped = [stored[0], stored[2], stored[1], stored[3]]
    with pytest.raises(ChainBroken) as caught:
        verify_chain(swapped)
    assert caught.value.position == 2
    forged = stored[1]._replace(position=2, idempotency_key="forged")
    with pytest.raises(ChainBroken) as caught:
        verify_chain([stored[0], forged, *stored[1:]])
    assert caught.value.position == 2


def test_an_append_outlives_a_connection_lost_since_the_last(log: EventLog) -> None:
    log.append([new("a", "k1")])
    if log.engine.dialect.name == "postgresql":  # the server drops it
        with log.engine.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
    else:  # a file has no server: the writer's kept connection is closed under it
        log._writer._kept.driver_connection.close()
    assert [e.position for e in log.append([new("a", "k2")]).written] == [2]
    assert [e.idempotency_key for e in log.read()] == ["k1", "k2"]


def test_two_engines_on_one_store_share_one_chain(log: EventLog, database_url: str) -> None:
    """Another engine (as another process would) appends between ours, and ours keeps its
    connection between appends: each append still starts from the true head, also after
    our engine was disposed."""
    other_engine = make_engine(database_url)
    other = EventLog(other_engine)
    try:
        for i in range(3):
            log.append([new("a", f"a{i}")])
            other.append([new("a", f"b{i}")])
        log.engine.dispose()
        log.append([new("a", "a-after-dispose")])
    finally:
        other_engine.dispose()
    stored = list(log.read())
    assert [e.version for e in stored] == list(range(1, 8))
    assert stored[-1].idempotency_key == "a-after-dispose"
    verify_chain(stored)


def test_a_log_forgets_the_versions_it_knew_once_another_engine_wrote_between(
        log: EventLog, database_url: str) -> None:
    """Ours writes s, another engine writes s, ours writes t and then s again: the last s
    is version 3, not the 2 ours would take from what it remembered of s."""
    other_engine = make_engine(database_url)
    try:
        log.append([new("s", "ours-1")])
        EventLog(other_engine).append([new("s", "theirs")])
        log.append([new("t", "ours-2")])
        last = log.append([new("s", "ours-3")]).written
    finally:
        other_engine.dispose()
    assert [(e.stream, e.version, e.position) for e in last] == [("s", 3, 4)]


def test_an_append_continues_what_was_written_before_its_engine_started(
        log: EventLog, database_url: str) -> None:
    """A log that has only written stream b still finds stream a's version and a's keys."""
    log.append([new("a", "a1"), new("a", "a2")])
    other_engine = make_engine(database_url)
    try:
        other = EventLog(other_engine)
        other.append([new("b", "b1")])
        stored = other.append([new("a", "a3")]).events + other.append([new("a", "a1")]).events
        again = other.append([new("b", "b2")]).events
    finally:
        other_engine.dispose()
    assert [(e.stream, e.version, e.idempotency_key) for e in stored] == [
        ("a", 3, "a3"), ("a", 1, "a1")]
    assert [(e.position, e.version) for e in again] == [(5, 2)]
    verify_chain(log.read())


def test_reading_by_type_keeps_only_those_types_across_batches(log: EventLog) -> None:
    log.append([NewEvent("s", "A" if i % 3 else "B", 1, '{"n":1}', f"k{i}") for i in range(12)])
    chosen = [e.position for e in log.read(types=["B"], batch=2)]
    assert chosen == [1, 4, 7, 10]
    assert [e.position for e in log.read(after=1, types=["B"], limit=2, batch=1)] == [4, 7]
    assert [e.type for e in log.read(types=["A", "B"], batch=5)] == [
        "B" if i % 3 == 0 else "A" for i in range(12)]
    assert log.read_batch(0, 3, ["nothing"]) == []


def test_unknown_keys_and_positions_find_nothing(log: EventLog) -> None:
    assert (log.find("k1"), log.at(1)) == (None, None)
    stored = log.append([new("a", "k1")]).events[0]
    assert (log.find("k1"), log.at(1), log.find("k2"), log.at(2)) == (stored, stored, None, None)


def test_an_alias_taken_earlier_in_the_same_append_finds_that_event(log: EventLog) -> None:
    result = log.append([new("a", "link:1", aliases=("guid:1",)),
                         new("b", "guid:1", aliases=("content:1",)),
                         new("c", "content:2", aliases=("guid:1",))])
    first = result.events[0]
    assert result.events == [first, first, first] and result.written == [first]
    assert log.find("guid:1") == first and log.find("content:1") is None


def test_a_stream_never_written_is_at_version_zero(log: EventLog) -> None:
    log.append([new("fresh", "k1")], expected={"fresh": 0})
    with pytest.raises(ConcurrencyConflict) as caught:
        log.append([new("other", "k2")], expected={"other": 1})
    assert "stream 'other' is at version 0, not the expected 1" in str(caught.value)


def test_events_are_stamped_with_the_time_they_were_appended(log: EventLog) -> None:
    before = datetime.now(UTC)
    stored = log.append([new("a", "k1"), new("a", "k2")]).events
    after = datetime.now(UTC)
    stamps = {e.recorded_at for e in stored}
    assert len(stamps) == 1  # one append, one time
    (stamp,) = stamps
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", stamp)
    assert before - timedelta(seconds=1) <= datetime.fromisoformat(stamp) <= after
