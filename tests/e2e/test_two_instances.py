"""Two `tracker serve` processes on one PostgreSQL database poll each feed once per interval."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.servers import ROOT, free_port, rss, start_service
from tracker.store.database import make_engine
from tracker.store.log import EventLog

INTERVAL = 2


@pytest.mark.timeout(120)
def test_each_poll_happens_once_between_two_instances(postgres_url: str, tmp_path: Path,
                                                      httpserver: HTTPServer) -> None:
    hits: list[float] = []

    def feed(request: Request) -> Response:
        hits.append(time.monotonic())
        return Response(rss([]), content_type="application/rss+xml")

    httpserver.expect_request("/wire.xml").respond_with_handler(feed)
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text((ROOT / "tests" / "e2e" / "feeds.yaml.in").read_text()
                     .replace("FEED_URL", httpserver.url_for("/wire.xml"))
                     .replace("interval: 1h", f"interval: {INTERVAL}s"))
    env = {"TRACKER_DATABASE_URL": postgres_url, "TRACKER_FEEDS": str(feeds)}
    processes = [start_service(env, free_port(), tmp_path) for _ in range(2)]
    try:
        time.sleep(5 * INTERVAL + 1)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
    engine = make_engine(postgres_url)
    polls = [e.decode() for e in EventLog(engine).read(types=["FeedPolled"])]
    engine.dispose()
    assert 4 <= len(hits) <= 7, hits
    assert len(polls) == len(hits)  # every request the server saw was recorded, once
    gaps = [b - a for a, b in zip(hits, hits[1:], strict=False)]
    assert min(gaps) > INTERVAL * 0.75, gaps  # never two instances polling at once
