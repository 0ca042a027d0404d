"""Polls of hostile feeds on loopback: each is that feed's recorded failure, with backoff and
its lease released, never an exception out of the poll; on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import gzip
import time
from datetime import UTC, datetime
from pathlib import Path

from pytest_httpserver import HTTPServer
from sqlalchemy import select

from tests.integration.feeds.test_fetch_hostile import MB, gzipped_zeros
from tests.integration.polling.test_poller import ITEMS, catalog_file, health, poll, tracker_for
from tests.servers import RawServer, rss
from tracker.feeds.fetch import Limits, make_client
from tracker.services.polling import Poller
from tracker.store.tables import feed_schedule


def schedule(tracker, feed: str):
    with tracker.engine.connect() as conn:
        return conn.execute(select(feed_schedule).where(feed_schedule.c.feed == feed)).one()


def due_now(tracker) -> list[str]:
    async def run() -> list[str]:
        async with make_client() as client:
            return Poller(tracker.engine, tracker.log, tracker.catalog, client).due()

    return asyncio.run(run())


def assert_failed_with_backoff(tracker, feed: str, words: str) -> None:
    row = schedule(tracker, feed)
    assert row.lease_owner is None and row.lease_until is None  # released at once
    assert row.consecutive_failures == 1
    assert row.next_poll_at > time.time() + 1000  # an hourly feed: not again for a while
    assert feed not in due_now(tracker)
    h = health(tracker, feed)
    assert h["last_outcome"] == "failed" and words in h["last_error"]


def test_a_feed_feedparser_cannot_read_is_a_failure_with_backoff(
        database_url: str, tmp_path: Path, httpserver: HTTPServer) -> None:
    surrogate = rss(ITEMS).replace("<title>Story 0</title>", "<title>Story &#xD800;</title>")
    httpserver.expect_request("/feed.xml").respond_with_data(surrogate, content_type="text/xml")
    tracker = tracker_for(database_url, catalog_file(tmp_path, {"a": httpserver.url_for("/feed.xml")}))
    report, = poll(tracker, "a")
    assert report.outcome == "failed" and "could not be read: UnicodeEncodeError" in report.error
    assert_failed_with_backoff(tracker, "a", "could not be read")
    assert poll(tracker, "a", force=False) == [None]  # not due: no refetch in a loop
    assert len(httpserver.log) == 1
    tracker.close()


def test_a_redirect_to_an_invalid_port_is_a_failure_with_backoff(
        database_url: str, tmp_path: Path) -> None:
    server = RawServer(b"HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:99999/feed.xml\r\n"
                       b"Content-Length: 0\r\nConnection: close\r\n\r\n")
    try:
        tracker = tracker_for(database_url, catalog_file(tmp_path, {"a": server.url("/feed.xml")}))
        report, = poll(tracker, "a")
        assert report.outcome == "failed" and "not a valid redirect" in report.error
        assert_failed_with_backoff(tracker, "a", "Port out of range")
        tracker.close()
    finally:
        server.close()


def test_a_doubly_gzipped_bomb_is_recorded_with_a_clear_error(
        database_url: str, tmp_path: Path, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/bomb.xml").respond_with_data(
        gzip.compress(gzipped_zeros(100 * MB)), headers={"Content-Encoding": "gzip, gzip"})
    tracker = tracker_for(database_url, catalog_file(tmp_path, {"a": httpserver.url_for("/bomb.xml")}))
    report, = poll(tracker, "a", limits=Limits(max_bytes=MB, allow_private=True))
    assert report.outcome == "failed"
    assert f"body cut at {MB} bytes" in report.error and "not an RSS or Atom feed" in report.error
    assert_failed_with_backoff(tracker, "a", f"body cut at {MB} bytes")
    tracker.close()


def hostile_items(port: int) -> list[dict]:
    links = ["javascript:alert(document.cookie)", "data:text/html,<script>alert(1)</script>",
             f"http://[::1]:{port}/six", "https://news.example/ok"]
    return [{"guid": f"h{n}", "link": link, "published": datetime(2025, 1, n + 1, tzinfo=UTC),
             "title": f"Hostile {n}", "text": ""} for n, link in enumerate(links)]


def test_entry_links_are_kept_only_when_http_and_articles_obey_the_policy(
        database_url: str, tmp_path: Path, httpserver: HTTPServer) -> None:
    document = rss(hostile_items(httpserver.port)).replace(
        "<pubDate>Fri, 03 Jan 2025", "<pubDate>Fri, 31 Dec 9999 23:59:59 -0100</pubDate><x>")
    httpserver.expect_request("/feed.xml").respond_with_data(document, content_type="text/xml")
    path = catalog_file(tmp_path, {"a": httpserver.url_for("/feed.xml")})
    path.write_text(path.read_text() + "    fetch_articles: true\n")
    tracker = tracker_for(database_url, path)
    report, = poll(tracker, "a", limits=Limits(connect_timeout=2))  # private not allowed
    assert (report.outcome, report.entries, report.new_entries) == ("fetched", 4, 4)
    assert "2 entry links dropped" in report.error and "1 entry dates out of range" in report.error
    observed = {o.entry_id: o for o in (e.decode() for e in tracker.log.read(
        types=["EntryObserved"]))}
    assert [observed[f"h{n}"].link for n in range(4)] == [
        None, None, f"http://[::1]:{httpserver.port}/six", "https://news.example/ok"]
    assert observed["h2"].published_source == "fetched"
    assert [r.path for r, _ in httpserver.log] == ["/feed.xml"]  # no article fetched from ::1
    tracker.close()
