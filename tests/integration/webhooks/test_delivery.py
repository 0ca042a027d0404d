"""Webhook delivery to real receivers on loopback, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime

import httpx
import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import update
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from werkzeug import Request, Response

from tracker.bootstrap import Tracker
from tracker.domain.events import EvidenceRecorded
from tracker.webhooks import subscriptions as subs
from tracker.webhooks.dispatcher import Dispatcher, retry
from tracker.webhooks.tables import deliveries

D = "taliban-designation"
def change(tracker: Tracker, obs: str, stage: str, day: int, designation: str = D) -> None:
    tracker.writer.record(designation, [EvidenceRecorded(
        designation, obs, stage, 0.9, f"Quote {obs}.", "test-1", "wire",
        f"https://news.example/{obs}", f"Title {obs}", datetime(2025, 1, day, tzinfo=UTC))])
    tracker.project()


def dispatch(tracker: Tracker, rounds: int = 10, owner: str = "test") -> int:
    async def run() -> int:
        async with httpx.AsyncClient() as client:
            dispatcher = Dispatcher(tracker.engine, tracker.settings, tracker.metrics, owner,
                                    client)
            total = 0
            for _ in range(rounds):
                sent = await dispatcher.run_once()
                total += sent
                if not sent:
                    break
            return total

    return asyncio.run(run())


class Receiver:
    """Records each delivery; answers with the statuses queued, then 204."""

    def __init__(self, server: HTTPServer, path: str = "/hook") -> None:
        self.got: list[tuple[dict, bytes]] = []
        self.answers: list[int | float] = []
        self.url = server.url_for(path)
        server.expect_request(path, method="POST").respond_with_handler(self.handle)

    def handle(self, request: Request) -> Response:
        self.got.append((dict(request.headers), request.get_data()))
        answer = self.answers.pop(0) if self.answers else 204
        if isinstance(answer, float):
            time.sleep(answer)
            answer = 204
        return Response(status=answer)

    def payloads(self) -> list[dict]:
        return [json.loads(body) for _, body in self.got]


def test_signed_one_per_matching_subscription(make, httpserver: HTTPServer) -> None:
    tracker = make()
    hook, other = Receiver(httpserver, "/a"), Receiver(httpserver, "/b")
    sub = subs.subscribe(tracker.engine, tracker.log, hook.url, [D], None)
    subs.subscribe(tracker.engine, tracker.log, other.url, ["hamas-designation"], None)
    change(tracker, "a", "proposed", 2)
    assert dispatch(tracker) == 1
    headers, body = hook.got[0]
    lowered = {k.lower(): v for k, v in headers.items()}
    payload = Webhook(sub["secret"]).verify(body, lowered)
    assert payload["type"] == "status.changed"
    data = payload["data"]
    assert (data["designation"], data["from"], data["to"]) == (D, None, "proposed")
    assert data["since"] == "2025-01-02T00:00:00Z" and data["position"] > 0
    assert data["evidence"][0]["quote"] == "Quote a."
    assert other.got == []
    with pytest.raises(WebhookVerificationError):
        Webhook(subs.new_secret()).verify(body, lowered)


def test_in_order_and_retried_with_a_stable_id(make, httpserver: HTTPServer) -> None:
    tracker = make()
    hook = Receiver(httpserver)
    hook.answers = [500, 503]
    subs.subscribe(tracker.engine, tracker.log, hook.url, None, None)
    change(tracker, "a", "considered", 1)
    change(tracker, "b", "proposed", 2)
    change(tracker, "c", "court-approved", 3)
    dispatch(tracker)
    ids = [h["Webhook-Id"] for h, _ in hook.got]
    assert ids[0] == ids[1] == ids[2]  # failed twice, then delivered: one id
    assert [p["data"]["to"] for p in hook.payloads()] == [
        "considered", "considered", "considered", "proposed", "court-approved"]
    positions = [p["data"]["position"] for p in hook.payloads()]
    assert positions == sorted(positions)


def test_a_timeout_is_a_failure_then_a_retry(make, httpserver: HTTPServer) -> None:
    tracker = make(webhook_timeout=1.0)
    hook = Receiver(httpserver)
    hook.answers = [1.3]  # the one-thread server then answers the retry at once
    sub = subs.subscribe(tracker.engine, tracker.log, hook.url, None, None)
    change(tracker, "a", "proposed", 2)
    dispatch(tracker)
    log = subs.delivery_log(tracker.engine, sub["id"])[0]
    assert log["status"] == "delivered" and log["attempts"] == 2
    assert log["history"][0]["error"] == "no answer within 1 s"
    first = log["history"][0]
    assert first["next_retry_at"] >= first["at"]  # set when the attempt failed (delays may be 0)
    assert log["history"][1]["next_retry_at"] is None


def test_410_disables_the_subscription(make, httpserver: HTTPServer) -> None:
    tracker = make()
    hook = Receiver(httpserver)
    hook.answers = [410]
    sub = subs.subscribe(tracker.engine, tracker.log, hook.url, None, None)
    change(tracker, "a", "considered", 1)
    change(tracker, "b", "proposed", 2)
    dispatch(tracker)
    assert len(hook.got) == 1
    assert subs.listing(tracker.engine)[0]["disabled_reason"] == "the receiver answered 410 Gone"
    assert subs.delivery_log(tracker.engine, sub["id"])[0]["status"] == "failed"


def test_failed_after_the_last_retry_then_retried_by_hand(make, httpserver: HTTPServer) -> None:
    tracker = make(webhook_retries="0,0")
    hook = Receiver(httpserver)
    hook.answers = [500, 500, 500]
    sub = subs.subscribe(tracker.engine, tracker.log, hook.url, None, None)
    change(tracker, "a", "proposed", 2)
    dispatch(tracker)
    first = subs.delivery_log(tracker.engine, sub["id"])[0]
    assert (first["status"], first["attempts"]) == ("failed", 3)
    assert [a["status_code"] for a in first["history"]] == [500, 500, 500]
    assert retry(tracker.engine, first["id"])
    dispatch(tracker)
    again = subs.delivery_log(tracker.engine, sub["id"])[0]
    assert again["status"] == "delivered"
    assert {h["Webhook-Id"] for h, _ in hook.got} == {first["id"]}


def test_private_targets_are_refused_at_delivery_time(make, httpserver: HTTPServer) -> None:
    tracker = make(webhook_allow_private=True)
    hook = Receiver(httpserver)
    sub = subs.subscribe(tracker.engine, tracker.log, hook.url, None, None)
    change(tracker, "a", "proposed", 2)
    strict = make(webhook_allow_private=False)
    dispatch(strict)
    assert hook.got == []
    attempt = subs.delivery_log(strict.engine, sub["id"])[0]["history"][0]
    assert "loopback" in attempt["error"] and "refused" in attempt["error"]


def test_a_crash_before_dispatch_loses_nothing(make, httpserver: HTTPServer) -> None:
    tracker = make()
    hook = Receiver(httpserver)
    subs.subscribe(tracker.engine, tracker.log, hook.url, None, None)
    tracker.writer.record(D, [EvidenceRecorded(
        D, "a", "proposed", 0.9, "Q.", "test-1", "wire", None, "T",
        datetime(2025, 1, 2, tzinfo=UTC))])  # recorded; outbox not run: then the crash
    restarted = make()
    restarted.project()
    assert dispatch(restarted) == 1
    assert hook.payloads()[0]["data"]["to"] == "proposed"


def test_two_instances_send_each_delivery_once(make, httpserver: HTTPServer) -> None:
    one, two = make(), make()
    hooks = [Receiver(httpserver, f"/h{i}") for i in range(3)]
    for hook in hooks:
        subs.subscribe(one.engine, one.log, hook.url, None, None)
    for day, stage in enumerate(("considered", "proposed", "court-approved"), start=1):
        change(one, f"o{day}", stage, day)
    two.project()

    async def both() -> None:
        async with httpx.AsyncClient() as client:
            dispatchers = [Dispatcher(t.engine, t.settings, t.metrics, f"i{n}", client)
                           for n, t in enumerate((one, two))]
            for _ in range(6):
                await asyncio.gather(*(d.run_once() for d in dispatchers))

    asyncio.run(both())
    for hook in hooks:
        assert [p["data"]["to"] for p in hook.payloads()] == [
            "considered", "proposed", "court-approved"]


def test_an_expired_lease_is_taken_over(make, httpserver: HTTPServer) -> None:
    tracker = make()
    hook = Receiver(httpserver)
    subs.subscribe(tracker.engine, tracker.log, hook.url, None, None)
    change(tracker, "a", "proposed", 2)
    with tracker.engine.begin() as conn:
        conn.execute(update(deliveries).values(lease_owner="dead", lease_until=time.time() + 60))
    assert dispatch(tracker) == 0  # held by a live lease
    with tracker.engine.begin() as conn:
        conn.execute(update(deliveries).values(lease_until=time.time() - 1))
    assert dispatch(tracker) == 1
    assert len(hook.got) == 1
