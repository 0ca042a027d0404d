"""Feed health: each feed's last poll, last success, failures, last error and next poll."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import Connection, Table, select

from tracker.domain.events import EntryObserved, FeedPolled
from tracker.projections.status import iso
from tracker.projections.tables import feed_health
from tracker.projections.upsert import upsert
from tracker.store.log import StoredEvent

FAILED = frozenset({"failed", "retry-later", "gone"})


class FeedHealthProjection:
    name = "feed_health"
    types = frozenset({"FeedPolled", "EntryObserved"})
    tables: tuple[Table, ...] = (feed_health,)

    def forget(self) -> None:
        pass

    def apply(self, conn: Connection, batch: list[tuple[StoredEvent, Any]]) -> None:
        seen: Counter[str] = Counter()
        rows: dict[str, dict[str, Any]] = {}
        for stored, event in batch:
            if isinstance(event, EntryObserved):
                seen[event.feed] += 1
                continue
            assert isinstance(event, FeedPolled)
            row = rows.get(event.feed) or self._row(conn, event.feed)
            failed = event.outcome in FAILED
            row.update(
                url=event.moved_to or event.url, last_poll_at=iso(event.polled_at),
                last_outcome=event.outcome, last_status=event.status,
                next_poll_at=iso(event.next_poll_at), position=stored.position,
                consecutive_failures=row["consecutive_failures"] + 1 if failed else 0,
                gone=event.outcome == "gone",
            )
            if failed:
                row["last_error"] = event.error
            else:
                row["last_success_at"] = iso(event.polled_at)
                if event.error:  # a malformed feed read in part still records what was wrong
                    row["last_error"] = event.error
            rows[event.feed] = row
        for feed, count in seen.items():
            row = rows.get(feed) or self._row(conn, feed)
            row["entries_seen"] += count
            rows[feed] = row
        for row in rows.values():
            upsert(conn, feed_health, row, key="feed")

    @staticmethod
    def _row(conn: Connection, feed: str) -> dict[str, Any]:
        found = conn.execute(select(feed_health).where(feed_health.c.feed == feed)).first()
        if found:
            return dict(found._mapping)
        return {"feed": feed, "url": None, "last_poll_at": None, "last_success_at": None,
                "last_outcome": None, "last_status": None, "consecutive_failures": 0,
                "last_error": None, "next_poll_at": None, "entries_seen": 0, "gone": False,
                "position": 0}
