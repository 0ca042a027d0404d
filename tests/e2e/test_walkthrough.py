"""The README's step 5, offline: the shipped receiver gets signed deliveries it verifies."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import httpx

from tests.servers import ROOT, free_port, start_service, wait_for


def test_the_shipped_receiver_verifies_what_the_service_delivers(tmp_path: Path) -> None:
    secret = "whsec_" + base64.b64encode(os.urandom(32)).decode()
    token = "walkthrough-token"
    feeds = tmp_path / "feeds.yaml"  # a feed that never answers: nothing leaves the machine
    feeds.write_text((ROOT / "tests" / "e2e" / "feeds.yaml.in").read_text()
                     .replace("FEED_URL", "http://127.0.0.1:9/unused.xml"))
    env = {"TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 'tracker.db'}",
           "TRACKER_FEEDS": str(feeds), "TRACKER_ADMIN_TOKEN": token,
           "TRACKER_WEBHOOK_ALLOW_PRIVATE": "1"}
    port, hook = free_port(), free_port()
    printed = tmp_path / "receiver.out"
    with printed.open("wb") as out:
        receiver = subprocess.Popen([sys.executable, str(ROOT / "examples" / "receiver.py"),
                                     str(hook)], env={**os.environ, "WEBHOOK_SECRET": secret},
                                    stdout=out, stderr=subprocess.STDOUT)
    service = start_service(env, port, tmp_path)
    try:
        wait_for(lambda: "listening" in printed.read_text())
        answer = httpx.post(f"http://127.0.0.1:{port}/webhooks",
                            headers={"Authorization": f"Bearer {token}"},
                            json={"url": f"http://127.0.0.1:{hook}/hook", "secret": secret})
        assert answer.status_code == 201, answer.text
        subprocess.run([sys.executable, "-m", "tracker.cli", "ingest",
                        str(ROOT / "examples" / "example-feed.xml")], cwd=tmp_path,
                       env={**os.environ, **env}, check=True, capture_output=True, timeout=120)
        wait_for(lambda: "status.changed: taliban-designation" in printed.read_text(), 60)
        assert "refused" not in printed.read_text()
        forged = httpx.post(f"http://127.0.0.1:{hook}/hook", content=b"{}",
                            headers={"webhook-id": "msg_1", "webhook-timestamp": "1",
                                     "webhook-signature": "v1,AAAA"})
        assert forged.status_code == 400
    finally:
        service.terminate()
        receiver.terminate()
        service.wait(timeout=30)
        receiver.wait(timeout=10)
