"""Response and request bodies, so that the OpenAPI schema tells the truth."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field

from tracker.domain.times import RANGE, in_range, parse


def in_log_range(value: datetime | None) -> datetime | None:
    """A time the log and every reader can represent, or a 422 saying the range."""
    if value is not None and not in_range(value):
        raise ValueError(f"out of range: times run {RANGE}")
    return value


LogTime = Annotated[AwareDatetime, AfterValidator(in_log_range)]


def _query_time(value: Any) -> Any:
    """A query's time through the one parser the CLI uses too (never a count of seconds)."""
    return parse(value) if isinstance(value, str) else value


# The parser's own errors (not an ISO 8601 time, out of range) read as the 422's message.
QueryTime = Annotated[datetime, BeforeValidator(_query_time)]


class EvidenceOut(BaseModel):
    url: str | None
    title: str
    feed: str
    published_at: str
    stage: str | None
    confidence: float
    quote: str | None
    observation_id: str
    classifier_version: str
    recorded_at: str
    position: int
    basis: str = Field(description="headline or body: where the deciding sentence stands")
    date_source: str = Field(description="feed, page (an undated entry's linked page) or "
                                         "first_seen (the time the entry was first fetched)")
    site: str = Field(description="the source it is independent by: the URL's host, or feed")


class WithdrawalOut(BaseModel):
    at: str = Field(description="publication time of the reading that tipped the weighing")
    position: int
    evidence: list[EvidenceOut] = Field(description="the readings against the step")
    evidence_total: int


class TransitionOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    from_: str | None = Field(alias="from")
    to: str | None
    since: str | None
    recorded_at: str
    position: int
    cause: str = Field(description="evidence, reversed or override")
    reason: str | None = Field(description="the analyst's reason, for an override")
    evidence: list[EvidenceOut]
    evidence_total: int
    withdrawn: WithdrawalOut | None = Field(
        description="null for a step that stands; else when later news withdrew it, and how")


class DisputeOut(BaseModel):
    designation: str
    list: str = Field(description="the official list's id")
    stage: str = Field(description="the step the news took and the list contradicts")
    step_position: int
    polls: int = Field(description="successful polls of the list since the step, when raised")
    entry: str | None = Field(description="the entry still on the list (a removal); null "
                                          "when a listing's subject is missing from it")
    since: str
    position: int


class StatusOut(BaseModel):
    designation: str
    title: str
    stage: str | None
    since: str | None
    recorded_at: str | None
    position: int
    stages: list[str]
    evidence: list[EvidenceOut] = Field(description="the evidence for the current stage")
    evidence_total: int
    unconfirmed: list[EvidenceOut] = Field(
        description="readings for a higher stage that do not yet confirm a step")
    history: list[TransitionOut]
    disputed: DisputeOut | None = Field(
        default=None, description="an official list that keeps contradicting the current "
                                  "step, taken on news alone; null when none does")


class HistoryOut(BaseModel):
    designation: str
    title: str
    history: list[TransitionOut]


class DesignationOut(BaseModel):
    designation: str
    title: str
    stages: list[str]
    stage: str | None
    since: str | None
    position: int


class FeedOut(BaseModel):
    id: str
    url: str
    configured_url: str
    interval_seconds: float
    designations: list[str]
    last_poll: str | None
    last_success: str | None
    last_outcome: str | None
    last_status: int | None
    consecutive_failures: int
    failing_since: str | None = Field(description="the first failed poll since the last success")
    last_error: str | None
    next_poll: str | None
    entries_seen: int
    gone: bool


class ListOut(FeedOut):
    format: str
    disputed_after: int
    entries: int = Field(description="entries on the list as last read")


class EventOut(BaseModel):
    position: int
    stream: str
    version: int
    type: str
    type_version: int
    idempotency_key: str
    recorded_at: str
    payload: dict[str, Any]
    prev_hash: str
    hash: str


class HeadOut(BaseModel):
    position: int
    hash: str


class EventsPage(BaseModel):
    events: list[EventOut]
    next_after: int
    head: HeadOut


class StoppedOut(BaseModel):
    follower: str
    position: int = Field(description="the event it cannot apply; it stays before it")
    reason: str


class Health(BaseModel):
    status: str = Field(description="ok, or degraded when a follower stopped")
    position: int
    stopped: list[StoppedOut] = Field(default_factory=list)


class Problem(BaseModel):
    detail: str


class PollOut(BaseModel):
    feed: str
    outcome: str
    entries: int
    new_entries: int
    error: str | None


class SetStage(BaseModel):
    """An analyst sets the stage, effective at a time, with a reason. `null` sets no stage
    at all; to hand the designation back to its evidence, withdraw the override instead."""

    model_config = ConfigDict(extra="forbid")

    stage: str | None = Field(description="one of the designation's stages, or null")
    reason: str = Field(min_length=1, max_length=2000)
    effective_at: LogTime | None = Field(
        default=None, description="when the set stage takes effect; now if not given")
    analyst: str | None = Field(default=None, max_length=200)


class RejectEvidence(BaseModel):
    """An analyst rules one piece of evidence out, with a reason."""

    model_config = ConfigDict(extra="forbid")

    observation_id: str = Field(min_length=1, max_length=100)
    reason: str = Field(min_length=1, max_length=2000)
    analyst: str | None = Field(default=None, max_length=200)


class WithdrawOverride(BaseModel):
    """An analyst withdraws an earlier override: the stage is again what the evidence says."""

    model_config = ConfigDict(extra="forbid")

    withdraw: int = Field(gt=0, description="the log position of the override to withdraw")
    reason: str = Field(min_length=1, max_length=2000)
    analyst: str | None = Field(default=None, max_length=200)


class OverrideOut(BaseModel):
    designation: str
    position: int
    type: str
    stage: str | None


class SubscriptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=1, max_length=2000, description="http or https")
    designations: list[str] | None = Field(default=None, description="all when omitted")
    secret: str | None = Field(default=None, description="whsec_ + base64; generated if omitted")


class SecretRotation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    secret: str | None = Field(default=None, description="whsec_ + base64; generated if omitted")
    grace_seconds: int = Field(default=86400, ge=0, le=7 * 86400,
                               description="how long the previous secret signs beside it")


class RotatedSecret(BaseModel):
    id: str
    secret: str = Field(description="the new whsec_ secret")
    previous_valid_until: str | None = Field(
        description="until when the previous secret also signs (null: no longer)")


class SubscriptionOut(BaseModel):
    id: str
    url: str
    designations: list[str] | None
    created_at: str
    disabled_reason: str | None


class NewSubscription(SubscriptionOut):
    secret: str = Field(description="the whsec_ secret that signs every delivery")


class AttemptOut(BaseModel):
    attempt: int
    at: str
    status_code: int | None
    error: str | None
    duration_ms: int
    next_retry_at: str | None


class DeliveryOut(BaseModel):
    id: str = Field(description="the webhook-id, the same on every retry")
    position: int
    status: str = Field(description="pending, delivered or failed")
    attempts: int
    last_status_code: int | None
    last_error: str | None
    delivered_at: str | None
    payload: dict[str, Any]
    history: list[AttemptOut]
