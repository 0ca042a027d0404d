"""The feeds' schedule: which are due, and the leases that let one instance poll a feed.

Several instances may share one database: a feed is claimed by a conditional UPDATE of its
schedule row (due, and not leased or its lease expired), so each poll happens once between
them, and a feed whose instance died mid-poll is taken over when the lease runs out.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass

from sqlalchemy import Engine, bindparam, select, update

from tracker.config import FeedConfig, ListConfig
from tracker.store.database import insert_new, lock_rows, writing
from tracker.store.leases import release_dead
from tracker.store.log import EventLog, NewEvent
from tracker.store.tables import feed_schedule

LEASE_SECONDS = 300.0
SCHEDULE_VALUES = ("url", "etag", "last_modified", "next_poll_at", "consecutive_failures",
                   "gone")


@dataclass(frozen=True)
class Outcome:
    """What a poll brought, ready to record: observations, the poll event and the schedule."""

    feed: str
    observed: list[NewEvent]
    polled: Callable[[int], NewEvent]  # the FeedPolled event, given how many entries were new
    schedule: dict[str, object]
    stream: str = ""  # where its events go: the feed's stream, or an official list's

    def __post_init__(self) -> None:
        if not self.stream:
            object.__setattr__(self, "stream", f"feed-{self.feed}")


class Schedule:
    """The schedule rows of the configured `sources`, leased by `owner`."""

    def __init__(self, engine: Engine, log: EventLog, owner: str,
                 sources: dict[str, FeedConfig | ListConfig]) -> None:
        self.engine, self.log, self.owner, self.sources = engine, log, owner, sources
        self._synced = False
        self._unreleased: set[str] = set()  # leases left held when the database was away

    def sync_schedule(self) -> None:
        """Make a schedule row for every configured feed (due now if new), and void the
        leases of instances on this host that died mid-poll."""
        release_dead(self.engine, feed_schedule, feed_schedule.c.lease_owner,
                     feed_schedule.c.lease_until)
        with writing(self.engine) as conn:
            known = {r.feed for r in conn.execute(select(feed_schedule.c.feed))}
            rows = [{"feed": f.id, "url": f.url, "next_poll_at": 0.0, "consecutive_failures": 0,
                     "gone": False} for f in self.sources.values() if f.id not in known]
            if rows:  # another instance may be adding the same rows right now
                insert_new(conn, feed_schedule, rows)
        self._synced = True

    def due(self, now: float | None = None) -> list[str]:
        for feed in list(self._unreleased):  # the database is back: free them now
            self._release(feed)
            self._unreleased.discard(feed)
        now = time.time() if now is None else now
        with self.engine.connect() as conn:
            rows = conn.execute(select(feed_schedule.c.feed).where(
                feed_schedule.c.next_poll_at <= now, feed_schedule.c.gone.is_(False),
                (feed_schedule.c.lease_until.is_(None)) | (feed_schedule.c.lease_until < now)))
            return [r.feed for r in rows if r.feed in self.sources]

    def next_due(self, polling: Collection[str] = ()) -> float | None:
        """When a feed is next due here: the earliest next poll of the feeds not leased, or
        the end of a lease (an instance that died mid-poll is taken over then), leaving out
        the feeds this instance is `polling` now. Reads only."""
        c = feed_schedule.c
        now = time.time()
        with self.engine.connect() as conn:
            rows = conn.execute(select(c.feed, c.next_poll_at, c.lease_until)
                                .where(c.gone.is_(False)))
            times = [r.lease_until if r.lease_until is not None and r.lease_until > now
                     else r.next_poll_at for r in rows
                     if r.feed in self.sources and r.feed not in polling]
        return min(times, default=None)

    def _claim_many(self, requests: list[tuple[str, bool]]) -> list[dict | None]:
        """Claim the feeds asked for (forced, or due and not gone) in one transaction; each
        request gets its feed's schedule row, or None (a feed asked for twice: the first)."""
        now = time.time()
        c = feed_schedule.c
        lease_free = (c.lease_until.is_(None)) | (c.lease_until < now)
        forced = sorted({f for f, force in requests if force})
        unforced = sorted({f for f, _ in requests} - set(forced))
        rows: dict[str, dict] = {}
        with writing(self.engine) as conn:
            lock_rows(conn, c.feed, forced + unforced)  # in one order: claimers never deadlock
            for feeds, condition in ((forced, []), (unforced, [c.next_poll_at <= now,
                                                               c.gone.is_(False)])):
                if feeds:
                    claimed = conn.execute(
                        update(feed_schedule).where(c.feed.in_(feeds), lease_free, *condition)
                        .values(lease_owner=self.owner, lease_until=now + LEASE_SECONDS)
                        .returning(*c))
                    rows.update((r.feed, dict(r._mapping)) for r in claimed)
        return [rows.pop(feed, None) for feed, _ in requests]

    def _record_many(self, outcomes: list[Outcome]) -> list[int]:
        """Append the observations of several polls, then their poll events, then release
        their leases; return how many entries of each poll were new."""
        observed = [e for o in outcomes for e in o.observed]
        written = self.log.append(observed).written if observed else []
        new = Counter(s.stream for s in written)
        counts = [new[o.stream] for o in outcomes]
        self.log.append([o.polled(n) for o, n in zip(outcomes, counts, strict=True)])
        c = feed_schedule.c
        release = update(feed_schedule).where(
            c.feed == bindparam("b_feed"), c.lease_owner == self.owner).values(
            lease_owner=None, lease_until=None,
            **{k: bindparam(f"b_{k}") for k in SCHEDULE_VALUES})
        with writing(self.engine) as conn:
            conn.execute(release, [
                {"b_feed": o.feed, **{f"b_{k}": o.schedule[k] for k in SCHEDULE_VALUES}}
                for o in sorted(outcomes, key=lambda o: o.feed)])
        return counts

    def _release(self, feed: str, **values: object) -> None:
        with writing(self.engine) as conn:
            conn.execute(update(feed_schedule).where(
                feed_schedule.c.feed == feed, feed_schedule.c.lease_owner == self.owner,
            ).values(lease_owner=None, lease_until=None, **values))
