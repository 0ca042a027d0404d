"""The status rules of SPEC.md, one test each, on the pure fold."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from tracker.domain.designations import Designation
from tracker.domain.events import (
    EvidenceRecorded,
    EvidenceRejected,
    StageOverridden,
    StatusChanged,
)
from tracker.domain.status import DesignationState, evolve

TALIBAN = Designation("t", "Taliban", ("Taliban",), ("Russia",))


def day(n: int) -> datetime:
    return datetime(2025, 1, 1, tzinfo=UTC).replace(day=n)


def ev(obs: str, stage: str | None, published: int, version: str = "v1") -> EvidenceRecorded:
    return EvidenceRecorded("t", obs, stage, 0.9, f"quote {obs}", version, "wire",
                            f"https://example.org/{obs}", f"title {obs}", day(published))


def fold(*events: object) -> DesignationState:
    state = DesignationState(TALIBAN)
    for position, event in enumerate(events, start=1):
        evolve(state, event, position, f"2026-01-01T00:00:{position:02d}.000000Z")
    return state


def path(state: DesignationState) -> list[tuple[str | None, str | None]]:
    return [(t.from_stage, t.to_stage) for t in state.timeline().history]


def test_stronger_evidence_moves_up() -> None:
    state = fold(ev("a", "considered", 1), ev("b", "proposed", 2))
    assert state.timeline().stage == "proposed"
    assert path(state) == [(None, "considered"), ("considered", "proposed")]


def test_the_news_can_skip_stages() -> None:
    state = fold(ev("a", "court-approved", 5))
    assert path(state) == [(None, "court-approved")]


def test_weaker_evidence_never_moves_down_but_supports_its_stage() -> None:
    state = fold(ev("a", "proposed", 1), ev("b", "considered", 2), ev("c", "proposed", 3))
    timeline = state.timeline()
    assert timeline.stage == "proposed"
    assert [r.observation_id for r in timeline.evidence] == ["a", "c"]


def test_reversed_evidence_moves_one_rung_down() -> None:
    state = fold(ev("a", "proposed", 1), ev("b", "reversed", 2))
    assert state.timeline().stage == "considered"
    assert state.timeline().history[-1].cause == "reversed"


def test_reversed_with_nothing_recorded_changes_nothing() -> None:
    assert fold(ev("a", "reversed", 1)).timeline().history == ()


def test_an_override_sets_any_stage_with_its_reason() -> None:
    override = StageOverridden("t", None, "misread: the article is about Kazakhstan", day(3))
    state = fold(ev("a", "court-approved", 1), override)
    timeline = state.timeline()
    assert timeline.stage is None
    assert timeline.history[-1].reason == "misread: the article is about Kazakhstan"
    assert timeline.history[-1].cause == "override"


def test_since_is_the_earliest_publication_and_a_late_earlier_article_corrects_it() -> None:
    state = fold(ev("a", "proposed", 10))
    assert state.timeline().since == day(10)
    evolve(state, ev("b", "proposed", 4), 2, "2026-01-02T00:00:00.000000Z")
    assert state.timeline().since == day(4)
    assert state.timeline().history[0].position == 2


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_history_is_ordered_by_publication_whatever_the_arrival(order: tuple[int, ...]) -> None:
    events = [ev("a", "considered", 1), ev("b", "proposed", 2), ev("c", "court-approved", 3)]
    state = fold(*(events[i] for i in order))
    assert path(state) == [(None, "considered"), ("considered", "proposed"),
                           ("proposed", "court-approved")]
    assert [t.since for t in state.timeline().history] == [day(1), day(2), day(3)]


def test_the_newest_reading_of_an_observation_wins() -> None:
    state = fold(ev("a", "court-approved", 1, "v1"), ev("a", "considered", 1, "v2"))
    assert state.timeline().stage == "considered"
    assert fold(ev("a", "proposed", 1, "v1"), ev("a", None, 1, "v2")).timeline().stage is None


def test_rejected_evidence_no_longer_counts() -> None:
    state = fold(ev("a", "considered", 1), ev("b", "court-approved", 2),
                 EvidenceRejected("t", "b", "about the UN list"))
    assert state.timeline().stage == "considered"


def test_as_of_reads_the_timeline_up_to_a_time() -> None:
    state = fold(ev("a", "considered", 1), ev("b", "proposed", 5))
    assert state.timeline(as_of=day(3)).stage == "considered"
    assert state.timeline(as_of=datetime(2024, 1, 1, tzinfo=UTC)).stage is None


def test_a_recorded_status_change_is_remembered() -> None:
    change = StatusChanged("t", None, "proposed", day(1), "evidence", ("a",))
    assert fold(ev("a", "proposed", 1), change).recorded_stage == "proposed"


def test_stages_outside_the_ladder_are_ignored() -> None:
    assert fold(ev("a", "listed", 1)).timeline().stage is None
