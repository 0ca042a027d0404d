"""The running service: the scheduler that polls, and the pump that follows the log."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from tracker.scheduler import Timer
from tracker.services.polling import Poller, PollReport
from tracker.store.faults import log_failure
from tracker.store.leases import release_dead
from tracker.store.log import EventLog
from tracker.store.tables import feed_schedule
from tracker.webhooks.dispatcher import Dispatcher
from tracker.webhooks.lanes import Lanes
from tracker.webhooks.tables import deliveries

logger = logging.getLogger("tracker.service")
PUMP_IDLE_SECONDS = 0.5
SETTLE_SECONDS = 10.0
STOP_GRACE_SECONDS = 4.0
# At stop, polls under way get this long to finish and be recorded; any still out then are
# cancelled, and their feeds' leases voided at the next start (or taken over when they end).
STOP_POLLS_SECONDS = 5.0
REPLAN_SECONDS = 1.0  # after polls finish, the schedule is read again at most this often
RETRY_SECONDS = 5.0  # the schedule could not be read: try again after this long


@dataclass(frozen=True)
class Parts:
    """What the service runs, as the composition root builds it. The poller and the
    dispatcher are built on first use, inside the running event loop their HTTP clients
    need."""

    engine: Engine
    log: EventLog
    settle: Callable[[], None]  # read new observations, then project
    poller: Callable[[], Poller]
    dispatcher: Callable[[], Dispatcher]


class Service:
    """Owns what runs in the background of `tracker serve`."""

    def __init__(self, parts: Parts) -> None:
        self.parts = parts
        self._poller: Poller | None = None
        self.lanes = Lanes(parts.dispatcher)
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._timer: Timer | None = None
        self._polls: set[asyncio.Task[None]] = set()  # the timer's passes and their polls
        self._polling: set[str] = set()  # the feeds being polled by this instance now
        self._replanning = False
        self._stopping = False

    @property
    def poller(self) -> Poller:
        """Built on first use, inside the running event loop that its HTTP client needs."""
        if self._poller is None:
            self._poller = self.parts.poller()
        return self._poller

    async def start(self, background: bool) -> None:
        if not background:
            return
        await asyncio.to_thread(self.poller.sync_schedule)
        await asyncio.to_thread(self._release_dead)
        self._tasks.append(asyncio.create_task(self._pump(), name="pump"))
        self._tasks.append(asyncio.create_task(self.lanes.run(), name="deliver"))
        self._timer = Timer(self._due)
        self._timer.start()
        self.wake()
        self._spawn(self._due_now())

    async def stop(self) -> None:
        self._stopping = self.lanes.stopping = True
        if self._timer is not None:
            self._timer.stop()
        # Polls under way finish and are recorded (bounded), rather than being abandoned.
        deadline = time.monotonic() + STOP_POLLS_SECONDS
        while self._polls and (left := deadline - time.monotonic()) > 0:
            await asyncio.wait(set(self._polls), timeout=left)
        if late := set(self._polls):
            logger.warning("cancelled %d polls still under way after %g s", len(late),
                           STOP_POLLS_SECONDS)
            for task in late:
                task.cancel()
            await asyncio.wait(late)
        self._wake.set()
        self.lanes.wake()
        for task in self._tasks:
            if task.get_name() != "deliver":  # a round under way is let finish, briefly
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError, asyncio.TimeoutError, Exception):
                await asyncio.wait_for(task, STOP_GRACE_SECONDS)
        await self.lanes.stop()
        if self._poller is not None:
            await self._poller.client.aclose()

    def wake(self) -> None:
        """Something was appended: let the pump run now."""
        self._wake.set()

    async def poll_now(self, feed: str) -> PollReport | None:
        report = await self.poller.poll(feed, force=True)
        await asyncio.to_thread(self.parts.settle)
        self.wake()
        return report

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run a pass of the timer or a poll as a task that stop() waits for."""
        task = asyncio.create_task(work)
        self._polls.add(task)
        task.add_done_callback(self._polls.discard)

    async def _due(self) -> None:
        """The timer's job: it only starts the pass, which stop() then waits for."""
        if not self._stopping:
            self._spawn(self._due_now())

    async def _due_now(self) -> None:
        """Poll what the schedule says is due, then set the timer to the next due time."""
        try:
            await asyncio.to_thread(self._release_dead)
            due = await asyncio.to_thread(self.poller.due)
        except Exception:
            log_failure(logger, "cannot read the feed schedule")
            self._set_timer(time.time() + RETRY_SECONDS)
            return
        if self._stopping:
            return
        for feed in set(due) - self._polling:
            self._spawn(self._poll(feed))
        await self._plan()

    async def _plan(self) -> None:
        """Set the timer to the earliest time the schedule holds (reads only)."""
        self._replanning = False
        try:
            at = await asyncio.to_thread(self.poller.next_due, set(self._polling))
        except Exception:
            log_failure(logger, "cannot read the feed schedule")
            at = time.time() + RETRY_SECONDS
        self._set_timer(at)

    def _set_timer(self, at: float | None) -> None:
        if self._timer is not None and not self._stopping:
            self._timer.set(at)

    def _replan_soon(self) -> None:
        """A poll moved its feed's next time: read the schedule again, once for a burst."""
        if self._replanning or self._stopping:
            return
        self._replanning = True
        asyncio.get_running_loop().call_later(REPLAN_SECONDS, self._replan)

    def _replan(self) -> None:
        if not self._stopping:
            self._spawn(self._plan())

    async def _poll(self, feed: str) -> None:
        self._polling.add(feed)
        try:
            report = await self.poller.poll(feed)
        except Exception:  # one feed's trouble never stops the others
            log_failure(logger, "polling %s failed", feed)
            report = None
        finally:
            self._polling.discard(feed)
        self._replan_soon()
        if report and report.new_entries:
            self.wake()

    def _release_dead(self) -> None:
        """Void the leases of instances on this host that died (kill -9, a crash): their
        feeds and deliveries need not wait for the leases to run out."""
        for table in (feed_schedule, deliveries):
            release_dead(self.parts.engine, table, table.c.lease_owner, table.c.lease_until)

    async def _pump(self) -> None:
        """Follow the log: read observations, project, deliver; sleep until woken. While the
        log's head stays where it was (here or in another instance), a pass reads only the
        head, and spends no transaction on the followers (they settle anyway every
        SETTLE_SECONDS, for one that another instance let go of mid-way)."""
        head, settled = None, 0.0
        while not self._stopping:
            woken = False
            with contextlib.suppress(asyncio.TimeoutError):
                woken = await asyncio.wait_for(self._wake.wait(), PUMP_IDLE_SECONDS)
            self._wake.clear()
            try:
                now = await asyncio.to_thread(self.parts.log.head)
                if now == head and not woken and time.monotonic() - settled < SETTLE_SECONDS:
                    continue
                await asyncio.to_thread(self.parts.settle)
                head, settled = now, time.monotonic()
            except Exception:
                log_failure(logger, "following the log failed; retrying")
                await asyncio.sleep(1)
                continue
            self.lanes.wake()
