"""Reading one feed document, from a file or a URL, as if it had been polled."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from tracker.config import Catalog
from tracker.feeds.fetch import Failed, Fetched, Limits, fetch, make_client
from tracker.feeds.parse import parse_feed
from tracker.services.observations import record_entries
from tracker.services.polling import PollReport
from tracker.store.log import EventLog


async def ingest_document(log: EventLog, catalog: Catalog, limits: Limits, source: str,
                          feed_id: str) -> PollReport:
    fetched_at = datetime.now(UTC)
    content_type = None
    if source.startswith(("http://", "https://")):
        async with make_client() as client:
            result = await fetch(client, source, limits=limits)
        if not isinstance(result, Fetched):
            reason = result.reason if isinstance(result, Failed) else type(result).__name__
            return PollReport(feed_id, "failed", error=f"{source}: {reason}")
        body, url, content_type = result.body, result.url, result.content_type
    else:
        path = Path(source)
        try:
            with path.open("rb") as f:
                body = f.read(limits.max_bytes)
        except OSError as exc:
            return PollReport(feed_id, "failed", error=f"cannot read {source}: {exc.strerror}")
        url = path.resolve().as_uri()
    parsed = await asyncio.to_thread(parse_feed, body, url=url, content_type=content_type,
                                     fetched_at=fetched_at)
    if not parsed.is_feed:
        return PollReport(feed_id, "failed", error=parsed.error)
    feed = catalog.feeds.get(feed_id)
    designations = tuple(feed.designations) if feed else ()
    new = await asyncio.to_thread(record_entries, log, feed_id, designations, parsed,
                                  fetched_at)
    return PollReport(feed_id, "fetched", len(parsed.entries), new, parsed.error)
