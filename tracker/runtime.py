"""The running service: the scheduler that polls, and the pump that follows the log."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import httpx

from tracker.bootstrap import Tracker
from tracker.feeds.fetch import Limits, make_client
from tracker.scheduler import build_scheduler
from tracker.services.polling import Poller, PollReport
from tracker.store.faults import log_failure
from tracker.store.leases import release_dead
from tracker.store.tables import feed_schedule
from tracker.webhooks.dispatcher import Claimed, Dispatcher
from tracker.webhooks.sender import SendResult
from tracker.webhooks.tables import deliveries

log = logging.getLogger("tracker.service")
PUMP_IDLE_SECONDS = 0.5
STOP_GRACE_SECONDS = 4.0


class Service:
    """Owns what runs in the background of `tracker serve`."""

    def __init__(self, tracker: Tracker) -> None:
        self.tracker = tracker
        self._client: httpx.AsyncClient | None = None
        self._hooks_client: httpx.AsyncClient | None = None
        self._poller: Poller | None = None
        self._dispatcher: Dispatcher | None = None
        self._send = asyncio.Event()
        self._in_flight: set[asyncio.Task[None]] = set()
        self._answers: asyncio.Queue[tuple[Claimed, SendResult]] = asyncio.Queue()
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._scheduler = None
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
                                  Limits(max_bytes=self.tracker.settings.max_feed_bytes),
                                  metrics=self.tracker.metrics)
        return self._poller

    async def start(self, background: bool) -> None:
        if not background:
            return
        await asyncio.to_thread(self.poller.sync_schedule)
        await asyncio.to_thread(release_dead, self.tracker.engine, deliveries,
                                deliveries.c.lease_owner, deliveries.c.lease_until)
        self._tasks.append(asyncio.create_task(self._pump(), name="pump"))
        self._tasks.append(asyncio.create_task(self._deliver(), name="deliver"))
        self._tasks.append(asyncio.create_task(self._record(), name="record"))
        self._scheduler = build_scheduler(self.tracker.catalog, self._poll, self._poll_due)
        self._scheduler.start()
        self.wake()
        asyncio.get_running_loop().call_soon(lambda: asyncio.ensure_future(self._poll_due()))

    async def stop(self) -> None:
        self._stopping = True
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
        self._wake.set()
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        # Deliveries under way get a few seconds to finish and be recorded; any still out
        # keep their lease, and are sent again once it runs out (at least once).
        if self._in_flight:
            await asyncio.wait(list(self._in_flight), timeout=STOP_GRACE_SECONDS)
        answers = []
        while not self._answers.empty():
            answers.append(self._answers.get_nowait())
        if answers:
            with contextlib.suppress(Exception):
                await asyncio.to_thread(self.dispatcher.record, answers)
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

    async def _poll(self, feed: str) -> None:
        try:
            report = await self.poller.poll(feed)
        except Exception:  # one feed's trouble never stops the others
            log_failure(log, "polling %s failed", feed)
            return
        if report and report.new_entries:
            self.wake()

    def _release_dead(self) -> None:
        """Void the leases of instances on this host that died (kill -9, a crash): their
        feeds and deliveries need not wait for the leases to run out."""
        for table in (feed_schedule, deliveries):
            release_dead(self.tracker.engine, table, table.c.lease_owner, table.c.lease_until)

    async def _poll_due(self) -> None:
        try:
            await asyncio.to_thread(self._release_dead)
            due = await asyncio.to_thread(self.poller.due)
        except Exception:
            log_failure(log, "cannot read the feed schedule")
            return
        await asyncio.gather(*(self._poll(f) for f in due))

    async def _pump(self) -> None:
        """Follow the log: read observations, project, deliver; sleep until woken."""
        while not self._stopping:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), PUMP_IDLE_SECONDS)
            self._wake.clear()
            try:
                await asyncio.to_thread(self.tracker.settle)
            except Exception:
                log_failure(log, "following the log failed; retrying")
                await asyncio.sleep(1)
                continue
            self._send.set()

    async def _deliver(self) -> None:
        """Send due webhook deliveries as they come; each subscription one at a time."""
        while not self._stopping:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._send.wait(), PUMP_IDLE_SECONDS)
            self._send.clear()
            try:
                runs = await asyncio.to_thread(self.dispatcher.claim)
            except Exception:
                log_failure(log, "cannot read the webhook outbox; retrying")
                await asyncio.sleep(1)
                continue
            for run in runs:
                task = asyncio.create_task(self._deliver_run(run))
                self._in_flight.add(task)
                task.add_done_callback(self._in_flight.discard)

    async def _deliver_run(self, run: list[Claimed]) -> None:
        try:
            for answer in await self.dispatcher.send_run(run):
                await self._answers.put(answer)
        except Exception:
            log_failure(log, "delivering to %s failed unexpectedly; the leases will run out",
                    run[0].url)

    async def _record(self) -> None:
        """Record the answers as they come, together in one transaction when many do."""
        while not self._stopping:
            batch = [await self._answers.get()]
            while not self._answers.empty():
                batch.append(self._answers.get_nowait())
            try:
                await asyncio.to_thread(self.dispatcher.record, batch)
            except Exception:
                log_failure(log, "cannot record %d webhook attempts; their leases will run out",
                    len(batch))
            self._send.set()  # each subscription's next delivery may go now
