"""Rebuilding and catching up projections batch by batch, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, select, text

from tracker.bootstrap import Tracker
from tracker.domain.events import (
    EntryObserved,
    EvidenceRecorded,
    EvidenceRejected,
    FeedPolled,
    StageOverridden,
)
from tracker.projections.feeds import FeedHealthProjection
from tracker.projections.runner import Projection, Runner
from tracker.projections.status import StatusProjection
from tracker.projections.tables import evidence
from tracker.services import audit
from tracker.store.log import NewEvent, StoredEvent

D = "taliban-designation"
STREAM = f"designation-{D}"
STAGES = ("considered", "proposed", "court-approved", "reversed", None)
START = datetime(2024, 1, 1, tzinfo=UTC)


def fill(tracker: Tracker, count: int = 300) -> None:
    """A mixed log: many observations the projections skip, polls, evidence (some late,
    some read again), overrides and rejections."""
    rng = random.Random(3)
    new = []
    for i in range(count):
        when = START + timedelta(hours=i)
        roll = rng.random()
        if roll < 0.5:
            new.append(NewEvent.of("feed-wire", EntryObserved(
                f"o{i}", "wire", f"g{i}", None, f"T{i}", "", "", (), when, "published", when,
                (D,)), f"obs:{i}"))
        elif roll < 0.7:
            new.append(NewEvent.of("feed-wire", FeedPolled(
                "wire", "http://127.0.0.1:9/feed.xml", rng.choice(("fetched", "failed")), when,
                when + timedelta(minutes=15), 200, None, 5, rng.randint(0, 2)), f"poll:{i}"))
        elif roll < 0.95:
            obs = f"o{rng.randrange(i)}" if i and rng.random() < 0.2 else f"o{i}"
            published = when - timedelta(days=rng.random() * 20)
            new.append(NewEvent.of(STREAM, EvidenceRecorded(
                D, obs, rng.choice(STAGES), 0.9, f"Quote {i}", f"v{i % 3}", "wire",
                f"https://news.example/{i}", f"Article {i}", published), f"ev:{i}"))
        elif roll < 0.97:
            new.append(NewEvent.of(STREAM, StageOverridden(
                D, rng.choice(STAGES[:3]), "checked", when - timedelta(days=3), "analyst"),
                f"override:{i}"))
        else:
            new.append(NewEvent.of(STREAM, EvidenceRejected(
                D, f"o{rng.randrange(i)}", "wrong", "analyst"), f"reject:{i}"))
    for start in range(0, count, 50):
        tracker.log.append(new[start:start + 50])


def fresh(tracker: Tracker) -> list[Projection]:
    return [StatusProjection(tracker.catalog), FeedHealthProjection()]


def digests(tracker: Tracker) -> dict[str, str]:
    return {p.name: audit.digest(tracker.engine, p) for p in tracker.projections}


def checkpoints(tracker: Tracker) -> dict[str, int]:
    with tracker.engine.connect() as conn:
        return dict(conn.execute(text("SELECT name, position FROM checkpoints")).all())


class Crash(Exception):
    pass


class CrashingAfter:
    """A projection that fails in its n-th batch, as a process killed mid-replay would."""

    def __init__(self, inner: Projection, batches: int) -> None:
        self.inner, self.left = inner, batches
        self.name, self.types, self.tables = inner.name, inner.types, inner.tables

    def apply(self, conn: Connection, batch: list[tuple[StoredEvent, Any]]) -> None:
        self.left -= 1
        if self.left == 0:
            raise Crash
        self.inner.apply(conn, batch)

    def forget(self) -> None:
        self.inner.forget()


def test_any_span_per_batch_projects_the_same_rows(tracker: Tracker) -> None:
    fill(tracker)
    tracker.project()
    whole = digests(tracker)
    for span in (1, 7, 64):  # spans where none, one or many events are the projection's
        Runner(tracker.engine, batch=span).rebuild(fresh(tracker))
        assert digests(tracker) == whole, span
        assert set(checkpoints(tracker).values()) >= {tracker.log.head()[0]}


def test_live_catch_up_in_small_spans_matches_a_replay(tracker: Tracker) -> None:
    fill(tracker, 150)
    runner = Runner(tracker.engine, batch=5)
    for projection in tracker.projections:
        runner.catch_up(projection)
    fill(tracker, 150)  # the same keys: nothing new
    tracker.log.append([NewEvent.of(STREAM, EvidenceRecorded(
        D, "late", "proposed", 0.9, "Late.", "v1", "wire", None, "Late", START), "late")])
    for projection in tracker.projections:
        runner.catch_up(projection)
    live = digests(tracker)
    assert audit.replay(tracker.following) == live


def test_an_interrupted_replay_is_finished_by_catching_up_or_by_replaying(
        tracker: Tracker) -> None:
    fill(tracker)
    tracker.project()
    whole = digests(tracker)
    status, feeds = fresh(tracker)
    with pytest.raises(Crash):
        Runner(tracker.engine, batch=40).rebuild([CrashingAfter(status, 4), feeds])
    reached = checkpoints(tracker)
    # The batches before the crash were committed with their checkpoints, no more.
    assert reached["status"] == reached["feed_health"] == 120
    assert digests(tracker) != whole

    later = Runner(tracker.engine, batch=40)  # a new process, as `tracker serve` would be
    for projection in fresh(tracker):
        later.catch_up(projection)
    assert digests(tracker) == whole

    with pytest.raises(Crash):
        Runner(tracker.engine, batch=40).rebuild([CrashingAfter(fresh(tracker)[0], 2), feeds])
    assert audit.replay(tracker.following) == whole


def test_projected_text_comes_back_exactly(tracker: Tracker) -> None:
    quote = 'Tabs\there, lines\nand \\N, a \\ back\\slash, "quotes", \r ünïcödé \u2028 end'
    tracker.log.append([NewEvent.of(STREAM, EvidenceRecorded(
        D, "odd", None, 0.123456789012, quote, "v\t1", "wire", None, "Title\\N",
        START), "odd")])
    tracker.project()
    with tracker.engine.connect() as conn:
        row = conn.execute(select(evidence)).one()
    assert (row.quote, row.stage, row.url, row.title, row.classifier_version, row.confidence) \
        == (quote, None, None, "Title\\N", "v\t1", 0.123456789012)
    assert audit.replay(tracker.following) == digests(tracker)
