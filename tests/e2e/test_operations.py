"""Running it: offline start, plain failures in /feeds, JSON logs, a clean SIGTERM."""

from __future__ import annotations

import json
import signal
import time
from datetime import datetime
from pathlib import Path

import httpx

from tests.servers import ROOT, free_port, start_service, wait_for


def test_offline_start_json_logs_and_sigterm(sqlite_url: str, tmp_path: Path) -> None:
    feeds = tmp_path / "feeds.yaml"
    dead = f"http://127.0.0.1:{free_port()}/feed.xml"  # nothing listens: as on a plane
    feeds.write_text((ROOT / "tests" / "e2e" / "feeds.yaml.in").read_text()
                     .replace("FEED_URL", dead))
    port = free_port()
    process = start_service({"TRACKER_DATABASE_URL": sqlite_url, "TRACKER_FEEDS": str(feeds),
                             "TRACKER_LOG_FORMAT": "json"}, port, tmp_path)
    base = f"http://127.0.0.1:{port}"
    try:
        feed = wait_for(lambda: (f := httpx.get(f"{base}/feeds").json()[0])["last_error"] and f)
        assert feed["last_error"].startswith("connection refused by 127.0.0.1:")
        assert feed["consecutive_failures"] >= 1
        # The next try is scheduled after the failed one.
        assert datetime.fromisoformat(feed["next_poll"]) > datetime.fromisoformat(feed["last_poll"])
        assert httpx.get(f"{base}/status/taliban-designation").status_code == 200
        assert httpx.get(f"{base}/").status_code == 200
        metrics = httpx.get(f"{base}/metrics").text
        assert 'tracker_polls_total{feed="wire",outcome="failed"}' in metrics
    finally:
        process.send_signal(signal.SIGTERM)
        started = time.monotonic()
        code = process.wait(timeout=15)
    assert time.monotonic() - started < 10
    assert code in (0, -signal.SIGTERM)  # uvicorn re-raises the signal once it has shut down
    lines = [json.loads(line) for line in
             (tmp_path / f"service-{port}.log").read_text().splitlines() if line.startswith("{")]
    polls = [line for line in lines if line["logger"] == "tracker.poll"]
    assert polls and "connection refused" in polls[0]["message"]
    assert all({"time", "level", "logger", "message"} <= line.keys() for line in lines)
    assert any(line["message"] == "Application shutdown complete." for line in lines)
