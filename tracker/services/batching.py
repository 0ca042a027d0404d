"""Gathering the requests of many coroutines into one call of a blocking function.

Whatever is submitted while a batch runs goes into the next one, so a lone request waits for
nothing, and under load one database transaction serves many feeds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Batcher(Generic[T, R]):
    """Runs `work(items)` in `executor`, one batch at a time; `work` returns a result an item."""

    def __init__(self, work: Callable[[list[T]], Sequence[R]], executor: Executor,
                 max_items: int = 500) -> None:
        self.work, self.executor, self.max_items = work, executor, max_items
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pending: list[tuple[T, asyncio.Future[R]]] = []
        self._task: asyncio.Task[None] | None = None

    async def submit(self, item: T) -> R:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a new event loop: nothing of the last one carries over
            self._loop, self._pending, self._task = loop, [], None
        future: asyncio.Future[R] = loop.create_future()
        self._pending.append((item, future))
        if self._task is None or self._task.done():
            self._task = loop.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        while self._pending:
            batch = self._pending[:self.max_items]
            del self._pending[:self.max_items]
            try:
                results = await loop.run_in_executor(self.executor, self.work,
                                                     [item for item, _ in batch])
            except asyncio.CancelledError:
                for _, future in batch + self._pending:
                    future.cancel()
                raise
            except Exception as exc:
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)
