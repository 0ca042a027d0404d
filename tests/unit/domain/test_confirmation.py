"""Confirmation before a step, correction by later news, undated readings: the README's rules
on the pure fold, and the incremental fold against a fold from scratch on any arrival order."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.domain.arrivals import shuffled_arrival
from tracker.domain.designations import Confirm, Designation
from tracker.domain.events import EvidenceRecorded, EvidenceRejected, StageOverridden
from tracker.domain.status import Timeline, fold
from tracker.domain.timeline import DesignationState, evolve
from tracker.services.designations import announcement

D = Designation("t", "Taliban", ("Taliban",), ("Russia",))


def day(n: int) -> datetime:
    return datetime(2025, 1, 1, tzinfo=UTC) + timedelta(days=n)


def ev(obs: str, stage: str | None, published: int, site: str = "a.example",
       basis: str = "body", confidence: float = 0.9, date_source: str = "feed",
       version: str = "v1") -> EvidenceRecorded:
    return EvidenceRecorded("t", obs, stage, confidence, f"quote {obs}", version, "wire",
                            f"https://www.{site}/{obs}", f"title {obs}", day(published), basis,
                            date_source)


def weak(obs: str, stage: str, published: int, site: str) -> EvidenceRecorded:
    return ev(obs, stage, published, site, basis="headline")


def run(*events: object, designation: Designation = D) -> DesignationState:
    state = DesignationState(designation)
    for position, event in enumerate(events, start=1):
        evolve(state, event, position, f"2026-01-01T00:00:{position:02d}.000000Z")
    return state


def steps(timeline: Timeline) -> list[tuple]:
    return [(t.from_stage, t.to_stage, t.since, t.withdrawn is not None)
            for t in timeline.history]


def test_a_plain_body_sentence_takes_the_step_alone() -> None:
    timeline = run(ev("a", "proposed", 3)).timeline()
    assert (timeline.stage, timeline.since, timeline.unconfirmed) == ("proposed", day(3), ())


def test_a_headline_alone_waits_unconfirmed_until_another_site_agrees() -> None:
    state = run(weak("a", "court-approved", 3, "one.example"))
    assert state.timeline().stage is None
    assert [r.observation_id for r in state.timeline().unconfirmed] == ["a"]
    # The same site again is not independent.
    evolve(state, weak("b", "court-approved", 4, "one.example"), 2, "")
    assert state.timeline().stage is None
    # Another site agrees (a higher stage agrees too): since is the earliest of them.
    evolve(state, weak("c", "court-approved", 9, "two.example"), 3, "")
    timeline = state.timeline()
    assert (timeline.stage, timeline.since, timeline.unconfirmed) == ("court-approved", day(3), ())


def test_a_higher_reading_agrees_with_a_lower_step() -> None:
    timeline = run(weak("a", "proposed", 3, "one.example"),
                   weak("b", "court-approved", 5, "two.example")).timeline()
    assert steps(timeline) == [(None, "proposed", day(3), False)]
    assert [r.observation_id for r in timeline.unconfirmed] == ["b"]


def test_a_hedged_body_reading_is_not_strong_and_the_threshold_is_per_designation() -> None:
    hedged = ev("a", "proposed", 3, confidence=0.6)
    assert run(hedged).timeline().stage is None
    lenient = Designation("t", "Taliban", ("Taliban",), ("Russia",),
                          confirm=Confirm(confidence=0.5))
    assert run(hedged, designation=lenient).timeline().stage == "proposed"
    single = Designation("t", "Taliban", ("Taliban",), ("Russia",), confirm=Confirm(sources=1))
    assert run(weak("b", "proposed", 3, "x.example"), designation=single).timeline().stage \
        == "proposed"


def test_an_override_needs_no_confirmation() -> None:
    timeline = run(StageOverridden("t", "proposed", "read the decree", day(2))).timeline()
    assert timeline.stage == "proposed"


def test_a_misread_headline_is_dropped_when_later_news_reports_the_step_pending() -> None:
    state = run(ev("talks", "considered", 1), ev("bill", "proposed", 2),
                weak("misread", "court-approved", 5, "one.example"),
                *(ev(f"pending{i}", "proposed", 10 + i, f"s{i}.example") for i in range(2)))
    timeline = state.timeline()
    assert timeline.stage == "proposed" and timeline.unconfirmed == ()
    # The ruling, stated plainly, takes the step on its own date.
    evolve(state, ev("ruling", "court-approved", 40), 9, "")
    assert state.timeline().since == day(40)


def test_later_news_withdraws_a_step_and_history_keeps_it() -> None:
    state = run(ev("bill", "proposed", 2, "a.example"),
                weak("r1", "court-approved", 5, "one.example"),
                weak("r2", "court-approved", 6, "two.example"))
    assert state.timeline().stage == "court-approved"
    evolve(state, ev("p1", "proposed", 8, "s1.example"), 4, "")
    evolve(state, ev("p2", "proposed", 9, "s2.example"), 5, "")
    assert state.timeline().stage == "court-approved"  # two against two: it stands
    evolve(state, ev("p3", "proposed", 10, "s3.example"), 6, "")
    timeline = state.timeline()
    assert timeline.stage == "proposed" and timeline.since == day(2)
    assert steps(timeline) == [(None, "proposed", day(2), False),
                               ("proposed", "court-approved", day(5), True)]
    withdrawn = timeline.history[1].withdrawn
    assert withdrawn is not None and withdrawn.at == day(10) and withdrawn.position == 6
    assert [r.observation_id for r in withdrawn.evidence] == ["p1", "p2", "p3"]
    assert [r.observation_id for r in timeline.history[1].evidence] == ["r1", "r2"]
    # The writer announces it as a correction, dated when the news tipped it.
    change = announcement(D, "court-approved", timeline)
    assert change is not None
    assert (change.cause, change.to_stage, change.since) == ("correction", "proposed", day(10))
    # Later news confirms the step again: a new step, the withdrawn one kept.
    evolve(state, ev("ruling", "court-approved", 30, "court.example"), 7, "")
    assert steps(state.timeline())[-1] == ("proposed", "court-approved", day(30), False)
    assert announcement(D, "proposed", state.timeline()).cause == "evidence"  # type: ignore[union-attr]


def test_a_strong_step_weighs_as_much_as_the_sources_that_confirm_one() -> None:
    state = run(ev("bill", "proposed", 2), ev("ruling", "court-approved", 5, "court.example"),
                *(ev(f"p{i}", "proposed", 8 + i, f"s{i}.example") for i in range(2)))
    assert state.timeline().stage == "court-approved"  # 2 against, 2 for
    evolve(state, ev("p9", "proposed", 20, "s9.example"), 9, "")
    assert state.timeline().stage == "proposed"


def test_a_withdrawal_to_nothing_reads_the_news_against_it_again() -> None:
    timeline = run(weak("r1", "court-approved", 5, "one.example"),
                   weak("r2", "court-approved", 6, "two.example"),
                   *(weak(f"p{i}", "proposed", 8 + i, f"s{i}.example") for i in range(3))
                   ).timeline()
    assert steps(timeline) == [(None, "court-approved", day(5), True),
                               (None, "proposed", day(8), False)]


def test_an_undated_reading_never_sets_since_earlier_than_a_dated_one() -> None:
    timeline = run(ev("u", "proposed", 1, "one.example", basis="headline",
                      date_source="first_seen"),
                   weak("d", "proposed", 4, "two.example")).timeline()
    assert timeline.since == day(4)
    only = run(ev("u", "proposed", 1, date_source="page")).timeline()
    assert only.since == day(1)


# The incremental fold, fed in any arrival order, against the fold from scratch.

STAGE = st.sampled_from([None, "considered", "proposed", "court-approved", "reversed"])
# Withdraws on less news against, so that the property below meets many withdrawals.
EAGER = Designation("t", "Taliban", ("Taliban",), ("Russia",), confirm=Confirm(against=1))
SITES = st.sampled_from(["a.example", "b.example", "c.example", "d.example"])


@st.composite
def histories(draw: st.DrawFn) -> tuple[Designation, list[object]]:
    minutes = {f"o{i}": i * 7 % 40 for i in range(40)}
    events: list[object] = []
    for _ in range(draw(st.integers(1, 60))):
        kind = draw(st.sampled_from(["evidence"] * 12 + ["override", "rejection"]))
        obs = draw(st.sampled_from(sorted(minutes)))
        if kind == "evidence":
            events.append(EvidenceRecorded(
                "t", obs, draw(STAGE), draw(st.sampled_from([0.5, 0.9])), None,
                f"v{len(events)}", "wire", f"https://{draw(SITES)}/{obs}", obs,
                datetime(2025, 1, 1, 0, minutes[obs], tzinfo=UTC),
                draw(st.sampled_from(["body", "headline"])),
                draw(st.sampled_from(["feed", "feed", "first_seen"]))))
        elif kind == "override":
            events.append(StageOverridden("t", draw(st.sampled_from([None, *D.stages])),
                                          "analyst", datetime(2025, 1, 1, 0, draw(
                                              st.integers(0, 39)), 30, len(events), tzinfo=UTC)))
        else:
            events.append(EvidenceRejected("t", obs, "not about this list"))
    return draw(st.sampled_from([D, EAGER])), events


def scratch(events: list[object], designation: Designation) -> Timeline:
    """The rules read straight: every item held, folded once in effective order."""
    return run(*events, designation=designation).timeline(as_of=datetime(2100, 1, 1, tzinfo=UTC))


@settings(max_examples=400, deadline=None)
@given(histories(), st.randoms())
def test_any_arrival_order_folds_as_the_rules_read_from_scratch(
        drawn: tuple[Designation, list[object]], rng: random.Random) -> None:
    designation, events = drawn
    shuffled = shuffled_arrival(events, rng)
    for arrival in (events, shuffled):
        state = run(*arrival, designation=designation)
        assert state.timeline() == scratch(arrival, designation)
        assert state.copy().timeline() == state.timeline()
    assert steps(run(*shuffled, designation=designation).timeline()) == \
        steps(run(*events, designation=designation).timeline())


def test_fold_from_scratch_matches_as_of() -> None:
    events = [ev("a", "proposed", 3), weak("b", "court-approved", 5, "x.example")]
    state = run(*events)
    assert state.timeline(as_of=day(4)) == fold(D, state.items[:1], set())


def test_a_recorded_stage_no_longer_on_the_ladder_is_moved_from() -> None:
    """The feeds file's stages were edited after a step was recorded: the next decision
    announces the change from that stage instead of failing on it."""
    shorter = Designation("t", "Taliban", ("Taliban",), ("Russia",),
                          stages=("considered", "proposed"))
    state = run(ev("bill", "proposed", 2), designation=shorter)
    change = announcement(shorter, "court-approved", state.timeline())
    assert change is not None
    assert (change.from_stage, change.to_stage, change.cause) == (
        "court-approved", "proposed", "evidence")
