"""A step withdrawn by later news is announced as status.corrected, after the status.changed
that took it; the log, the projection, as_of and known_at keep the withdrawn step. On SQLite
and PostgreSQL, delivered to a real receiver on loopback."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

from pytest_httpserver import HTTPServer

from tests.integration.webhooks.test_delivery import Receiver, dispatch
from tracker import views
from tracker.bootstrap import Tracker
from tracker.domain.events import EvidenceRecorded
from tracker.services import audit
from tracker.webhooks import subscriptions as subs

D = "taliban-designation"


def reading(obs: str, stage: str, day: int, site: str, basis: str = "body") -> EvidenceRecorded:
    return EvidenceRecorded(D, obs, stage, 0.9, f"Quote {obs}.", "test-1", "wire",
                            f"https://{site}/{obs}", f"Title {obs}",
                            datetime(2025, 1, day, tzinfo=UTC), basis)


def record(tracker: Tracker, *events: EvidenceRecorded) -> None:
    tracker.writer.record(D, list(events))
    tracker.project()


def test_a_withdrawn_step_is_announced_as_a_correction(make, httpserver: HTTPServer) -> None:
    tracker = make()  # one site confirms a step here (confirm: {sources: 1})
    hook = Receiver(httpserver)
    subs.subscribe(tracker.engine, tracker.log, hook.url, [D], None)
    record(tracker, reading("bill", "proposed", 2, "first.example"))
    record(tracker, reading("misread", "court-approved", 5, "hasty.example", "headline"))
    time.sleep(0.01)
    before = datetime.now(UTC)
    time.sleep(0.01)
    record(tracker, *(reading(f"pending{n}", "proposed", 8 + n, f"site{n}.example")
                      for n in range(5)))
    dispatch(tracker)

    assert [(p["type"], p["data"]["from"], p["data"]["to"], p["data"]["since"][:10])
            for p in hook.payloads()] == [
        ("status.changed", None, "proposed", "2025-01-02"),
        ("status.changed", "proposed", "court-approved", "2025-01-05"),
        ("status.corrected", "court-approved", "proposed", "2025-01-09")]
    corrected = hook.payloads()[-1]["data"]
    assert [e["url"] for e in corrected["evidence"]] == [
        f"https://site{n}.example/pending{n}" for n in range(2)]

    now = json.loads(views.status_json(tracker.engine, tracker.catalog, D))
    assert (now["stage"], now["since"][:10]) == ("proposed", "2025-01-02")
    withdrawn = now["history"][1]["withdrawn"]
    assert now["history"][0]["withdrawn"] is None
    assert (withdrawn["at"][:10], len(withdrawn["evidence"])) == ("2025-01-09", 2)
    assert [e["observation_id"] for e in now["history"][1]["evidence"]] == ["misread"]
    # What was known before the news against it, and what stood as of a past day.
    then = json.loads(views.status_json(tracker.engine, tracker.catalog, D, known_at=before))
    assert then["stage"] == "court-approved" and then["history"][1]["withdrawn"] is None
    past = json.loads(views.status_json(tracker.engine, tracker.catalog, D,
                                        as_of=datetime(2025, 1, 8, tzinfo=UTC)))
    assert past["stage"] == "court-approved"
    assert all(c.difference is None
               for c in audit.replay_beside(tracker.following, tracker.log, tracker.catalog))
