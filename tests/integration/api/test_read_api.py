"""The read endpoints and the admin actions over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from tracker.bootstrap import build
from tracker.domain.events import EvidenceRecorded
from tracker.settings import Settings

D = "taliban-designation"
ADMIN = {"Authorization": "Bearer secret-token"}


def evidence(obs: str, stage: str, published: datetime) -> EvidenceRecorded:
    return EvidenceRecorded(D, obs, stage, 0.8, f"Quote {obs}.", "test-1", "wire",
                            f"https://news.example/{obs}", f"Title {obs}", published)


@pytest.fixture
def client(settings: Settings):
    from tracker.api.app import create_app

    tracker = build(settings)
    tracker.writer.record(D, [evidence("a", "considered", datetime(2024, 5, 1, tzinfo=UTC)),
                              evidence("b", "proposed", datetime(2024, 11, 1, tzinfo=UTC))])
    tracker.project()
    with TestClient(create_app(tracker)) as test_client:
        yield test_client
    tracker.close()


def test_status_has_the_shape_of_the_spec(client: TestClient) -> None:
    body = client.get(f"/status/{D}").json()
    assert {"designation", "title", "stage", "since", "recorded_at", "position", "evidence",
            "history"} <= body.keys()
    assert body["stage"] == "proposed" and body["since"] == "2024-11-01T00:00:00Z"
    assert {"url", "title", "feed", "published_at", "stage", "confidence", "quote"} <= \
        body["evidence"][0].keys()
    assert {"from", "to", "since", "recorded_at", "position", "evidence"} <= \
        body["history"][0].keys()


def test_etag_and_304(client: TestClient) -> None:
    first = client.get(f"/status/{D}")
    etag = first.headers["etag"]
    assert client.get(f"/status/{D}", headers={"If-None-Match": etag}).status_code == 304
    assert client.get(f"/status/{D}", headers={"If-None-Match": '"other"'}).status_code == 200
    older = client.get(f"/status/{D}", params={"as_of": "2024-06-01"})
    assert older.json()["stage"] == "considered"
    assert older.headers["etag"] != etag


def test_unknown_designation_is_a_json_404(client: TestClient) -> None:
    for path in ("/status/hamas", "/status/hamas/history"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.json() == {"detail": "no designation 'hamas' is tracked"}


@pytest.mark.parametrize(("query", "name"), [({"as_of": "yesterday"}, "as_of"),
                                             ({"known_at": "2024-13-45"}, "known_at")])
def test_a_bad_time_is_a_422_naming_the_value(client: TestClient, query: dict, name: str) -> None:
    response = client.get(f"/status/{D}", params=query)
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert detail["loc"] == ["query", name]
    assert detail["input"] == query[name]


def test_history_designations_events_and_health(client: TestClient) -> None:
    history = client.get(f"/status/{D}/history").json()["history"]
    assert [t["to"] for t in history] == ["considered", "proposed"]
    assert client.get("/designations").json()[0]["stage"] == "proposed"
    page = client.get("/events", params={"after": 0, "limit": 2}).json()
    assert [e["position"] for e in page["events"]] == [1, 2]
    assert page["next_after"] == 2 and page["head"]["position"] >= 2
    assert page["events"][0]["payload"]["observation_id"] == "a"
    assert client.get("/events", params={"limit": 0}).status_code == 422
    assert client.get("/healthz").json()["status"] == "ok"
    metrics = client.get("/metrics").text
    assert "tracker_log_position" in metrics and "tracker_projection_lag_events" in metrics
    assert 'tracker_evidence_total{stage="proposed"} 1.0' in metrics
    assert 'tracker_transitions_total{designation="taliban-designation"} 2.0' in metrics
    assert 'tracker_http_request_duration_seconds_count{method="GET",route="/healthz"' in metrics


def test_admin_endpoints_refuse_without_the_token(client: TestClient) -> None:
    body = {"stage": "considered", "reason": "test"}
    url = f"/designations/{D}/overrides"
    assert client.post(url, json=body).status_code == 401
    assert client.post(url, json=body, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.post("/feeds/wire/poll").status_code == 401


def test_an_override_sets_the_stage_and_shows_its_reason(client: TestClient) -> None:
    url = f"/designations/{D}/overrides"
    response = client.post(url, headers=ADMIN, json={
        "stage": "court-approved", "reason": "ruling read in the court's own register",
        "effective_at": "2025-04-17T00:00:00Z", "analyst": "ana"})
    assert response.status_code == 201, response.text
    body = client.get(f"/status/{D}").json()
    assert body["stage"] == "court-approved"
    assert body["history"][-1]["reason"] == "ruling read in the court's own register"


def test_rejecting_evidence_moves_the_status_back(client: TestClient) -> None:
    url = f"/designations/{D}/overrides"
    response = client.post(url, headers=ADMIN, json={"observation_id": "b",
                                                     "reason": "about Kazakhstan's list"})
    assert response.status_code == 201, response.text
    assert client.get(f"/status/{D}").json()["stage"] == "considered"


def test_withdrawing_an_override_hands_the_designation_back_to_its_evidence(
        client: TestClient) -> None:
    url = f"/designations/{D}/overrides"
    set_ = client.post(url, headers=ADMIN, json={
        "stage": None, "reason": "mistaken reading", "effective_at": "2025-01-01T00:00:00Z"})
    assert set_.status_code == 201 and set_.json()["stage"] is None
    assert client.get(f"/status/{D}").json()["stage"] is None
    recorded_at = client.get(f"/status/{D}").json()["history"][-1]["recorded_at"]
    withdrawn = client.post(url, headers=ADMIN, json={"withdraw": set_.json()["position"],
                                                      "reason": "the reading was right"})
    assert withdrawn.status_code == 201, withdrawn.text
    assert withdrawn.json()["type"] == "OverrideWithdrawn"
    body = client.get(f"/status/{D}").json()
    assert body["stage"] == "proposed" and body["since"] == "2024-11-01T00:00:00Z"
    assert all(t["cause"] != "override" for t in body["history"])
    # What the service knew before the withdrawal still shows the override.
    before = client.get(f"/status/{D}", params={"known_at": recorded_at}).json()
    assert before["stage"] is None
    again = client.post(url, headers=ADMIN, json={"withdraw": set_.json()["position"],
                                                  "reason": "twice"})
    assert again.status_code == 422 and "already withdrawn" in again.text
    page = client.get(f"/designations/{D}").text
    assert "the reading was right" in page and "mistaken reading" in page


@pytest.mark.parametrize("body", [
    {"withdraw": 1, "reason": "not an override"},
    {"withdraw": 0, "reason": "no such position"},
    {"withdraw": 1, "stage": "proposed", "reason": "two operations at once"},
    {"reason": "no action"},
    {"stage": "listed", "reason": "not a stage"},
    {"stage": "proposed", "observation_id": "a", "reason": "both"},
    {"observation_id": "nope", "reason": "unknown evidence"},
    {"stage": "proposed", "reason": ""},
])
def test_bad_overrides_are_422(client: TestClient, body: dict) -> None:
    response = client.post(f"/designations/{D}/overrides", headers=ADMIN, json=body)
    assert response.status_code == 422, response.text


def test_a_weak_tag_or_a_star_gives_304(client: TestClient) -> None:
    etag = client.get(f"/status/{D}").headers["etag"]
    for given in (f"W/{etag}", '"other", W/' + etag, "*"):
        assert client.get(f"/status/{D}", headers={"If-None-Match": given}).status_code == 304
    assert client.get(f"/status/{D}", headers={"If-None-Match": 'W/"other"'}).status_code == 200


@pytest.mark.parametrize("as_of", ["20240601", "2024-06-01T00:00", "2024-06-01 00:00:00",
                                   "2024-06-01T03:00+03:00", "20240601T0000Z", "2024-W22-6"])
def test_as_of_takes_iso_8601_in_basic_and_extended_forms(client: TestClient, as_of: str) -> None:
    response = client.get(f"/status/{D}", params={"as_of": as_of})
    assert response.status_code == 200 and response.json()["stage"] == "considered"


@pytest.mark.parametrize("params", [{"as_of": "1717200000"}, {"known_at": "1"},
                                    {"as_of": "yesterday"}, {"as_of": "0001-01-01"}])
def test_a_count_of_seconds_or_other_text_is_a_422_naming_the_forms(
        client: TestClient, params: dict) -> None:
    for path in (f"/status/{D}", f"/status/{D}/history"):
        response = client.get(path, params=params)
        assert response.status_code == 422
        detail = response.json()["detail"][0]
        assert detail["loc"] == ["query", next(iter(params))]
        assert "ISO 8601" in detail["msg"] or "out of range" in detail["msg"]


@pytest.mark.parametrize("path", [f"/status/{D}", f"/status/{D}/history", "/designations",
                                  "/feeds", "/events", "/healthz", "/"])
def test_an_unknown_query_parameter_is_a_422(client: TestClient, path: str) -> None:
    response = client.get(path, params={"asof": "2024-06-01"})
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert detail["loc"] == ["query", "asof"] and "unknown query parameter" in detail["msg"]
