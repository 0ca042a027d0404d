"""A follower that meets an event it cannot apply stops before it, says where and why, and
keeps serving what it had; the others go on; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from tracker import views
from tracker.api.app import create_app
from tracker.bootstrap import build
from tracker.domain.events import EvidenceRecorded
from tracker.errors import FollowerStopped
from tracker.services import audit
from tracker.services.designations import stream_of
from tracker.settings import Settings
from tracker.store.codec import canonical_json
from tracker.store.log import NewEvent

D = "taliban-designation"


def evidence(obs: str, stage: str, day: int) -> EvidenceRecorded:
    return EvidenceRecorded(D, obs, stage, 0.9, "Quote.", "v1", "wire",
                            f"https://news.example/{obs}", obs, datetime(2025, 1, day, tzinfo=UTC))


def poison() -> NewEvent:
    """An event no version of the service should have written: a confidence in words."""
    return NewEvent(stream_of(D), "EvidenceRecorded", 1, canonical_json({
        "designation": D, "observation_id": "bad", "stage": "court-approved",
        "confidence": "very high", "quote": "q", "classifier_version": "v1", "feed": "wire",
        "url": None, "title": "t", "published_at": "2025-01-05T00:00:00+00:00"}), "poison")


def test_a_poison_event_stops_only_its_follower_and_says_where(
        settings: Settings, caplog: pytest.LogCaptureFixture, tmp_path) -> None:
    tracker = build(settings)
    tracker.writer.record(D, [evidence("a", "considered", 1)])
    tracker.project()
    position = tracker.log.append([poison()]).written[0].position
    tracker.writer.record(D, [evidence("b", "proposed", 2)])
    with caplog.at_level(logging.ERROR, logger="tracker.projections"):
        tracker.project()  # raises nothing
        tracker.project()  # and tries nothing again
    stop = tracker.runner.stopped["status"]
    assert stop.position == position and stop.reason.startswith("EvidenceRecorded: ")
    # The outbox stops too, at the status change whose evidence it cannot give: once each.
    assert tracker.runner.stopped["webhook_outbox"].position > position
    assert sorted(r.getMessage() for r in caplog.records if "stopped at" in r.getMessage()) \
        == sorted(f"{s}; it serves what it had and goes no further until fixed"
                  for s in tracker.runner.stopped.values())
    assert set(tracker.runner.stopped) == {"status", "webhook_outbox"}
    document = json.loads(views.status_json(tracker.engine, tracker.catalog, D))
    assert document["stage"] == "considered"  # what it had

    with TestClient(create_app(tracker)) as client:
        health = client.get("/healthz").json()
        assert health["status"] == "degraded"
        assert {"follower": "status", "position": position, "reason": stop.reason} in \
            health["stopped"]
        metrics = client.get("/metrics").text
        assert f'tracker_follower_stopped_position{{projection="status"}} {position}.0' in metrics
        assert 'tracker_follower_stopped_position{projection="reader"} 0.0' in metrics
        assert client.get(f"/status/{D}").status_code == 200

    with pytest.raises(FollowerStopped, match=f"status stopped at position {position}"):
        audit.replay(tracker.following)
    tracker.close()

    env = {**os.environ, "TRACKER_DATABASE_URL": settings.database_url,
           "TRACKER_FEEDS": str(settings.feeds)}
    for args in (["replay"], ["replay", "--verify"]):
        done = subprocess.run([sys.executable, "-m", "tracker.cli", *args], env=env,
                              cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert done.returncode == 1 and f"stopped at position {position}" in done.stderr, args
        assert "Traceback" not in done.stderr


def test_a_healthy_service_says_ok(settings: Settings) -> None:
    tracker = build(settings)
    with TestClient(create_app(tracker)) as client:
        assert client.get("/healthz").json() == {"status": "ok", "position": 0, "stopped": []}
    tracker.close()


def test_an_observation_the_reader_cannot_read_stops_it_after_what_came_before(
        settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    tracker = build(settings)
    good = {"observation_id": "good", "feed": "wire", "entry_id": "g",
            "link": "https://news.example/g",
            "title": "Russia's Supreme Court removes the Taliban from the terrorist list",
            "summary": "Russia's Supreme Court removed the Taliban from its list of terrorist "
                       "organisations on Thursday.", "content": "", "authors": [],
            "published_at": "2025-04-17T10:00:00+00:00", "published_source": "published",
            "fetched_at": "2025-04-17T11:00:00+00:00", "designations": [D]}
    broken = {k: v for k, v in good.items() if k != "title"} | {"observation_id": "broken"}
    written = tracker.log.append([
        NewEvent("feed-wire", "EntryObserved", 1, canonical_json(good), "good"),
        NewEvent("feed-wire", "EntryObserved", 1, canonical_json(broken), "broken"),
        NewEvent("feed-wire", "EntryObserved", 1, canonical_json(good | {
            "observation_id": "after", "link": "https://news.example/after"}), "after"),
    ]).written
    with caplog.at_level(logging.ERROR, logger="tracker.reader"):
        tracker.settle()
        tracker.settle()
    stop = tracker.reader.stopped
    assert stop is not None and stop.position == written[1].position
    assert "title" in stop.reason
    assert len([r for r in caplog.records if "stopped at position" in r.getMessage()]) == 1
    observed = {e.decode().observation_id for e in tracker.log.read(types=["EvidenceRecorded"])}
    assert observed == {"good"}  # what came before was read; nothing after the stop
    with TestClient(create_app(tracker)) as client:
        health = client.get("/healthz").json()
        assert health["status"] == "degraded"
        assert health["stopped"][0]["follower"] == "reader"
        assert f'tracker_follower_stopped_position{{projection="reader"}} ' \
               f'{written[1].position}.0' in client.get("/metrics").text
    tracker.close()
