"""An entry without a date takes its page's date when the feed's articles are fetched, else
the time it was first seen; the evidence says which."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from pytest_httpserver import HTTPServer

from tracker.bootstrap import Tracker, build
from tracker.feeds.fetch import Limits, make_client
from tracker.services.polling import Poller
from tracker.settings import Settings

FEEDS = """\
designations:
  taliban-designation:
    title: Taliban on Russia's list
    subject: [Taliban]
    authority: [Russia, Russian]
feeds:
  - id: wire
    url: {url}
    interval: 1h
    fetch_articles: {fetch}
    designations: [taliban-designation]
"""
SENTENCE = ("Russia's Prosecutor General's Office has filed a petition with the Supreme Court "
            "asking it to suspend the ban on the Taliban as a terrorist organisation.")
PAGE = ("<html><head><title>Moscow and Kabul</title>"
        '<meta property="article:published_time" content="2024-11-27T09:00:00Z"></head>'
        f"<body><article><h1>Moscow and Kabul</h1><p>{SENTENCE}</p>"
        "<p>Officials in both capitals said talks on trade would continue next year, and a "
        "delegation is expected in the spring.</p></article></body></html>")
UNDATED_PAGE = PAGE.replace('<meta property="article:published_time" '
                            'content="2024-11-27T09:00:00Z">', "").replace(
    "a delegation is expected in the spring", "no date was set for the next round")


def feed(httpserver: HTTPServer, *paths: str) -> str:
    items = "".join(f"<item><guid>{p}</guid><title>Moscow and Kabul</title>"
                    f"<link>{httpserver.url_for(p)}</link></item>" for p in paths)
    return ('<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>'
            f"<link>http://127.0.0.1/</link>{items}</channel></rss>")


def tracked(database_url: str, tmp_path: Path, url: str, fetch: bool) -> Tracker:
    path = tmp_path / "feeds.yaml"
    path.write_text(FEEDS.format(url=url, fetch=str(fetch).lower()))
    return build(Settings(database_url=database_url, feeds=path))


def poll(tracker: Tracker) -> None:
    async def run() -> None:
        async with make_client() as client:
            # the test's pages are on loopback, which the address policy otherwise refuses
            await Poller(tracker.engine, tracker.log, tracker.catalog, client,
                         Limits(allow_private=True)).poll("wire", force=True)

    asyncio.run(run())
    tracker.settle()


def evidence(tracker: Tracker) -> dict[str, tuple[str, datetime]]:
    readings = tracker.writer.state("taliban-designation").readings.values()
    return {(r.url or "").rsplit("/", 1)[-1]: (r.date_source, r.published_at) for r in readings}


def test_an_undated_entry_takes_its_page_date_or_its_first_sight(
        database_url: str, tmp_path: Path, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed.xml").respond_with_data(
        feed(httpserver, "/dated", "/undated"), content_type="application/rss+xml")
    httpserver.expect_request("/dated").respond_with_data(PAGE, content_type="text/html")
    httpserver.expect_request("/undated").respond_with_data(UNDATED_PAGE,
                                                            content_type="text/html")
    tracker = tracked(database_url, tmp_path, httpserver.url_for("/feed.xml"), fetch=True)
    before = datetime.now(UTC)
    poll(tracker)
    found = evidence(tracker)
    assert found["dated"] == ("page", datetime(2024, 11, 27, tzinfo=UTC))
    source, seen = found["undated"]
    assert source == "first_seen" and seen >= before.replace(microsecond=0)
    document = tracker.writer.state("taliban-designation").timeline()
    assert document.since == datetime(2024, 11, 27, tzinfo=UTC)
    tracker.close()


def test_without_fetched_articles_an_undated_entry_is_dated_when_first_seen(
        database_url: str, tmp_path: Path, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed.xml").respond_with_data(
        feed(httpserver, "/dated").replace("<title>Moscow and Kabul</title>",
                                           f"<title>Moscow and Kabul</title>"
                                           f"<description>{SENTENCE}</description>"),
        content_type="application/rss+xml")
    tracker = tracked(database_url, tmp_path, httpserver.url_for("/feed.xml"), fetch=False)
    poll(tracker)
    assert evidence(tracker)["dated"][0] == "first_seen"
    tracker.close()
