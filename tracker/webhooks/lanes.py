"""The running service's webhook senders: one lane per subscription, sent in log order by
one task each, fed and recorded in rounds of one short transaction."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

from tracker.store.faults import log_failure
from tracker.webhooks.dispatcher import RUN, Answer, Claimed, Dispatcher

logger = logging.getLogger("tracker.service")
IDLE_SECONDS = 0.5
GRACE_SECONDS = 4.0
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


class Lanes:
    """Every lane of this instance, and the rounds that record, let go of and lease."""

    def __init__(self, make_dispatcher: Callable[[], Dispatcher]) -> None:
        self._make_dispatcher = make_dispatcher
        self._dispatcher: Dispatcher | None = None
        self._send = asyncio.Event()
        self._lanes: dict[str, Lane] = {}
        self._answers: list[Answer] = []
        self._release: list[Claimed] = []
        self.stopping = False

    @property
    def dispatcher(self) -> Dispatcher:
        """Built on first use, inside the running event loop that its HTTP client needs."""
        if self._dispatcher is None:
            self._dispatcher = self._make_dispatcher()
        return self._dispatcher

    def wake(self) -> None:
        """Something may be due: run a round now."""
        self._send.set()

    async def run(self) -> None:
        """Rounds of one short transaction each: record the answers that came in, let go of
        what will not be sent, lease what is due next and queue it on its lane."""
        while not self.stopping:
            idle = RECORD_LAG_SECONDS if self._answers or self._release else IDLE_SECONDS
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

    async def stop(self) -> None:
        """Deliveries under way get a few seconds to finish and be recorded; any still out
        keep their lease, and are sent again once it runs out (at least once)."""
        senders = [lane.task for lane in self._lanes.values() if lane.task is not None]
        for lane in self._lanes.values():
            self._drop(lane)
            lane.queue.put_nowait(None)  # type: ignore[arg-type]  # stop after the current one
        if senders:
            _, late = await asyncio.wait(senders, timeout=GRACE_SECONDS)
            for task in late:
                task.cancel()
        if self._answers or self._release:
            with contextlib.suppress(Exception):
                await asyncio.to_thread(self.dispatcher.round, self._answers,
                                        [c.id for c in self._release], None, 0)
        if self._dispatcher is not None:
            await self._dispatcher.client.aclose()

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
        timeout = self.dispatcher.settings.webhook_timeout
        while (c := await lane.queue.get()) is not None:
            if time.time() + timeout > c.lease_until:  # its lease would run out on the way
                self._release.append(c)
                self._drop(lane)
                continue
            try:
                result = await self.dispatcher.send(c)
            except Exception:
                log_failure(logger, "delivering to %s failed unexpectedly; the lease will run "
                            "out", c.url)
                self._drop(lane)
                lane.held -= 1
                continue
            self._answers.append((c, result))
            if not result.ok:
                self._drop(lane)
            if not result.ok or lane.queue.qsize() in (0, RUN // 2):  # time to top it up
                self._send.set()
