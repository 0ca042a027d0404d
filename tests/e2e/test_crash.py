"""`kill -9` of `tracker serve` at random moments while it polls, classifies and delivers.

After the last restart: no observation lost or duplicated, every transition delivered at
least once with a stable webhook-id, and the log verifies and replays to the same projections.
Rounds per backend: TRACKER_CRASH_ROUNDS (6 here, 20 in the slow suite).
"""

from __future__ import annotations

import os
import random
import signal
import time
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from tests.servers import free_port, start_service, wait_for
from tests.story import ALL, Story


@pytest.mark.timeout(900)
@pytest.mark.parametrize("database", ["sqlite_url", "postgres_url"])
def test_kill_9_loses_nothing(database: str, request: pytest.FixtureRequest, tmp_path: Path,
                              httpserver: HTTPServer) -> None:
    rounds = int(os.environ.get("TRACKER_CRASH_ROUNDS", "6"))
    rng = random.Random(rounds)
    story = Story(request.getfixturevalue(database), httpserver, tmp_path)
    try:
        for n in range(rounds):
            port = free_port()
            process = start_service(story.env, port, tmp_path)
            if n == 0:
                story.subscribe(port)
            story.served = min(ALL, story.served + 2)
            try:
                time.sleep(rng.uniform(0.3, 2.5))
            finally:
                process.send_signal(signal.SIGKILL)
                process.wait(timeout=10)

        # The last start: let it settle, then stop it cleanly.
        story.served = ALL
        port = free_port()
        process = start_service(story.env, port, tmp_path)
        try:
            wait_for(lambda: story.stage(port) == "court-approved", timeout=60)
            wait_for(story.caught_up, timeout=60)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=15)
        print(f"\n{rounds} kill -9 rounds: {story.check()}")
    finally:
        story.close()
