"""Polling: claim a due feed, fetch it, record what was new, and schedule the next poll
(the claims and the schedule: services/schedule.py).

The database work of the feeds polled at once is batched: one transaction claims every feed
asked for meanwhile, and one append records the observations of several feeds (the log's keys
keep each story to one observation however the feeds are grouped).
"""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import partial

import httpx
from sqlalchemy import Engine

from tracker.config import Catalog, FeedConfig, ListConfig
from tracker.domain.events import FeedPolled
from tracker.feeds.article import fetch_article
from tracker.feeds.backoff import next_delay
from tracker.feeds.fetch import (
    Failed,
    Fetched,
    FetchResult,
    Gone,
    Limits,
    NotModified,
    RetryLater,
    Validators,
    fetch,
)
from tracker.feeds.parse import ParsedEntry, ParsedFeed, parse_feed
from tracker.lists import watch
from tracker.metrics import Metrics
from tracker.outbound import redacted
from tracker.services.batching import Batcher
from tracker.services.observations import observations
from tracker.services.schedule import Outcome, Schedule
from tracker.store.leases import instance_name
from tracker.store.log import EventLog, NewEvent

logger = logging.getLogger("tracker.poll")
ARTICLE_CONCURRENCY = 4
# The polls' database work runs in one thread: batches one after another, never waiting on
# each other for an embedded database's write lock.
DATABASE_THREAD = ThreadPoolExecutor(1, thread_name_prefix="poll-db")
# Parsing is pure Python, so more threads would only contend for the interpreter lock, and
# starve the event loop and the database thread of it.
PARSE_THREAD = ThreadPoolExecutor(1, thread_name_prefix="poll-parse")


@dataclass(frozen=True)
class PollReport:
    feed: str
    outcome: str
    entries: int = 0
    new_entries: int = 0
    error: str | None = None


class Poller(Schedule):
    def __init__(self, engine: Engine, log: EventLog, catalog: Catalog,
                 client: httpx.AsyncClient, limits: Limits = Limits(),
                 owner: str | None = None, metrics: Metrics | None = None,
                 concurrency: int = 32) -> None:
        # Official lists (tracker/lists) share the feeds' schedule, fetch, backoff and leases.
        super().__init__(engine, log, owner or instance_name(), {**catalog.feeds, **catalog.lists})
        self.catalog, self.client, self.limits = catalog, client, limits
        self.concurrency = concurrency  # TRACKER_POLL_CONCURRENCY: feeds polled at once
        self._gates: dict[asyncio.AbstractEventLoop, asyncio.Semaphore] = {}
        self.metrics = metrics or Metrics()
        self._claims: Batcher[tuple[str, bool], dict | None] = Batcher(
            self._claim_many, DATABASE_THREAD)
        self._records: Batcher[Outcome, int] = Batcher(self._record_many, DATABASE_THREAD)

    async def poll_due(self) -> list[PollReport]:
        due = await asyncio.to_thread(self.due)
        reports = await asyncio.gather(*(self.poll(f) for f in due))
        return [r for r in reports if r is not None]

    async def poll(self, feed_id: str, force: bool = False) -> PollReport | None:
        """Poll one feed (or official list) if this instance can claim it; None when it is
        not due or taken. At most `concurrency` polls run at once; the others wait before
        claiming a lease."""
        async with self._gate():
            return await self._poll(feed_id, force)

    def _gate(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()  # one per loop: the CLI and tests start several
        gate = self._gates.get(loop)
        if gate is None:
            self._gates = {loop: (gate := asyncio.Semaphore(self.concurrency))}
        return gate

    async def _poll(self, feed_id: str, force: bool) -> PollReport | None:
        feed = self.sources[feed_id]
        if not self._synced:
            await asyncio.to_thread(self.sync_schedule)
        row = await self._claims.submit((feed_id, force))
        if row is None:
            return None
        polled_at = datetime.now(UTC)
        started = time.perf_counter()
        try:
            result = await fetch(self.client, row["url"],
                                 Validators(row["etag"], row["last_modified"]), self.limits)
        except Exception as exc:  # what fetch did not foresee is this feed's failure too
            result = Failed(f"the fetch failed: {type(exc).__name__}: {exc}")
        try:
            duration_ms = round((time.perf_counter() - started) * 1000)
            return await self._record(feed, row, result, polled_at, duration_ms)
        except Exception:
            try:
                await asyncio.to_thread(self._release, feed_id)
            except Exception:  # the database is away: release the lease once it is back
                self._unreleased.add(feed_id)
            raise

    async def _record(self, feed: FeedConfig | ListConfig, row: dict, result: FetchResult,
                      polled_at: datetime, duration_ms: int) -> PollReport:
        failures = row["consecutive_failures"]
        entries = 0
        observed: list[NewEvent] = []
        error: str | None = None
        retry_after: float | None = None
        status: int | None = getattr(result, "status", None)
        validators = Validators(row["etag"], row["last_modified"])
        url, moved_to, gone = row["url"], None, False
        listed: watch.ListRead | None = None
        stream = f"feed-{feed.id}"
        if isinstance(feed, ListConfig):
            stream = watch.stream_of(feed.id)
        if isinstance(result, Fetched) and isinstance(feed, ListConfig):
            loop = asyncio.get_running_loop()
            page = await loop.run_in_executor(PARSE_THREAD, partial(
                watch.read_page, feed, result, self.limits.max_bytes))
            listed = page if isinstance(page, watch.ListRead) else await loop.run_in_executor(
                DATABASE_THREAD, partial(watch.changes_of, self.log, feed, page, result,
                                         polled_at, self.owner))
            entries, error, observed = len(listed.entries), listed.error, listed.observed
            outcome = "failed" if error else "fetched"
            if not error:  # a page not read keeps the old validators: it is fetched again
                validators = result.validators
            moved_to = result.moved_to
            url = moved_to or url
        elif isinstance(result, Fetched):
            assert isinstance(feed, FeedConfig)
            try:
                parsed, observed = await self._read(feed, result, polled_at)
            except Exception as exc:  # a document nothing foresaw: this feed's failure
                parsed, observed = ParsedFeed("", (), "the feed could not be read: "
                                              f"{type(exc).__name__}: {exc}", False), []
            entries = len(parsed.entries)
            error = parsed.error
            if result.truncated:
                error = (f"{error}; " if error else "") + (
                    f"body cut at {self.limits.max_bytes} bytes")
            outcome = "fetched" if parsed.is_feed else "failed"
            validators, moved_to = result.validators, result.moved_to
            url = moved_to or url
        elif isinstance(result, NotModified):
            outcome, validators = "not-modified", result.validators
        elif isinstance(result, RetryLater):
            outcome, error, retry_after = "retry-later", result.reason, result.retry_after
        elif isinstance(result, Gone):
            outcome, error, gone = "gone", result.reason + "; polling stopped", True
        else:
            assert isinstance(result, Failed)
            outcome, error = "failed", result.reason
        failures = failures + 1 if outcome in ("failed", "retry-later", "gone") else 0
        delay = next_delay(feed.interval, failures, retry_after)
        next_at = polled_at + timedelta(seconds=delay)
        key = f"poll:{feed.id}:{polled_at.isoformat()}:{self.owner}"

        def polled(new: int) -> NewEvent:
            if listed is not None:  # a list counts its entries added and removed
                new = listed.changes
            return NewEvent.of(stream, FeedPolled(
                feed.id, row["url"], outcome, polled_at, None if gone else next_at, status,
                error, entries, new, validators.etag, validators.last_modified, moved_to,
                duration_ms), key)

        new = await self._records.submit(Outcome(feed.id, observed, polled, {
            "url": url, "etag": validators.etag, "last_modified": validators.last_modified,
            "next_poll_at": next_at.timestamp(), "consecutive_failures": failures,
            "gone": gone}, stream))
        if isinstance(feed, ListConfig):
            new = listed.changes if listed is not None else 0
            if outcome in ("fetched", "not-modified"):  # the list as it stands, read again
                try:
                    await asyncio.get_running_loop().run_in_executor(
                        DATABASE_THREAD, partial(watch.check_disputes, self.log, self.catalog,
                                                 feed, polled_at))
                except Exception:  # the poll is recorded: the next one checks again
                    logger.warning("cannot check %s for disputes", feed.id, exc_info=True)
        self.metrics.polls.labels(feed.id, outcome).inc()
        self.metrics.observations.labels(feed.id).inc(new)
        level = logging.WARNING if error else logging.INFO
        logger.log(level, "polled %s: %s, %d entries, %d new%s", feed.id, outcome, entries, new,
                   f" ({error})" if error else "")
        return PollReport(feed.id, outcome, entries, new, error)

    async def _read(self, feed: FeedConfig, result: Fetched,
                    polled_at: datetime) -> tuple[ParsedFeed, list[NewEvent]]:
        """The fetched document parsed (with its articles, if the feed asks) and the
        observations to append."""
        loop = asyncio.get_running_loop()
        parsed = await loop.run_in_executor(PARSE_THREAD, partial(
            parse_feed, result.body, url=result.url, content_type=result.content_type,
            fetched_at=polled_at))
        if feed.fetch_articles and parsed.is_feed:
            parsed = await self._with_articles(parsed)
        if parsed.dropped_links:
            self.metrics.refused.labels(feed.id, "link").inc(parsed.dropped_links)
        if parsed.bad_dates:
            self.metrics.refused.labels(feed.id, "date").inc(parsed.bad_dates)
        observed = await loop.run_in_executor(PARSE_THREAD, observations, feed.id,
                                              tuple(feed.designations), parsed, polled_at)
        return parsed, observed

    async def _with_articles(self, parsed: ParsedFeed) -> ParsedFeed:
        """Fill in the text of headline-only entries, and the date of undated ones, from
        their linked pages (an undated entry whose page has no date keeps its first-seen
        time, which the evidence marks as such)."""
        gate = asyncio.Semaphore(ARTICLE_CONCURRENCY)

        async def fill(entry: ParsedEntry) -> ParsedEntry:
            undated = entry.published_source == "fetched"
            if (entry.content and not undated) or not entry.link:
                return entry
            async with gate:
                try:
                    page = await fetch_article(self.client, entry.link, self.limits)
                except Exception:  # one article that cannot be read leaves the entry as it is
                    logger.warning("cannot read the article at %s", redacted(entry.link),
                                   exc_info=True)
                    return entry
            if page.text and not entry.content:
                entry = replace(entry, content=page.text)
            if undated and page.published is not None and page.published <= entry.published:
                entry = replace(entry, published=page.published, published_source="page")
            return entry

        entries = await asyncio.gather(*(fill(e) for e in parsed.entries))
        return replace(parsed, entries=tuple(entries))
