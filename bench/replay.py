"""Replaying a long log into every projection: events per second and peak memory.

    python bench/replay.py                    # 100k and 1M events, SQLite and PostgreSQL
    python bench/replay.py --sizes 100000 --backend sqlite

Each replay runs in a fresh process so that its peak resident memory is its own. The baseline
in the same run is a bare read of the same log (EventLog.read, no decoding, no projection).
"""

from __future__ import annotations

import argparse
import bisect
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
from tracker.domain.designations import REVERSED, Designation  # noqa: E402
from tracker.domain.events import (  # noqa: E402
    EntryObserved,
    EvidenceRecorded,
    FeedPolled,
    StatusChanged,
)
from tracker.projections.feeds import FeedHealthProjection  # noqa: E402
from tracker.projections.runner import Runner  # noqa: E402
from tracker.projections.status import StatusProjection  # noqa: E402
from tracker.store.database import insert_many, make_engine, writing  # noqa: E402
from tracker.store.log import (  # noqa: E402
    GENESIS,
    EventLog,
    NewEvent,
    StoredEvent,
    event_hash,
    now_iso,
)
from tracker.store.migrate import upgrade  # noqa: E402
from tracker.store.tables import event_keys, events  # noqa: E402

DESIGNATIONS = [Designation(f"d{i}", f"Designation {i}", ("Taliban",), ("Russia",))
                for i in range(20)]
FEEDS = [FeedConfig(id=f"feed{i}", url=f"http://127.0.0.1/{i}.xml") for i in range(50)]
STAGES = DESIGNATIONS[0].stages
TEXT = "Moscow and Kabul discussed trade, security and the list of banned groups. " * 6
STORY_DAYS = 60  # a designation's true stage changes about this often
LATE = 0.05  # the share of evidence published up to 30 days before it is recorded


def catalog() -> Catalog:
    return Catalog(DESIGNATIONS, FEEDS)


def story(rng: random.Random, start: datetime, end: datetime) -> list[tuple[datetime, int, bool]]:
    """A designation's true course: (time, rank, reversed?) changes, mostly up a rung, now
    and then down one when a proposal is withdrawn or a court refuses."""
    out, when, rank = [(start, 1, False)], start, 1
    while when < end:
        when += timedelta(days=rng.expovariate(1 / STORY_DAYS))
        down = rank == len(STAGES) or (rank > 1 and rng.random() < 0.3)
        rank += -1 if down else 1
        out.append((when, rank, down))
    return out


def generate(count: int, seed: int = 7):
    """A log like a busy deployment's, one event a minute: observations (55%), polls (30%),
    evidence (15%) about 20 designations that each climb their ladder over months, with
    some articles read late (published up to 30 days before), and status changes."""
    rng = random.Random(seed)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    stories = {d.id: story(rng, start, start + timedelta(minutes=count)) for d in DESIGNATIONS}
    reported: set[tuple[str, int]] = set()  # reversals already in the news
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
            d = rng.choice(DESIGNATIONS).id
            late = rng.random() < LATE
            published = when - timedelta(days=rng.random() * 30) if late else when
            course = stories[d]
            now = bisect.bisect(course, (published, len(STAGES) + 1, True)) - 1
            _, rank, down = course[now]
            if rng.random() < 0.01:
                yield NewEvent.of(f"designation-{d}", StatusChanged(
                    d, None, STAGES[rank - 1], published, "evidence", (f"o{i}",)), f"status:{i}")
                continue
            if down and (d, now) not in reported:
                reported.add((d, now))
                stage = REVERSED
            else:
                stage = STAGES[rank - 1 if rng.random() < 0.65 else rng.randrange(rank)]
            yield NewEvent.of(f"designation-{d}", EvidenceRecorded(
                d, f"o{i}", stage, 0.8, "Russia has proposed removing the Taliban.", "bench",
                feed, f"https://news.example/{i}", f"Headline {i}", published), f"ev:{i}")


def fill(url: str, count: int) -> None:
    """Write the log straight into its tables, hash chain and all: what a long-running
    service would have appended one batch at a time (appending is measured in bench/log.py)."""
    engine = make_engine(url)
    upgrade(engine)
    prev, versions, rows = GENESIS, {}, []
    recorded_at = now_iso()
    for position, new in enumerate(generate(count), start=1):
        version = versions[new.stream] = versions.get(new.stream, 0) + 1
        digest = event_hash(prev, position, new.stream, version, new.type, new.type_version,
                            new.payload, new.idempotency_key, recorded_at)
        rows.append(StoredEvent(position, new.stream, version, new.type, new.type_version,
                                new.payload, new.idempotency_key, recorded_at, prev, digest))
        prev = digest
        if len(rows) == 10000 or position == count:
            with writing(engine) as conn:
                insert_many(conn, events, [r._asdict() for r in rows])
                insert_many(conn, event_keys, [{"key": r.idempotency_key,
                                                "position": r.position} for r in rows])
            rows = []
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
