"""The service as a user runs it: a feed on loopback, published in one order, served in another,
through polling, classification and projection to status, history, as_of and known_at."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from pytest_httpserver import HTTPServer

from tests.servers import ROOT, free_port, rss, start_service, stop_service, wait_for

D = "taliban-designation"
TALKS = {"guid": "wire-1", "link": "https://news.example/talks",
         "published": datetime(2024, 5, 21, 9, 0, tzinfo=UTC),
         "title": "Kremlin weighs dropping Taliban from banned list",
         "text": "Moscow is considering whether to remove the Taliban from its list of "
                 "terrorist organisations, a Kremlin spokesman told reporters on Tuesday."}
BILL = {"guid": "wire-2", "link": "https://news.example/bill",
        "published": datetime(2024, 11, 27, 12, 0, tzinfo=UTC),
        "title": "Prosecutor General asks Russia's Supreme Court to lift Taliban ban",
        "text": "Russia's Prosecutor General's Office has filed a petition with the Supreme "
                "Court asking it to suspend the ban on the Taliban as a terrorist organisation."}
RULING = {"guid": "wire-3", "link": "https://news.example/ruling",
          "published": datetime(2025, 4, 17, 10, 0, tzinfo=UTC),
          "title": "Russia's Supreme Court lifts ban on Taliban",
          "text": "Russia's Supreme Court on Thursday removed the Taliban from the country's "
                  "list of terrorist organisations, granting the prosecutor's request."}


@pytest.fixture
def service(tmp_path: Path, httpserver: HTTPServer, request: pytest.FixtureRequest):
    """The service, started once the feed serves the ruling alone."""
    httpserver.expect_request("/wire.xml").respond_with_data(rss([RULING]),
                                                             content_type="application/rss+xml")
    database = request.getfixturevalue(request.param)
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(
        (ROOT / "tests" / "e2e" / "feeds.yaml.in").read_text()
        .replace("FEED_URL", httpserver.url_for("/wire.xml")))
    port = free_port()
    process = start_service({"TRACKER_DATABASE_URL": database, "TRACKER_FEEDS": str(feeds),
                             "TRACKER_ADMIN_TOKEN": "e2e-token"}, port, tmp_path)
    yield f"http://127.0.0.1:{port}"
    stop_service(process)


@pytest.mark.timeout(180)
@pytest.mark.parametrize("service", ["sqlite_url", "postgres_url"], indirect=True)
def test_a_story_told_out_of_order(service: str, httpserver: HTTPServer) -> None:
    admin = {"Authorization": "Bearer e2e-token"}
    # The ruling is served first ...
    first = wait_for(lambda: _stage(service) == "court-approved" and _get(service))
    assert [(t["from"], t["to"]) for t in first["history"]] == [(None, "court-approved")]
    between = datetime.now(UTC).isoformat()

    # ... the earlier steps later, in the same feed.
    httpserver.clear()
    httpserver.expect_request("/wire.xml").respond_with_data(
        rss([RULING, BILL, TALKS]), content_type="application/rss+xml")
    polled = httpx.post(f"{service}/feeds/wire/poll", headers=admin, timeout=30)
    assert polled.status_code == 200, polled.text
    assert polled.json()["new_entries"] == 2

    now = wait_for(lambda: len(_get(service)["history"]) == 3 and _get(service))
    assert now["stage"] == "court-approved"
    assert now["since"] == "2025-04-17T10:00:00Z"
    assert [(t["from"], t["to"], t["since"][:10]) for t in now["history"]] == [
        (None, "considered", "2024-05-21"), ("considered", "proposed", "2024-11-27"),
        ("proposed", "court-approved", "2025-04-17")]
    assert now["history"][2]["evidence"][0]["url"] == RULING["link"]

    history = httpx.get(f"{service}/status/{D}/history").json()["history"]
    assert history == now["history"]
    as_of = httpx.get(f"{service}/status/{D}", params={"as_of": "2025-01-01T00:00:00Z"}).json()
    assert as_of["stage"] == "proposed"
    known = httpx.get(f"{service}/status/{D}", params={"known_at": between}).json()
    assert [(t["from"], t["to"]) for t in known["history"]] == [(None, "court-approved")]

    feeds = httpx.get(f"{service}/feeds").json()
    assert feeds[0]["id"] == "wire" and feeds[0]["entries_seen"] == 3
    assert feeds[0]["last_success"] == feeds[0]["last_poll"]  # the last poll is the success
    assert feeds[0]["consecutive_failures"] == 0

    etag = httpx.get(f"{service}/status/{D}").headers["etag"]
    again = httpx.get(f"{service}/status/{D}", headers={"If-None-Match": etag})
    assert again.status_code == 304


def _get(base: str) -> dict:
    return httpx.get(f"{base}/status/{D}", timeout=5).json()


def _stage(base: str) -> str | None:
    return _get(base)["stage"]
