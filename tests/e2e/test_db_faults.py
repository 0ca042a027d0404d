"""The database goes away under a running `tracker serve`, then comes back.

While feeds are polled and webhook deliveries wait for their retry, (a) the test's own
PostgreSQL server is stopped for a few seconds, (b) another process holds the SQLite file
locked (BEGIN EXCLUSIVE). Afterwards polling and delivery resume by themselves: every entry
is one observation, every transition delivered with a stable webhook-id, the log verifies.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from tests.pgserver import PostgresServer, binaries
from tests.servers import free_port, start_service, wait_for
from tests.story import ALL, Story
from tracker.store.database import make_engine
from tracker.store.migrate import upgrade

OUTAGE_SECONDS = float(os.environ.get("TRACKER_OUTAGE_SECONDS", "5"))


def through_fault(story: Story, tmp_path: Path,
                  fault: Callable[[], AbstractContextManager[object]]) -> str:
    """Run the story with `fault` in the middle; return the service's log."""
    port = free_port()
    process = start_service(story.env, port, tmp_path)
    try:
        story.subscribe(port)
        story.receiver.status = 503  # deliveries stay pending, retried every second
        story.served = 6
        wait_for(lambda: story.stage(port) == "considered" and story.receiver.refused >= 3,
                 timeout=30)
        story.feed_delay = 2.0  # the fault comes in the middle of a poll
        wait_for(story.lease_owner, timeout=30)
        with fault():
            story.served = ALL  # polls during the fault must catch up afterwards
            story.receiver.status = 204
            story.feed_delay = 0.0
            time.sleep(OUTAGE_SECONDS)
        wait_for(lambda: story.stage(port) == "court-approved", timeout=60)
        wait_for(story.caught_up, timeout=60)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)
    return (tmp_path / f"service-{port}.log").read_text(errors="replace")


@pytest.mark.timeout(300)
def test_postgres_stopped_and_started(tmp_path: Path, httpserver: HTTPServer) -> None:
    if binaries() is None:
        pytest.skip("no PostgreSQL server binaries to start a server of the test's own")
    server = PostgresServer()
    server.start()
    try:
        engine = make_engine(server.url)
        upgrade(engine)
        engine.dispose()
        story = Story(server.url, httpserver, tmp_path)

        @contextmanager
        def outage() -> Iterator[None]:
            server.stop("fast")
            try:
                yield
            finally:
                server.start()

        try:
            output = through_fault(story, tmp_path, outage)
            figures = story.check()
        finally:
            story.close()
    finally:
        server.close()
    assert "Traceback" not in output, output[-3000:]
    print(f"\nPostgreSQL down {OUTAGE_SECONDS:.0f} s: {figures}")


@pytest.mark.timeout(300)
def test_sqlite_locked_by_another_process(sqlite_url: str, tmp_path: Path,
                                          httpserver: HTTPServer) -> None:
    story = Story(sqlite_url, httpserver, tmp_path)
    path = sqlite_url.removeprefix("sqlite:///")

    @contextmanager
    def locked() -> Iterator[None]:
        with subprocess.Popen(
            [sys.executable, "-c", "import sqlite3, sys, time\n"
             "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
             "c.execute('BEGIN EXCLUSIVE'); print('locked', flush=True)\n"
             "time.sleep(float(sys.argv[2])); c.execute('COMMIT')", path,
             str(OUTAGE_SECONDS)], stdout=subprocess.PIPE, text=True) as holder:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
            try:
                yield
            finally:
                assert holder.wait(timeout=OUTAGE_SECONDS + 30) == 0

    try:
        output = through_fault(story, tmp_path, locked)
        figures = story.check()
    finally:
        story.close()
    assert "Traceback" not in output, output[-3000:]
    print(f"\nSQLite locked {OUTAGE_SECONDS:.0f} s: {figures}")
