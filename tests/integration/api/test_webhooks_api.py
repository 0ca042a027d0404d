"""The webhook endpoints over HTTP: admin only, validated, never a 500."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tracker.api.app import create_app
from tracker.bootstrap import build
from tracker.settings import Settings

ADMIN = {"Authorization": "Bearer secret-token"}


@pytest.fixture
def client(settings: Settings):
    tracker = build(settings.model_copy(update={"webhook_allow_private": False}))
    with TestClient(create_app(tracker)) as test_client:
        yield test_client
    tracker.close()


def test_subscribe_list_deliveries_delete(client: TestClient) -> None:
    created = client.post("/webhooks", headers=ADMIN,
                          json={"url": "https://93.184.216.34/hook",
                                "designations": ["taliban-designation"]})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["secret"].startswith("whsec_") and body["id"].startswith("sub_")
    listed = client.get("/webhooks", headers=ADMIN).json()
    assert [s["id"] for s in listed] == [body["id"]] and "secret" not in listed[0]
    assert client.get(f"/webhooks/{body['id']}/deliveries", headers=ADMIN).json() == []
    assert client.delete(f"/webhooks/{body['id']}", headers=ADMIN).status_code == 204
    assert client.delete(f"/webhooks/{body['id']}", headers=ADMIN).status_code == 404
    assert client.get(f"/webhooks/{body['id']}/deliveries", headers=ADMIN).status_code == 404


@pytest.mark.parametrize(("body", "field"), [
    ({"url": "http://127.0.0.1:9000/hook"}, "url"),
    ({"url": "http://10.0.0.8/hook"}, "url"),
    ({"url": "ftp://93.184.216.34/hook"}, "url"),
    ({"url": "https://93.184.216.34/hook", "designations": ["hamas"]}, "designations"),
    ({"url": "https://93.184.216.34/hook", "secret": "plain"}, "secret"),
])
def test_bad_subscriptions_are_422_naming_the_field(client: TestClient, body: dict,
                                                    field: str) -> None:
    response = client.post("/webhooks", headers=ADMIN, json=body)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["body", field]


def test_admin_only(client: TestClient) -> None:
    assert client.get("/webhooks").status_code == 401
    assert client.post("/webhooks", json={"url": "https://93.184.216.34/"}).status_code == 401
    assert client.delete("/webhooks/sub_x").status_code == 401
