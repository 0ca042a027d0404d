"""Feed health: each feed's last poll, last success, failures, last error and next poll."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, select

from tracker.domain.documents import iso
from tracker.domain.events import FeedPolled
from tracker.projections.tables import feed_health
from tracker.store.database import upsert
from tracker.store.log import StoredEvent

FAILED = frozenset({"failed", "retry-later", "gone"})


class FeedHealthProjection:
    name = "feed_health"
    types = frozenset({"FeedPolled"})
    tables: tuple[Table, ...] = (feed_health,)

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Any]] = {}  # each feed's row as last written

    def forget(self) -> None:
        self.rows.clear()

    def apply(self, conn: Connection, batch: list[tuple[StoredEvent, Any]]) -> None:
        by_feed: dict[str, list[tuple[StoredEvent, FeedPolled]]] = {}
        for stored, event in batch:
            by_feed.setdefault(event.feed, []).append((stored, event))
        for feed, polls in by_feed.items():
            row = self.rows.get(feed) or self._row(conn, feed)
            self.rows[feed] = self._fold(row, polls)
        upsert(conn, feed_health, [self.rows[feed] for feed in sorted(by_feed)], key="feed")

    @staticmethod
    def _fold(row: dict[str, Any], polls: list[tuple[StoredEvent, FeedPolled]]) -> dict[str, Any]:
        """The row after these polls, in order (times formatted once, at the end)."""
        failures, seen = row["consecutive_failures"], row["entries_seen"]
        failing_since = row.get("failing_since")
        last_success, last_error = None, None
        for _, event in polls:
            seen += event.new_entries
            if event.outcome in FAILED:
                if failures == 0:
                    failing_since = iso(event.polled_at)
                failures += 1
                if event.error is not None:  # a failure that said nothing keeps the last word
                    last_error = event.error
            else:
                failures, last_success, failing_since = 0, event.polled_at, None
                if event.error:  # a malformed feed read in part still records what was wrong
                    last_error = event.error
        stored, last = polls[-1]
        row.update(url=last.moved_to or last.url, last_poll_at=iso(last.polled_at),
                   last_outcome=last.outcome, last_status=last.status,
                   next_poll_at=iso(last.next_poll_at), position=stored.position,
                   consecutive_failures=failures, failing_since=failing_since,
                   gone=last.outcome == "gone", entries_seen=seen)
        if last_success is not None:
            row["last_success_at"] = iso(last_success)
        if last_error is not None:
            row["last_error"] = last_error
        return row

    @staticmethod
    def _row(conn: Connection, feed: str) -> dict[str, Any]:
        found = conn.execute(select(feed_health).where(feed_health.c.feed == feed)).first()
        if found:
            return dict(found._mapping)
        return {"feed": feed, "url": None, "last_poll_at": None, "last_success_at": None,
                "last_outcome": None, "last_status": None, "consecutive_failures": 0,
                "failing_since": None, "last_error": None, "next_poll_at": None,
                "entries_seen": 0, "gone": False, "position": 0}
