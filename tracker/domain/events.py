"""What the log records: frozen facts named in the past tense."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class FeedPolled:
    """One poll of one feed and what came of it."""

    feed: str
    url: str
    outcome: str  # fetched | not-modified | retry-later | gone | failed
    polled_at: datetime
    next_poll_at: datetime | None
    status: int | None = None
    error: str | None = None
    entries: int = 0
    new_entries: int = 0
    etag: str | None = None
    last_modified: str | None = None
    moved_to: str | None = None
    duration_ms: int | None = None  # since version 2; unknown for polls recorded before


@dataclass(frozen=True)
class EntryObserved:
    """One feed entry as fetched: an immutable fact, recorded once per story."""

    observation_id: str
    feed: str
    entry_id: str
    link: str | None
    title: str
    summary: str
    content: str
    authors: tuple[str, ...]
    published_at: datetime
    published_source: str  # published | updated | page | fetched
    fetched_at: datetime
    designations: tuple[str, ...]


@dataclass(frozen=True)
class EvidenceRecorded:
    """The classifier's reading of one observation for one designation."""

    designation: str
    observation_id: str
    stage: str | None  # a ladder stage, "reversed", or None when a newer reading finds nothing
    confidence: float
    quote: str | None
    classifier_version: str
    feed: str
    url: str | None
    title: str
    published_at: datetime
    basis: str = "body"  # since version 2: the reading's deciding sentence, headline | body,
    # or "official": an official list's entry (tracker/lists), strong on its own
    date_source: str = "feed"  # since version 2: where published_at came from (see below)


# An EvidenceRecorded's date_source: "feed" (the entry's own date), "page" (the linked page's
# date, for an undated entry) or "first_seen" (neither: the time the entry was first fetched).
DATE_SOURCES = ("feed", "page", "first_seen")


@dataclass(frozen=True)
class StatusChanged:
    """The recorded current stage of a designation changed."""

    designation: str
    from_stage: str | None
    to_stage: str | None
    since: datetime
    cause: str  # evidence | reversed | override | correction (a step withdrawn by later news)
    observation_ids: tuple[str, ...]


@dataclass(frozen=True)
class StageOverridden:
    """An analyst set the stage, with a reason."""

    designation: str
    stage: str | None
    reason: str
    effective_at: datetime
    analyst: str | None = None


@dataclass(frozen=True)
class EvidenceRejected:
    """An analyst ruled one piece of evidence out, with a reason."""

    designation: str
    observation_id: str
    reason: str
    analyst: str | None = None


@dataclass(frozen=True)
class OverrideWithdrawn:
    """An analyst withdrew an earlier override (by its log position): the designation goes
    back to what its evidence says, as if that override had never been given."""

    designation: str
    override_position: int
    reason: str
    analyst: str | None = None


@dataclass(frozen=True)
class ListChanged:
    """An official list's entries changed between two successful polls (the first poll: every
    entry added). Entries are normalised text; an unchanged list records nothing."""

    list: str
    url: str
    polled_at: datetime
    added: tuple[str, ...]
    removed: tuple[str, ...]
    effective_at: datetime | None = None  # the date the page states, if it states one


@dataclass(frozen=True)
class StatusDisputed:
    """An official list has contradicted a news-derived binding step for `polls` polls."""

    designation: str
    list: str
    stage: str  # the step the news took and the list contradicts
    step_position: int  # that step's position (its transition's)
    polls: int
    entry: str | None  # the entry still on the list (a removal), None when it is missing
    at: datetime


Event = (
    FeedPolled | EntryObserved | EvidenceRecorded | StatusChanged | StageOverridden
    | EvidenceRejected | OverrideWithdrawn | ListChanged | StatusDisputed
)
EVENT_TYPES: dict[str, type] = {
    cls.__name__: cls
    for cls in (FeedPolled, EntryObserved, EvidenceRecorded, StatusChanged, StageOverridden,
                EvidenceRejected, OverrideWithdrawn, ListChanged, StatusDisputed)
}
