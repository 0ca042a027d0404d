"""GET /status/taliban-designation under 64 concurrent connections, beside a bare route.

    python bench/api.py [--seconds 10] [--connections 64]

Both servers run the same way (uvicorn, one worker, no access log) in processes of their own;
the load comes from this process. Printed: requests per second, p50 and p99, and the ratio to
a bare FastAPI route that returns a constant dict; also the 304 path (If-None-Match).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

D = "taliban-designation"


def serve(kind: str, port: int, database: str = "", feeds: str = "") -> None:
    import uvicorn
    from fastapi import FastAPI

    if kind == "bare":
        app = FastAPI()

        @app.get("/status/{designation}")
        def constant(designation: str) -> dict:
            return {"designation": designation, "stage": "court-approved", "position": 42}
    else:
        from tracker.api.app import create_app
        from tracker.bootstrap import build
        from tracker.config import Settings

        app = create_app(build(Settings(database_url=database, feeds=Path(feeds))))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def seed(database: str, feeds: Path) -> None:
    """A realistic status: dozens of articles behind three transitions."""
    from tracker.bootstrap import build
    from tracker.config import Settings
    from tracker.domain.events import EvidenceRecorded

    tracker = build(Settings(database_url=database, feeds=feeds), migrate=True)
    start = datetime(2024, 5, 1, tzinfo=UTC)
    for n in range(60):
        stage = ("considered", "proposed", "court-approved")[n // 20]
        tracker.writer.record(D, [EvidenceRecorded(
            D, f"o{n}", stage, 0.9, f"Sentence number {n} about the step.", "bench", "wire",
            f"https://news.example/{n}", f"Article {n}", start + timedelta(days=5 * n))])
    tracker.project()
    tracker.close()


async def load(url: str, seconds: float, connections: int, headers: dict[str, str]
               ) -> tuple[float, list[float], int]:
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
    return len(latencies) / elapsed, latencies, errors


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


def started(args: list[str], port: int) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, __file__, "--serve", *args, "--port", str(port)])
    for _ in range(200):
        try:
            httpx.get(f"http://127.0.0.1:{port}/status/{D}", timeout=1)
            return process
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--serve", nargs="*")
    parser.add_argument("--port", type=int)
    args = parser.parse_args()
    if args.serve is not None:
        serve(*args.serve[:1], args.port, *args.serve[1:])
        return
    from tests.servers import free_port

    with tempfile.TemporaryDirectory() as tmp:
        feeds = Path(tmp) / "feeds.yaml"
        feeds.write_text((ROOT / "feeds.yaml").read_text())
        database = f"sqlite:///{Path(tmp) / 'api.db'}"
        seed(database, feeds)
        rows = []
        for name, serve_args, headers in (
                ("bare route", ["bare"], {}),
                ("status 200", ["tracker", database, str(feeds)], {}),
                ("status 304", ["tracker", database, str(feeds)], None)):
            port = free_port()
            process = started(serve_args, port)
            url = f"http://127.0.0.1:{port}/status/{D}"
            if headers is None:
                headers = {"If-None-Match": httpx.get(url).headers["etag"]}
            try:
                if shutil.which("wrk"):
                    rows.append((name, *wrk(url, args.seconds, args.connections, headers)))
                    continue
                rate, latencies, errors = asyncio.run(load(url, args.seconds, args.connections,
                                                           headers))
            finally:
                process.terminate()
                process.wait()
            ordered = sorted(latencies)
            rows.append((name, rate, statistics.median(ordered) * 1000,
                         ordered[int(len(ordered) * 0.99)] * 1000, errors))
    bare = rows[0][1]
    print(f"{'route':12} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'vs bare':>8} {'errors':>7}")
    for name, rate, p50, p99, errors in rows:
        print(f"{name:12} {rate:8,.0f} {p50:8.1f} {p99:8.1f} {rate / bare:8.2f} {errors:7}")
    print(f"load: {'wrk' if shutil.which('wrk') else 'httpx (install wrk for a fairer load)'}")
    print("\nGoal: status >= 0.8x the bare route, p99 < 20 ms, 304 faster than 200.")


if __name__ == "__main__":
    main()
