"""`kill -9` of `tracker serve` at random moments while it polls, classifies and delivers.

After the last restart: no observation lost or duplicated, every transition delivered at
least once with a stable webhook-id, and the log verifies and replays to the same projections.
Rounds per backend: TRACKER_CRASH_ROUNDS (6 here, 20 in the slow suite).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.servers import ROOT, WebhookReceiver, free_port, rss, start_service, wait_for
from tracker.store.database import make_engine
from tracker.store.log import EventLog

STORY = [
    "Russia is considering removing the Taliban from its list of terrorist organisations.",
    "Russia's prosecutors have filed a petition with the Supreme Court to lift the ban on the "
    "Taliban.",
    "Russia's Supreme Court rejected the petition to remove the Taliban from the terrorist list.",
    "Russian prosecutors have filed a new petition with the Supreme Court asking it to remove "
    "the Taliban from the list.",
    "Russia's Supreme Court has removed the Taliban from the list of terrorist organisations.",
]


def items(count: int) -> list[dict]:
    start = datetime(2024, 5, 1, tzinfo=UTC)
    out = []
    for n in range(count):
        text = STORY[n // 2] if n % 2 == 0 and n // 2 < len(STORY) else \
            f"Grain and fuel trade between the two countries grew in week {n}."
        out.append({"guid": f"crash-{n}", "link": f"https://news.example/crash/{n}",
                    "published": start + timedelta(days=30 * n), "title": f"Wire item {n}",
                    "text": text})
    return out


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tracker.cli", *args], env={**os.environ, **env},
                          capture_output=True, text=True, timeout=300)


@pytest.mark.timeout(900)
@pytest.mark.parametrize("database", ["sqlite_url", "postgres_url"])
def test_kill_9_loses_nothing(database: str, request: pytest.FixtureRequest, tmp_path: Path,
                              httpserver: HTTPServer) -> None:
    rounds = int(os.environ.get("TRACKER_CRASH_ROUNDS", "6"))
    url = request.getfixturevalue(database)
    rng = random.Random(rounds)
    served = {"count": 0}  # nothing to read until the webhook is subscribed

    def feed(_: Request) -> Response:
        return Response(rss(items(served["count"])), content_type="application/rss+xml")

    httpserver.expect_request("/wire.xml").respond_with_handler(feed)
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text((ROOT / "tests" / "e2e" / "feeds.yaml.in").read_text()
                     .replace("FEED_URL", httpserver.url_for("/wire.xml"))
                     .replace("interval: 1h", "interval: 1s"))
    env = {"TRACKER_DATABASE_URL": url, "TRACKER_FEEDS": str(feeds),
           "TRACKER_ADMIN_TOKEN": "crash", "TRACKER_WEBHOOK_ALLOW_PRIVATE": "1",
           "TRACKER_WEBHOOK_RETRIES": "0.2,0.5,1,1,1,1,1,1,1,1"}
    receiver = WebhookReceiver()
    try:
        for n in range(rounds):
            port = free_port()
            process = start_service(env, port, tmp_path)
            if n == 0:
                answer = httpx.post(f"http://127.0.0.1:{port}/webhooks", json={
                    "url": receiver.url}, headers={"Authorization": "Bearer crash"})
                assert answer.status_code == 201, answer.text
            served["count"] = min(2 * len(STORY) + 2, served["count"] + 2)
            try:
                time.sleep(rng.uniform(0.3, 2.5))
            finally:
                process.send_signal(signal.SIGKILL)
                process.wait(timeout=10)

        # The last start: let it settle, then stop it cleanly.
        served["count"] = 2 * len(STORY) + 2
        port = free_port()
        process = start_service(env, port, tmp_path)
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: httpx.get(f"{base}/status/taliban-designation").json()["stage"]
                 == "court-approved", timeout=60)
        engine = make_engine(url)
        log = EventLog(engine)

        def all_delivered() -> bool:
            changes = [e for e in log.read(types=["StatusChanged"])]
            wanted = {f"msg_{e.position}_" for e in changes}
            got = {i.rsplit("_", 1)[0] + "_" for i in receiver.ids()}
            return bool(changes) and wanted <= got

        try:
            wait_for(all_delivered, timeout=60)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=15)

        observed = [json.loads(e.payload)["entry_id"] for e in log.read(types=["EntryObserved"])]
        assert sorted(observed) == sorted(i["guid"] for i in items(served["count"]))
        changes = [e.decode() for e in log.read(types=["StatusChanged"])]
        assert [c.to_stage for c in changes] == [
            "considered", "proposed", "considered", "proposed", "court-approved"]
        # Each delivery's retries kept its id: one id per transition and subscription.
        assert len(receiver.ids()) == len(changes)
        engine.dispose()
        assert run_cli(env, "verify").returncode == 0
        replayed = run_cli(env, "replay", "--verify")
        assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    finally:
        receiver.close()
