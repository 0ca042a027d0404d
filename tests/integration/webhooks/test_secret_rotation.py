"""Rotating a subscription's secret: both sign for the grace period, then only the new one;
over HTTP, to a receiver on loopback, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64

import pytest
from fastapi.testclient import TestClient
from pytest_httpserver import HTTPServer
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from tests.integration.webhooks.test_delivery import Receiver, change, dispatch
from tracker.api.app import create_app
from tracker.bootstrap import build
from tracker.settings import Settings

ADMIN = {"Authorization": "Bearer secret-token"}


def test_both_secrets_sign_during_the_grace_period_then_only_the_new(
        settings: Settings, httpserver: HTTPServer) -> None:
    tracker = build(settings)
    hook = Receiver(httpserver)
    with TestClient(create_app(tracker)) as client:
        sub = client.post("/webhooks", headers=ADMIN, json={"url": hook.url}).json()
        old = sub["secret"]
        rotated = client.post(f"/webhooks/{sub['id']}/secret", headers=ADMIN, json={})
        assert rotated.status_code == 200, rotated.text
        new = rotated.json()["secret"]
        assert new != old and rotated.json()["previous_valid_until"]
        change(tracker, "a", "proposed", 2)
        assert dispatch(tracker) == 1
        headers, body = hook.got[-1]
        lowered = {k.lower(): v for k, v in headers.items()}
        assert len(lowered["webhook-signature"].split(" ")) == 2
        for secret in (old, new):  # a receiver on either secret accepts it
            Webhook(secret).verify(body, lowered)

        mine = "whsec_" + base64.b64encode(bytes(range(40, 72))).decode()
        again = client.post(f"/webhooks/{sub['id']}/secret", headers=ADMIN,
                            json={"secret": mine, "grace_seconds": 0})
        assert again.json() == {"id": sub["id"], "secret": mine, "previous_valid_until": None}
        change(tracker, "b", "court-approved", 3)
        assert dispatch(tracker) == 1
        headers, body = hook.got[-1]
        lowered = {k.lower(): v for k, v in headers.items()}
        Webhook(mine).verify(body, lowered)
        for stale in (old, new):
            with pytest.raises(WebhookVerificationError):
                Webhook(stale).verify(body, lowered)
        assert "secret" not in client.get("/webhooks", headers=ADMIN).json()[0]
    tracker.close()


def test_rotation_is_admin_only_and_validated(settings: Settings) -> None:
    tracker = build(settings)
    with TestClient(create_app(tracker)) as client:
        sub = client.post("/webhooks", headers=ADMIN,
                          json={"url": "http://127.0.0.1:9/hook"}).json()
        assert client.post(f"/webhooks/{sub['id']}/secret").status_code == 401
        assert client.post("/webhooks/sub_none/secret", headers=ADMIN).status_code == 404
        weak = "whsec_" + base64.b64encode(bytes(24)).decode()
        answer = client.post(f"/webhooks/{sub['id']}/secret", headers=ADMIN,
                             json={"secret": weak})
        assert answer.status_code == 422 and "24 random bytes" in answer.text
        assert client.post(f"/webhooks/{sub['id']}/secret", headers=ADMIN,
                           json={"grace_seconds": -1}).status_code == 422
        assert client.delete(f"/webhooks/{sub['id']}", headers=ADMIN).status_code == 204
        assert client.post(f"/webhooks/{sub['id']}/secret", headers=ADMIN).status_code == 404
    tracker.close()
