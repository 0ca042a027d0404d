"""The JSON forms of readings, steps and status documents, as the API and webhooks give
them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tracker.domain.designations import Designation
from tracker.domain.links import web_link
from tracker.domain.status import Reading, Timeline, Transition, Withdrawal, site_of


def iso(value: datetime | None) -> str | None:
    """UTC ISO 8601 with a Z, the API's one time format."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def reading_json(r: Reading) -> dict[str, Any]:
    return {"url": web_link(r.url), "title": r.title, "feed": r.feed, "published_at": iso(r.published_at),
            "stage": r.stage, "confidence": round(r.confidence, 3), "quote": r.quote,
            "observation_id": r.observation_id, "classifier_version": r.classifier_version,
            "recorded_at": r.recorded_at, "position": r.position, "basis": r.basis,
            "date_source": r.date_source, "site": site_of(r)}


def withdrawal_json(w: Withdrawal | None) -> dict[str, Any] | None:
    if w is None:
        return None
    return {"at": iso(w.at), "position": w.position,
            "evidence": [reading_json(r) for r in w.evidence], "evidence_total": w.evidence_total}


def transition_json(t: Transition) -> dict[str, Any]:
    return {"from": t.from_stage, "to": t.to_stage, "since": iso(t.since),
            "recorded_at": t.recorded_at, "position": t.position, "cause": t.cause,
            "reason": t.reason, "evidence": [reading_json(r) for r in t.evidence],
            "evidence_total": t.evidence_total, "withdrawn": withdrawal_json(t.withdrawn)}


def status_document(designation: Designation, timeline: Timeline, position: int,
                    recorded_at: str | None) -> dict[str, Any]:
    d = designation
    return {
        "designation": d.id, "title": d.title, "stage": timeline.stage,
        "since": iso(timeline.since), "recorded_at": recorded_at,
        "position": position, "stages": list(d.stages),
        "evidence": [reading_json(r) for r in timeline.evidence],
        "evidence_total": timeline.evidence_total,
        "unconfirmed": [reading_json(r) for r in timeline.unconfirmed],
        "history": [transition_json(t) for t in timeline.history],
    }


def empty_document(designation: Designation) -> dict[str, Any]:
    return status_document(designation, Timeline(None, None, (), ()), 0, None)


def reading_from_row(r: Any) -> Reading:
    return Reading(r.observation_id, r.stage, r.confidence, r.quote, r.classifier_version,
                   r.feed, r.url, r.title, datetime.fromisoformat(r.published_at),
                   r.recorded_at, r.position, r.basis, r.date_source)
