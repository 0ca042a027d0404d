"""The scheduled jobs, registered in one place; each only wakes the service.

APScheduler cannot share its job store between processes, so it only wakes each instance;
the database decides which instance polls (see services.polling).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from tracker.config import Catalog

TICK_SECONDS = 5


def build_scheduler(catalog: Catalog, poll: Callable[[str], Awaitable[object]],
                    poll_due: Callable[[], Awaitable[object]]) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC")
    for feed in [*catalog.feeds.values(), *catalog.lists.values()]:  # lists poll like feeds
        scheduler.add_job(poll, "interval", args=[feed.id], seconds=feed.interval,
                          id=f"poll:{feed.id}", max_instances=1, coalesce=True,
                          misfire_grace_time=int(feed.interval))
    # Feeds due early or late (backoff, Retry-After, a lease taken over from a dead instance).
    scheduler.add_job(poll_due, "interval", seconds=TICK_SECONDS, id="poll-due",
                      max_instances=1, coalesce=True)
    return scheduler
