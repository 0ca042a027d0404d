"""Times at the calendar's edge: the log refuses new ones, and one an older log holds is read
as the nearest bound, so the fold, the projections, the outbox and replay all go on; on
SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone

import pytest

from tests.servers import ROOT
from tracker import views
from tracker.bootstrap import build
from tracker.domain.events import EntryObserved, EvidenceRecorded, StageOverridden
from tracker.domain.times import EARLIEST, LATEST, TimeOutOfRange
from tracker.services import audit
from tracker.services.designations import stream_of
from tracker.settings import Settings
from tracker.store.codec import canonical_json
from tracker.store.log import NewEvent
from tracker.webhooks import subscriptions as subs

D = "taliban-designation"
EDGES = ["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00", "1969-12-31T23:59:59+00:00",
         "9999-12-31T23:59:59.999999+00:00"]


def old_event(stream: str, name: str, payload: dict, key: str) -> NewEvent:
    """An event as an older version of the service could have written it: unchecked."""
    return NewEvent(stream, name, 1, canonical_json(payload), key)


@pytest.mark.parametrize("when", [datetime(9999, 12, 31, 23, 59, 59,
                                           tzinfo=timezone(timedelta(hours=-1))),
                                  datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1))),
                                  datetime(1969, 12, 31, 23, 59, tzinfo=UTC)])
def test_the_log_refuses_a_time_no_reader_can_represent(settings: Settings,
                                                        when: datetime) -> None:
    tracker = build(settings)
    with pytest.raises(TimeOutOfRange, match="out of range"):
        tracker.writer.record(D, [StageOverridden(D, "proposed", "edge", when, "ana")])
    with pytest.raises(TimeOutOfRange):
        tracker.writer.record(D, [EvidenceRecorded(D, "o", "proposed", 0.9, "q", "v1", "wire",
                                                   None, "t", when)])
    assert tracker.log.head()[0] == 0
    tracker.close()


def test_events_at_the_edge_in_an_older_log_are_applied_and_replayed(settings: Settings,
                                                                     tmp_path) -> None:
    tracker = build(settings)
    subs.subscribe(tracker.engine, tracker.log, "http://127.0.0.1:9/hook", None, None)
    tracker.writer.record(D, [EvidenceRecorded(
        D, "ok", "considered", 0.9, "Moscow weighs it.", "v1", "wire", "https://news.example/ok",
        "Fine", datetime(2024, 5, 1, tzinfo=UTC))])
    events = []
    for n, when in enumerate(EDGES):
        events.append(old_event(stream_of(D), "EvidenceRecorded", {
            "designation": D, "observation_id": f"edge-{n}", "stage": "proposed",
            "confidence": 0.9, "quote": "Proposed.", "classifier_version": "v1", "feed": "wire",
            "url": "javascript:alert(1)", "title": f"Edge {n}", "published_at": when},
            f"edge-evidence-{n}"))
    events.append(old_event(stream_of(D), "StageOverridden", {
        "designation": D, "stage": "court-approved", "reason": "edge", "analyst": "ana",
        "effective_at": EDGES[0]}, "edge-override"))
    events.append(old_event("feed-wire", "EntryObserved", {
        "observation_id": "edge-obs", "feed": "wire", "entry_id": "x", "link": "javascript:x",
        "title": "Taliban removal proposed", "summary": "Russia proposed removing the Taliban.",
        "content": "", "authors": [], "published_at": EDGES[1], "published_source": "published",
        "fetched_at": EDGES[0], "designations": [D]}, "edge-observation"))
    tracker.log.append(events)

    tracker.project()  # raises nothing, and the followers reach the head
    document = json.loads(views.status_json(tracker.engine, tracker.catalog, D))
    assert document["stage"] == "court-approved" and document["position"] > 1
    assert document["since"] == LATEST.isoformat().replace("+00:00", "Z")
    assert all(e["url"] is None for e in document["evidence"])  # the script link is not served
    for as_of in (datetime(2024, 6, 1, tzinfo=UTC), LATEST, EARLIEST):
        json.loads(views.status_json(tracker.engine, tracker.catalog, D, as_of=as_of))
    json.loads(views.status_json(tracker.engine, tracker.catalog, D, known_at=datetime.now(UTC)))
    assert tracker.writer.state(D).timeline().stage == "court-approved"

    assert all(c.difference is None
               for c in audit.replay_beside(tracker.following, tracker.log, tracker.catalog))
    audit.replay(tracker.following)
    assert json.loads(views.status_json(tracker.engine, tracker.catalog, D))["stage"] == "court-approved"
    (subscription,) = subs.listing(tracker.engine)
    payloads = [d["payload"] for d in subs.delivery_log(tracker.engine, subscription["id"])]
    assert payloads and all(e["url"] is None or e["url"].startswith("https://")
                            for p in payloads for e in p["data"]["evidence"])
    tracker.close()

    env = {**os.environ, "TRACKER_DATABASE_URL": settings.database_url,
           "TRACKER_FEEDS": str(settings.feeds)}
    for args in (["replay"], ["replay", "--verify"], ["status", D, "--json"], ["verify"]):
        done = subprocess.run([sys.executable, "-m", "tracker.cli", *args], env=env,
                              cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"{args}: {done.stdout}{done.stderr}"


@pytest.mark.parametrize("option", ["--as-of", "--known-at"])
def test_the_cli_refuses_edge_times_with_a_message(settings: Settings, tmp_path,
                                                   option: str) -> None:
    env = {**os.environ, "TRACKER_DATABASE_URL": settings.database_url,
           "TRACKER_FEEDS": str(settings.feeds)}
    for value in ("0001-01-01T00:00:00+0100", "9999-12-31T23:59:59-0100", "1969-12-31"):
        done = subprocess.run([sys.executable, "-m", "tracker.cli", "status", D, option, value],
                              env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert done.returncode == 2 and "out of range" in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
    ok = subprocess.run([sys.executable, "-m", "tracker.cli", "status", D, option, "2025-01-01"],
                        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr


def test_an_observation_dated_at_the_edge_is_classified_without_error(settings: Settings) -> None:
    tracker = build(settings)
    tracker.log.append([old_event("feed-wire", "EntryObserved", {
        "observation_id": "o1", "feed": "wire", "entry_id": "x", "link": "https://news.example/1",
        "title": "Russia's Supreme Court removes the Taliban from the terrorist list",
        "summary": "Russia's Supreme Court removed the Taliban from its list of terrorist "
                   "organisations on Thursday.", "content": "", "authors": [],
        "published_at": EDGES[0], "published_source": "published", "fetched_at": EDGES[0],
        "designations": [D]}, "obs-edge")])
    tracker.project()
    observed = next(iter(tracker.log.read(types=["EntryObserved"]))).decode()
    assert observed.published_at == LATEST
    assert isinstance(observed, EntryObserved)
    tracker.close()
