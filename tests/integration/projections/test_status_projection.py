"""The status projection and the read side, from the log alone, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import random
import time
from datetime import UTC, datetime, timedelta

import pytest

from tracker import views
from tracker.bootstrap import Tracker
from tracker.domain.documents import status_document
from tracker.domain.events import EvidenceRecorded, EvidenceRejected, StageOverridden
from tracker.services import audit

D = "taliban-designation"


def evidence(obs: str, stage: str | None, published: datetime, version: str = "test-1",
             site: str = "news.example", basis: str = "body") -> EvidenceRecorded:
    return EvidenceRecorded(D, obs, stage, 0.9, f"The sentence of {obs}.", version, "wire",
                            f"https://{site}/{obs}", f"Article {obs}", published, basis)


APRIL = datetime(2025, 4, 17, tzinfo=UTC)
PROPOSAL = datetime(2024, 10, 1, tzinfo=UTC)
TALKS = datetime(2024, 5, 20, tzinfo=UTC)
SITES = [f"site{n}.example" for n in range(8)]


def status(tracker: Tracker, **kw: datetime) -> dict:
    return json.loads(views.status_json(tracker.engine, tracker.catalog, D, **kw))


def test_history_follows_publication_though_the_ruling_arrived_first(tracker: Tracker) -> None:
    tracker.writer.record(D, [evidence("ruling", "court-approved", APRIL)])
    time.sleep(0.01)
    tracker.project()
    after_ruling = datetime.now(UTC)
    time.sleep(0.01)
    tracker.writer.record(D, [evidence("bill", "proposed", PROPOSAL),
                              evidence("talks", "considered", TALKS)])
    tracker.project()

    now = status(tracker)
    assert now["stage"] == "court-approved"
    assert now["since"] == "2025-04-17T00:00:00Z"
    assert [(t["from"], t["to"]) for t in now["history"]] == [
        (None, "considered"), ("considered", "proposed"), ("proposed", "court-approved")]
    assert [t["since"][:10] for t in now["history"]] == ["2024-05-20", "2024-10-01", "2025-04-17"]
    assert now["evidence"][0]["quote"] == "The sentence of ruling."

    # What the service had said just after the ruling arrived: straight to court-approved.
    then = status(tracker, known_at=after_ruling)
    assert [(t["from"], t["to"]) for t in then["history"]] == [(None, "court-approved")]
    # As effective at the end of 2024: proposed.
    assert status(tracker, as_of=datetime(2024, 12, 31, tzinfo=UTC))["stage"] == "proposed"
    assert status(tracker, known_at=datetime(2020, 1, 1, tzinfo=UTC))["stage"] is None

    changes = [e.decode() for e in tracker.log.read(types=["StatusChanged"])]
    assert [(c.from_stage, c.to_stage) for c in changes] == [(None, "court-approved")]


def test_a_late_earlier_article_corrects_since(tracker: Tracker) -> None:
    tracker.writer.record(D, [evidence("b", "proposed", PROPOSAL)])
    tracker.writer.record(D, [evidence("a", "proposed", TALKS)])
    tracker.project()
    assert status(tracker)["since"] == "2024-05-20T00:00:00Z"
    assert status(tracker)["evidence_total"] == 2


def test_an_override_is_an_event_shown_in_history_and_replayed(tracker: Tracker) -> None:
    tracker.writer.record(D, [evidence("x", "court-approved", APRIL)])
    tracker.writer.record(D, [StageOverridden(D, "proposed", "the ruling was about Kazakhstan",
                                              datetime(2025, 5, 1, tzinfo=UTC), "analyst-1")])
    tracker.project()
    last = status(tracker)["history"][-1]
    assert (last["to"], last["cause"], last["reason"]) == (
        "proposed", "override", "the ruling was about Kazakhstan")
    before = views.status_json(tracker.engine, tracker.catalog, D)
    audit.replay(tracker.following)
    assert views.status_json(tracker.engine, tracker.catalog, D) == before
    assert all(c.difference is None
               for c in audit.replay_beside(tracker.following, tracker.log, tracker.catalog))


def test_replay_reproduces_every_projection(tracker: Tracker) -> None:
    tracker.writer.record(D, [evidence("a", "considered", TALKS)])
    tracker.writer.record(D, [evidence("b", "reversed", PROPOSAL)])
    tracker.project()
    digests = {p.name: audit.digest(tracker.engine, p) for p in tracker.projections}
    assert audit.replay(tracker.following) == digests


def test_an_unknown_designation_is_refused(tracker: Tracker) -> None:
    from tracker.errors import UnknownDesignation

    with pytest.raises(UnknownDesignation):
        views.status_json(tracker.engine, tracker.catalog, "no-such-thing")


def test_late_evidence_projects_as_the_rules_read_in_order_and_in_time(tracker: Tracker) -> None:
    """Many readings from a few sites arriving out of publication order, some read again or
    rejected, and overrides: the projection (whose timeline folds again from the tables)
    matches the writer's (which folds again from memory), now, as of past times and as known
    at past times; a replay agrees. Steps are withdrawn by later news on the way."""
    rng = random.Random(11)
    stages = [None, "considered", "proposed", "court-approved", "reversed"]
    known: list[tuple[datetime, dict]] = []
    for step in range(120):
        batch: list[object] = []
        for _ in range(rng.randint(1, 4)):
            obs = f"o{rng.randrange(60)}"
            published = TALKS + timedelta(days=rng.randrange(300), minutes=step)
            roll = rng.random()
            if roll < 0.85:
                batch.append(evidence(obs, rng.choice(stages), published, f"v{step}",
                                      rng.choice(SITES), rng.choice(["body", "headline"])))
            elif roll < 0.93:
                batch.append(StageOverridden(D, rng.choice(stages[:4]), "analyst", published))
            elif obs in tracker.writer.state(D).readings:
                batch.append(EvidenceRejected(D, obs, "not about this list"))
        if batch:
            tracker.writer.record(D, batch)
        if step % 3 == 0:
            tracker.project()
            time.sleep(0.002)
            known.append((datetime.now(UTC), status(tracker)))
            time.sleep(0.002)
    tracker.project()

    def timeline_part(document: dict) -> tuple:
        return (document["stage"], document["since"], document["evidence"],
                document["evidence_total"], document["history"])

    state = tracker.writer.state(D)
    held = status_document(state.designation, state.timeline(), 0, None)
    assert len(held["history"]) > 5
    assert any(t["withdrawn"] for t in held["history"])
    assert timeline_part(status(tracker)) == timeline_part(held)
    for day in range(0, 320, 40):
        as_of = TALKS + timedelta(days=day)
        held = status_document(state.designation, state.timeline(as_of), 0, None)
        assert timeline_part(status(tracker, as_of=as_of)) == timeline_part(held)
    for at, document in known:
        assert timeline_part(status(tracker, known_at=at)) == timeline_part(document)
    assert all(c.difference is None
               for c in audit.replay_beside(tracker.following, tracker.log, tracker.catalog))
