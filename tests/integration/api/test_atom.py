"""The Atom feeds of changes, read back with feedparser as a feed reader would, after a story
came in through the real ingest path, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import calendar
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest
from fastapi.testclient import TestClient

from tests.conftest import FEEDS_YAML
from tests.servers import rss
from tests.withdrawn_story import ITEMS
from tracker.bootstrap import build, feed_limits
from tracker.domain.events import EvidenceRecorded
from tracker.services.ingest import ingest_document
from tracker.settings import Settings

D = "taliban-designation"
TITLE = "Taliban on Russia's federal list of terrorist organisations"
TAG = "tag:designation-tracker,2024:taliban-designation"


@pytest.fixture
def tracked(database_url: str, tmp_path: Path):
    """The story ingested from a feed document, with the default confirmation rules."""
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(FEEDS_YAML.replace("confirm: {sources: 1}", "confirm: {}"))
    document = tmp_path / "story.xml"
    document.write_text(rss(ITEMS))
    tracker = build(Settings(database_url=database_url, feeds=feeds))
    report = asyncio.run(ingest_document(tracker.log, tracker.catalog, feed_limits(tracker.settings),
                                         str(document), "wire"))
    assert report.new_entries == len(ITEMS)
    tracker.settle()
    from tracker.api.app import create_app
    with TestClient(create_app(tracker)) as client:
        yield tracker, client
    tracker.close()


def utc(parsed) -> datetime:
    return datetime.fromtimestamp(calendar.timegm(parsed), UTC)


def instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).replace(microsecond=0)


def test_one_entry_per_step_and_per_withdrawal_newest_first(tracked) -> None:
    _, client = tracked
    answer = client.get(f"/status/{D}/feed.atom")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/atom+xml"
    history = client.get(f"/status/{D}").json()["history"]
    considered, proposed, court = history
    assert court["withdrawn"] is not None

    feed = feedparser.parse(answer.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title == f"{TITLE}: changes"
    assert feed.feed.id == f"{TAG}/feed"
    assert [e.title for e in feed.entries] == [
        f"{TITLE}: court-approved withdrawn, back to proposed",
        f"{TITLE}: proposed → court-approved",
        f"{TITLE}: considered → proposed",
        f"{TITLE}: no stage → considered"]
    assert [e.id for e in feed.entries] == [
        f"{TAG}/withdrawn/{court['position']}", f"{TAG}/step/{court['position']}",
        f"{TAG}/step/{proposed['position']}", f"{TAG}/step/{considered['position']}"]
    assert [utc(e.published_parsed) for e in feed.entries] == [
        instant(court["withdrawn"]["at"]), instant(court["since"]), instant(proposed["since"]),
        instant(considered["since"])]
    assert utc(feed.entries[3].updated_parsed) == instant(considered["recorded_at"])
    assert all(e.link == f"http://testserver/designations/{D}" for e in feed.entries)
    assert [t.term for e in feed.entries for t in e.tags] == \
        ["proposed", "court-approved", "proposed", "considered"]

    withdrawal = feed.entries[0].content[0].value
    assert "still pending" in withdrawal and "withdrawn on 10 Jan 2025" in withdrawal
    for n in (5, 6, 7):  # the three articles that took the step back, each linked
        assert f'href="https://careful-{n - 5}.example/news/{n}"' in withdrawal
    step = feed.entries[2].content[0].value
    assert "proposed since 27 Nov 2024, on the news" in step
    assert '<a href="https://wire-two.example/news/2">Prosecutors go to court over the Taliban ' \
           'ban</a>' in step
    assert "<blockquote>Russia's prosecutors have filed a petition with the Supreme Court" in step


def test_the_feed_of_every_designation_and_stable_ids(tracked) -> None:
    tracker, client = tracked
    one = feedparser.parse(client.get(f"/status/{D}/feed.atom").content)
    every = feedparser.parse(client.get("/feed.atom").content)
    assert not every.bozo and every.feed.id == "tag:designation-tracker,2024:feed"
    assert [e.id for e in every.entries] == [e.id for e in one.entries]
    # Later news adds an entry on top; the entries before keep their ids.
    tracker.writer.record(D, [EvidenceRecorded(
        D, "ruling", "court-approved", 0.9, "The court ruled.", "test-1", "wire",
        "https://court.example/ruling", "The ruling", datetime(2025, 4, 17, tzinfo=UTC))])
    tracker.project()
    again = feedparser.parse(client.get("/feed.atom").content)
    assert again.entries[0].title == f"{TITLE}: proposed → court-approved"
    assert [e.id for e in again.entries[1:]] == [e.id for e in every.entries]


def test_etag_unknown_designation_and_unknown_parameters(tracked) -> None:
    _, client = tracked
    first = client.get(f"/status/{D}/feed.atom")
    etag = first.headers["etag"]
    assert client.get(f"/status/{D}/feed.atom", headers={"If-None-Match": etag}).status_code == 304
    assert client.get(f"/status/{D}/feed.atom",
                      headers={"If-None-Match": f"W/{etag}"}).status_code == 304
    assert client.get("/feed.atom", headers={"If-None-Match": etag}).status_code == 200
    missing = client.get("/status/hamas/feed.atom")
    assert (missing.status_code, missing.json()) == (404, {"detail": "no designation 'hamas' is "
                                                                     "tracked"})
    for path in (f"/status/{D}/feed.atom", "/feed.atom"):
        refused = client.get(path, params={"as_of": "2025-01-01"})
        assert refused.status_code == 422
        assert refused.json()["detail"][0]["loc"] == ["query", "as_of"]


def test_text_a_feed_cannot_carry_is_replaced_and_markup_is_text(tracked) -> None:
    tracker, client = tracked
    tracker.writer.record(D, [EvidenceRecorded(
        D, "odd", "court-approved", 0.9, "A <script>alert(1)</script> quote\x0b.", "test-1",
        "wire", "https://odd.example/1", "Bell\x07 and <b>bold</b>", datetime(2025, 5, 1,
                                                                              tzinfo=UTC))])
    tracker.project()
    answer = client.get("/feed.atom")
    assert answer.status_code == 200
    feed = feedparser.parse(answer.content)
    assert not feed.bozo, feed.get("bozo_exception")
    newest = feed.entries[0].content[0].value
    assert "Bell\ufffd and &lt;b&gt;bold&lt;/b&gt;" in newest
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in newest and "<script" not in newest
