"""The running service: the scheduler that polls, and the pump that follows the log."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Coroutine
from typing import Any

import httpx

from tracker.bootstrap import Tracker, feed_limits
from tracker.feeds.fetch import make_client
from tracker.scheduler import Timer
from tracker.services.polling import Poller, PollReport
from tracker.store.faults import log_failure
from tracker.store.leases import release_dead
from tracker.store.tables import feed_schedule
from tracker.webhooks.dispatcher import RUN, Answer, Claimed, Dispatcher
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
RECORD_LAG_SECONDS = 0.05  # answers wait at most this long to be recorded


class Lane:
    """One subscription's deliveries held by this instance, sent one after another by one
    task. After a delivery is not accepted the lane is stopped: what it still holds is let go,
    and nothing more is leased for it until that is recorded, so the retry comes first."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[Claimed] = asyncio.Queue()
        self.held = 0  # leased by this instance and not yet recorded or released
        self.last: int | None = None  # the position of the last delivery queued
        self.stopped = False
        self.task: asyncio.Task[None] | None = None

    def room(self) -> tuple[int, int | None]:
        """How many more to lease, and after which position; none while stopped or still
        more than half full."""
        if self.stopped or self.held > RUN // 2:
            return 0, self.last
        return RUN - self.held, self.last if self.held else None


class Service:
    """Owns what runs in the background of `tracker serve`."""

    def __init__(self, tracker: Tracker) -> None:
        self.tracker = tracker
        self._client: httpx.AsyncClient | None = None
        self._hooks_client: httpx.AsyncClient | None = None
        self._poller: Poller | None = None
        self._dispatcher: Dispatcher | None = None
        self._send = asyncio.Event()
        self._lanes: dict[str, Lane] = {}
        self._answers: list[Answer] = []
        self._release: list[Claimed] = []
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._timer: Timer | None = None
        self._polls: set[asyncio.Task[None]] = set()  # the timer's passes and their polls
        self._polling: set[str] = set()  # the feeds being polled by this instance now
        self._replanning = False
        self._stopping = False

    @property
    def dispatcher(self) -> Dispatcher:
        if self._dispatcher is None:
            self._hooks_client = httpx.AsyncClient(follow_redirects=False)
            self._dispatcher = Dispatcher(self.tracker.engine, self.tracker.settings,
                                          self.tracker.metrics, self.poller.owner,
                                          self._hooks_client)
        return self._dispatcher

    @property
    def poller(self) -> Poller:
        """Built on first use, inside the running event loop that its HTTP client needs."""
        if self._poller is None:
            self._client = make_client()
            self._poller = Poller(self.tracker.engine, self.tracker.log, self.tracker.catalog,
                                  self._client,
                                  feed_limits(self.tracker.settings),
                                  metrics=self.tracker.metrics,
                                  concurrency=self.tracker.settings.poll_concurrency)
        return self._poller

    async def start(self, background: bool) -> None:
        if not background:
            return
        await asyncio.to_thread(self.poller.sync_schedule)
        await asyncio.to_thread(self._release_dead)
        self._tasks.append(asyncio.create_task(self._pump(), name="pump"))
        self._tasks.append(asyncio.create_task(self._deliver(), name="deliver"))
        self._timer = Timer(self._due)
        self._timer.start()
        self.wake()
        self._spawn(self._due_now())

    async def stop(self) -> None:
        self._stopping = True
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
        self._send.set()
        for task in self._tasks:
            if task.get_name() != "deliver":  # a round under way is let finish, briefly
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError, asyncio.TimeoutError, Exception):
                await asyncio.wait_for(task, STOP_GRACE_SECONDS)
        # Deliveries under way get a few seconds to finish and be recorded; any still out
        # keep their lease, and are sent again once it runs out (at least once).
        senders = [lane.task for lane in self._lanes.values() if lane.task is not None]
        for lane in self._lanes.values():
            self._drop(lane)
            lane.queue.put_nowait(None)  # type: ignore[arg-type]  # stop after the current one
        if senders:
            _, late = await asyncio.wait(senders, timeout=STOP_GRACE_SECONDS)
            for task in late:
                task.cancel()
        if self._answers or self._release:
            with contextlib.suppress(Exception):
                await asyncio.to_thread(self.dispatcher.round, self._answers,
                                        [c.id for c in self._release], None, 0)
        for client in (self._client, self._hooks_client):
            if client is not None:
                await client.aclose()

    def wake(self) -> None:
        """Something was appended: let the pump run now."""
        self._wake.set()

    async def poll_now(self, feed: str) -> PollReport | None:
        report = await self.poller.poll(feed, force=True)
        await asyncio.to_thread(self.tracker.settle)
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
            release_dead(self.tracker.engine, table, table.c.lease_owner, table.c.lease_until)

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
                now = await asyncio.to_thread(self.tracker.log.head)
                if now == head and not woken and time.monotonic() - settled < SETTLE_SECONDS:
                    continue
                await asyncio.to_thread(self.tracker.settle)
                head, settled = now, time.monotonic()
            except Exception:
                log_failure(logger, "following the log failed; retrying")
                await asyncio.sleep(1)
                continue
            self._send.set()

    async def _deliver(self) -> None:
        """Rounds of one short transaction each: record the answers that came in, let go of
        what will not be sent, lease what is due next and queue it on its lane."""
        while not self._stopping:
            idle = RECORD_LAG_SECONDS if self._answers or self._release else PUMP_IDLE_SECONDS
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._send.wait(), idle)
            self._send.clear()
            answers, self._answers = self._answers, []
            release, self._release = self._release, []
            rooms = {sub: lane.room() for sub, lane in self._lanes.items()}
            try:
                runs = await asyncio.to_thread(self.dispatcher.round, answers,
                                               [c.id for c in release], rooms)
            except Exception:
                log_failure(logger, "cannot record or lease webhook deliveries; retrying")
                self._answers[:0], self._release[:0] = answers, release
                await asyncio.sleep(1)
                continue
            for c in [a[0] for a in answers] + release:
                self._lanes[c.subscription_id].held -= 1
            for run in runs:
                self._queue(run)
            for lane in self._lanes.values():
                if lane.stopped and lane.held == 0:
                    lane.stopped, lane.last = False, None

    def _queue(self, run: list[Claimed]) -> None:
        lane = self._lanes.get(run[0].subscription_id)
        if lane is None:
            lane = self._lanes[run[0].subscription_id] = Lane()
            lane.task = asyncio.create_task(self._sender(lane), name=f"send {run[0].url}")
        lane.held += len(run)
        if lane.stopped:
            self._release += run
            return
        lane.last = run[-1].position
        for c in run:
            lane.queue.put_nowait(c)

    def _drop(self, lane: Lane) -> None:
        """Stop a lane: what it still holds is released in the next round."""
        lane.stopped = True
        while not lane.queue.empty():
            c = lane.queue.get_nowait()
            if c is not None:
                self._release.append(c)

    async def _sender(self, lane: Lane) -> None:
        """Send one subscription's deliveries back to back, in log order."""
        timeout = self.tracker.settings.webhook_timeout
        while (c := await lane.queue.get()) is not None:
            if time.time() + timeout > c.lease_until:  # its lease would run out on the way
                self._release.append(c)
                self._drop(lane)
                continue
            try:
                result = await self.dispatcher.send(c)
            except Exception:
                log_failure(logger, "delivering to %s failed unexpectedly; the lease will run out",
                            c.url)
                self._drop(lane)
                lane.held -= 1
                continue
            self._answers.append((c, result))
            if not result.ok:
                self._drop(lane)
            if not result.ok or lane.queue.qsize() in (0, RUN // 2):  # time to top it up
                self._send.set()
