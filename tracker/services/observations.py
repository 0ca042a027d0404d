"""A feed's entries as observations in the log, each known by all its keys."""

from __future__ import annotations

import hashlib
from datetime import datetime

from tracker.domain.events import EntryObserved
from tracker.feeds.parse import ParsedEntry, ParsedFeed
from tracker.store.log import EventLog, NewEvent


def observation_of(entry: ParsedEntry, feed: str, designations: tuple[str, ...],
                   fetched_at: datetime) -> tuple[EntryObserved, list[str]]:
    """The observation event for an entry, and the keys (first: its identity) it is known by."""
    keys = [f"obs:{k}" for k in entry.dedupe_keys()]
    observation_id = hashlib.sha256(keys[0].encode()).hexdigest()[:32]
    event = EntryObserved(observation_id, feed, entry.entry_id, entry.link, entry.title,
                          entry.summary, entry.content, entry.authors, entry.published,
                          entry.published_source, fetched_at, designations)
    return event, keys


def observations(feed: str, designations: tuple[str, ...], parsed: ParsedFeed,
                 fetched_at: datetime) -> list[NewEvent]:
    """The events to append for a feed's entries, each known by all its keys."""
    new = []
    for entry in parsed.entries:
        event, keys = observation_of(entry, feed, designations, fetched_at)
        new.append(NewEvent.of(f"feed-{feed}", event, keys[0], keys[1:]))
    return new


def record_entries(log: EventLog, feed: str, designations: tuple[str, ...],
                   parsed: ParsedFeed, fetched_at: datetime) -> int:
    """Append the entries not seen before; return how many were new."""
    new = observations(feed, designations, parsed, fetched_at)
    if not new:
        return 0
    return len(log.append(new).written)
