"""The running service's timer: it polls a feed when the schedule says it is due, spends no
write on the schedule while nothing is due, and waits at stop for a poll under way; real
feeds on loopback, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import event, select
from werkzeug import Request, Response

from tests.inprocess import until, with_service
from tests.servers import rss
from tracker import runtime
from tracker.bootstrap import Tracker, build
from tracker.runtime import Service
from tracker.settings import Settings
from tracker.store.tables import feed_schedule

FEED = rss([{"guid": "g1", "link": "https://news.example/1", "title": "Weather",
             "published": datetime(2025, 1, 1, tzinfo=UTC), "text": "Sunny."}])


class Feed:
    """A loopback feed: notes when each request arrives; answers `status` (with
    `Retry-After` when set) after `delay` seconds."""

    def __init__(self, server: HTTPServer, status: int = 200, retry_after: str | None = None,
                 delay: float = 0) -> None:
        self.arrivals: list[float] = []
        self.arrived = threading.Event()
        self.status, self.retry_after, self.delay = status, retry_after, delay
        self.url = server.url_for("/feed")
        server.expect_request("/feed").respond_with_handler(self.handle)

    def handle(self, _: Request) -> Response:
        self.arrivals.append(time.time())
        self.arrived.set()
        time.sleep(self.delay)
        headers = {"Retry-After": self.retry_after} if self.retry_after else {}
        return Response(FEED if self.status == 200 else "", status=self.status,
                        headers=headers, content_type="application/rss+xml")


def tracker_for(database_url: str, tmp_path: Path, url: str, interval: str) -> Tracker:
    path = tmp_path / "feeds.yaml"
    path.write_text("designations:\n  taliban-designation:\n    title: Taliban\n"
                    "    subject: [Taliban]\n    authority: [Russia]\n"
                    f"feeds:\n  - id: wire\n    url: {url}\n    interval: {interval}\n")
    return build(Settings(database_url=database_url, feeds=path), migrate=True)


def polls(tracker: Tracker) -> list:
    return [e.decode() for e in tracker.log.read_stream("feed-wire") if e.type == "FeedPolled"]


def test_a_feed_is_polled_when_it_is_due(database_url: str, tmp_path: Path,
                                         httpserver: HTTPServer) -> None:
    feed = Feed(httpserver)
    tracker = tracker_for(database_url, tmp_path, feed.url, "3s")

    async def body(_: Service) -> None:
        await until(lambda: len(feed.arrivals) >= 3, seconds=20)

    with_service(tracker, body)
    due = [p.next_poll_at.timestamp() for p in polls(tracker)]
    tracker.close()
    # Each poll after the first comes when the one before it said: not early, and well within
    # the 5 s tick the schedule was once read by (the bound leaves room for a loaded machine).
    for next_at, arrival in zip(due, feed.arrivals[1:3], strict=False):
        assert -0.05 <= arrival - next_at < 1.2, (arrival - next_at, due, feed.arrivals)


def test_nothing_is_written_while_no_feed_is_due(database_url: str, tmp_path: Path,
                                                 httpserver: HTTPServer) -> None:
    """A feed polled every 2 s asks to be left alone for a minute (503, Retry-After): the
    service then neither polls it nor spends a write transaction on its schedule."""
    feed = Feed(httpserver, status=503, retry_after="60")
    tracker = tracker_for(database_url, tmp_path, feed.url, "2s")
    writes: list[str] = []

    def note(_conn, _cursor, statement: str, *_: object) -> None:  # type: ignore[no-untyped-def]
        if "feed_schedule" in statement and statement.lstrip().upper().startswith(
                ("UPDATE", "INSERT", "DELETE")):
            writes.append(statement)

    async def body(_: Service) -> None:
        await until(lambda: polls(tracker) and schedule_rows(tracker)[0].lease_owner is None,
                    seconds=20)
        before = await asyncio.to_thread(schedule, tracker)
        event.listen(tracker.engine, "before_cursor_execute", note)
        await asyncio.sleep(5)  # two and a half intervals
        event.remove(tracker.engine, "before_cursor_execute", note)
        assert await asyncio.to_thread(schedule, tracker) == before

    with_service(tracker, body)
    assert len(feed.arrivals) == 1 and len(polls(tracker)) == 1 and writes == []
    assert polls(tracker)[0].outcome == "retry-later"
    tracker.close()


def schedule(tracker: Tracker) -> list:
    with tracker.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(feed_schedule))]


def test_stop_waits_for_a_poll_under_way(database_url: str, tmp_path: Path,
                                         httpserver: HTTPServer) -> None:
    feed = Feed(httpserver, delay=1.5)
    tracker = tracker_for(database_url, tmp_path, feed.url, "1h")

    async def body(_: Service) -> None:
        await asyncio.to_thread(feed.arrived.wait, 20)  # the poll is under way: stop now

    with_service(tracker, body)
    recorded = polls(tracker)
    assert [p.outcome for p in recorded] == ["fetched"] and recorded[0].new_entries == 1
    assert [r.lease_owner for r in schedule_rows(tracker)] == [None]
    tracker.close()


def test_a_poll_that_outlasts_the_bound_is_cancelled_at_stop(
        database_url: str, tmp_path: Path, httpserver: HTTPServer,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runtime, "STOP_POLLS_SECONDS", 0.3)
    feed = Feed(httpserver, delay=3)
    tracker = tracker_for(database_url, tmp_path, feed.url, "1h")
    owners: list[str] = []

    async def body(service: Service) -> None:
        await asyncio.to_thread(feed.arrived.wait, 20)
        owners.append(service.poller.owner)

    with_service(tracker, body)
    # Not recorded, and its lease kept: the next start voids it (the process is gone).
    assert polls(tracker) == []
    assert [r.lease_owner for r in schedule_rows(tracker)] == owners
    tracker.close()


def schedule_rows(tracker: Tracker) -> list:
    with tracker.engine.connect() as conn:
        return list(conn.execute(select(feed_schedule)))
