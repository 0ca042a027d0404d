"""Response and request bodies, so that the OpenAPI schema tells the truth."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator


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
    history: list[TransitionOut]


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
    last_error: str | None
    next_poll: str | None
    entries_seen: int
    gone: bool


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


class Health(BaseModel):
    status: str
    position: int


class Problem(BaseModel):
    detail: str


class PollOut(BaseModel):
    feed: str
    outcome: str
    entries: int
    new_entries: int
    error: str | None


class OverrideIn(BaseModel):
    """Set the stage (`stage`, may be null) or reject one piece of evidence (`observation_id`)."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000)
    stage: str | None = None
    observation_id: str | None = Field(default=None, min_length=1, max_length=100)
    effective_at: datetime | None = Field(
        default=None, description="when the set stage takes effect; now if not given")
    analyst: str | None = Field(default=None, max_length=200)

    @model_validator(mode="before")
    @classmethod
    def _one_action(cls, data: Any) -> Any:
        if isinstance(data, dict) and ("stage" in data) == ("observation_id" in data):
            raise ValueError("give either 'stage' (to set the stage) or 'observation_id' "
                             "(to reject that evidence), not both or neither")
        return data


class OverrideOut(BaseModel):
    designation: str
    position: int
    type: str
    stage: str | None
