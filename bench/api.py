"""GET /status/taliban-designation under 64 concurrent connections, beside a bare route.

    python bench/api.py [--seconds 10] [--connections 64] [--rounds 1] [--only-shipped]

Every server runs in a process of its own, one at a time; the load comes from wrk. The bare
route is an `async` FastAPI route answering the same bytes as the status (the seeded
document), so the ratios are what the tracker adds, not the size of its answer.

- the app alone (uvicorn, one worker, no access log, no scheduler) beside the bare route
  served the same way; also the 304 path (If-None-Match);
- `tracker serve` as users run it (the CLI command: access log on, the scheduler and the log's
  followers running, the shipped feeds file with its URLs pointing at a loopback feed server
  this process starts) beside the bare route on the same uvicorn settings (access log on,
  the same log handler), and without its access log for reference. `--rounds` repeats these.

Printed: requests/s, p50, p99 and the server's CPU time per request (steadier than the others
on a shared machine), each as a ratio to the bare route; over several rounds, each ratio's
range and median.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

D = "taliban-designation"


def serve(kind: str, port: int, *paths: str) -> None:
    """Serve the tracker's app (`tracker DATABASE FEEDS`), or the bare route (`bare BODY`,
    `bare-logged BODY`), which answers the bytes of the file BODY: the same answer."""
    import uvicorn
    from fastapi import FastAPI, Response

    if kind.startswith("bare"):
        app = FastAPI()
        body = Path(paths[0]).read_bytes()

        @app.get("/status/{designation}")
        async def constant(designation: str) -> Response:  # async: no worker thread
            return Response(body, media_type="application/json")

        if kind == "bare-logged":  # uvicorn run as `tracker serve` runs it: access log on
            from tracker.logs import configure

            configure()
            uvicorn.run(app, host="127.0.0.1", port=port, log_config=None,
                        timeout_graceful_shutdown=5)
            return
    else:
        from tracker.api.app import create_app
        from tracker.bootstrap import build
        from tracker.settings import Settings

        app = create_app(build(Settings(database_url=paths[0], feeds=Path(paths[1]))))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def seed(database: str, feeds: Path, body: Path) -> None:
    """A realistic status: dozens of articles behind three transitions; its document is
    written to `body`, for the bare route to answer the same bytes."""
    from tracker import views
    from tracker.bootstrap import build
    from tracker.domain.events import EvidenceRecorded
    from tracker.settings import Settings

    tracker = build(Settings(database_url=database, feeds=feeds), migrate=True)
    start = datetime(2024, 5, 1, tzinfo=UTC)
    for n in range(60):
        stage = ("considered", "proposed", "court-approved")[n // 20]
        tracker.writer.record(D, [EvidenceRecorded(
            D, f"o{n}", stage, 0.9, f"Sentence number {n} about the step.", "bench", "wire",
            f"https://news.example/{n}", f"Article {n}", start + timedelta(days=5 * n))])
    tracker.project()
    body.write_text(views.status_json(tracker.engine, tracker.catalog, D))
    tracker.close()


FEED = (b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Wire</title>'
        b'<link>http://127.0.0.1/</link><item><guid>w1</guid><title>Weather in Kabul</title>'
        b'<link>http://127.0.0.1/w1</link><pubDate>Mon, 01 Jul 2024 10:00:00 GMT</pubDate>'
        b'<description>Sunny and dry.</description></item></channel></rss>')
LIST = ("<html><body><table><tr><td>1</td><td>«База» («Аль-Каида»)</td><td>ВС РФ</td></tr>"
        "</table></body></html>").encode()


def feed_server() -> ThreadingHTTPServer:
    """A loopback server for the shipped feeds: an RSS document, and the official list's page."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
            body, kind = (LIST, "text/html") if self.path.startswith("/list") else (
                FEED, "application/rss+xml")
            self.send_response(200)
            self.send_header("content-type", f"{kind}; charset=utf-8")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def shipped_feeds(path: Path, port: int) -> None:
    """The shipped feeds.yaml, each URL on the loopback feed server (intervals unchanged)."""
    n = iter(range(1000))
    text = re.sub(r"(?m)^(\s+url: )(\S+)$",
                  lambda m: f"{m[1]}http://127.0.0.1:{port}/"
                            f"{'list' if 'fsb' in m[2] else 'feed'}{next(n)}",
                  (ROOT / "feeds.yaml").read_text())
    path.write_text(text)


async def load(url: str, seconds: float, connections: int, headers: dict[str, str]
               ) -> tuple[float, float, float, int]:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(limits=limits, timeout=10) as client:
        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                t = time.perf_counter()
                response = await client.get(url, headers=headers)
                latencies.append(time.perf_counter() - t)
                if response.status_code not in (200, 304):
                    errors += 1

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.perf_counter() - start
    ordered = sorted(latencies)
    return (len(latencies) / elapsed, statistics.median(ordered) * 1000,
            ordered[int(len(ordered) * 0.99)] * 1000, errors)


def wrk(url: str, seconds: float, connections: int, headers: dict[str, str]
        ) -> tuple[float, float, float, int]:
    """requests/s, p50 ms, p99 ms and errors, from wrk (Debian's package): a load generator
    that does not compete with the server for the interpreter."""
    args = ["wrk", "-t2", f"-c{connections}", f"-d{int(seconds)}s", "--latency", url]
    for name, value in headers.items():
        args[1:1] = ["-H", f"{name}: {value}"]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]

    def ms(p: str) -> float:
        value, unit = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rate, ms("50"), ms("99"), int(errors.group(1)) if errors else 0


def cpu_seconds(pid: int) -> float:
    """The CPU time (user and system) a process has used so far, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(url: str, args: argparse.Namespace, headers: dict[str, str], pid: int
            ) -> tuple[float, float, float, int, float]:
    """requests/s, p50 ms, p99 ms, errors, and the server's CPU time per request in µs
    (steadier than throughput on a shared machine: other processes take turns, not work)."""
    cpu = cpu_seconds(pid)
    if shutil.which("wrk"):
        rate, p50, p99, errors = wrk(url, args.seconds, args.connections, headers)
    else:
        rate, p50, p99, errors = asyncio.run(load(url, args.seconds, args.connections, headers))
    return rate, p50, p99, errors, (cpu_seconds(pid) - cpu) / (rate * args.seconds) * 1e6


def started(command: list[str], port: int, env: dict[str, str] | None = None,
            output: Path | None = None) -> subprocess.Popen:
    out = output.open("ab") if output else subprocess.DEVNULL
    process = subprocess.Popen(command, env={**os.environ, **(env or {})}, stdout=out,
                               stderr=subprocess.STDOUT)
    for _ in range(600):
        try:
            httpx.get(f"http://127.0.0.1:{port}/status/{D}", timeout=1)
            return process
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"{command} did not start")


def stopped(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def bench_serve(port: int) -> list[str]:
    return [sys.executable, __file__, "--port", str(port), "--serve"]


def polled(port: int) -> bool:
    """Whether `tracker serve` has made its first poll of every feed (so the first burst of
    polls is not inside the measurement)."""
    feeds = httpx.get(f"http://127.0.0.1:{port}/feeds", timeout=5).json()
    return bool(feeds) and all(f.get("last_poll") for f in feeds)


def as_shipped(args: argparse.Namespace, tmp: Path, database: str, feeds: Path,
               body: Path) -> list[Row]:
    """The bare route under `uvicorn` with its access log, then `tracker serve`."""
    from tests.servers import free_port

    rows = []
    for label, kind in (("bare, logged", "bare-logged"), ("bare, no log", "bare")):
        port = free_port()
        process = started([*bench_serve(port), kind, str(body)], port, output=tmp / "bare.log")
        try:
            rows.append((label, *measure(f"http://127.0.0.1:{port}/status/{D}", args, {},
                                         process.pid)))
        finally:
            stopped(process)
    port = free_port()
    env = {"TRACKER_DATABASE_URL": database, "TRACKER_FEEDS": str(feeds),
           "TRACKER_FEED_ALLOW_PRIVATE": "1"}
    process = started([sys.executable, "-m", "tracker.cli", "serve", "--port", str(port)],
                      port, env, tmp / "serve.log")
    try:
        for _ in range(300):
            if polled(port):
                break
            time.sleep(0.1)
        rows.append(("tracker serve", *measure(f"http://127.0.0.1:{port}/status/{D}", args,
                                               {}, process.pid)))
    finally:
        stopped(process)
    return rows


Row = tuple[str, float, float, float, int, float]


def table(rows: list[Row], bare: Row) -> None:
    print(f"{'route':14} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'CPU µs/req':>11} "
          f"{'x req/s':>8} {'x p99':>7} {'x CPU':>7} {'errors':>7}")
    for name, rate, p50, p99, errors, cpu in rows:
        print(f"{name:14} {rate:8,.0f} {p50:8.1f} {p99:8.1f} {cpu:11,.0f} "
              f"{rate / bare[1]:8.2f} {p99 / bare[3]:7.2f} {cpu / bare[5]:7.2f} {errors:7}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=1, help="times to measure the pair as "
                        "users run it (tracker serve beside the logged bare route)")
    parser.add_argument("--only-shipped", action="store_true",
                        help="measure only the pair as users run it")
    parser.add_argument("--serve", nargs="*")
    parser.add_argument("--port", type=int)
    args = parser.parse_args()
    if args.serve is not None:
        serve(*args.serve[:1], args.port, *args.serve[1:])
        return
    from tests.servers import free_port

    server = feed_server()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        feeds = tmp / "feeds.yaml"
        shipped_feeds(feeds, server.server_address[1])
        database = f"sqlite:///{tmp / 'api.db'}"
        body = tmp / "status.json"
        seed(database, feeds, body)
        if not args.only_shipped:
            rows = []
            for label, kind, headers in (("bare route", ["bare", str(body)], {}),
                                         ("status 200", ["tracker", database, str(feeds)], {}),
                                         ("status 304", ["tracker", database, str(feeds)],
                                          None)):
                port = free_port()
                process = started([*bench_serve(port), *kind], port)
                url = f"http://127.0.0.1:{port}/status/{D}"
                try:
                    if headers is None:
                        headers = {"If-None-Match": httpx.get(url).headers["etag"]}
                    rows.append((label, *measure(url, args, headers, process.pid)))
                finally:
                    stopped(process)
            print("The app alone (no access log, no scheduler), beside the bare route:")
            table(rows, rows[0])
        ratios = []
        for n in range(args.rounds):
            rows = as_shipped(args, tmp, database, feeds, body)
            print(f"\nAs users run it (access log on; round {n + 1} of {args.rounds}):")
            table(rows, rows[0])
            ratios.append((rows[2][1] / rows[0][1], rows[2][3] / rows[0][3],
                           rows[2][5] / rows[0][5]))
    server.shutdown()
    print(f"\nload: {'wrk' if shutil.which('wrk') else 'httpx (install wrk for a fairer load)'}"
          f", {args.connections} connections, {args.seconds:g} s each")
    if len(ratios) > 1:
        print(f"tracker serve / bare over {len(ratios)} rounds (lowest-highest, median):")
        for n, what in enumerate(("throughput", "p99", "CPU per request")):
            each = sorted(r[n] for r in ratios)
            print(f"  {what:16} {each[0]:.2f}-{each[-1]:.2f}x, {statistics.median(each):.2f}x")
    print("Goal: tracker serve >= 0.8x the bare route's throughput, p99 <= 1.5x the bare's.")


if __name__ == "__main__":
    main()
