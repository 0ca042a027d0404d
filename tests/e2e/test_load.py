"""GET /status at 200 connections (wrk) while the same `tracker serve` polls a feed every
second and delivers webhooks: no error, no non-2xx answer; p99 printed.

10 s on PostgreSQL here; the full 60 s run on both backends is marked slow
(`pytest -m slow tests/e2e/test_load.py -s`).
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from tests.servers import free_port, start_service, wait_for
from tests.story import ALL, Story
from tracker.store.database import make_engine
from tracker.store.log import EventLog

CONNECTIONS = 200
SUBSCRIPTIONS = 10


def wrk(url: str, seconds: int, connections: int) -> dict[str, float]:
    """Requests, rate, p50/p99 in ms and errors (socket errors and non-2xx) from wrk."""
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
                          "--latency", url], capture_output=True, text=True, check=True,
                         timeout=seconds + 60).stdout

    def ms(p: str) -> float:
        value, unit = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                        out)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"requests": int(re.search(r"(\d+) requests in", out).group(1)),  # type: ignore[union-attr]
            "rate": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
            "p50": ms("50"), "p99": ms("99"),
            "socket_errors": sum(map(int, sockets.groups())) if sockets else 0,
            "non_2xx": int(non_2xx.group(1)) if non_2xx else 0}


def load_while_working(url: str, httpserver: HTTPServer, tmp_path: Path, seconds: int) -> None:
    if shutil.which("wrk") is None:
        pytest.fail("wrk is not installed (apt-get install wrk; .ci/run does)")
    story = Story(url, httpserver, tmp_path)
    port = free_port()
    process = start_service(story.env, port, tmp_path)
    try:
        for n in range(SUBSCRIPTIONS):  # 5 transitions x 10 subscriptions to deliver
            story.subscribe(port, f"?n={n}")

        def feed_grows() -> None:  # the story unfolds during the load
            while story.served < ALL:
                time.sleep(seconds / 8)
                story.served += 2

        grower = threading.Thread(target=feed_grows, daemon=True)
        grower.start()
        figures = wrk(f"http://127.0.0.1:{port}/status/taliban-designation", seconds,
                      CONNECTIONS)
        grower.join()
        wait_for(story.caught_up, timeout=60)
        engine = make_engine(url)
        polls = len(list(EventLog(engine).read(types=["FeedPolled"])))
        engine.dispose()
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)
    deliveries = len(story.receiver.received)
    story.close()
    print(f"\nGET /status, {CONNECTIONS} connections, {seconds} s: {figures['requests']} requests "
          f"({figures['rate']:.0f}/s), p50 {figures['p50']:.1f} ms, p99 {figures['p99']:.1f} ms, "
          f"{figures['socket_errors']} socket errors, {figures['non_2xx']} non-2xx; "
          f"meanwhile {polls} polls, {deliveries} webhooks delivered")
    assert figures["socket_errors"] == 0 and figures["non_2xx"] == 0, figures
    assert figures["requests"] > 0
    assert polls >= seconds // 3  # polling went on under the load
    assert deliveries == 5 * SUBSCRIPTIONS


@pytest.mark.timeout(180)
def test_status_under_load_while_polling_and_delivering(postgres_url: str, tmp_path: Path,
                                                        httpserver: HTTPServer) -> None:
    load_while_working(postgres_url, httpserver, tmp_path, 10)


@pytest.mark.slow
@pytest.mark.timeout(300)
@pytest.mark.parametrize("database", ["sqlite_url", "postgres_url"])
def test_status_under_load_for_a_minute(database: str, request: pytest.FixtureRequest,
                                        tmp_path: Path, httpserver: HTTPServer) -> None:
    load_while_working(request.getfixturevalue(database), httpserver, tmp_path, 60)
