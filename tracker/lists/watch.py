"""Watching an official list: each poll's entries compared with the list as the log holds it,
a ListChanged only when entries came or went, and a dispute when the list keeps contradicting
a binding step the news took.

The fetch, backoff, schedule and leases are the feeds' (services/polling.py): a list is one
more source on the same schedule, its events in a stream of its own.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from tracker.config import Catalog, ListConfig
from tracker.domain.designations import Designation
from tracker.domain.events import EvidenceRecorded, FeedPolled, ListChanged, StatusDisputed
from tracker.domain.status import OFFICIAL, Transition
from tracker.feeds.fetch import Fetched
from tracker.lists.read import ListPage, ListUnreadable, names_subject, read_list
from tracker.services.designations import DesignationWriter
from tracker.store.log import EventLog, NewEvent, StoredEvent

logger = logging.getLogger("tracker.lists")


def stream_of(list_id: str) -> str:
    return f"list-{list_id}"


@dataclass(frozen=True)
class ListRead:
    """What one fetched page of a list brought: its entries, the events, or an error."""

    entries: frozenset[str] = frozenset()
    error: str | None = None
    observed: list[NewEvent] = field(default_factory=list)
    changes: int = 0  # entries added and removed


def entries_of(events: Iterable[StoredEvent], before: int | None = None) -> set[str]:
    """A list's entries as its ListChanged events leave them (those before a position)."""
    entries: set[str] = set()
    for stored in events:
        if before is not None and stored.position >= before:
            break
        if stored.type == "ListChanged":
            change: ListChanged = stored.decode()
            entries.difference_update(change.removed)
            entries.update(change.added)
    return entries


def read_page(config: ListConfig, fetched: Fetched, max_bytes: int) -> ListPage | ListRead:
    """A fetched page's entries, or the error it is (pure work, for the parsing thread). A cut
    page, or one where the locator finds nothing, is an error and changes nothing: never
    "every group left the list"."""
    if fetched.truncated:
        return ListRead(error=f"body cut at {max_bytes} bytes: a cut list is not read "
                              "(the list is kept as it was)")
    try:
        return read_list(config, fetched.body, fetched.content_type)
    except ListUnreadable as exc:
        return ListRead(error=str(exc))


def changes_of(log: EventLog, config: ListConfig, page: ListPage, fetched: Fetched,
               polled_at: datetime, owner: str) -> ListRead:
    """A page's entries against the list as the log holds it: a ListChanged when they differ."""
    before = entries_of(log.read_stream(stream_of(config.id)))
    added = tuple(sorted(page.entries - before))
    removed = tuple(sorted(before - page.entries))
    if not added and not removed:
        return ListRead(page.entries)
    event = ListChanged(config.id, fetched.url, polled_at, added, removed, page.effective_at)
    key = f"list:{config.id}:{polled_at.isoformat()}:{owner}"
    logger.info("list %s changed: %d added, %d removed", config.id, len(added), len(removed))
    return ListRead(page.entries, None, [NewEvent.of(stream_of(config.id), event, key)],
                    len(added) + len(removed))


def naming(entries: Iterable[str], designation: Designation) -> list[str]:
    """The entries that name the designation's subject."""
    return sorted(e for e in entries if names_subject(e, designation.subject))


def binding(designation: Designation) -> str:
    """The binding step: the ladder's last stage, the one an official list shows."""
    return designation.stages[-1]


def news_step(designation: Designation, history: Iterable[Transition]) -> Transition | None:
    """The current step when it is the binding one, taken on news alone (no official entry
    among its readings); else None."""
    current = next((t for t in reversed(tuple(history)) if t.withdrawn is None), None)
    if current is None or current.to_stage != binding(designation) \
            or current.cause != "evidence":
        return None
    if any(r.basis == OFFICIAL for r in current.evidence):
        return None
    return current


def contradiction(designation: Designation, entries: Iterable[str]) -> tuple[bool, str | None]:
    """Whether the list contradicts the binding step, and the entry that does (a removal's
    entry still on the list; None for a listing whose subject is missing)."""
    found = naming(entries, designation)
    if designation.change == "removal":
        return bool(found), (found[0] if found else None)
    return not found, None


def check_disputes(log: EventLog, catalog: Catalog, config: ListConfig,
                   polled_at: datetime) -> list[StatusDisputed]:
    """After a successful poll: a StatusDisputed for each designation of the list whose
    news-derived binding step the list has contradicted for `disputed_after` polls (once per
    step: the event's key makes it so)."""
    stored = log.read_stream(stream_of(config.id))
    entries = entries_of(stored)
    writer = DesignationWriter(log, catalog.designations)
    raised = []
    for name in config.designations:
        designation = catalog.designations.get(name)
        if designation is None:
            continue
        step = news_step(designation, writer.state(name).timeline().history)
        if step is None:
            continue
        contradicts, entry = contradiction(designation, entries)
        if not contradicts:
            continue
        polls = sum(1 for s in stored if s.type == "FeedPolled" and s.position > step.position
                    and _succeeded(s.decode()))
        if polls < config.disputed_after:
            continue
        event = StatusDisputed(name, config.id, step.to_stage or "", step.position, polls,
                               entry, polled_at)
        key = f"disputed:{name}:{config.id}:{step.position}"
        if log.append([NewEvent.of(stream_of(config.id), event, key)]).written:
            logger.warning("list %s disputes %s: %s for %d polls", config.id, name,
                           f"still lists {entry!r}" if entry else "does not list it", polls)
            raised.append(event)
    return raised


def _succeeded(poll: FeedPolled) -> bool:
    return poll.outcome in ("fetched", "not-modified") and not poll.error


def observation_id(stored: StoredEvent) -> str:
    """The id of the official readings one ListChanged gives: one per change."""
    return hashlib.sha256(f"list:{stored.idempotency_key}".encode()).hexdigest()[:32]


OFFICIAL_VERSION = "official-list/1"


def official_readings(stored: StoredEvent, change: ListChanged, catalog: Catalog,
                      log: EventLog) -> list[EvidenceRecorded]:
    """The official evidence one ListChanged gives: a listing's binding step when its subject
    appears on the list, a removal's when it disappears (no entry naming it is left: a renamed
    entry is not a removal). Its `since` is the poll's time unless the page stated a date."""
    config = catalog.lists.get(change.list)
    if config is None:
        return []  # a list since taken out of feeds.yaml: kept in the log only
    after = entries_of(log.read_stream(stream_of(change.list)), before=stored.position + 1)
    before = (after - set(change.added)) | set(change.removed)
    out = []
    for name in config.designations:
        designation = catalog.designations.get(name)
        if designation is None:
            continue
        was, now = naming(before, designation), naming(after, designation)
        if designation.change == "listing" and now and not was:
            entry, verb = naming(change.added, designation)[0], "on"
        elif designation.change == "removal" and was and not now:
            entry, verb = naming(change.removed, designation)[0], "off"
        else:
            continue
        dated = change.effective_at is not None
        out.append(EvidenceRecorded(
            name, observation_id(stored), binding(designation), 1.0, entry, OFFICIAL_VERSION,
            change.list, change.url, f"Official list {change.list}: {entry!r} {verb} the list",
            change.effective_at if dated else change.polled_at, OFFICIAL,
            "page" if dated else "first_seen"))
    return out
