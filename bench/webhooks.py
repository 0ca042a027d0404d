"""Webhook fan-out: 1,000 transitions to 10 receivers on loopback.

    python bench/webhooks.py [--transitions 1000] [--subscribers 10] [--rate 40]
                             [--backend sqlite|postgresql]

Two runs of the running service (its pump, outbox and senders), each on a new scratch
database (a file for SQLite, a database of its own on PostgreSQL):
- burst: every transition recorded first, then the service started: deliveries per second;
- paced: transitions recorded at a steady rate while the service runs: the time from each
  transition's commit to its arrival at the receiver (p50, p99).
Baseline in the same run: the same number of signed POSTs sent with plain httpx, one
receiver at a time each, as the per-subscription order allows.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._common import drop, scratch_database  # noqa: E402
from tests.servers import free_port  # noqa: E402
from tracker.bootstrap import build, make_service  # noqa: E402
from tracker.domain.events import EvidenceRecorded  # noqa: E402
from tracker.settings import Settings  # noqa: E402
from tracker.webhooks import subscriptions as subs  # noqa: E402
from tracker.webhooks.sender import signed_headers  # noqa: E402

D = "taliban-designation"
FEEDS = f"""designations:
  {D}:
    title: Taliban on Russia's list
    subject: [Taliban]
    authority: [Russia]
feeds: []
"""


def evidence(n: int) -> EvidenceRecorded:
    """Alternately up and back down: every piece of evidence is a transition."""
    stage = "considered" if n % 2 == 0 else "reversed"
    return EvidenceRecorded(D, f"o{n}", stage, 0.9, "A sentence.", "bench", "wire", None,
                            f"Item {n}", datetime(2020, 1, 1, tzinfo=UTC) + timedelta(hours=n))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


class Receivers:
    """Webhook receivers in processes of their own (bench/receiver.py), as real ones are."""

    def __init__(self, count: int) -> None:
        self.ports = [free_port() for _ in range(count)]
        self.processes = [subprocess.Popen([sys.executable, str(ROOT / "bench" / "receiver.py"),
                                            str(p)]) for p in self.ports]
        self.urls = [f"http://127.0.0.1:{p}/hook" for p in self.ports]
        for url in self.urls:
            for _ in range(100):
                try:
                    httpx.get(url, timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)

    def arrivals(self) -> list[tuple[str, float]]:
        return [tuple(a) for url in self.urls for a in httpx.get(url, timeout=30).json()]

    def count(self) -> int:
        return len(self.arrivals())

    def close(self) -> None:
        for p in self.processes:
            p.terminate()
            p.wait()


def latencies(receivers: Receivers) -> list[float]:
    return [arrived - datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
            for stamp, arrived in receivers.arrivals()]


async def run(url: str, feeds: Path, transitions: int, subscribers: int, paced: float | None
              ) -> tuple[float, list[float]]:
    tracker = build(Settings(database_url=url, feeds=feeds, webhook_allow_private=True),
                    migrate=True)
    receivers = Receivers(subscribers)
    for url in receivers.urls:
        subs.subscribe(tracker.engine, tracker.log, url, None, None)
    service = make_service(tracker)
    total = transitions * subscribers
    if paced is None:
        for n in range(transitions):
            tracker.writer.record(D, [evidence(n)])
        await asyncio.to_thread(tracker.project)
    start = time.perf_counter()
    await service.start(background=True)
    if paced is not None:
        for n in range(transitions):
            await asyncio.to_thread(tracker.writer.record, D, [evidence(n)])
            service.wake()
            await asyncio.sleep(1 / paced)
    while await asyncio.to_thread(tracker_delivered, tracker) < total:
        await asyncio.sleep(0.02)
    seconds = time.perf_counter() - start
    await service.stop()
    found = latencies(receivers)
    receivers.close()
    tracker.close()
    return total / seconds, found


def tracker_delivered(tracker) -> int:  # type: ignore[no-untyped-def]
    with tracker.engine.connect() as conn:
        return conn.execute(text("SELECT COUNT(*) FROM webhook_deliveries "
                                 "WHERE status = 'delivered'")).scalar()


async def baseline(total: int, subscribers: int) -> float:
    """Signed POSTs, one receiver at a time each, as the dispatcher's order allows."""
    receivers = Receivers(subscribers)
    secret = subs.new_secret()
    body = '{"type":"status.changed","timestamp":"2026-01-01T00:00:00Z","data":{}}'
    async with httpx.AsyncClient() as client:
        async def one_receiver(url: str, count: int) -> None:
            for n in range(count):
                await client.post(url, content=body,
                                  headers=signed_headers(secret, f"msg_{n}", body))

        start = time.perf_counter()
        await asyncio.gather(*(one_receiver(u, total // subscribers) for u in receivers.urls))
        seconds = time.perf_counter() - start
    receivers.close()
    return total / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transitions", type=int, default=1000)
    parser.add_argument("--subscribers", type=int, default=10)
    parser.add_argument("--rate", type=float, default=40, help="paced transitions per second")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "postgres"),
                        default="sqlite")
    args = parser.parse_args()
    backend = "postgres" if args.backend.startswith("postgres") else "sqlite"
    total = args.transitions * args.subscribers
    with tempfile.TemporaryDirectory() as tmp:
        feeds = Path(tmp) / "feeds.yaml"
        feeds.write_text(FEEDS)

        def measure(paced: float | None) -> tuple[float, list[float]]:
            url, handle = scratch_database(backend, Path(tmp), "webhooks")
            try:
                return asyncio.run(run(url, feeds, args.transitions, args.subscribers, paced))
            finally:
                drop(handle)

        plain = asyncio.run(baseline(total, args.subscribers))
        burst, _ = measure(None)
        _, paced = measure(args.rate)
    print(f"webhooks on {backend}: {args.transitions} transitions x {args.subscribers} "
          f"subscribers = {total:,} deliveries")
    print(f"  burst    {burst:8,.0f} deliveries/s   plain httpx POSTs {plain:8,.0f}/s   "
          f"ratio {burst / plain:.2f}")
    p50, p99 = statistics.median(paced) * 1000, percentile(paced, 0.99) * 1000
    print(f"  paced at {args.rate:g} transitions/s ({args.rate * args.subscribers:g} deliveries/s):"
          f" commit -> arrival p50 {p50:.0f} ms, p99 {p99:.0f} ms (n={len(paced)})")
    met = burst >= 500 and p50 < 100 and p99 < 500
    print(f"Goal: >= 500 deliveries/s, p50 < 100 ms, p99 < 500 ms: {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
