"""The status rules of SPEC.md, one test each, on the pure fold."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.domain.arrivals import shuffled_arrival
from tracker.domain.designations import Designation
from tracker.domain.events import (
    EvidenceRecorded,
    EvidenceRejected,
    StageOverridden,
    StatusChanged,
)
from tracker.domain.status import SHOWN
from tracker.domain.timeline import DesignationState, evolve

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


def test_one_reversal_told_by_several_articles_is_one_rung_down() -> None:
    state = fold(ev("a", "court-approved", 1), ev("b", "reversed", 2), ev("c", "reversed", 3),
                 ev("d", "reversed", 4))
    assert state.timeline().stage == "proposed"
    assert state.timeline().history[-1].evidence_total == 3
    again = fold(ev("a", "court-approved", 1), ev("b", "reversed", 2), ev("c", "proposed", 3),
                 ev("d", "court-approved", 4), ev("e", "reversed", 5))
    assert again.timeline().stage == "proposed"  # the second reversal undid a second step up


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


# The incremental fold against the rules read straight, on any arrival order.

REFERENCE_RANK = {None: 0, "considered": 1, "proposed": 2, "court-approved": 3}


def reference(events: list[object]) -> list[tuple]:
    """The rules of SPEC.md applied from scratch: newest reading per observation, rejected
    ones dropped, read in publication order; each step with every reading behind it."""
    newest: dict[str, EvidenceRecorded] = {}
    rejected: set[str] = set()
    overrides = []
    for event in events:
        if isinstance(event, EvidenceRecorded):
            newest[event.observation_id] = event
        elif isinstance(event, EvidenceRejected):
            rejected.add(event.observation_id)
        elif isinstance(event, StageOverridden):
            overrides.append(event)
    items = sorted([e for e in newest.values() if e.observation_id not in rejected
                    and e.stage in (*TALIBAN.stages, "reversed")] + overrides,
                   key=lambda e: e.published_at if isinstance(e, EvidenceRecorded)
                   else e.effective_at)
    stage, steps = None, []
    for item in items:
        if isinstance(item, StageOverridden):
            if item.stage != stage:
                steps.append([stage, item.stage, item.effective_at, "override", []])
                stage = item.stage
        elif item.stage == "reversed":
            if steps and steps[-1][3] == "reversed":
                steps[-1][4].append(item.observation_id)  # the same reversal told again
            elif stage is not None:
                steps.append([stage, TALIBAN.below(stage), item.published_at, "reversed",
                              [item.observation_id]])
                stage = TALIBAN.below(stage)
        elif REFERENCE_RANK[item.stage] > REFERENCE_RANK[stage]:
            steps.append([stage, item.stage, item.published_at, "evidence",
                          [item.observation_id]])
            stage = item.stage
        elif item.stage == stage and steps:
            steps[-1][4].append(item.observation_id)
    return [(a, b, since, cause, tuple(obs[:SHOWN]), len(obs))
            for a, b, since, cause, obs in steps]


def observed(state: DesignationState) -> list[tuple]:
    return [(t.from_stage, t.to_stage, t.since, t.cause,
             tuple(r.observation_id for r in t.evidence), t.evidence_total)
            for t in state.timeline().history]


STAGE = st.sampled_from([None, "considered", "proposed", "court-approved", "reversed", "listed"])
OBSERVATIONS = st.sampled_from([f"o{i}" for i in range(40)])


@st.composite
def histories(draw: st.DrawFn) -> list[object]:
    """Evidence (each observation published at its own minute, sometimes read again with
    another stage), a few overrides and rejections; no two at the same effective time."""
    minutes = {f"o{i}": i * 7 % 40 for i in range(40)}
    events: list[object] = []
    for _ in range(draw(st.integers(1, 60))):
        kind = draw(st.sampled_from(["evidence"] * 8 + ["override", "rejection"]))
        if kind == "evidence":
            obs = draw(OBSERVATIONS)
            events.append(EvidenceRecorded(
                "t", obs, draw(STAGE), 0.9, None, f"v{len(events)}", "wire", None, obs,
                datetime(2025, 1, 1, 0, minutes[obs], tzinfo=UTC)))
        elif kind == "override":
            stage = draw(st.sampled_from([None, *TALIBAN.stages]))
            events.append(StageOverridden("t", stage, "analyst", datetime(
                2025, 1, 1, 0, draw(st.integers(0, 39)), 30, len(events), tzinfo=UTC)))
        else:
            events.append(EvidenceRejected("t", draw(OBSERVATIONS), "not about this list"))
    return events


@settings(max_examples=300, deadline=None)
@given(histories(), st.randoms())
def test_any_arrival_order_folds_as_the_rules_read_from_scratch(
        events: list[object], rng: random.Random) -> None:
    shuffled = shuffled_arrival(events, rng)
    assert observed(fold(*events)) == reference(events)
    assert observed(fold(*shuffled)) == reference(shuffled) == reference(events)


@settings(max_examples=50, deadline=None)
@given(st.integers(SHOWN + 1, 400), st.randoms())
def test_the_fold_keeps_the_first_readings_of_a_step_and_counts_the_rest(
        count: int, rng: random.Random) -> None:
    days = list(range(count))
    rng.shuffle(days)
    state = DesignationState(TALIBAN)
    for position, d in enumerate(days, start=1):
        evolve(state, EvidenceRecorded("t", f"o{d}", "proposed", 0.9, None, "v1", "wire", None,
                                       "t", datetime(2025, 1, 1, tzinfo=UTC) + timedelta(days=d)),
               position, "")
    assert state.status is not None
    (step,) = state.status.fold.steps
    assert len(step.shown.readings) == SHOWN  # what is held per step stays bounded
    assert [r.observation_id for r in step.shown.readings] == [f"o{d}" for d in range(SHOWN)]
    assert state.timeline().evidence_total == count
