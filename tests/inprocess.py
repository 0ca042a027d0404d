"""The service run in the test's own process, and waiting on a condition it brings about."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from tracker.bootstrap import Tracker, make_service
from tracker.feeds.fetch import Limits, make_client
from tracker.runtime import Service
from tracker.services.polling import Poller


def with_service(tracker: Tracker, body: Callable[[Service], Awaitable[None]]) -> None:
    """Start the service in the background, run `body` beside it, and stop it."""
    async def run() -> None:
        service = make_service(tracker)
        await service.start(background=True)
        try:
            await body(service)
        finally:
            await service.stop()

    asyncio.run(run())


async def until(condition: Callable[[], object], seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


def poll_every_feed(tracker: Tracker) -> None:
    """One forced poll of each configured feed, without the scheduler (loopback allowed)."""
    async def run() -> None:
        async with make_client() as client:
            poller = Poller(tracker.engine, tracker.log, tracker.catalog, client,
                            Limits(allow_private=True))
            for feed in tracker.catalog.feeds:
                await poller.poll(feed, force=True)

    asyncio.run(run())
