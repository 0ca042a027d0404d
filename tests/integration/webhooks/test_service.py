"""Webhooks through the running service (its pump and its senders), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.inprocess import until, with_service
from tracker.bootstrap import Tracker
from tracker.domain.events import EvidenceRecorded
from tracker.runtime import Service
from tracker.webhooks import subscriptions as subs

D = "taliban-designation"


@pytest.fixture
def tracker(make: Callable[..., Tracker]) -> Tracker:
    return make(webhook_retries="0.3,0.3")


class Receiver:
    """Notes each delivery's position, status answered and arrival; answers 204, or 500 to
    the requests whose numbers (from 0) are in `fail`."""

    def __init__(self, server: HTTPServer, path: str) -> None:
        self.got: list[tuple[int, int, float]] = []
        self.fail: set[int] = set()
        self.lock = threading.Lock()
        self.url = server.url_for(path)
        server.expect_request(path, method="POST").respond_with_handler(self.handle)

    def handle(self, request: Request) -> Response:
        position = json.loads(request.get_data())["data"]["position"]
        with self.lock:
            status = 500 if len(self.got) in self.fail else 204
            self.got.append((position, status, time.time()))
        return Response(status=status)

    def delivered(self) -> list[int]:
        with self.lock:
            return [p for p, status, _ in self.got if status == 204]


def transition(tracker: Tracker, n: int) -> None:
    """Evidence alternately up and back down: each one changes the status."""
    stage = "considered" if n % 2 == 0 else "reversed"
    tracker.writer.record(D, [EvidenceRecorded(
        D, f"o{n}", stage, 0.9, f"Quote {n}.", "test-1", "wire", f"https://news.example/{n}",
        f"Title {n}", datetime(2025, 1, 1 + n, tzinfo=UTC))])


def test_deliveries_arrive_in_log_order_and_promptly(tracker: Tracker,
                                                      httpserver: HTTPServer) -> None:
    hooks = [Receiver(httpserver, "/a"), Receiver(httpserver, "/b")]
    for hook in hooks:
        subs.subscribe(tracker.engine, tracker.log, hook.url, None, None)
    for n in range(10):  # a backlog, before the service starts
        transition(tracker, n)

    async def body(service: Service) -> None:
        for n in range(10, 20):  # and more while it runs
            await asyncio.to_thread(transition, tracker, n)
            service.wake()
        await until(lambda: all(len(h.delivered()) == 20 for h in hooks))
        committed = time.time()
        await asyncio.to_thread(transition, tracker, 20)
        service.wake()
        await until(lambda: all(len(h.delivered()) == 21 for h in hooks))
        for hook in hooks:
            assert hook.got[-1][2] - committed < 1.0

    with_service(tracker, body)
    for hook in hooks:
        positions = hook.delivered()
        assert positions == sorted(positions) and len(set(positions)) == 21


def test_after_a_failure_the_retry_comes_before_the_later_deliveries(
        tracker: Tracker, httpserver: HTTPServer) -> None:
    hook, healthy = Receiver(httpserver, "/a"), Receiver(httpserver, "/b")
    hook.fail = {3, 15}
    for h in (hook, healthy):
        subs.subscribe(tracker.engine, tracker.log, h.url, None, None)
    for n in range(12):
        transition(tracker, n)
    tracker.project()  # all pending at once: the lane holds several when one fails

    async def body(service: Service) -> None:
        for n in range(12, 24):
            await asyncio.to_thread(transition, tracker, n)
            service.wake()
        await until(lambda: len(hook.delivered()) == 24 and len(healthy.delivered()) == 24)

    with_service(tracker, body)
    sent = [(p, status) for p, status, _ in hook.got]
    assert [status for _, status in sent].count(500) == 2
    for failed in (3, 15):  # the retry comes next, before anything later
        assert sent[failed][1] == 500 and sent[failed + 1] == (sent[failed][0], 204)
    assert hook.delivered() == sorted(hook.delivered()) == healthy.delivered()
    assert len(set(hook.delivered())) == 24
