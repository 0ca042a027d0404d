"""What a cache between the service and its readers is told: the status and the list of
designations carry an ETag and a Cache-Control for an answer that changes rarely, and a
304 when the tag still matches; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from tracker.bootstrap import Tracker, build
from tracker.domain.events import EvidenceRecorded
from tracker.settings import Settings

D = "taliban-designation"


def reading(obs: str, stage: str, month: int) -> EvidenceRecorded:
    return EvidenceRecorded(D, obs, stage, 0.9, f"Quote {obs}.", "test-1", "wire",
                            f"https://news.example/{obs}", f"Title {obs}",
                            datetime(2024, month, 1, tzinfo=UTC))


@pytest.fixture
def tracker(settings: Settings):
    tracker = build(settings)
    tracker.writer.record(D, [reading("a", "considered", 5)])
    tracker.project()
    yield tracker
    tracker.close()


def cacheable(headers) -> bool:  # type: ignore[no-untyped-def]
    """A shared cache may keep it a minute and revalidate it with the ETag."""
    policy = [p.strip() for p in headers["cache-control"].split(",")]
    return "public" in policy and "max-age=60" in policy and headers["etag"].startswith('"')


@pytest.mark.parametrize("query", ["", "?as_of=2024-06-01", "?known_at=2999-01-01"])
def test_status_answers_carry_an_etag_and_a_cache_policy(tracker: Tracker, query: str) -> None:
    from tracker.api.app import create_app

    with TestClient(create_app(tracker)) as client:
        first = client.get(f"/status/{D}{query}")
        assert first.status_code == 200 and cacheable(first.headers)
        assert first.headers["content-type"] == "application/json"
        again = client.get(f"/status/{D}{query}", headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == first.headers["etag"] and cacheable(again.headers)


def test_the_current_status_answers_as_the_route_does(tracker: Tracker) -> None:
    """The current status is served before FastAPI routes it: the projected document, the
    same refusals, and counted under its route in the metrics."""
    from tracker import views
    from tracker.api.app import create_app

    with TestClient(create_app(tracker)) as client:
        current = client.get(f"/status/{D}").json()
        assert current["stage"] == "considered" and current["disputed"] is None
        assert current == json.loads(views.status_json(tracker.engine, tracker.catalog, D))
        assert client.get("/status/hamas").status_code == 404
        assert client.get(f"/status/{D}", params={"asof": "2024"}).status_code == 422
        assert client.head(f"/status/{D}").status_code == 405
        metrics = client.get("/metrics").text
    assert 'route="/status/{designation}",status="200"' in metrics


def test_the_list_of_designations_has_an_etag_that_follows_the_stages(tracker: Tracker) -> None:
    from tracker.api.app import create_app

    with TestClient(create_app(tracker)) as client:
        first = client.get("/designations")
        assert first.status_code == 200 and cacheable(first.headers)
        assert [d["stage"] for d in first.json() if d["designation"] == D] == ["considered"]
        etag = first.headers["etag"]
        assert client.get("/designations", headers={"If-None-Match": etag}).status_code == 304
        tracker.writer.record(D, [reading("b", "proposed", 9)])
        tracker.project()
        moved = client.get("/designations", headers={"If-None-Match": etag})
        assert moved.status_code == 200 and moved.headers["etag"] != etag
        assert [d["stage"] for d in moved.json() if d["designation"] == D] == ["proposed"]


def test_an_override_shows_at_once_although_the_status_is_read_for_many(tracker: Tracker
                                                                        ) -> None:
    """The shared read may be a quarter of a second old; the process that changed the
    status reads it afresh."""
    from tracker.api.app import create_app

    with TestClient(create_app(tracker)) as client:
        assert client.get(f"/status/{D}").json()["stage"] == "considered"
        set_stage = client.post(f"/designations/{D}/overrides", json={
            "stage": "proposed", "reason": "the ministry's own statement"},
            headers={"Authorization": "Bearer secret-token"})
        assert set_stage.status_code in (200, 201), set_stage.text
        assert client.get(f"/status/{D}").json()["stage"] == "proposed"
