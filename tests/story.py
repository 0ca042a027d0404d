"""The Taliban story served as a growing RSS feed to `tracker serve` processes, a webhook
receiver subscribed, and the checks that nothing was lost: shared by the fault tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from pytest_httpserver import HTTPServer
from sqlalchemy import select
from werkzeug import Request, Response

from tests.servers import ROOT, WebhookReceiver, rss
from tracker.store.database import make_engine
from tracker.store.log import EventLog
from tracker.store.tables import feed_schedule

STORY = [
    "Russia is considering removing the Taliban from its list of terrorist organisations.",
    "Russia's prosecutors have filed a petition with the Supreme Court to lift the ban on the "
    "Taliban.",
    "Russia's Supreme Court rejected the petition to remove the Taliban from the terrorist list.",
    "Russian prosecutors have filed a new petition with the Supreme Court asking it to remove "
    "the Taliban from the list.",
    "Russia's Supreme Court has removed the Taliban from the list of terrorist organisations.",
]
STAGES = ["considered", "proposed", "considered", "proposed", "court-approved"]
ALL = 2 * len(STORY) + 2  # every item of the story, with filler between


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


class Story:
    """The feed (its first `served` items), the receiver, and the service's environment."""

    def __init__(self, database_url: str, httpserver: HTTPServer, tmp_path: Path,
                 interval: str = "1s") -> None:
        self.url = database_url
        self.served = 0  # nothing to read until the webhook is subscribed
        self.feed_delay = 0.0  # seconds the feed takes to answer

        def feed(_: Request) -> Response:
            time.sleep(self.feed_delay)
            return Response(rss(items(self.served)), content_type="application/rss+xml")

        httpserver.expect_request("/wire.xml").respond_with_handler(feed)
        feeds = tmp_path / "feeds.yaml"
        feeds.write_text((ROOT / "tests" / "e2e" / "feeds.yaml.in").read_text()
                         .replace("FEED_URL", httpserver.url_for("/wire.xml"))
                         .replace("interval: 1h", f"interval: {interval}"))
        self.env = {"TRACKER_DATABASE_URL": database_url, "TRACKER_FEEDS": str(feeds),
                    "TRACKER_ADMIN_TOKEN": "crash", "TRACKER_WEBHOOK_ALLOW_PRIVATE": "1",
                    "TRACKER_WEBHOOK_RETRIES": "0.2,0.5,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1"}
        self.receiver = WebhookReceiver()

    def subscribe(self, port: int, query: str = "") -> None:
        answer = httpx.post(f"http://127.0.0.1:{port}/webhooks", json={
            "url": self.receiver.url + query}, headers={"Authorization": "Bearer crash"})
        assert answer.status_code == 201, answer.text

    def stage(self, port: int) -> str | None:
        return httpx.get(f"http://127.0.0.1:{port}/status/taliban-designation").json()["stage"]

    def lease_owner(self) -> str | None:
        """The instance polling the feed right now, if any."""
        engine = make_engine(self.url)
        try:
            with engine.connect() as conn:
                return conn.execute(select(feed_schedule.c.lease_owner)).scalar()
        finally:
            engine.dispose()

    def caught_up(self) -> bool:
        """Every entry served is observed, every transition has reached the receiver."""
        engine = make_engine(self.url)
        try:
            log = EventLog(engine)
            changes = list(log.read(types=["StatusChanged"]))
            observed = len(list(log.read(types=["EntryObserved"])))
        finally:
            engine.dispose()
        wanted = {f"msg_{e.position}_" for e in changes}
        got = {i.rsplit("_", 1)[0] + "_" for i in self.receiver.ids()}
        return observed >= self.served and len(changes) == len(STAGES) and wanted <= got

    def check(self) -> dict[str, int]:
        """Nothing lost or doubled; the log verifies and replays. Returns figures."""
        engine = make_engine(self.url)
        log = EventLog(engine)
        observed = [json.loads(e.payload)["entry_id"] for e in log.read(types=["EntryObserved"])]
        assert sorted(observed) == sorted(i["guid"] for i in items(self.served))
        changes = [e.decode() for e in log.read(types=["StatusChanged"])]
        polls = len(list(log.read(types=["FeedPolled"])))
        engine.dispose()
        assert [c.to_stage for c in changes] == STAGES
        # Each delivery's retries kept its id: one id per transition and subscription.
        assert len(self.receiver.ids()) == len(changes)
        verified = run_cli(self.env, "verify")
        assert verified.returncode == 0, verified.stdout + verified.stderr
        replayed = run_cli(self.env, "replay", "--verify")
        assert replayed.returncode == 0, replayed.stdout + replayed.stderr
        return {"observations": len(observed), "transitions": len(changes), "polls": polls,
                "deliveries": len(self.receiver.received), "refused": self.receiver.refused}

    def close(self) -> None:
        self.receiver.close()
