"""Two `tracker serve` processes on one PostgreSQL database: each poll once between them, and
when one is killed the other finishes its work."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.servers import ROOT, free_port, rss, start_service, wait_for
from tests.story import ALL, Story
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
    assert len(hits) >= 4, hits  # one poll an interval, from the first instance's start
    assert len(polls) == len(hits)  # every request the server saw was recorded, once
    gaps = [b - a for a, b in zip(hits, hits[1:], strict=False)]
    assert min(gaps) > INTERVAL * 0.75, gaps  # never two instances polling at once


@pytest.mark.timeout(300)
def test_two_instances_polling_and_delivering_one_killed(postgres_url: str, tmp_path: Path,
                                                         httpserver: HTTPServer) -> None:
    """Both poll and deliver; each round one is killed with `kill -9` (the one in the middle of
    a poll; restarted but in the last round): the survivor finishes the work, nothing lost or doubled."""
    rounds = int(os.environ.get("TRACKER_TWO_INSTANCE_ROUNDS", "2"))
    rng = random.Random(rounds)
    story = Story(postgres_url, httpserver, tmp_path)
    ports = [free_port(), free_port()]
    processes = [start_service(story.env, port, tmp_path) for port in ports]
    try:
        story.subscribe(ports[0])
        story.receiver.status = 503  # deliveries pending, retried by either instance
        story.served = 4
        wait_for(lambda: story.receiver.refused >= 2, timeout=30)
        for n in range(rounds):
            story.served = min(ALL - 2, story.served + 2)
            story.receiver.status = 204
            time.sleep(rng.uniform(0.3, 2.0))
            # Kill the instance in the middle of a poll (the feed answers slowly).
            story.feed_delay = 3.0
            owner = wait_for(story.lease_owner, timeout=30)
            victim = [p.pid for p in processes].index(int(owner.split("-")[-2]))
            processes[victim].send_signal(signal.SIGKILL)
            processes[victim].wait(timeout=10)
            story.feed_delay = 0.0
            if n < rounds - 1:
                ports[victim] = free_port()
                processes[victim] = start_service(story.env, ports[victim], tmp_path)
        survivor = 1 - victim
        story.served = ALL
        wait_for(lambda: story.stage(ports[survivor]) == "court-approved", timeout=60)
        wait_for(story.caught_up, timeout=60)
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=15)
    logs = [p.read_text(errors="replace") for p in tmp_path.glob("service-*.log")]
    assert sum("polled wire" in text for text in logs) >= 2  # both polled
    assert sum("tracker.webhooks: delivery" in text for text in logs) >= 2  # both delivered
    print(f"\ntwo instances, {rounds} kill -9 rounds: {story.check()}")
    story.close()
