"""The followers' contract, on SQLite and PostgreSQL: whatever span of the log each step
reads, a follower ends with the same rows."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, select, text

from tracker.bootstrap import Tracker, build
from tracker.domain.events import EntryObserved, EvidenceRecorded, FeedPolled, StatusChanged
from tracker.projections.runner import Runner
from tracker.services import audit
from tracker.services.reader import Reader
from tracker.settings import Settings
from tracker.store.log import NewEvent
from tracker.store.tables import checkpoints
from tracker.webhooks import subscriptions as subs
from tracker.webhooks.tables import deliveries

D = "taliban-designation"
STREAM = f"designation-{D}"
STAGES = ("considered", "proposed", "court-approved")
START = datetime(2025, 1, 1, tzinfo=UTC)
SPANS = (1, 7, 10_000)


@pytest.fixture
def tracker(settings: Settings):
    built = build(settings)
    yield built
    built.close()


def fill(tracker: Tracker, count: int = 120) -> None:
    """Polls, evidence and status changes, appended in uneven batches."""
    rng = random.Random(5)
    new, stage = [], None
    for i in range(count):
        when = START + timedelta(hours=i)
        roll = rng.random()
        if roll < 0.3:
            new.append(NewEvent.of("feed-wire", FeedPolled(
                "wire", "http://127.0.0.1:9/feed.xml", "fetched", when,
                when + timedelta(minutes=15), 200, None, 5, 0), f"poll:{i}"))
        elif roll < 0.85:
            new.append(NewEvent.of(STREAM, EvidenceRecorded(
                D, f"o{i}", rng.choice(STAGES), 0.9, f"Quote {i}", "v1", "wire",
                f"https://news{i % 4}.example/{i}", f"Article {i}", when), f"ev:{i}"))
        else:
            to = rng.choice([s for s in STAGES if s != stage])
            new.append(NewEvent.of(STREAM, StatusChanged(
                D, stage, to, when, "evidence", (f"o{i - 1}",)), f"status:{i}"))
            stage = to
    at = 0
    while at < count:
        size = rng.randint(1, 30)
        tracker.log.append(new[at:at + size])
        at += size


def project(tracker: Tracker, span: int) -> tuple[dict[str, str], list[tuple]]:
    """From nothing, the projections then the outbox caught up `span` positions a step: the
    projections' digests and the deliveries."""
    with tracker.engine.begin() as conn:
        for projection in tracker.projections:
            for table in projection.tables:
                conn.execute(delete(table))
        conn.execute(delete(deliveries))
        conn.execute(delete(checkpoints))
    runner = Runner(tracker.engine, batch=span)
    for follower in [*tracker.projections, tracker.outbox]:
        follower.forget()
        runner.catch_up(follower)
    with tracker.engine.connect() as conn:
        made = conn.execute(select(
            deliveries.c.id, deliveries.c.subscription_id, deliveries.c.position,
            deliveries.c.payload, deliveries.c.status).order_by(deliveries.c.id)).all()
        moved = dict(conn.execute(text("SELECT name, position FROM checkpoints")).all())
    head = tracker.log.head()[0]
    assert moved == {f.name: head for f in [*tracker.projections, tracker.outbox]}
    return {p.name: audit.digest(tracker.engine, p) for p in tracker.projections}, made


def test_projections_and_the_outbox_end_with_the_same_rows_whatever_the_span(
        tracker: Tracker) -> None:
    subs.subscribe(tracker.engine, tracker.log, "http://127.0.0.1:9/hook", None, None)
    fill(tracker)
    first = project(tracker, SPANS[0])
    assert first[1], "the status changes made deliveries"
    for span in SPANS[1:]:
        assert project(tracker, span) == first


TITLES = (
    "Russia is considering removing the Taliban from its terrorist list",
    "Kazakhstan removes the Taliban from its list of banned groups",  # nothing to record
    "Russia's prosecutor general asks the Supreme Court to lift the ban on the Taliban",
    "Weather in Kabul is mild",  # nothing to record
    "Russian Supreme Court lifts the ban on the Taliban",
    "Moscow weighs taking the Taliban off its list of terrorist organisations",
)


@pytest.mark.parametrize("span", SPANS)
def test_the_reader_records_the_same_evidence_whatever_the_span(
        tracker: Tracker, span: int) -> None:
    for n, title in enumerate(TITLES * 2):
        when = START + timedelta(days=n)
        tracker.log.append([NewEvent.of("feed-wire", EntryObserved(
            f"obs{n}", "wire", f"g{n}", f"https://news{n}.example/{n}", title, "", "", (),
            when, "published", when, (D,)), f"obs:{n}")])
    reader = Reader(tracker.engine, tracker.log, tracker.catalog, tracker.writer, batch=span)
    reader.catch_up()
    recorded = [(e.observation_id, e.stage) for e in
                (s.decode() for s in tracker.log.read(types=["EvidenceRecorded"]))]
    stages = ["considered", None, "proposed", None, "court-approved", "considered"]
    assert recorded == [(f"obs{n}", stage) for n, stage in enumerate(stages * 2)
                        if stage is not None]
    head = tracker.log.head()[0]
    reader.catch_up()  # past its own evidence: nothing more to read
    with tracker.engine.connect() as conn:
        at = conn.execute(text("SELECT position FROM checkpoints WHERE name = 'reader'")).scalar()
    assert (at, tracker.log.head()[0]) == (head, head)
