"""The service's timer: one APScheduler job that fires when the feed schedule says the next
poll is due, and does nothing else.

The `feed_schedule` table decides what is due (see services.polling); APScheduler cannot
share its job store between processes, so each instance only sets its own alarm from the
table, and the table's leases decide which instance polls.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

JOB = "poll-due"
# The table is read again at least this often, for what other instances change in it.
MAX_SLEEP_SECONDS = 60.0
MIN_SLEEP_SECONDS = 0.2  # and at most this often


class Timer:
    """Wakes `due` at the time it is set to (or at once, if that has passed)."""

    def __init__(self, due: Callable[[], Awaitable[None]]) -> None:
        self.due = due
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        self.at: float | None = None

    def start(self) -> None:
        self.scheduler.start()

    def set(self, at: float | None) -> None:
        """Fire at `at` (a Unix time; None: nothing scheduled), or within MAX_SLEEP_SECONDS."""
        now = time.time()
        at = min(max(at if at is not None else float("inf"), now + MIN_SLEEP_SECONDS),
                 now + MAX_SLEEP_SECONDS)
        self.at = at
        self.scheduler.add_job(self.due, "date", run_date=datetime.fromtimestamp(at, UTC),
                               id=JOB, replace_existing=True, misfire_grace_time=None)

    def stop(self) -> None:
        """No more alarms; the job itself only starts work that the service waits for."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
