"""Polling 1,000 feeds of 50 entries served on loopback: a first cycle, then a 304 cycle.

    python bench/poll.py [--feeds 1000] [--entries 50] [--concurrency 32]

Baseline in the same run: plain concurrent httpx GETs of the same URLs, plus feedparser on
the bodies (first cycle) or nothing (304 cycle: conditional GETs answered 304). Both sides
use the same client settings and the same limit on polls under way at once.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import feedparser
import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def feed_app(entries: int):  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime, timedelta
    from email.utils import format_datetime

    from tests.servers import rss

    cache: dict[str, bytes] = {}
    start = datetime(2025, 1, 1, tzinfo=UTC)

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            return
        path = scope["path"]
        if path not in cache:
            n = path.strip("/").split(".")[0]
            cache[path] = rss([{"guid": f"{n}-{i}", "link": f"https://news.example/{n}/{i}",
                                "published": start + timedelta(hours=i),
                                "title": f"Feed {n} story {i}",
                                "text": f"Grain and fuel trade, item {i} of feed {n}. " * 3}
                               for i in range(entries)]).encode()
        etag = f'"{path}"'.encode()
        headers = dict(scope["headers"])
        if headers.get(b"if-none-match") == etag:
            await send({"type": "http.response.start", "status": 304,
                        "headers": [(b"etag", etag)]})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/rss+xml"), (b"etag", etag),
                                (b"last-modified", format_datetime(start).encode())]})
        await send({"type": "http.response.body", "body": cache[path]})

    return app


async def plain(urls: list[str], concurrency: int, etags: dict[str, str] | None) -> float:
    from tracker.feeds.fetch import make_client

    gate = asyncio.Semaphore(concurrency)
    async with make_client() as client:  # the tracker's own client settings
        async def one(url: str) -> None:
            async with gate:
                headers = {"If-None-Match": etags[url]} if etags else {}
                response = await client.get(url, headers=headers)
                if response.status_code == 200:
                    await asyncio.to_thread(feedparser.parse, io.BytesIO(response.content))

        start = time.perf_counter()
        await asyncio.gather(*(one(u) for u in urls))
        return time.perf_counter() - start


async def tracked(tracker, concurrency: int) -> float:  # type: ignore[no-untyped-def]
    from tracker.feeds.fetch import make_client
    from tracker.services.polling import Poller

    gate = asyncio.Semaphore(concurrency)
    async with make_client() as client:
        poller = Poller(tracker.engine, tracker.log, tracker.catalog, client)
        await asyncio.to_thread(poller.sync_schedule)

        async def one(feed: str) -> None:
            async with gate:
                await poller.poll(feed, force=True)

        start = time.perf_counter()
        await asyncio.gather(*(one(f) for f in tracker.catalog.feeds))
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--entries", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--serve", type=int)
    args = parser.parse_args()
    if args.serve:
        import uvicorn

        uvicorn.run(feed_app(args.entries), host="127.0.0.1", port=args.serve,
                    log_level="warning", access_log=False)
        return
    import logging

    logging.disable(logging.WARNING)  # one line per poll is the service's, not the bench's
    from tests.servers import free_port
    from tracker.bootstrap import build
    from tracker.settings import Settings

    port = free_port()
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(port),
                               "--entries", str(args.entries)])
    urls = [f"http://127.0.0.1:{port}/{n}.xml" for n in range(args.feeds)]
    for _ in range(100):
        try:
            httpx.get(urls[0], timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            feeds = Path(tmp) / "feeds.yaml"
            feeds.write_text("designations:\n  taliban-designation:\n    title: T\n"
                             "    subject: [Taliban]\n    authority: [Russia]\nfeeds:\n" + "".join(
                                 f"  - id: f{n}\n    url: {u}\n    interval: 1h\n"
                                 for n, u in enumerate(urls)))
            tracker = build(Settings(database_url=f"sqlite:///{Path(tmp) / 'poll.db'}",
                                     feeds=feeds), migrate=True)
            base_first = asyncio.run(plain(urls, args.concurrency, None))
            ours_first = asyncio.run(tracked(tracker, args.concurrency))
            etags = {u: f'"/{n}.xml"' for n, u in enumerate(urls)}
            base_304 = asyncio.run(plain(urls, args.concurrency, etags))
            ours_304 = asyncio.run(tracked(tracker, args.concurrency))
            observed = tracker.log.head()[0]
            tracker.close()
    finally:
        server.terminate()
        server.wait()
    print(f"{args.feeds} feeds x {args.entries} entries, concurrency {args.concurrency} "
          f"({observed} events recorded)")
    print(f"{'cycle':14} {'tracker s':>10} {'baseline s':>11} {'ratio':>7}")
    print(f"{'first':14} {ours_first:10.2f} {base_first:11.2f} {ours_first / base_first:7.2f}")
    print(f"{'all 304':14} {ours_304:10.2f} {base_304:11.2f} {ours_304 / base_304:7.2f}")
    print("\nGoal: first cycle within 1.5x of the baseline, the 304 cycle within 1.2x.")


if __name__ == "__main__":
    main()
