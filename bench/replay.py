"""Replaying a long log into every projection: events per second and peak memory.

    python bench/replay.py                    # 100k and 1M events, SQLite and PostgreSQL
    python bench/replay.py --sizes 100000 --backend sqlite

Each replay runs in a fresh process so that its peak resident memory is its own. The baseline
in the same run is a bare read of the same log (EventLog.read, no decoding, no projection).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._common import drop, scratch_database  # noqa: E402
from tracker.config import Catalog, FeedConfig  # noqa: E402
from tracker.domain.designations import Designation  # noqa: E402
from tracker.domain.events import (  # noqa: E402
    EntryObserved,
    EvidenceRecorded,
    FeedPolled,
    StatusChanged,
)
from tracker.projections.feeds import FeedHealthProjection  # noqa: E402
from tracker.projections.runner import Runner  # noqa: E402
from tracker.projections.status import StatusProjection  # noqa: E402
from tracker.store.database import make_engine  # noqa: E402
from tracker.store.log import EventLog, NewEvent  # noqa: E402
from tracker.store.migrate import upgrade  # noqa: E402

DESIGNATIONS = [Designation(f"d{i}", f"Designation {i}", ("Taliban",), ("Russia",))
                for i in range(3)]
FEEDS = [FeedConfig(id=f"feed{i}", url=f"http://127.0.0.1/{i}.xml") for i in range(20)]
STAGES = ("considered", "proposed", "court-approved", "reversed")
TEXT = "Moscow and Kabul discussed trade, security and the list of banned groups. " * 6


def catalog() -> Catalog:
    return Catalog(DESIGNATIONS, FEEDS)


def generate(count: int, seed: int = 7):
    """A realistic mix: observations, polls, evidence now and then, a few status changes."""
    rng = random.Random(seed)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for i in range(count):
        when = start + timedelta(minutes=i)
        feed = FEEDS[i % len(FEEDS)].id
        roll = rng.random()
        if roll < 0.55:
            obs = f"o{i}"
            yield NewEvent.of(f"feed-{feed}", EntryObserved(
                obs, feed, f"guid-{i}", f"https://news.example/{i}", f"Headline {i}", TEXT[:200],
                TEXT, ("Staff",), when, "published", when, ("d0",)), f"obs:{i}")
        elif roll < 0.85:
            yield NewEvent.of(f"feed-{feed}", FeedPolled(
                feed, "http://127.0.0.1/x.xml", "fetched", when, when + timedelta(minutes=15),
                200, None, 50, rng.randint(0, 3), '"etag"', None, None, 120), f"poll:{i}")
        else:
            d = DESIGNATIONS[i % len(DESIGNATIONS)].id
            published = when - timedelta(days=rng.random() * 30 if rng.random() < 0.05 else 0)
            stage = rng.choices(STAGES, weights=(50, 30, 15, 5))[0]
            if rng.random() < 0.02:
                yield NewEvent.of(f"designation-{d}", StatusChanged(
                    d, "considered", stage, published, "evidence", (f"o{i}",)), f"status:{i}")
                continue
            yield NewEvent.of(f"designation-{d}", EvidenceRecorded(
                d, f"o{i}", stage, 0.8, "Russia has proposed removing the Taliban.", "bench",
                feed, f"https://news.example/{i}", f"Headline {i}", published), f"ev:{i}")


def fill(url: str, count: int) -> None:
    engine = make_engine(url)
    upgrade(engine)
    log = EventLog(engine)
    batch: list[NewEvent] = []
    for event in generate(count):
        batch.append(event)
        if len(batch) == 5000:
            log.append(batch)
            batch = []
    if batch:
        log.append(batch)
    engine.dispose()


def child(url: str, mode: str) -> None:
    """Run in a fresh process: replay (or bare-read) and print seconds and peak RSS."""
    engine = make_engine(url)
    started = time.perf_counter()
    if mode == "read":
        n = sum(1 for _ in EventLog(engine).read(batch=5000))
    else:
        Runner(engine).rebuild([StatusProjection(catalog()), FeedHealthProjection()])
        n = EventLog(engine).head()[0]
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"events": n, "seconds": seconds, "peak_mb": peak_mb}))


def measure(url: str, mode: str) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", mode, "--url", url],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--child")
    parser.add_argument("--url")
    args = parser.parse_args()
    if args.child:
        child(args.url, args.child)
        return
    backends = ("sqlite", "postgres") if args.backend == "both" else (args.backend,)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            for size in (int(s) for s in args.sizes.split(",")):
                url, handle = scratch_database(backend, Path(tmp), "replay")
                try:
                    t0 = time.perf_counter()
                    fill(url, size)
                    fill_s = time.perf_counter() - t0
                    bare, replayed = measure(url, "read"), measure(url, "replay")
                finally:
                    drop(handle)
                rows.append((backend, size, fill_s, bare, replayed))
                print(f"{backend:8} {size:>9,} events  replay {size / replayed['seconds']:>9,.0f}/s"
                      f"  peak {replayed['peak_mb']:6.0f} MB   bare read "
                      f"{size / bare['seconds']:>9,.0f}/s ({bare['peak_mb']:.0f} MB)   "
                      f"replay/read {bare['seconds'] / replayed['seconds']:.2f}x   "
                      f"(filled in {fill_s:.0f} s)", flush=True)
    print("\nGoal: replay >= 50,000 events/s, peak < 300 MB and flat with the log's length.")


if __name__ == "__main__":
    main()
