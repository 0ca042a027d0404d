"""The speed tricks kept, each beside the plain code it replaces: same work, same run.

    python bench/tricks.py [--events 100000] [--requests 12000] [--backend sqlite|postgres|both]

Rows (a trick stays only where it is worth more than 3% on its row):
- decode: a replay of bench/replay.py's log into the projections, with `codec.decode`
  filling the frozen event directly, and with the dataclass's constructor;
- shared read: `GET /status/{d}` from 64 clients at once, in process (no server), with the
  current status read at most every quarter second and shared, and read for each request.
Trick and plain take turns in rounds (replays in fresh processes, best of three each), so a
burst of load from elsewhere falls on both. Ratio: the trick's rate over the plain code's.
(Two tricks of the append, a StoredEvent built by `tuple.__new__` and the current second
formatted once per second, measured so within noise, 0.94-1.05x on every row, and went.)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._common import drop, scratch_database  # noqa: E402
from bench.replay import catalog, fill  # noqa: E402
from tracker.projections.feeds import FeedHealthProjection  # noqa: E402
from tracker.projections.runner import Runner  # noqa: E402
from tracker.projections.status import StatusProjection  # noqa: E402
from tracker.store import codec  # noqa: E402
from tracker.store.database import make_engine  # noqa: E402

PAYLOAD = json.dumps({"feed": "wire", "title": "A headline about trade and security",
                      "summary": "x" * 120, "n": 0})


def plain_decode(type_name: str, version: int, payload: str) -> object:
    """codec.decode through the dataclass's constructor."""
    data = orjson.loads(payload)
    while version < codec.VERSIONS[type_name]:
        data = codec.UPCASTERS[(type_name, version)](data)
        version += 1
    cls = codec.EVENT_TYPES[type_name]
    for name, convert in codec._converters(cls):
        if name in data and data[name] is not None:
            data[name] = convert(data[name])
    return cls(**data)


def replay_child(url: str, plain: bool) -> None:
    if plain:
        codec.decode = plain_decode  # StoredEvent.decode looks it up on each call
    engine = make_engine(url)
    started = time.perf_counter()
    Runner(engine).rebuild([StatusProjection(catalog()), FeedHealthProjection()])
    print(json.dumps({"seconds": time.perf_counter() - started}))


def replay_rates(url: str, count: int) -> dict[str, float]:
    best: dict[str, float] = {}
    for mode in ("trick", "plain") * 3:
        done = subprocess.run([sys.executable, __file__, "--child", mode, "--url", url],
                              capture_output=True, text=True, check=True)
        rate = count / json.loads(done.stdout.strip().splitlines()[-1])["seconds"]
        best[mode] = max(best.get(mode, 0.0), rate)
    return best


def shared_read_rates(url: str, requests: int, clients: int = 64, rounds: int = 6
                      ) -> dict[str, float]:
    import httpx

    from tracker.api.app import create_app
    from tracker.bootstrap import build
    from tracker.domain.events import EvidenceRecorded
    from tracker.settings import Settings

    tracker = build(Settings(database_url=url, feeds=ROOT / "feeds.yaml"), migrate=True)
    name = next(iter(tracker.catalog.designations))
    tracker.writer.record(name, [EvidenceRecorded(
        name, f"o{i}", "considered", 0.9, "A quote.", "bench", "wire",
        f"https://news.example/{i}", "A headline", datetime(2026, 1, 1 + i, tzinfo=UTC))
        for i in range(20)])
    tracker.project()
    app = create_app(tracker)
    seconds = {"trick": 0.0, "plain": 0.0}

    async def burst() -> None:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://bench") as client:
            async def one_client() -> None:
                for _ in range(requests // rounds // clients):
                    assert (await client.get(f"/status/{name}")).status_code == 200
            await asyncio.gather(*(one_client() for _ in range(clients)))

    try:
        for i in range(rounds):
            for mode in ("trick", "plain") if i % 2 == 0 else ("plain", "trick"):
                app.state.current.fresh = 0.25 if mode == "trick" else 0.0
                app.state.current.forget()
                start = time.perf_counter()
                asyncio.run(burst())
                seconds[mode] += time.perf_counter() - start
    finally:
        tracker.close()
    done = requests // rounds // clients * clients * rounds
    return {mode: done / s for mode, s in seconds.items()}


def row(backend: str, label: str, rates: dict[str, float]) -> None:
    ratio = rates["trick"] / rates["plain"]
    verdict = "keep" if ratio > 1.03 else "drop"
    print(f"{backend:8} {label:22} trick {rates['trick']:>10,.0f}/s  plain "
          f"{rates['plain']:>10,.0f}/s  {ratio:5.2f}x  {verdict}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=12_000)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--child")
    parser.add_argument("--url")
    args = parser.parse_args()
    if args.child:
        replay_child(args.url, args.child == "plain")
        return
    with tempfile.TemporaryDirectory() as tmp:
        for backend in ("sqlite", "postgres") if args.backend == "both" else (args.backend,):
            url, handle = scratch_database(backend, Path(tmp), "tricks")
            try:
                fill(url, args.events)
                row(backend, "decode (replay)", replay_rates(url, args.events))
            finally:
                drop(handle)
            url, handle = scratch_database(backend, Path(tmp), "tricks")
            try:
                row(backend, "shared read (status)", shared_read_rates(url, args.requests))
            finally:
                drop(handle)


if __name__ == "__main__":
    main()
