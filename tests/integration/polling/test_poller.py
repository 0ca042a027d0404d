"""Polling real feeds served on loopback, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import update
from werkzeug import Request, Response

from tests.servers import free_port, rss
from tracker import views
from tracker.bootstrap import Tracker, build
from tracker.feeds.fetch import Limits, make_client
from tracker.services.polling import Poller
from tracker.settings import Settings
from tracker.store.tables import feed_schedule

ITEMS = [{"guid": f"g{i}", "link": f"https://news.example/{i}?utm_source=rss",
          "published": datetime(2025, 1, i + 1, tzinfo=UTC), "title": f"Story {i}",
          "text": f"Body of story {i}."} for i in range(3)]
DESIGNATIONS = """\
designations:
  taliban-designation:
    title: Taliban on Russia's list
    subject: [Taliban]
    authority: [Russia]
    confirm: {sources: 1}  # one reading confirms a step: these tests are not about confirmation
feeds:
"""


def catalog_file(tmp_path: Path, feeds: dict[str, str]) -> Path:
    path = tmp_path / "feeds.yaml"
    path.write_text(DESIGNATIONS + "".join(
        f"  - id: {name}\n    url: {url}\n    interval: 1h\n"
        "    designations: [taliban-designation]\n" for name, url in feeds.items()))
    return path


def tracker_for(database_url: str, path: Path) -> Tracker:
    return build(Settings(database_url=database_url, feeds=path))


def poll(tracker: Tracker, *feeds: str, force: bool = True, owner: str | None = None,
         limits: Limits = Limits(allow_private=True)):
    async def run():
        async with make_client() as client:
            poller = Poller(tracker.engine, tracker.log, tracker.catalog, client, limits,
                            owner=owner)
            return await asyncio.gather(*(poller.poll(f, force=force) for f in feeds))

    reports = asyncio.run(run())
    tracker.project()
    return reports


def health(tracker: Tracker, feed: str) -> dict:
    return next(f for f in views.feeds(tracker.engine, tracker.catalog) if f["id"] == feed)


def test_conditional_get_and_a_304_that_costs_nothing(database_url: str, tmp_path: Path,
                                                      httpserver: HTTPServer) -> None:
    seen: list[dict] = []

    def handler(request: Request) -> Response:
        seen.append(dict(request.headers))
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304)
        return Response(rss(ITEMS), content_type="application/rss+xml",
                        headers={"ETag": '"v1"', "Last-Modified": "Wed, 01 Jan 2025 00:00:00 GMT"})

    httpserver.expect_request("/feed.xml").respond_with_handler(handler)
    tracker = tracker_for(database_url, catalog_file(tmp_path, {"a": httpserver.url_for("/feed.xml")}))
    first, = poll(tracker, "a")
    assert (first.outcome, first.entries, first.new_entries) == ("fetched", 3, 3)
    second, = poll(tracker, "a")
    assert (second.outcome, second.new_entries) == ("not-modified", 0)
    assert seen[1]["If-None-Match"] == '"v1"'
    assert seen[1]["If-Modified-Since"] == "Wed, 01 Jan 2025 00:00:00 GMT"
    observed = [e.decode() for e in tracker.log.read(types=["EntryObserved"])]
    assert [o.link for o in observed] == [f"https://news.example/{i}?utm_source=rss" for i in range(3)]
    assert health(tracker, "a")["entries_seen"] == 3
    tracker.close()


def test_one_story_in_two_feeds_is_one_observation(database_url: str, tmp_path: Path,
                                                   httpserver: HTTPServer) -> None:
    other = [{**i, "guid": "other-" + i["guid"]} for i in ITEMS]  # same links, other guids
    httpserver.expect_request("/a.xml").respond_with_data(rss(ITEMS), content_type="text/xml")
    httpserver.expect_request("/b.xml").respond_with_data(rss(other), content_type="text/xml")
    tracker = tracker_for(database_url, catalog_file(tmp_path, {
        "a": httpserver.url_for("/a.xml"), "b": httpserver.url_for("/b.xml")}))
    poll(tracker, "a")
    poll(tracker, "b")
    assert len(list(tracker.log.read(types=["EntryObserved"]))) == 3
    assert health(tracker, "b")["entries_seen"] == 0
    tracker.close()


def test_failures_are_recorded_and_the_other_feeds_go_on(database_url: str, tmp_path: Path,
                                                         httpserver: HTTPServer) -> None:
    httpserver.expect_request("/good.xml").respond_with_data(rss(ITEMS), content_type="text/xml")
    httpserver.expect_request("/page.html").respond_with_data("<html><body>hello</body></html>",
                                                              content_type="text/html")
    others = [{**i, "guid": f"b{n}", "link": f"https://other.example/{n}",
               "title": f"Other {n}", "text": f"Another body {n}."}
              for n, i in enumerate(ITEMS)]
    httpserver.expect_request("/broken.xml").respond_with_data(rss(others)[:-60],
                                                               content_type="text/xml")
    httpserver.expect_request("/gone.xml").respond_with_data("", status=410)
    httpserver.expect_request("/busy.xml").respond_with_data(
        "", status=429, headers={"Retry-After": "7200"})
    feeds = {"good": httpserver.url_for("/good.xml"), "page": httpserver.url_for("/page.html"),
             "broken": httpserver.url_for("/broken.xml"), "gone": httpserver.url_for("/gone.xml"),
             "busy": httpserver.url_for("/busy.xml"),
             "dead": f"http://127.0.0.1:{free_port()}/feed.xml"}
    tracker = tracker_for(database_url, catalog_file(tmp_path, feeds))
    reports = {r.feed: r for r in poll(tracker, *feeds)}
    assert reports["good"].new_entries == 3
    assert reports["page"].outcome == "failed"
    assert health(tracker, "page")["last_error"] == "not an RSS or Atom feed (got text/html)"
    assert reports["broken"].outcome == "fetched" and reports["broken"].new_entries >= 1
    assert health(tracker, "broken")["last_error"].startswith("malformed XML at line")
    assert reports["dead"].outcome == "failed"
    assert "connection refused" in health(tracker, "dead")["last_error"]
    assert health(tracker, "dead")["consecutive_failures"] == 1
    gone = health(tracker, "gone")
    assert gone["gone"] and gone["next_poll"] is None and "polling stopped" in gone["last_error"]
    busy = health(tracker, "busy")
    next_poll = datetime.fromisoformat(busy["next_poll"].replace("Z", "+00:00"))
    assert (next_poll - datetime.now(UTC)).total_seconds() > 7000

    async def due() -> list[str]:
        async with make_client() as client:
            return Poller(tracker.engine, tracker.log, tracker.catalog, client).due(
                now=time.time() + 3 * 86400)

    assert "gone" not in asyncio.run(due())
    tracker.close()


def test_a_permanent_redirect_updates_the_stored_url(database_url: str, tmp_path: Path,
                                                     httpserver: HTTPServer) -> None:
    httpserver.expect_request("/old.xml").respond_with_data(
        "", status=301, headers={"Location": httpserver.url_for("/new.xml")})
    httpserver.expect_request("/new.xml").respond_with_data(rss(ITEMS), content_type="text/xml")
    tracker = tracker_for(database_url, catalog_file(tmp_path, {"a": httpserver.url_for("/old.xml")}))
    poll(tracker, "a")
    assert health(tracker, "a")["url"] == httpserver.url_for("/new.xml")
    poll(tracker, "a")
    assert [r.path for r, _ in httpserver.log] == ["/old.xml", "/new.xml", "/new.xml"]
    tracker.close()


def test_a_feed_is_polled_once_between_instances(database_url: str, tmp_path: Path,
                                                 httpserver: HTTPServer) -> None:
    def slow(request: Request) -> Response:
        time.sleep(0.5)
        return Response(rss(ITEMS), content_type="text/xml")

    httpserver.expect_request("/feed.xml").respond_with_handler(slow)
    path = catalog_file(tmp_path, {"a": httpserver.url_for("/feed.xml")})
    one, two = tracker_for(database_url, path), tracker_for(database_url, path)

    async def both():
        async with make_client() as client:
            pollers = [Poller(t.engine, t.log, t.catalog, client, owner=f"instance-{i}")
                       for i, t in enumerate((one, two))]
            await asyncio.to_thread(pollers[0].sync_schedule)
            return await asyncio.gather(*(p.poll("a") for p in pollers))

    reports = asyncio.run(both())
    assert sorted(r is None for r in reports) == [False, True]
    assert len(httpserver.log) == 1

    # An instance that died mid-poll leaves a lease; when it runs out, another takes over.
    with one.engine.begin() as conn:
        conn.execute(update(feed_schedule).values(next_poll_at=0, lease_owner="dead",
                                                  lease_until=time.time() - 1))
    report, = poll(two, "a", force=False, owner="instance-1")
    assert report is not None and report.outcome == "fetched"
    one.close()
    two.close()


@pytest.mark.timeout(60)
def test_a_slow_server_is_cut_off(database_url: str, tmp_path: Path,
                                  httpserver: HTTPServer) -> None:
    def dawdle(request: Request) -> Response:
        time.sleep(3)
        return Response(rss(ITEMS), content_type="text/xml")

    httpserver.expect_request("/slow.xml").respond_with_handler(dawdle)
    tracker = tracker_for(database_url, catalog_file(tmp_path, {"a": httpserver.url_for("/slow.xml")}))
    report, = poll(tracker, "a", limits=Limits(connect_timeout=1, read_timeout=1))
    assert report.outcome == "failed" and "timed out" in report.error
    tracker.close()


def test_no_more_feeds_are_fetched_at_once_than_the_concurrency_allows(
        database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tracker.feeds.fetch import Failed
    from tracker.services import polling

    running, most = 0, 0

    async def slow_fetch(*_: object, **__: object) -> Failed:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.05)
        running -= 1
        return Failed("unreachable on purpose")

    monkeypatch.setattr(polling, "fetch", slow_fetch)
    feeds = {f"f{i}": f"https://feed{i}.example/rss" for i in range(6)}
    tracker = tracker_for(database_url, catalog_file(tmp_path, feeds))

    async def run() -> list:
        async with make_client() as client:
            poller = Poller(tracker.engine, tracker.log, tracker.catalog, client,
                            concurrency=2)
            poller.sync_schedule()  # every feed is new, so due now
            return await poller.poll_due()

    reports = asyncio.run(run())
    tracker.close()
    assert len(reports) == 6 and most == 2


def test_the_setting_reaches_the_poller(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_POLL_CONCURRENCY", "3")
    assert Settings().poll_concurrency == 3
