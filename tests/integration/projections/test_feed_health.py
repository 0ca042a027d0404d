"""When a feed's run of failures began, and what the pages say of the feeds: polled for real
on loopback, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from pytest_httpserver import HTTPServer
from werkzeug import Response

from tests.inprocess import poll_every_feed
from tests.servers import rss
from tracker import views
from tracker.bootstrap import Tracker, build
from tracker.settings import Settings

FEEDS = """\
designations:
  taliban-designation: {title: Taliban, subject: [Taliban], authority: [Russia]}
  hamas-designation: {title: Hamas, subject: [Hamas], authority: [Russia]}
feeds:
  - {id: flaky, url: "URL/flaky.xml", designations: [taliban-designation]}
  - {id: steady, url: "URL/steady.xml", designations: [hamas-designation]}
"""


def poll(tracker: Tracker) -> None:
    poll_every_feed(tracker)
    tracker.project()


def test_a_run_of_failures_is_dated_by_its_first(database_url: str, tmp_path: Path,
                                                 httpserver: HTTPServer) -> None:
    down = [True]
    httpserver.expect_request("/flaky.xml").respond_with_handler(
        lambda _: Response("no", status=500) if down[0] else Response(rss([]), content_type="text/xml"))
    httpserver.expect_request("/steady.xml").respond_with_data(rss([]), content_type="text/xml")
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(FEEDS.replace("URL", httpserver.url_for("").rstrip("/")))
    tracker = build(Settings(database_url=database_url, feeds=feeds))

    poll(tracker)
    first = {f["id"]: f for f in views.feeds(tracker.engine, tracker.catalog)}
    assert first["flaky"]["failing_since"] == first["flaky"]["last_poll"]
    assert first["steady"]["failing_since"] is None
    poll(tracker)
    summary = views.feed_summary(tracker.engine, tracker.catalog)
    assert summary["total"] == 2 and [f["id"] for f in summary["failing"]] == ["flaky"]
    assert summary["failing_since"] == first["flaky"]["failing_since"]  # the run's first poll
    assert summary["failing"][0]["consecutive_failures"] == 2
    assert summary["last_poll"] > summary["failing_since"]
    assert views.feed_summary(tracker.engine, tracker.catalog, "hamas-designation")["failing"] == []

    down[0] = False
    poll(tracker)
    assert views.feed_summary(tracker.engine, tracker.catalog)["failing"] == []
    assert {f["id"]: f["failing_since"] for f in views.feeds(tracker.engine, tracker.catalog)} == {
        "flaky": None, "steady": None}
    tracker.close()
