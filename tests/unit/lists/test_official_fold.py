"""An official reading in the status fold: strong on its own, whatever the confirmation
settings, while a news headline alone still waits."""

from __future__ import annotations

from datetime import UTC, datetime

from tracker.domain.designations import Confirm, Designation
from tracker.domain.events import EvidenceRecorded
from tracker.domain.status import OFFICIAL
from tracker.domain.timeline import DesignationState, evolve

STRICT = Designation("t", "Taliban", ("Taliban",), ("Russia",),
                     confirm=Confirm(confidence=0.99, sources=5, against=2))


def reading(obs: str, basis: str, confidence: float, day: int, source: str = "feed",
            feed: str = "wire") -> EvidenceRecorded:
    return EvidenceRecorded("t", obs, "court-approved", confidence, obs, "v1", feed,
                            f"https://{obs}.example/", obs, datetime(2025, 4, day, tzinfo=UTC),
                            basis, source)


def state_of(*events: EvidenceRecorded) -> DesignationState:
    state = DesignationState(STRICT)
    for position, event in enumerate(events, start=1):
        evolve(state, event, position, f"2026-01-01T00:00:{position:02d}.000000Z")
    return state


def test_an_official_reading_confirms_the_binding_step_on_its_own() -> None:
    timeline = state_of(reading("list", OFFICIAL, 1.0, 20, "first_seen", "fsb")).timeline()
    assert timeline.stage == "court-approved" and timeline.unconfirmed == ()


def test_news_alone_waits_and_the_list_confirms_it_dated_by_the_news() -> None:
    news = reading("wire", "body", 0.9, 17)  # below this designation's 0.99: not strong
    assert state_of(news).timeline().stage is None
    timeline = state_of(news, reading("list", OFFICIAL, 1.0, 20, "first_seen", "fsb")).timeline()
    assert timeline.stage == "court-approved"
    assert timeline.since == datetime(2025, 4, 17, tzinfo=UTC)  # the feed-dated ruling
